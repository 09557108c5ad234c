"""QB6xx: text hygiene and formatting artifacts (copy-paste damage)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Literal

from qbank.core.diagnostics import Severity
from qbank.core.model import ChoiceQuestion, Question, SingleChoice
from qbank.core.text import choice_fields, mask_code, mask_literals, text_fields
from qbank.core.wordlists import CANONICAL_TERMS, MOJIBAKE
from qbank.lint.rules.base import Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions, TextEdit

__all__ = [
    "CanonicalTermCasing",
    "EmbeddedOptionLabel",
    "FormatUnsafeCharacters",
    "InvisibleOrOddWhitespace",
    "MixedQuoteStyles",
    "Mojibake",
    "StrayLineBreak",
    "UnbalancedDelimiters",
]

FieldPath = tuple[str | int, ...]

_STRAY_BREAK = re.compile(r"(?<=[^\s.?!:;>|\\])[ \t]*\n[ \t]*(?=[a-z(]|(?P<punct>[,;:!?)]|\.(?!\w)))")
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z])-\n(?=[a-z])")
_BLOCK_LINE = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#{1,6}\s|\||>|!\[|<|```|~~~|\s{4})")


def _line_of(text: str, index: int) -> tuple[str, str]:
    """The line ending at the newline at ``index`` and the line after it."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index + 1)
    return text[start:index], text[index + 1 : end if end >= 0 else len(text)]


class StrayLineBreak(Rule[NoOptions]):
    """A single line break in the middle of a sentence.

    What it does
        In the stem, choices, feedback and explanation, reports a line break after a line that
        does not end with sentence punctuation when the next line starts with a lower-case letter,
        "(" or a punctuation mark that never starts a line (``, ; : ! ? )`` or a period; text copied
        from web pages often breaks before the comma of a list: "my-function-dev\\n, my-function-test")
        - and a word hyphenated across lines ("configu-\\nration"). Code blocks, lists, headings,
        tables and texts written as paragraphs (with blank lines) are skipped. ``qbank check --fix``
        joins the lines with a space, or with nothing before a punctuation mark (hyphenated breaks
        are left alone).

    Why it matters
        Copy-paste from PDFs and web pages inserts hard wraps. They show as broken lines in
        HTML targets and break line-oriented formats (Aiken needs the question on one line; in
        GIFT a blank line ends the question).

    Example
        ```yaml
        stem: "A developer needs to store\\nsession data for a web application. Which service fits?"
        ```

    Use instead
        One line, or a blank line where a paragraph break is intended.
    """

    code = "QB601"
    name = "stray-line-break"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.fields:
            if "\n" not in text or "\n\n" in text.strip():
                continue
            masked = mask_code(text)
            for match in _STRAY_BREAK.finditer(masked):
                newline = masked.index("\n", match.start())
                before, after = _line_of(masked, newline)
                if not before.strip() or _BLOCK_LINE.match(before) or _BLOCK_LINE.match(after):
                    continue
                if match.group("punct"):
                    joint, message = "", f"line break before {match.group('punct')!r}"
                else:
                    joint, message = " ", "line break in the middle of a sentence"
                # the spaces around the break in the text itself (code before it is masked, not space)
                start, end = newline, newline + 1
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
                while end < len(text) and text[end] in " \t":
                    end += 1
                fix = TextEdit(where, start, end, joint, "joined a line broken mid-sentence")
                yield Finding(message, question, where, offset=newline, fix=(fix,))
            for match in _HYPHEN_BREAK.finditer(masked):
                yield Finding("word hyphenated across a line break", question, where, offset=match.start())


class UnbalancedDelimiters(Rule[NoOptions]):
    """Backticks, emphasis, brackets or quotes are not balanced.

    What it does
        Per field, reports an unclosed code fence, an odd number of inline backticks, an odd
        number of ``**`` or ``__``, unbalanced ``( ) [ ] { }`` (list labels such as "a)" are
        ignored), an odd number of straight double quotes and unequal curly double quotes.
        Code is excluded first; the finding points at the unmatched character.

    Why it matters
        Broken markup corrupts rendering in every target and can swallow the rest of the item
        (an unclosed ``{`` ends a GIFT answer block, an unclosed backtick turns the rest into code).

    Example
        ```yaml
        stem: "Set `memorySize to 512 MB. What happens?"
        ```

    Use instead
        ```yaml
        stem: "Set `memorySize` to 512 MB. What happens?"
        ```
    """

    code = "QB602"
    name = "unbalanced-delimiters"
    severity = Severity.ERROR

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.fields:
            problem = _unbalanced(text)
            if problem is not None:
                message, offset = problem
                yield Finding(message, question, where, offset=offset)


