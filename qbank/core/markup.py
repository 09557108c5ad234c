"""Markdown -> safe HTML / XHTML / plain text, shared by every exporter.

Question text is CommonMark with tables and fenced code. It is rendered once by markdown-it-py,
then cleaned by nh3 to a small allow-list of tags that every target accepts (QTI's XHTML subset,
Canvas, Moodle, browsers): no scripts, styles, event handlers or unknown attributes. Results are
cached, so a stem shared by several exports is rendered once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import nh3
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

__all__ = [
    "ALLOWED_TAGS",
    "Rendered",
    "append_xhtml",
    "image_sources",
    "is_local_image",
    "plain_text",
    "render",
    "render_inline",
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


@lru_cache(maxsize=65536)
def render(markdown: str) -> Rendered:
    """Render block Markdown (paragraphs, lists, code, tables)."""
    clean = _sanitize(_md.render(markdown))
    return _rendered(markdown, clean)


@lru_cache(maxsize=65536)
def render_inline(markdown: str) -> Rendered:
    """Render Markdown that must stay inline (a choice, a match, a title): no ``<p>`` wrapper.

    Text with block structure (several paragraphs, lists, code blocks) is rendered as blocks.
    """
    block = _md.render(markdown).strip()
    if block.startswith("<p>") and block.endswith("</p>") and block.count("<p>") == 1:
        clean = _sanitize(block[3:-4])
    else:
        clean = _sanitize(block)
    return _rendered(markdown, clean)


def _rendered(source: str, clean: str) -> Rendered:
    xhtml = _to_xhtml(clean)
    return Rendered(source, clean, xhtml, _text_of(clean), tuple(_images(clean)))


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
    """
    if not xhtml:
        return
    wrapper = etree.fromstring(f'<div xmlns="{_XHTML_NS}">{xhtml}</div>')
    prefix = f"{{{namespace}}}" if namespace else ""
    for el in wrapper.iter():
        if isinstance(el.tag, str):
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
