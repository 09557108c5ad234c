"""Plain text inside Markdown: one escaper for every format that writes or reads plain text as Markdown.

Exporters escape plain-text fields (follow-up prompts) before they join Markdown that is rendered;
importers escape plain text from the source (Aiken, GIFT ``[plain]``, Moodle ``plain_text``) and the
text of converted HTML. :func:`unescape_markdown` undoes :func:`escape_markdown`.
"""

from __future__ import annotations

import re

from qbank.core.math import escape_dollars

__all__ = ["escape_markdown", "unescape_markdown"]

# "[" is left alone: "\\[" would open display math, and an escaped "]" is enough to stop a link
_ALWAYS = re.compile(r"([\\`\]])|<(?=[A-Za-z/!?])|(?<!\s)\*|\*(?!\s)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(\s*)([>#+=|]|-(?=\s|$)|\d+(?=[.)](?:\s|$)))", re.MULTILINE)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+!|~&.=$-])")


def escape_markdown(text: str) -> str:
    """Plain text made safe to put in Markdown: characters that would start markup are escaped,
    and so is a ``$`` that would open math (:func:`qbank.core.math.escape_dollars`)."""
    out = _ALWAYS.sub(lambda m: "\\" + m.group(0), text)
    out = _ENTITY_LIKE.sub(r"\\&", out)
    out = out.replace("~~", "\\~\\~")

    def line_start(m: re.Match[str]) -> str:
        token = m.group(2)
        if token[0].isdigit():
            return m.group(1) + token  # the "." or ")" after it is escaped below
        return m.group(1) + "\\" + token

    out = _LINE_START.sub(line_start, out)
    out = re.sub(r"^(\s*\d+)([.)])(?=\s|$)", r"\1\\\2", out, flags=re.MULTILINE)
    return escape_dollars(out) if "$" in out else out


def unescape_markdown(text: str) -> str:
    """The plain text behind Markdown written by :func:`escape_markdown` (backslash escapes removed)."""
    return _ESCAPED.sub(r"\1", text)
