"""LaTeX math in Markdown text: where it is, and what it becomes (MathML, delimited TeX, Unicode text).

Syntax, in every Markdown field:

* ``\\( ... \\)`` (inline) and ``\\[ ... \\]`` (display), unless math is ``"off"``;
* ``$...$`` (inline) and ``$$...$$`` (display) when math is ``"dollars"`` (the default), with pandoc's
  rules: an opening ``$`` is followed by a non-space, a closing ``$`` is preceded by a non-space and
  not followed by a digit. So "$0.023 per GB" and "$5 and $10" stay text;
* ``\\$`` is a literal dollar; code spans and code blocks never contain math; math never crosses a
  blank line.

:func:`find_math` locates the spans; :func:`to_mathml` converts one formula with ``math-core`` (a
maintained Rust converter with Python bindings, MIT) into MathML that browsers render natively and that
the MathML 2 (QTI 2.1) and MathML 3 (QTI 3.0) schemas accept, with the LaTeX kept in an
``<annotation encoding="application/x-tex">``; :func:`to_text` turns it into readable Unicode;
:func:`latex_from_mathml` reads MathML back (the annotation when there is one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from html.entities import html5

from lxml import etree
from math_core import LatexError, LatexToMathML

from qbank.core.model import MathSyntax
from qbank.core.text import mask_code

__all__ = [
    "MATHML_NS",
    "MATH_SYNTAXES",
    "TEX_ANNOTATIONS",
    "MathError",
    "MathSpan",
    "MathSyntax",
    "MathTarget",
    "check_latex",
    "delimited",
    "escape_dollars",
    "find_math",
    "find_tex",
    "formula_words",
    "formulas",
    "from_github",
    "latex_from_mathml",
    "latex_tokens",
    "loose_dollars",
    "may_contain_math",
    "to_mathml",
    "to_text",
]

MATH_SYNTAXES: tuple[MathSyntax, ...] = ("dollars", "brackets", "off")
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: ``encoding`` values of a MathML ``<annotation>`` that holds the formula's LaTeX.
TEX_ANNOTATIONS = frozenset({"application/x-tex", "text/x-tex", "application/x-latex", "tex", "latex"})


class MathTarget(Enum):
    """How rendered HTML carries math for a format."""

    MATHML = "mathml"
    """MathML elements (browsers, QTI 2.1 / 3.0)."""
    TEX = "tex"
    """``\\(...\\)`` and ``\\[...\\]`` for MathJax (Moodle's filter)."""
    TEX_DOLLAR_DISPLAY = "tex-dollar-display"
    """``\\(...\\)`` and ``$$...$$`` (Canvas looks for ``\\(`` and ``$$`` before it loads MathJax)."""


@dataclass(frozen=True, slots=True)
class MathSpan:
    """One formula in a Markdown text: ``text[start:end]`` is the formula with its delimiters."""

    start: int
    end: int
    latex: str
    """The LaTeX between the delimiters, as written."""
    display: bool
    opener: str
    """``$``, ``$$``, ``\\(`` or ``\\[``."""

    @property
    def source(self) -> str:
        """The formula with its delimiters, as written."""
        closer = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}[self.opener]
        return f"{self.opener}{self.latex}{closer}"


# ---------------------------------------------------------------------------------------------- finding


def may_contain_math(text: str, syntax: MathSyntax = "dollars") -> bool:
    """A cheap test: ``False`` means ``text`` certainly holds no math."""
    if syntax == "off":
        return False
    return "\\(" in text or "\\[" in text or (syntax == "dollars" and "$" in text)


def _blank_line_at(text: str, k: int) -> bool:
    """Whether the newline at ``k`` starts a blank line (a paragraph break)."""
    j = k + 1
    while j < len(text) and text[j] in " \t":
        j += 1
    return j >= len(text) or text[j] == "\n"


def _close_tex(text: str, k: int, closer: str) -> int:
    """Offset of ``closer`` (``\\)`` or ``\\]``) from ``k`` on, skipping ``\\x`` pairs; -1 when absent."""
    n = len(text)
    while k < n:
        ch = text[k]
        if ch == "\\":
            if text.startswith(closer, k):
                return k
            k += 2
            continue
        if ch == "\n" and _blank_line_at(text, k):
            return -1
        k += 1
    return -1