_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.M)
_LIST_LABEL = re.compile(r"(?:^|\s)\(?[A-Za-z0-9]{1,2}$|[:;8]-?$")
_PAIRS = {")": "(", "]": "[", "}": "{"}
_BRACKET = re.compile(r"[()\[\]{}]")


@lru_cache(maxsize=100_000)
def _unbalanced(text: str) -> tuple[str, int] | None:
    fences = list(_FENCE_LINE.finditer(text)) if "```" in text or "~~~" in text else []
    open_fence: re.Match[str] | None = None
    for fence in fences:
        if open_fence is None:
            open_fence = fence
        elif fence.group(1)[0] == open_fence.group(1)[0] and len(fence.group(1)) >= len(open_fence.group(1)):
            open_fence = None
    if open_fence is not None:
        return "unclosed code fence", open_fence.start(1)
    masked = mask_code(text)
    if "`" in masked:
        return "unmatched backtick", masked.index("`")
    for marker in ("**", "__"):
        count = masked.count(marker)
        if count % 2:
            return f"unmatched {marker!r}", masked.rindex(marker)
    stack: list[tuple[str, int]] = []
    for bracket in _BRACKET.finditer(masked):
        index, ch = bracket.start(), bracket.group(0)
        if ch in "([{":
            stack.append((ch, index))
        elif ch in ")]}":
            if stack and stack[-1][0] == _PAIRS[ch]:
                stack.pop()
            elif ch == ")" and not any(s[0] == "(" for s in stack):
                if not _LIST_LABEL.search(masked[max(0, index - 4) : index]):
                    return "unmatched ')'", index
            elif ch != ")":
                return f"unmatched {ch!r}", index
    if stack:
        ch, index = stack[0]
        return f"unclosed {ch!r}", index
    if masked.count('"') % 2:
        return "odd number of straight double quotes", masked.rindex('"')
    if masked.count("“") != masked.count("”"):
        at = masked.rfind("“") if masked.count("“") > masked.count("”") else masked.rfind("”")
        return "unequal curly double quotes (“ ”)", at
    return None


_INVISIBLE = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space (BOM)",
    "\u00ad": "soft hyphen",
}
_ODD_SPACE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0]")
_TRAILING = re.compile(r"[ \t]+(?=\n)|[ \t]+$")
_DOUBLE_SPACE = re.compile(r"(?<=\S)  +(?=\S)")


class InvisibleOrOddWhitespace(Rule[NoOptions]):
    """Invisible characters, no-break spaces, tabs, trailing or doubled spaces, CR characters.

    What it does
        Reports, once per kind and field: zero-width characters (U+200B/C/D, U+2060, U+FEFF),
        soft hyphens, no-break spaces, tabs and doubled spaces outside code, trailing spaces,
        carriage returns and leading/trailing spaces of a choice. ``qbank check --fix`` removes
        zero-width characters, soft hyphens and trailing spaces and turns no-break spaces into
        spaces.

    Why it matters
        Invisible characters defeat duplicate detection and search, and some importers treat
        them as content; an answer with a zero-width space never matches what a learner types.

    Example
        ```yaml
        - {text: "Amazon\\u200bS3"}
        ```

    Use instead
        ```yaml
        - {text: Amazon S3}
        ```
    """

    code = "QB603"
    name = "invisible-or-odd-whitespace"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.fields:
            # what every finding but a choice's outer space needs: a non-ASCII character (the
            # invisible ones, the no-break space), a tab, a CR, two spaces or a space at a line end
            if (
                not text.isascii()
                or "\t" in text
                or "\r" in text
                or "  " in text
                or " \n" in text
                or text.endswith(" ")
            ):
                yield from self._field(question, where, text)
            elif where[0] == "choices" and where[-1] == "text" and text != text.strip():
                yield Finding("leading or trailing whitespace in a choice", question, where)

    def _field(self, question: Question, where: FieldPath, text: str) -> Iterator[Finding]:
        if _ODD_SPACE.search(text):
            invisible = [(i, ch) for i, ch in enumerate(text) if ch in _INVISIBLE]
            if invisible:
                names = sorted({_INVISIBLE[ch] for _, ch in invisible})
                edits = tuple(
                    TextEdit(where, i, i + 1, "", f"removed a {_INVISIBLE[ch]}") for i, ch in invisible
                )
                yield Finding(
                    f"{len(invisible)} invisible character(s): {', '.join(names)}",
                    question,
                    where,
                    offset=invisible[0][0],
                    fix=edits,
                )
            nbsp = [i for i, ch in enumerate(text) if ch == "\u00a0"]
            if nbsp:
                edits = tuple(TextEdit(where, i, i + 1, " ", "replaced a no-break space") for i in nbsp)
                yield Finding(f"{len(nbsp)} no-break space(s)", question, where, offset=nbsp[0], fix=edits)
        trailing = (
            list(_TRAILING.finditer(text))
            if text.endswith((" ", "\t")) or " \n" in text or "\t\n" in text
            else []
        )
        if trailing:
            edits = tuple(
                TextEdit(where, m.start(), m.end(), "", "removed trailing spaces") for m in trailing
            )
            yield Finding("trailing spaces", question, where, offset=trailing[0].start(), fix=edits)
        if "\r" in text:
            yield Finding("carriage return character", question, where, offset=text.index("\r"))
        masked = mask_code(text) if "\t" in text or "  " in text else text
        if "\t" in masked:
            yield Finding("tab character", question, where, offset=masked.index("\t"))
        for double in _DOUBLE_SPACE.finditer(text) if "  " in text else ():
            before, after = double.start() - 1, double.end()
            if masked[before] == text[before] and masked[after] == text[after]:
                yield Finding("two or more consecutive spaces", question, where, offset=double.start())
                break
        if where[0] == "choices" and where[-1] == "text" and text != text.strip() and not trailing:
            yield Finding("leading or trailing whitespace in a choice", question, where)


