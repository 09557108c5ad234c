"""HTML -> Markdown for the tags :mod:`qbank.core.markup` emits, so imported text reads like authored text.

Supported: ``p``, ``br``, ``strong``/``b``, ``em``/``i``, ``code``, ``pre``, ``ul``/``ol``/``li``, ``a``,
``img``, ``table`` (with ``thead``/``tbody``/``tr``/``th``/``td``), headings, ``blockquote``, ``hr``,
and the neutral containers ``div`` and ``span``. Anything else keeps its text and is reported in
:attr:`Converted.lost` so that the importer can say what formatting was dropped (``QB911``).
Text is escaped where Markdown would otherwise read it as markup.

Math comes back as LaTeX between ``\\( \\)`` or ``\\[ \\]``: MathML ``<math>`` elements (their LaTeX
annotation when they carry one), Canvas equation images (``data-equation-content``, else the
LaTeX in the ``/equation_images/`` URL) and the delimiters MathJax reads in text (``\\( \\)``,
``\\[ \\]``, ``$$ $$``). A ``$`` that qbank would read as math is escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from qbank.core.math import find_tex, latex_from_mathml
from qbank.interchange.markdown import escape_markdown

__all__ = ["Converted", "element_to_markdown", "html_to_markdown"]

_INLINE_WRAP = {"strong": "**", "b": "**", "em": "*", "i": "*"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK = {"p", "div", "pre", "ul", "ol", "table", "blockquote", "hr", *_HEADINGS}
_TRANSPARENT = {"span", "div", "thead", "tbody", "tfoot", "font"}
_KNOWN = {
    "p", "br", "strong", "b", "em", "i", "code", "pre", "ul", "ol", "li", "a", "img", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "div", "span", "blockquote", "hr", "caption", "math", *_HEADINGS,
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "meta", "link"}


@dataclass
class Converted:
    """Markdown text and the names of tags whose formatting could not be kept."""

    markdown: str
    lost: list[str] = field(default_factory=list)


def _math(latex: str, display: bool) -> str:
    return f"\\[{latex}\\]" if display else f"\\({latex}\\)"


def _text_with_math(text: str) -> str:
    """Escaped text in which the formulas MathJax would find stay LaTeX."""
    spans = find_tex(text)
    if not spans:
        return escape_markdown(text)
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.append(escape_markdown(text[pos : span.start]))
        parts.append(_math(span.latex, span.display))
        pos = span.end
    parts.append(escape_markdown(text[pos:]))
    return "".join(parts)


def _equation_image(el: etree._Element) -> str | None:
    """The LaTeX of a Canvas equation image, or ``None`` for any other image."""
    latex = el.get("data-equation-content")
    if latex is None and "equation_image" in (el.get("class") or "").split():
        path = urlsplit(el.get("src", "")).path
        if "/equation_images/" in path:
            # Canvas double-encodes the LaTeX in the URL
            latex = unquote(unquote(path.split("/equation_images/", 1)[1]))
    return latex if latex and latex.strip() else None


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return etree.QName(tag).localname.lower() if tag.startswith("{") else tag.lower()


class _Writer:
    def __init__(self) -> None:
        self.lost: list[str] = []

    def note(self, tag: str) -> None:
        if tag not in self.lost:
            self.lost.append(tag)

    # -- inline -------------------------------------------------------------------------------

    def inline(self, el: etree._Element, *, text_only: bool = False) -> str:
        """Inline Markdown of an element's content (text, children and their tails)."""
        parts: list[str] = [self.text(el.text)]
        for child in el:
            parts.append(self.inline_element(child))
            parts.append(self.text(child.tail))
        return "".join(parts)

    @staticmethod
    def text(value: str | None) -> str:
        if not value:
            return ""
        return _text_with_math(
            re.sub(r"[ \t\r\f\v]*\n[ \t\r\f\v]*", "\n", re.sub(r"[ \t\r\f\v]+", " ", value))
        )

    def inline_element(self, el: etree._Element) -> str:
        tag = _local(el)
        if not tag:  # comments, processing instructions
            return ""
        if tag in _SKIP:
            self.note(tag)
            return ""
        if tag == "br":
            return "\\\n"
        if tag in _INLINE_WRAP:
            inner = self.inline(el)
            if not inner.strip():
                return inner
            mark = _INLINE_WRAP[tag]
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()) :]
            return f"{lead}{mark}{inner.strip()}{mark}{trail}"
        if tag == "code":
            return _code_span("".join(t for t in el.itertext() if isinstance(t, str)))
        if tag == "a":
            href = el.get("href", "")
            label = self.inline(el)
            if not href:
                return label
            if "".join(t for t in el.itertext() if isinstance(t, str)) == href and re.fullmatch(
                r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*", href
            ):
                return f"<{href}>"
            title = el.get("title")
            suffix = f' "{title}"' if title else ""
            return f"[{label}]({_url(href)}{suffix})"
        if tag == "math":
            return _math(*latex_from_mathml(el))
        if tag == "span" and "hidden-readable" in (el.get("class") or "").split() and _has_math(el):
            return ""  # Canvas's screen-reader copy of an equation image shown beside it
        if tag == "img" and _equation_image(el) is not None:
            return _math(_equation_image(el) or "", False)
        if tag == "img":
            alt = escape_markdown(el.get("alt", ""))
            title = el.get("title")
            suffix = f' "{title}"' if title else ""
            return f"![{alt}]({_url(el.get('src', ''))}{suffix})"
        if tag in _BLOCK or tag in {"li", "tr", "td", "th", "caption"}:
            # a block inside inline content: keep its text on its own line
            return "\n" + self.block(el).strip("\n") + "\n"
        if tag not in _KNOWN:
            self.note(tag)
        return self.inline(el)

    # -- blocks -------------------------------------------------------------------------------

    def children_blocks(self, el: etree._Element, sep: str = "\n\n") -> str:
        """Markdown of a container: runs of inline content become paragraphs, blocks stay blocks."""
        blocks: list[str] = []
        run: list[str] = [self.text(el.text)]

        def flush() -> None:
            text = _clean_paragraph("".join(run))
            if text:
                blocks.append(text)
            run.clear()

        for child in el:
            tag = _local(child)
            if tag in _BLOCK or (tag in _TRANSPARENT and _has_block(child)) or tag in {"li", "tr"}:
                flush()
                block = self.block(child)
                if block.strip():
                    blocks.append(block.strip("\n"))
            else:
                run.append(self.inline_element(child))
            run.append(self.text(child.tail))
        flush()
        return sep.join(blocks)

    def block(self, el: etree._Element) -> str:
        tag = _local(el)
        if tag in {"p", "div", "span", "font", "thead", "tbody", "tfoot", "caption", "td", "th", "li"}:
            if tag == "font":
                self.note(tag)
            return self.children_blocks(el)
        if tag in _HEADINGS:
            return "#" * _HEADINGS[tag] + " " + _clean_paragraph(self.inline(el)).replace("\n", " ")
        if tag == "hr":
            return "---"
        if tag == "pre":
            return self.pre(el)
        if tag in {"ul", "ol"}:
            return self.listing(el, ordered=tag == "ol")
        if tag == "table":
            return self.table(el)
        if tag == "blockquote":
            inner = self.children_blocks(el)
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if tag == "tr":
            return " | ".join(_clean_paragraph(self.inline(c)) for c in el if _local(c) in {"td", "th"})
        if tag in _SKIP:
            self.note(tag)
            return ""
        self.note(tag)
        return self.children_blocks(el)

    def pre(self, el: etree._Element) -> str:
        code = next((c for c in el if _local(c) == "code"), None)
        language = ""
        if code is not None:
            for cls in (code.get("class") or "").split():
                if cls.startswith("language-"):
                    language = cls[len("language-") :]
        body = "".join(t for t in el.itertext() if isinstance(t, str))
        if body.endswith("\n"):
            body = body[:-1]
        fence = "```"
        while fence in body:
            fence += "`"
        return f"{fence}{language}\n{body}\n{fence}"

    def listing(self, el: etree._Element, *, ordered: bool) -> str:
        start = int(el.get("start", "1")) if ordered and (el.get("start") or "1").isdigit() else 1
        items: list[str] = []
        number = start
        for child in el:
            if _local(child) != "li":
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            tight = not any(_local(c) == "p" for c in child)
            content = self.children_blocks(child, "\n" if tight else "\n\n")
            lines = content.split("\n")
            indent = " " * len(marker)
            rendered = (
                marker + lines[0] + "".join("\n" + (indent + line if line else "") for line in lines[1:])
            )
            items.append(rendered)
        loose = any("\n\n" in item for item in items)
        return ("\n\n" if loose else "\n").join(items)

    def table(self, el: etree._Element) -> str:
        rows: list[list[str]] = []
        for row in el.iter():
            if _local(row) != "tr":
                continue
            cells = [
                _clean_paragraph(self.inline(c)).replace("\n", " ").replace("|", "\\|")
                for c in row
                if _local(c) in {"td", "th"}
            ]
            rows.append(cells)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        head, body = rows[0], rows[1:]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * width) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)