def _close_dollar(text: str, k: int, display: bool) -> int:
    """Offset of the first unescaped ``$`` (``$$`` for display math) from ``k`` on, within the
    paragraph; -1 when there is none."""
    n = len(text)
    while k < n:
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "\n" and _blank_line_at(text, k):
            return -1
        if ch == "$" and (not display or text.startswith("$$", k)):
            return k
        k += 1
    return -1


@lru_cache(maxsize=65536)
def find_math(text: str, syntax: MathSyntax = "dollars") -> tuple[MathSpan, ...]:
    """The formulas of a Markdown text, in order (see the module docstring for the syntax)."""
    if not may_contain_math(text, syntax):
        return ()
    return _scan(text, mask_code(text, math=False), dollars=syntax == "dollars", single=True)


def find_tex(text: str) -> tuple[MathSpan, ...]:
    """The formulas MathJax finds in plain text (HTML text nodes): ``\\(..\\)``, ``\\[..\\]``, ``$$..$$``."""
    if "\\(" not in text and "\\[" not in text and "$$" not in text:
        return ()
    return _scan(text, text, dollars=True, single=False)


def _scan(text: str, masked: str, *, dollars: bool, single: bool) -> tuple[MathSpan, ...]:
    spans: list[MathSpan] = []
    n = len(masked)
    i = 0
    while i < n:
        ch = masked[i]
        if ch == "\\":
            nxt = masked[i + 1 : i + 2]
            if nxt in ("(", "["):
                closer = "\\)" if nxt == "(" else "\\]"
                end = _close_tex(masked, i + 2, closer)
                if end >= 0 and masked[i + 2 : end].strip():
                    spans.append(MathSpan(i, end + 2, text[i + 2 : end], nxt == "[", "\\" + nxt))
                    i = end + 2
                    continue
            i += 2  # an escape: \$, \\, \( without its closer ...
            continue
        if ch == "$" and dollars:
            if masked.startswith("$$", i):
                end = _close_dollar(masked, i + 2, display=True)
                if end >= 0 and masked[i + 2 : end].strip():
                    spans.append(MathSpan(i, end + 2, text[i + 2 : end], True, "$$"))
                    i = end + 2
                else:
                    i += 2
                continue
            if single and i + 1 < n and not masked[i + 1].isspace():
                # pandoc: the first $ closes, when a non-space precedes it and no digit follows it
                end = _close_dollar(masked, i + 1, display=False)
                if end >= 0 and not masked[end - 1].isspace() and not masked[end + 1 : end + 2].isdigit():
                    spans.append(MathSpan(i, end + 1, text[i + 1 : end], False, "$"))
                    i = end + 1
                    continue
        i += 1
    return tuple(spans)


def escape_dollars(text: str) -> str:
    """``text`` with every ``$`` that would open math written ``\\$`` (other dollars are left alone)."""
    while True:
        spans = [s for s in find_math(text) if s.opener in ("$", "$$")]
        if not spans:
            return text
        for span in reversed(spans):
            closer = span.end - len(span.opener)
            text = (
                text[: span.start]
                + "\\$" * len(span.opener)
                + text[span.start + len(span.opener) : closer]
                + "\\$" * len(span.opener)
                + text[span.end :]
            )


def _github_math(span: MathSpan) -> bool:
    if span.opener == "$" and not re.search(r"\\[A-Za-z]|[\^{]", span.latex):
        return False
    return check_latex(span.latex) is None


def from_github(text: str) -> str:
    """GitHub Markdown rewritten so that qbank shows what GitHub shows.

    GitHub has no bracket math: ``\\(`` and ``\\[`` are escaped brackets there, so they lose their
    backslash (``\\[x\\]`` becomes ``[x\\]``, which shows the same brackets). Quiz banks on GitHub
    put shell, PHP and PowerShell variables in prose (``[[ $A == $B ]]``, ``C:\\>$x = ... $``), so a
    ``$...$`` stays math only when its LaTeX converts and holds LaTeX markup (a command such as
    ``\\frac``, a ``^`` or a brace); the others are dollars and get escaped.
    """
    while True:
        spans = find_math(text, "brackets")
        if not spans:
            break
        for span in reversed(spans):
            text = text[: span.start] + text[span.start + 1 :]
    broken = [s for s in find_math(text) if not _github_math(s)]
    for span in reversed(broken):
        size = len(span.opener)
        body = text[span.start + size : span.end - size]
        text = text[: span.start] + "\\$" * size + body + "\\$" * size + text[span.end :]
    return text