_MOJIBAKE_RE = re.compile(r"Ã[\x80-\xbf]|â€|Â[\xa0-\xbf]|\ufffd|[\x80-\x9f]")


class Mojibake(Rule[NoOptions]):
    """Encoding damage: UTF-8 read as Windows-1252, replacement or C1 control characters.

    What it does
        Reports the first sequence per field that looks like UTF-8 decoded as cp1252 ("â€™",
        "Ã©", "Â "), the replacement character U+FFFD and C1 control characters, and suggests
        the repaired text for the common sequences.

    Why it matters
        Damage from spreadsheets and copy-paste; Moodle's GIFT and Aiken importers read UTF-8
        but do not repair it, so learners see "donâ€™t".

    Example
        ```yaml
        stem: Which service doesnâ€™t need a server?
        ```

    Use instead
        ```yaml
        stem: Which service doesn’t need a server?
        ```
    """

    code = "QB604"
    name = "mojibake"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.fields:
            match = None if text.isascii() else _MOJIBAKE_RE.search(text)  # every sequence is non-ASCII
            if match is None:
                continue
            sequence = next((bad for bad in MOJIBAKE if text.startswith(bad, match.start())), None)
            hint = f" (probably {MOJIBAKE[sequence]!r})" if sequence else ""
            shown = sequence or match.group(0)
            yield Finding(f"encoding damage {shown!r}{hint}", question, where, offset=match.start())


_LABEL = re.compile(r"^\s*\(?([A-Ha-h]|[1-8])[.)]\s+")


class EmbeddedOptionLabel(Rule[NoOptions]):
    """A choice starts with its own label ("A) ...", "b. ...").

    What it does
        Reports a choice whose text starts with a label like "A.", "b)", "(c)" or "1." when the
        label matches the choice's position or every choice carries one. ``qbank check --fix``
        removes the label.

    Why it matters
        Renderers and exporters add labels (Moodle ``answernumbering``, Aiken ``A)``): embedded
        ones show as "A. A) ...", are wrong after shuffling and confuse the Aiken parser.

    Example
        ```yaml
        choices:
          - {text: "A) Amazon S3", correct: true}
          - {text: "B) Amazon EBS"}
        ```

    Use instead
        ```yaml
        choices:
          - {text: Amazon S3, correct: true}
          - {text: Amazon EBS}
        ```
    """

    code = "QB605"
    name = "embedded-option-label"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if not isinstance(question, ChoiceQuestion):
            return
        matches = [_LABEL.match(c.text) for c in question.choices]
        everywhere = all(m is not None for m in matches)
        for index, match in enumerate(matches):
            if match is None:
                continue
            label = match.group(1)
            own = label.upper() == "ABCDEFGH"[index] if label.isalpha() else label == str(index + 1)
            if not (own or everywhere) or not question.choices[index].text[match.end() :].strip():
                continue
            where: FieldPath = ("choices", index, "text")
            fix = TextEdit(where, 0, match.end(), "", f"removed the embedded label {label!r}")
            yield Finding(
                f"the choice starts with the label {match.group(0).strip()!r}",
                question,
                where,
                offset=match.start(1),
                fix=(fix,),
            )


