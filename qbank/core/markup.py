"""Markdown -> safe HTML / XHTML / plain text, shared by every exporter.

Question text is CommonMark with tables and fenced code. It is rendered once by markdown-it-py,
then cleaned by nh3 to a small allow-list of tags that every target accepts (QTI's XHTML subset,
Canvas, Moodle, browsers): no scripts, styles, event handlers or unknown attributes. Results are
cached, so a stem shared by several exports is rendered once.

LaTeX math (:mod:`qbank.core.math`) is taken out before Markdown sees it, so ``*`` and ``_`` inside a
formula are never emphasis, and put back after sanitising in the form the exporting format takes:
MathML, or delimited TeX for MathJax (:class:`~qbank.core.math.MathTarget`). An exporter states its
form once with :func:`renders_math` on its ``export`` method (or :func:`math_output` around other
code); the bank's math syntax (``math`` in the configuration) comes with the bank. Text forms
(:attr:`Rendered.text`) always show math as Unicode. Inside code, math is never converted.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

import nh3
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from qbank.core.math import (
    MATHML_NS,
    MathError,
    MathSpan,
    MathSyntax,
    MathTarget,
    delimited,
    find_math,
    to_mathml,
    to_text,
)

if TYPE_CHECKING:
    from qbank.core.model import Bank

__all__ = [
    "ALLOWED_TAGS",
    "Rendered",
    "append_xhtml",
    "image_sources",
    "is_local_image",
    "math_output",
    "plain_math",
    "plain_text",
    "render",
    "render_inline",
    "renders_math",
]

#: Tags kept in rendered HTML: the intersection of what QTI 2.1/3.0 XHTML, Canvas and Moodle accept.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "u", "sub", "sup", "code", "pre", "kbd", "samp", "var",
        "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot",
        "tr", "th", "td", "img", "a", "span", "div", "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "cite",
        "q", "dfn", "small", "del", "ins",
    }
)  # fmt: skip
_ATTRIBUTES: dict[str, set[str]] = {
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
}
_VOID = {"br", "hr", "img"}

_md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table").enable("strikethrough")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One Markdown text in every form an exporter needs."""

    source: str
    html: str
    """Sanitised HTML (void tags written HTML-style, ``<br>``)."""
    xhtml: str
    """The same content as well-formed XHTML (``<br/>``), ready to embed in XML."""
    text: str
    """Plain text: markup removed, whitespace collapsed within lines."""
    images: tuple[str, ...]
    """``src`` of every image, in order of appearance."""
    math: tuple[MathSpan, ...] = ()
    """The formulas of the source, in order."""


_MATH: ContextVar[tuple[MathTarget, MathSyntax]] = ContextVar(
    "qbank_math", default=(MathTarget.TEX, "dollars")
)


@contextmanager
def math_output(target: MathTarget, syntax: MathSyntax = "dollars") -> Iterator[None]:
    """Within the block, :func:`render` shows math as ``target`` and reads it with ``syntax``."""
    token = _MATH.set((target, syntax))
    try:
        yield
    finally:
        _MATH.reset(token)


_S = TypeVar("_S")
_P = ParamSpec("_P")
_R = TypeVar("_R")