_LOOKS_LIKE_MATH = re.compile(r"\\[A-Za-z]{2,}|[\^_]\{")


def loose_dollars(text: str, syntax: MathSyntax = "dollars") -> list[tuple[int, str]]:
    """``$`` signs that look like the start of math but open none: (offset, what is wrong).

    A ``$`` counts when the text after it on the same line holds a LaTeX command (``\\frac``) or a
    braced script (``^{``, ``_{``), and either no closing ``$`` follows, or the pair has a space
    just inside it (``$ x^{2} $``), which pandoc's rules do not read as math. Prices ("$5 and $10")
    never count: they hold neither.
    """
    if syntax != "dollars" or "$" not in text:
        return []
    masked = list(mask_code(text, math=False))
    for span in find_math(text, syntax):
        masked[span.start : span.end] = " " * (span.end - span.start)
    flat = "".join(masked)
    out: list[tuple[int, str]] = []
    i = 0
    n = len(flat)
    while i < n:
        if flat[i] == "\\":
            i += 2
            continue
        if flat[i] != "$":
            i += 1
            continue
        line_end = flat.find("\n", i)
        line_end = n if line_end < 0 else line_end
        close = i + 1
        while close < line_end and not (flat[close] == "$" and flat[close - 1] != "\\"):
            close += 1
        inside = flat[i + 1 : close]
        if _LOOKS_LIKE_MATH.search(inside):
            if close < line_end:
                out.append((i, "a space just inside `$...$` keeps it from being math"))
            else:
                out.append((i, "`$` opens math that is never closed (write `\\$` for a dollar sign)"))
        i = close + 1 if close < line_end else i + 1
    return out


# ---------------------------------------------------------------------------------------------- LaTeX


class MathError(ValueError):
    """A formula that does not convert; ``offset`` is the character offset inside the LaTeX."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


_CONVERTER = LatexToMathML(xml_namespace=True, annotation=True, fancy_error=False)
_ERROR = re.compile(r"^(\d+): (.*)$", re.S)
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})
#: MathML Core puts these on any element; MathML 2 and 3 only on ``<mstyle>`` (and ``<math>``).
_STYLE_ATTRIBUTES = ("displaystyle", "scriptlevel")
_M = f"{{{MATHML_NS}}}"


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    return html5.get(name + ";", match.group(0))


def _schema_safe(root: etree._Element) -> None:
    """Move MathML Core's style attributes into ``<mstyle>``, where MathML 2 and 3 allow them."""
    for el in list(root.iter(f"{_M}*")):
        name = etree.QName(el).localname
        if name in ("math", "mstyle") or not any(a in el.attrib for a in _STYLE_ATTRIBUTES):
            continue
        moved = {a: str(el.attrib.pop(a)) for a in _STYLE_ATTRIBUTES if a in el.attrib}
        if name == "mrow":
            el.tag = f"{_M}mstyle"
            for key, value in moved.items():
                el.set(key, value)
            continue
        style = etree.Element(f"{_M}mstyle", moved)
        parent = el.getparent()
        if parent is None:
            continue
        parent.replace(el, style)
        style.append(el)
        style.tail, el.tail = el.tail, None


@lru_cache(maxsize=16384)
def _convert(latex: str, display: bool) -> tuple[str, MathError | None]:
    try:
        raw = _CONVERTER.convert_with_local_state(latex, displaystyle=display)
    except LatexError as exc:
        text = str(exc)
        match = _ERROR.match(text)
        if match:
            return "", MathError(match.group(2).strip(), min(int(match.group(1)), len(latex)))
        return "", MathError(text.strip(), 0)
    root = etree.fromstring(_ENTITY.sub(_entity, raw), etree.XMLParser(resolve_entities=False))
    _schema_safe(root)
    return etree.tostring(root, encoding="unicode"), None


def check_latex(latex: str) -> MathError | None:
    """Why ``latex`` does not convert (unbalanced braces, an unknown command ...), or ``None``."""
    return _convert(latex, False)[1]


def to_mathml(latex: str, display: bool = False) -> str:
    """MathML for one formula: a ``<math>`` element in the MathML namespace, LaTeX annotated.

    Raises :class:`MathError` when the LaTeX does not convert.
    """
    mathml, error = _convert(latex, display)
    if error is not None:
        raise error
    return mathml