def _has_math(el: etree._Element) -> bool:
    return any(_local(c) == "math" for c in el.iter())


def _has_block(el: etree._Element) -> bool:
    return any(_local(c) in _BLOCK or _local(c) in {"li", "tr"} for c in el.iter() if c is not el)


def _clean_paragraph(text: str) -> str:
    lines = [line.strip(" ") for line in text.split("\n")]
    out = "\n".join(lines).strip("\n")
    out = re.sub(r"\n{2,}", "\n", out)
    out = out.strip()
    while out.endswith("\\") and not out.endswith("\\\\"):  # a trailing hard break means nothing
        out = out[:-1].rstrip()
    return out


def _code_span(code: str) -> str:
    code = code.replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    pad = (
        " "
        if code.startswith("`")
        or code.endswith("`")
        or (code.startswith(" ") and code.endswith(" ") and code.strip())
        else ""
    )
    return f"{fence}{pad}{code}{pad}{fence}"


def _url(url: str) -> str:
    if re.search(r"[\s()<>]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def element_to_markdown(element: etree._Element) -> Converted:
    """Markdown of the content of ``element`` (its own tag and tail are not included)."""
    writer = _Writer()
    markdown = writer.children_blocks(element)
    return Converted(markdown.strip(), writer.lost)


def html_to_markdown(html_text: str) -> Converted:
    """Markdown of an HTML fragment (as Moodle, Canvas or a QTI item carries it)."""
    if not html_text or not html_text.strip():
        return Converted("")
    if "<" not in html_text and "&" not in html_text:
        holder = etree.Element("div")
        holder.text = html_text
    else:
        try:
            holder = lxml_html.fragment_fromstring(html_text, create_parent="div")
        except (etree.ParserError, ValueError):
            holder = etree.Element("div")
            holder.text = html_text
    return element_to_markdown(holder)