def renders_math(
    target: MathTarget,
) -> Callable[[Callable[Concatenate[_S, Bank, _P], _R]], Callable[Concatenate[_S, Bank, _P], _R]]:
    """Decorate an exporter's ``export(self, bank)``: math shows as ``target``, read with ``bank.math``."""

    def decorate(
        export: Callable[Concatenate[_S, Bank, _P], _R],
    ) -> Callable[Concatenate[_S, Bank, _P], _R]:
        @functools.wraps(export)
        def wrapper(self: _S, bank: Bank, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            with math_output(target, bank.math):
                return export(self, bank, *args, **kwargs)

        return wrapper

    return decorate


def _sanitize(raw_html: str) -> str:
    cleaned: str = nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


def _to_xhtml(clean_html: str) -> str:
    if not clean_html:
        return ""
    holder = lxml_html.fragment_fromstring(clean_html, create_parent="div")
    parts = [html.escape(holder.text, quote=False)] if holder.text else []
    for child in holder:
        parts.append(etree.tostring(child, method="xml", encoding="unicode", with_tail=True))
    return "".join(parts)


def render(markdown: str) -> Rendered:
    """Render block Markdown (paragraphs, lists, code, tables)."""
    target, syntax = _MATH.get()
    return _render(markdown, False, target, syntax)


def render_inline(markdown: str) -> Rendered:
    """Render Markdown that must stay inline (a choice, a match, a title): no ``<p>`` wrapper.

    Text with block structure (several paragraphs, lists, code blocks) is rendered as blocks.
    """
    target, syntax = _MATH.get()
    return _render(markdown, True, target, syntax)


@lru_cache(maxsize=65536)
def _render(markdown: str, inline: bool, target: MathTarget, syntax: MathSyntax) -> Rendered:
    spans = find_math(markdown, syntax)
    block = _md.render(_protect(markdown, spans) if spans else markdown)
    if inline:
        block = block.strip()
        if block.startswith("<p>") and block.endswith("</p>") and block.count("<p>") == 1:
            block = block[3:-4]
    clean = _sanitize(block)
    if not spans:
        return Rendered(markdown, clean, _to_xhtml(clean), _text_of(clean), tuple(_images(clean)))

    def shown(span: MathSpan) -> str:
        if target is MathTarget.MATHML:
            try:
                return to_mathml(span.latex, span.display)
            except MathError:
                return html.escape(span.source, quote=False)  # reported by lint (QB609); shown as written
        return html.escape(delimited(span.latex, span.display, target), quote=False)

    def as_text(span: MathSpan) -> str:
        return html.escape(to_text(span.latex, span.display)[0], quote=False)

    textual = _fill(clean, spans, as_text)
    return Rendered(
        markdown,
        _fill(clean, spans, shown),
        _fill(_to_xhtml(clean), spans, shown),
        _text_of(textual),
        tuple(_images(textual)),
        spans,
    )


# Each formula is replaced by a placeholder of private-use characters while Markdown is rendered and
# sanitised; the placeholder is then replaced by the formula in the output form.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_HTML_TAG = re.compile(r"(<[^>]*>)")
_CODE_TAG = re.compile(r"</?(code|pre)[\s>]", re.I)


def _protect(markdown: str, spans: tuple[MathSpan, ...]) -> str:
    # a private-use character of the author's would be read as a placeholder: it becomes U+FFFD
    source = markdown.replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd")
    parts: list[str] = []
    pos = 0
    for index, span in enumerate(spans):
        parts.append(source[pos : span.start])
        parts.append(f"{_OPEN}{index}{_CLOSE}")
        pos = span.end
    parts.append(source[pos:])
    return "".join(parts)


def _fill(fragment: str, spans: tuple[MathSpan, ...], shown: Callable[[MathSpan], str]) -> str:
    """Put the formulas back: ``shown(span)`` in text, the source as written inside code or attributes."""
    if _OPEN not in fragment:
        return fragment
    out: list[str] = []
    in_code = 0
    for part in _HTML_TAG.split(fragment):
        if part.startswith("<"):
            if _CODE_TAG.match(part):
                in_code += -1 if part.startswith("</") else 1
            out.append(_PLACEHOLDER.sub(lambda m: html.escape(spans[int(m.group(1))].source), part))
        elif in_code > 0:
            out.append(
                _PLACEHOLDER.sub(lambda m: html.escape(spans[int(m.group(1))].source, quote=False), part)
            )
        else:
            out.append(_PLACEHOLDER.sub(lambda m: shown(spans[int(m.group(1))]), part))
    return "".join(out)


def _images(clean: str) -> list[str]:
    if "<img" not in clean:
        return []
    holder = lxml_html.fragment_fromstring(clean, create_parent="div")
    return [img.get("src", "") for img in holder.iter("img") if img.get("src")]


_BLOCKS = {
    "p",
    "div",
    "li",
    "pre",
    "blockquote",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "dt",
    "dd",
}


def _text_of(clean: str) -> str:
    if not clean:
        return ""
    holder = lxml_html.fragment_fromstring(clean, create_parent="div")
    for el in holder.iter():
        if el.tag == "br" or el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
        elif el.tag == "img" and el.get("alt"):
            el.text = el.get("alt")
    text = holder.text_content()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def plain_math(text: str) -> str:
    """``text`` with each formula replaced by its Unicode text and everything else as written.

    For fields a format shows as plain text, where neither MathML nor MathJax reach (drop-down
    options, Moodle's matching answers).
    """
    spans = find_math(text, _MATH.get()[1])
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.append(text[pos : span.start])
        parts.append(to_text(span.latex, span.display)[0])
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)


def plain_text(markdown: str) -> str:
    """Markdown as plain text (for formats without markup, titles and comparisons)."""
    return render(markdown).text


def image_sources(markdown: str) -> tuple[str, ...]:
    """Sources of the images a Markdown text shows."""
    return render(markdown).images


def is_local_image(src: str) -> bool:
    """Whether an image source is a relative path to a file next to the question (not a URL)."""
    parts = urlsplit(src)
    return not parts.scheme and not parts.netloc and not src.startswith("/") and bool(unquote(parts.path))


_XHTML_NS = "http://www.w3.org/1999/xhtml"
_TAG = re.compile(r"^\{[^}]*\}")


def append_xhtml(
    parent: etree._Element,
    xhtml: str,
    namespace: str | None,
    rewrite_src: dict[str, str] | None = None,
) -> None:
    """Append an XHTML fragment to ``parent`` with every element moved into ``namespace``.

    QTI puts its XHTML subset in the QTI namespace; Canvas QTI 1.2 embeds escaped HTML instead
    (use :attr:`Rendered.html` there). ``rewrite_src`` maps image sources to packaged paths.
    MathML keeps its own namespace.
    """
    if not xhtml:
        return
    wrapper = etree.fromstring(f'<div xmlns="{_XHTML_NS}">{xhtml}</div>')
    prefix = f"{{{namespace}}}" if namespace else ""
    for el in wrapper.iter():
        if isinstance(el.tag, str) and not el.tag.startswith(f"{{{MATHML_NS}}}"):
            el.tag = prefix + _TAG.sub("", el.tag)
            if rewrite_src and el.tag.endswith("img") and el.get("src") in rewrite_src:
                el.set("src", rewrite_src[el.get("src", "")])
    etree.cleanup_namespaces(wrapper)
    if wrapper.text:
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + wrapper.text
        else:
            parent.text = (parent.text or "") + wrapper.text
    for child in list(wrapper):
        parent.append(child)