def delimited(latex: str, display: bool, target: MathTarget) -> str:
    """The formula as MathJax reads it in text: ``\\(...\\)``, ``\\[...\\]`` or ``$$...$$``."""
    if not display:
        return f"\\({latex}\\)"
    if target is MathTarget.TEX_DOLLAR_DISPLAY:
        return f"$${latex}$$"
    return f"\\[{latex}\\]"


# ---------------------------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|[A-Za-z]|\S")
#: Tokens that change the layout but not the meaning of a formula.
_LAYOUT = frozenset(
    {"{", "}", r"\,", r"\;", r"\:", r"\!", "\\ ", r"\quad", r"\qquad", r"\left", r"\right", r"\big", r"\Big",
     r"\bigg", r"\Bigg", r"\displaystyle", r"\textstyle"}
)  # fmt: skip


@lru_cache(maxsize=65536)
def latex_tokens(latex: str) -> tuple[str, ...]:
    """The meaningful tokens of a formula: commands, numbers, letters and symbols.

    Grouping braces, spacing commands and ``\\left``/``\\right`` are dropped, so ``x^{2}`` and
    ``x^2`` give the same tokens; ``\\frac{1}{2}`` and ``\\frac12`` give different ones.
    """
    return tuple(t for t in _TOKEN.findall(latex) if t not in _LAYOUT)


#: Names of symbols, so that a formula can be written as words (``<`` -> ``lt``).
_SYMBOL_WORDS = {
    "=": "eq", "<": "lt", ">": "gt", "+": "plus", "-": "minus", "*": "ast", "/": "over", "^": "sup",
    "_": "sub", "|": "mid", "!": "fact", "'": "prime", "&": "amp", "\\": "newline", "{": "lbrace",
    "}": "rbrace", "%": "percent", "$": "dollar", "#": "hash",
}  # fmt: skip
_DROPPED = frozenset("()[],.;:")


@lru_cache(maxsize=65536)
def formula_words(latex: str) -> tuple[str, ...]:
    """A formula's tokens as words: commands without their backslash, symbols by name, numbers as
    written with ``_`` for the decimal point (``x_1 \\le 2.5`` -> ``x sub 1 le 2_5``)."""
    out: list[str] = []
    for token in latex_tokens(latex):
        if token in _DROPPED:
            continue
        if token.startswith("\\") and token[1:].isalpha():
            out.append(token[1:])
        elif token.startswith("\\") and len(token) == 2:
            out.append(_SYMBOL_WORDS.get(token[1], f"u{ord(token[1]):x}"))
        elif token[0].isdigit():
            out.append(token.replace(".", "_"))
        elif token.isalpha():
            out.append(token)
        else:
            out.append(_SYMBOL_WORDS.get(token, f"u{ord(token[0]):x}"))
    return tuple(out)


def formulas(text: str, syntax: MathSyntax = "dollars") -> tuple[str, ...]:
    """What each formula of a Markdown text says, in order: its :func:`formula_words` joined by spaces,
    so layout does not count (``$x^{2}$`` and ``$x^2$`` both give ``x sup 2``) and symbols do
    (``$x^2$`` and ``$x^3$``, ``$\\sin t$`` and ``$\\cos t$`` differ)."""
    return tuple(" ".join(formula_words(span.latex)) for span in find_math(text, syntax))


# ---------------------------------------------------------------------------------------------- text