_APOS_STRAIGHT = re.compile(r"(?<=\w)'(?=\w)")
_APOS_CURLY = re.compile(r"(?<=\w)’(?=\w)")


class MixedQuoteStyles(Rule[NoOptions]):
    """A field mixes straight and typographic quotes.

    What it does
        Reports a field that uses both straight (``"``, ``'``) and typographic (“ ” ‘ ’) quotes, or
        both straight and curly apostrophes inside words. Code is ignored.

    Why it matters
        Proofreading (Haladyna et al. #11-12); it also reveals text pasted from several sources
        and defeats exact matching of quoted names.

    Example
        ```yaml
        stem: The developer's “main” function calls "handler". Which runtime is used?
        ```

    Use instead
        One style per field (and ideally per bank).
    """

    code = "QB606"
    name = "mixed-quote-styles"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.fields:
            if text.isascii() or not any(ch in text for ch in "“”‘’"):
                continue
            masked = mask_code(text)
            apos_straight = _APOS_STRAIGHT.search(masked)
            apos_curly = _APOS_CURLY.search(masked)
            rest = _APOS_CURLY.sub(" ", _APOS_STRAIGHT.sub(" ", masked))
            straight = re.search(r"[\"']", rest)
            curly = re.search(r"[“”‘’]", rest)
            if straight and curly:
                yield Finding("straight and typographic quotes mixed", question, where, offset=curly.start())
            elif apos_straight and apos_curly:
                yield Finding(
                    "straight and curly apostrophes mixed", question, where, offset=apos_curly.start()
                )


Target = Literal["gift", "aiken", "moodle", "qti"]
_VOID_TAG = re.compile(r"<(?:br|hr|img|input|meta|link|col|area|base|wbr|source)\b[^>]*(?<!/)>", re.I)
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_AIKEN_OPTION = re.compile(r"^[A-Z][).]\s", re.M)


class UnsafeOptions(RuleOptions):
    """Export targets to check for."""

    targets: tuple[Target, ...] = ()
    """Formats the bank is exported to (``gift``, ``aiken``, ``moodle``, ``qti``); none by default,
    which leaves the rule inactive."""