_SUPERSCRIPT = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ′″'",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ′″′",
        strict=True,
    )
)
_SUBSCRIPT = dict(
    zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True)
)
_VULGAR = {
    ("1", "2"): "½", ("1", "3"): "⅓", ("2", "3"): "⅔", ("1", "4"): "¼", ("3", "4"): "¾",
    ("1", "5"): "⅕", ("2", "5"): "⅖", ("3", "5"): "⅗", ("4", "5"): "⅘", ("1", "6"): "⅙",
    ("5", "6"): "⅚", ("1", "8"): "⅛", ("3", "8"): "⅜", ("5", "8"): "⅝", ("7", "8"): "⅞",
    ("1", "10"): "⅒",
}  # fmt: skip
#: The mark of an accent (``<mover accent>``) -> the combining character that shows it in text.
_ACCENTS = {
    "^": "\u0302", "ˆ": "\u0302", "\u0302": "\u0302", "¯": "\u0304", "‾": "\u0305", "\u0332": "\u0305",
    "~": "\u0303", "˜": "\u0303", "˙": "\u0307", "¨": "\u0308", "→": "\u20d7", "\u20d7": "\u20d7",
    "ˇ": "\u030c", "˘": "\u0306", "´": "\u0301", "`": "\u0300", "˚": "\u030a",
}  # fmt: skip
_UNDERLINES = {"\u0332": "\u0332", "_": "\u0332"}
_SPACED = frozenset("=<>≤≥≠≈≡∼≃≅∝±∓+−×÷⋅·∗∘→←↔⇒⇐⇔↦∈∉⊂⊆⊃⊇∪∩∧∨∣")
_INVISIBLE = frozenset("\u2061\u2062\u2063\u2064")
_ROOTS = {"2": "√", "3": "∛", "4": "∜"}
_BIG = frozenset("∑∏∐∫∬∭∮⋃⋂⋁⋀")
_FUNCTIONS = frozenset(
    [
        "sin",
        "cos",
        "tan",
        "cot",
        "sec",
        "csc",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "log",
        "ln",
        "lg",
        "exp",
        "lim",
        "max",
        "min",
        "sup",
        "inf",
        "det",
        "gcd",
        "deg",
        "dim",
        "ker",
        "arg",
        "Pr",
    ]
)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _itertext(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


class _Texter:
    """MathML -> readable Unicode; ``exact`` turns false when the text loses structure."""

    def __init__(self) -> None:
        self.exact = True

    def text(self, el: etree._Element) -> str:
        name = _local(el)
        kids = [c for c in el if isinstance(c.tag, str)]
        if name in ("mi", "mn", "mtext", "ms"):
            return _itertext(el)
        if name == "mo":
            op = "".join(c for c in _itertext(el) if c not in _INVISIBLE)
            if op in _BIG:
                return f" {op} "
            if op and (op in _SPACED or op in ",:;"):
                return f"\x00{op}\x00"
            return op
        if name == "mspace":
            return " " if el.get("width", "0").strip("0.em") else ""
        if name == "semantics":
            return self.text(kids[0]) if kids else ""
        if name in ("annotation", "annotation-xml", "mphantom", "none", "mprescripts"):
            return ""
        if name == "mfrac":
            num, den = (self.text(k) for k in kids[:2])
            if el.get("linethickness", "").strip() in ("0", "0pt", "0em"):
                return f"{self.clean(num)} choose {self.clean(den)}"
            vulgar = _VULGAR.get((self.clean(num), self.clean(den)))
            return vulgar or f"{self.group(num)}/{self.group(den)}"
        if name == "msqrt":
            return "√" + self.group("".join(self.text(k) for k in kids))
        if name == "mroot":
            base, index = (self.text(k) for k in kids[:2])
            sign = _ROOTS.get(self.clean(index)) or (self.script(index, _SUPERSCRIPT, "^") + "√")
            return sign + self.group(base)
        if name in ("msup", "msub", "msubsup"):
            parts = [self.text(k) for k in kids[:3]]
            operator = self.clean(parts[0]) in _BIG or self.clean(parts[0]) in _FUNCTIONS
            out = self.clean(parts[0]) if operator else parts[0]
            if name in ("msub", "msubsup"):
                out += self.script(parts[1], _SUBSCRIPT, "_")
            if name in ("msup", "msubsup"):
                out += self.script(parts[-1], _SUPERSCRIPT, "^")
            return f" {out} " if operator else out
        if name in ("mover", "munder", "munderover"):
            return self.under_over(el, name, kids)
        if name == "mtable":
            self.exact = False
            rows = [[self.clean(self.text(c)) for c in row if _local(c) == "mtd"] for row in kids]
            return "; ".join(" ".join(r) for r in rows)
        if name == "mfenced":
            inner = ", ".join(self.clean(self.text(k)) for k in kids)
            return el.get("open", "(") + inner + el.get("close", ")")
        if name in ("math", "mrow", "mstyle", "mpadded", "menclose", "merror", "mtd", "mtr", "maction"):
            return self.row(kids)
        self.exact = False
        return "".join(self.text(k) for k in kids) or _itertext(el)

    def row(self, kids: list[etree._Element]) -> str:
        """Children side by side; a fraction next to a letter or digit gets a space (``1.96 σ/√n``)."""
        out = ""
        fraction_before = False
        for kid in kids:
            piece = self.text(kid)
            fraction = _local(kid) == "mfrac"
            if (fraction or fraction_before) and out[-1:].isalnum() and piece[:1].isalnum():
                out += " "
            out += piece
            fraction_before = fraction
        return out

    def under_over(self, el: etree._Element, name: str, kids: list[etree._Element]) -> str:
        base = self.text(kids[0]) if kids else ""
        scripts = [self.text(k) for k in kids[1:3]]
        if name != "munderover" and len(scripts) == 1:
            marks = _ACCENTS if name == "mover" else _UNDERLINES
            mark = self.clean(scripts[0])
            if mark in marks:
                return "".join(c + marks[mark] for c in self.clean(base) if not c.isspace())
        clean_base = self.clean(base)
        if clean_base in _BIG or clean_base in _FUNCTIONS:
            under = scripts[0] if name != "mover" else ""
            over = scripts[-1] if name != "munder" else ""
            out = clean_base
            if under:
                out += self.script(under, _SUBSCRIPT, "_")
            if over:
                out += self.script(over, _SUPERSCRIPT, "^")
            return f" {out} "
        self.exact = False
        return base + "".join(f"({self.clean(s)})" for s in scripts)

    @staticmethod
    def clean(text: str) -> str:
        return _spaced(text)

    def group(self, text: str) -> str:
        clean = self.clean(text)
        if len(clean) <= 1 or _ATOM.fullmatch(clean):
            return clean
        return f"({clean})"

    def script(self, text: str, table: dict[str, str], mark: str) -> str:
        clean = self.clean(text).replace(" ", "")
        if clean and all(c in table for c in clean):
            return "".join(table[c] for c in clean)
        clean = self.clean(text)
        return f"{mark}({clean}) " if len(clean) > 1 else f"{mark}{clean} "


#: Text that needs no parentheses around it as a numerator, denominator, root or script.
_ATOM = re.compile(r"[√∛∜]?[\w.]+[\u0300-\u036f\u20d7]*(?:\([^()]*\))?|\([^()]*\)")


def _spaced(text: str) -> str:
    text = re.sub(r"\x00([,:;])\x00", r"\1 ", text)
    text = re.sub(r"^\x00(.)\x00", r"\1", text)  # a leading sign: "-3"
    text = re.sub(r"([(\[{\s])\x00(.)\x00", r"\1\2", text)
    text = text.replace("\x00", " ")
    return " ".join(text.split())


@lru_cache(maxsize=16384)
def to_text(latex: str, display: bool = False) -> tuple[str, bool]:
    """The formula as readable Unicode text (``\\frac{1}{2}`` -> ``½``, ``x^2`` -> ``x²``).

    The flag says whether the text says everything the formula does: it is false for matrices,
    layouts plain text cannot show, and LaTeX that does not convert (then the text is the LaTeX).
    """
    mathml, error = _convert(latex, display)
    if error is not None:
        return " ".join(latex.split()), False
    texter = _Texter()
    text = _spaced(texter.text(etree.fromstring(mathml)))
    return text, texter.exact


# ---------------------------------------------------------------------------------------------- import

#: Unicode -> LaTeX for what a MathML token may hold (math-core writes these for the commands).
_SYMBOLS: dict[str, str] = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ϵ": r"\epsilon", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ϑ": r"\vartheta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ϖ": r"\varpi", "ρ": r"\rho",
    "ϱ": r"\varrho", "σ": r"\sigma", "ς": r"\varsigma", "τ": r"\tau", "υ": r"\upsilon", "ϕ": r"\phi",
    "φ": r"\varphi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Υ": r"\Upsilon",
    "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "∼": r"\sim", "≃": r"\simeq",
    "≅": r"\cong", "≡": r"\equiv", "∝": r"\propto", "±": r"\pm", "∓": r"\mp", "×": r"\times",
    "÷": r"\div", "⋅": r"\cdot", "·": r"\cdot", "∘": r"\circ", "∙": r"\bullet", "∗": r"\ast",
    "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod", "∫": r"\int",
    "∬": r"\iint", "∮": r"\oint", "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq",
    "⊃": r"\supset", "⊇": r"\supseteq", "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset",
    "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\land", "∨": r"\lor", "→": r"\to",
    "←": r"\leftarrow", "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "⇐": r"\Leftarrow",
    "⇔": r"\Leftrightarrow", "↦": r"\mapsto", "…": r"\ldots", "⋯": r"\cdots", "⋮": r"\vdots",
    "⋱": r"\ddots", "⟨": r"\langle", "⟩": r"\rangle", "⌊": r"\lfloor", "⌋": r"\rfloor",
    "⌈": r"\lceil", "⌉": r"\rceil", "∥": r"\parallel", "⊥": r"\perp", "∠": r"\angle", "′": "'",
    "″": "''", "‴": "'''", "ℏ": r"\hbar", "ℓ": r"\ell", "ℜ": r"\Re", "ℑ": r"\Im", "ℵ": r"\aleph", "°": r"^{\circ}",
    "−": "-", "∣": r"\mid", "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}", "ℂ": r"\mathbb{C}", "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#",
    "&": r"\&", "$": r"\$", "_": r"\_", "\u00a0": "~",
}  # fmt: skip

#: The mark of ``<mover>`` / ``<munder>`` -> the LaTeX accent command.
_OVER = {
    "^": r"\hat", "ˆ": r"\hat", "\u0302": r"\widehat", "¯": r"\bar", "‾": r"\overline",
    "\u0332": r"\overline", "―": r"\overline", "~": r"\tilde", "˜": r"\tilde", "˙": r"\dot",
    "¨": r"\ddot", "→": r"\vec", "\u20d7": r"\vec", "ˇ": r"\check", "˘": r"\breve", "´": r"\acute",
    "`": r"\grave", "⏞": r"\overbrace",
}  # fmt: skip
_UNDER = {"\u0332": r"\underline", "_": r"\underline", "⏟": r"\underbrace"}


def _symbols(text: str) -> str:
    return "".join(_SYMBOLS.get(ch, ch) for ch in text if ch not in _INVISIBLE)


def _join(parts: list[str]) -> str:
    """Concatenate LaTeX pieces, with a space where a command would run into a letter."""
    out = ""
    for part in parts:
        if not part:
            continue
        if (re.search(r"\\[A-Za-z]+$", out) and re.match(r"[A-Za-z]", part)) or (
            re.search(r"[_^][A-Za-z0-9]$", out) and re.match(r"[A-Za-z0-9]", part)
        ):
            out += " "
        out += part
    return out