class FormatUnsafeCharacters(Rule[UnsafeOptions]):
    """Text that a configured export format cannot carry safely.

    What it does
        Inactive until ``targets`` lists export formats. Then reports, per target: GIFT -
        hand-typed ``{`` ``}`` outside code and blank lines inside a text (a question separator);
        Aiken - line breaks in the stem or a choice, a stem line that looks like an option
        ("A) ..."), a type other than ``single_choice``, more than 26 choices; Moodle XML - ``]]>``;
        QTI - C0 control characters and void HTML tags that are not self-closed (``<br>``).

    Why it matters
        These are the causes of most silent import failures: the LMS accepts the file and
        shows a different question.

    Example
        ```toml
        [tool.qbank.rules.QB607]
        targets = ["aiken"]
        ```
        with a stem written over two lines.

    Use instead
        Keep texts on one line for Aiken, use ``<br/>`` for QTI, write braces inside code spans.
    """

    code = "QB607"
    name = "format-unsafe-characters"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[UnsafeOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for target in opts.targets:
            yield from getattr(self, f"_{target}")(question)

    def _gift(self, question: Question) -> Iterator[Finding]:
        for where, text in text_fields(question):
            masked = mask_code(text)
            brace = re.search(r"[{}]", masked)
            if brace:
                yield Finding(
                    f"GIFT: {brace.group(0)!r} is GIFT syntax; put it in code or rephrase",
                    question,
                    where,
                    offset=brace.start(),
                )
            if "\n\n" in text.strip():
                yield Finding(
                    "GIFT: a blank line ends a question", question, where, offset=text.strip().index("\n\n")
                )

    def _aiken(self, question: Question) -> Iterator[Finding]:
        if not isinstance(question, SingleChoice):
            yield Finding(
                f"Aiken: {question.kind} cannot be exported (single_choice only)", question, ("id",)
            )
            return
        if len(question.choices) > 26:
            yield Finding("Aiken: more than 26 choices", question, ("choices",))
        if "\n" in question.stem.strip():
            yield Finding(
                "Aiken: the stem must be on one line", question, ("stem",), offset=question.stem.index("\n")
            )
        label = _AIKEN_OPTION.search(question.stem)
        if label:
            yield Finding(
                "Aiken: a stem line that starts like an option", question, ("stem",), offset=label.start()
            )
        for where, text in choice_fields(question):
            if "\n" in text.strip():
                yield Finding("Aiken: a choice must be on one line", question, where, offset=text.index("\n"))

    def _moodle(self, question: Question) -> Iterator[Finding]:
        for where, text in text_fields(question):
            if "]]>" in text:
                yield Finding("Moodle XML: ']]>' inside text", question, where, offset=text.index("]]>"))

    def _qti(self, question: Question) -> Iterator[Finding]:
        for where, text in text_fields(question):
            control = _C0.search(text)
            if control:
                yield Finding(
                    f"QTI: control character U+{ord(control.group(0)):04X} is not allowed in XML",
                    question,
                    where,
                    offset=control.start(),
                )
            void = _VOID_TAG.search(mask_code(text))
            if void:
                yield Finding(
                    f"QTI: {void.group(0)!r} must be self-closed in XHTML",
                    question,
                    where,
                    offset=void.start(),
                )


def _compact(text: str) -> str:
    return text.lower().replace(" ", "").replace("-", "")


def _term_pattern(term: str) -> re.Pattern[str]:
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", term.replace("-", " "))
    body = r"[\s-]?".join(re.escape(p) for p in parts)
    return re.compile(r"(?<![\w:/.@$-])" + body + r"(?![\w/@-]|\.\w|:\w)", re.I)


class CasingOptions(RuleOptions):
    """The canonical spellings."""

    terms: tuple[str, ...] = CANONICAL_TERMS
    extra_terms: tuple[str, ...] = ()
    """Added to ``terms``."""


class CanonicalTermCasing(Rule[CasingOptions]):
    """A product name or term is spelled differently from its canonical form.

    What it does
        Matches the ``terms`` list (e.g. "DynamoDB", "CloudFormation", "X-Ray", "IAM"; add your own
        with ``extra-terms``) ignoring case, spaces and hyphens between the word parts, and reports
        a spelling that differs ("Dynamo DB", "cloudformation", "Xray"). Code, command lines
        (``aws cloudformation package``, ``sam local generate-event apigateway``), URLs and
        identifiers (``dynamodb:GetItem``, ``AWS::CloudFormation::Stack``) are skipped.

    Why it matters
        Edit and proofread items (Haladyna et al. #11-12); consistent names also help search and
        duplicate detection.

    Example
        ```yaml
        stem: Which Dynamo DB feature captures item changes?
        ```

    Use instead
        ```yaml
        stem: Which DynamoDB feature captures item changes?
        ```
    """

    code = "QB608"
    name = "canonical-term-casing"
    severity = Severity.INFO

    def __init__(self) -> None:
        self._terms: tuple[str, ...] | None = None
        self._patterns: tuple[tuple[str, str, re.Pattern[str]], ...] = ()
        self._found: dict[str, tuple[tuple[str, int], ...]] = {}
        """(message, offset) of the differently spelled terms of each text seen, with these terms."""

    def item_findings(self, item: Item, ctx: RuleContext[CasingOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        terms = (*opts.terms, *opts.extra_terms)
        if terms != self._terms:
            self._terms, self._patterns, self._found = terms, _term_patterns(terms), {}
        found = self._found
        for where, text in item.fields:
            spelled = found.get(text)
            if spelled is None:
                if len(found) >= 100_000:
                    found.clear()
                spelled = found[text] = _miscased(text, self._patterns)
            for message, offset in spelled:
                yield Finding(message, question, where, offset=offset)


def _term_patterns(terms: tuple[str, ...]) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(term, its first four letters as they appear in compacted text, pattern) of every term."""
    return tuple((t, _compact(t)[:4], _term_pattern(t)) for t in terms)


def _miscased(
    text: str, patterns: tuple[tuple[str, str, re.Pattern[str]], ...]
) -> tuple[tuple[str, int], ...]:
    """(message, offset) of the first spelling of each term in ``text`` that differs from it."""
    masked = mask_literals(text)
    compact = _compact(masked)
    out = []
    for term, prefix, pattern in patterns:
        if prefix not in compact:
            continue
        for match in pattern.finditer(masked):
            if match.group(0) != term:
                out.append((f"write {term!r}, not {match.group(0)!r}", match.start()))
                break
    return tuple(out)