def _braced(latex: str) -> str:
    return latex if re.fullmatch(r"[A-Za-z0-9]|\\[A-Za-z]+", latex) else "{" + latex + "}"


def _to_latex(el: etree._Element) -> str:
    name = _local(el)
    kids = [c for c in el if isinstance(c.tag, str)]
    text = _itertext(el) if name in ("mi", "mn", "mo", "mtext", "ms") else ""
    if name == "mi":
        if el.get("mathvariant") == "normal" and len(text) == 1 and text.isascii() and text.isalpha():
            return rf"\mathrm{{{text}}}"
        if len(text) > 1 and text in _FUNCTIONS:
            return "\\" + text
        if len(text) > 1 and text.isalpha():
            return rf"\mathrm{{{text}}}"
        return _symbols(text)
    if name in ("mn", "mo"):
        return _symbols(text)
    if name in ("mtext", "ms"):
        return rf"\text{{{text}}}" if text.strip() else "\\ " * bool(text)
    if name == "mspace":
        return r"\," if el.get("width", "0").strip("0.em") else ""
    if name == "semantics":
        for ann in kids[1:]:
            if _local(ann) == "annotation" and (ann.get("encoding") or "").lower() in TEX_ANNOTATIONS:
                return ann.text or ""
        return _to_latex(kids[0]) if kids else ""
    if name in ("annotation", "annotation-xml", "none", "mprescripts"):
        return ""
    parts = [_to_latex(k) for k in kids]
    if name == "mfrac" and len(parts) >= 2:
        command = r"\binom" if el.get("linethickness", "").strip() in ("0", "0pt", "0em") else r"\frac"
        return f"{command}{{{parts[0]}}}{{{parts[1]}}}"
    if name == "msqrt":
        return rf"\sqrt{{{_join(parts)}}}"
    if name == "mroot" and len(parts) >= 2:
        return rf"\sqrt[{parts[1]}]{{{parts[0]}}}"
    if name in ("msup", "msub", "msubsup") and parts:
        out = _braced(parts[0]) if parts[0].endswith(("'", "}")) else parts[0]
        if name in ("msub", "msubsup") and len(parts) > 1:
            out += "_" + _braced(parts[1])
        if name in ("msup", "msubsup") and len(parts) > 1:
            sup = parts[-1]
            out += sup if sup and set(sup) == {"'"} else "^" + _braced(sup)
        return out
    if name in ("mover", "munder", "munderover") and parts:
        scripts = [_itertext(kids[i]).strip() for i in range(1, len(kids))]
        accents = _OVER if name == "mover" else _UNDER
        if len(parts) == 2 and scripts[0] in accents:
            return f"{accents[scripts[0]]}{{{parts[0]}}}"
        out = parts[0]
        if name != "mover" and len(parts) > 1:
            out += "_" + _braced(parts[1])
        if name != "munder" and len(parts) > 1:
            out += "^" + _braced(parts[-1])
        return out
    if name == "mtable":
        rows = [" & ".join(_to_latex(c) for c in row if _local(c) == "mtd") for row in kids]
        return r"\begin{matrix}" + r" \\ ".join(rows) + r"\end{matrix}"
    if name == "mfenced":
        inner = (el.get("separators", ",").strip() or ",")[0].join(parts)
        return rf"\left{_fence(el.get('open', '('))}{inner}\right{_fence(el.get('close', ')'))}"
    if name == "mphantom":
        return rf"\phantom{{{_join(parts)}}}"
    if name == "mrow" and len(kids) in (2, 3) and _local(kids[0]) == "mo":
        fenced = _fenced(kids)
        if fenced is not None:
            return fenced
    return _join(parts)


_MATRICES = {("(", ")"): "pmatrix", ("[", "]"): "bmatrix", ("|", "|"): "vmatrix", ("‖", "‖"): "Vmatrix"}


def _fenced(kids: list[etree._Element]) -> str | None:
    """``\\binom``, matrix and ``cases`` environments, which MathML writes as fences around a part."""
    open_ = _itertext(kids[0]).strip()
    close = _itertext(kids[2]).strip() if len(kids) == 3 and _local(kids[2]) == "mo" else None
    inner = kids[1]
    while _local(inner) in ("mstyle", "mrow") and len([c for c in inner if isinstance(c.tag, str)]) == 1:
        inner = next(c for c in inner if isinstance(c.tag, str))
    name = _local(inner)
    if (
        name == "mfrac"
        and inner.get("linethickness", "").strip() in ("0", "0pt", "0em")
        and (open_, close) == ("(", ")")
    ):
        a, b = (_to_latex(c) for c in inner if isinstance(c.tag, str))
        return rf"\binom{{{a}}}{{{b}}}"
    if name != "mtable":
        return None
    rows = [
        " & ".join(_to_latex(c) for c in row if _local(c) == "mtd") for row in inner if _local(row) == "mtr"
    ]
    body = r" \\ ".join(rows)
    if open_ == "{" and close in (None, "", "\u2063"):
        return rf"\begin{{cases}}{body}\end{{cases}}"
    env = _MATRICES.get((open_, close or ""))
    return rf"\begin{{{env}}}{body}\end{{{env}}}" if env else None


def _fence(ch: str) -> str:
    return {"{": r"\{", "}": r"\}", "": ".", "⟨": r"\langle", "⟩": r"\rangle", "|": "|"}.get(ch, ch)


def latex_from_mathml(math: etree._Element) -> tuple[str, bool]:
    """The LaTeX of a MathML ``<math>`` element, and whether it is a display formula.

    The LaTeX annotation wins when there is one (qbank's own exports carry it, so they come back
    exactly); otherwise the presentation markup is read back.
    """
    display = (math.get("display") or "").lower() == "block" or (math.get("mode") or "") == "display"
    kids = [c for c in math if isinstance(c.tag, str)]
    if len(kids) == 1 and _local(kids[0]) == "semantics":
        for ann in list(kids[0])[1:]:
            if _local(ann) == "annotation" and (ann.get("encoding") or "").lower() in TEX_ANNOTATIONS:
                return ann.text or "", display
    return " ".join(_to_latex(math).split()), display
