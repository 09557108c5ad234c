"""GIFT conventions shared by the GIFT exporter and importer.

* the characters ``~ = # { } :`` and ``\\`` are escaped with a backslash, a line break is ``\\n``
  (:func:`gift_escape`); the importer hides escaped characters while it splits a question
  (:func:`protect`) and brings them back in the texts (:func:`restore`);
* the comment line before a question carries ``[id:...]`` and ``[tag:...]`` tokens
  (:func:`comment_token`, :func:`comment_tokens`);
* ``$CATEGORY:`` lines set the category of the questions below them;
* the general feedback follows ``####`` at the end of the answer block.
"""

from __future__ import annotations

import re

__all__ = [
    "CATEGORY",
    "GENERAL_FEEDBACK",
    "SPECIAL",
    "comment_token",
    "comment_tokens",
    "gift_escape",
    "protect",
    "restore",
]

SPECIAL = "~=#{}:"
"""Characters with a meaning in GIFT (a backslash escapes them)."""
CATEGORY = "$CATEGORY:"
"""Starts a line naming the category of the questions after it."""
GENERAL_FEEDBACK = "####"
"""Starts the general feedback inside the answer block."""

#: Escaped character -> a private-use stand-in while a question is split on the special characters.
_HIDDEN = {f"\\{ch}": chr(0xE000 + i) for i, ch in enumerate("\\" + SPECIAL)}
_SHOWN = {v: k[1] for k, v in _HIDDEN.items()}
_ESCAPED = re.compile("|".join(re.escape(k) for k in _HIDDEN))
_TOKEN = re.compile(r"\[(id|tag):((?:\\.|[^\]\\])*)\]")


def gift_escape(text: str) -> str:
    """``text`` safe inside a GIFT question: ``\\ ~ = # { } :`` escaped, newlines written ``\\n``."""
    out: list[str] = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch in SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def protect(text: str) -> str:
    """GIFT text with its escaped characters hidden, so splitting on ``~ = # { } :`` skips them."""
    return _ESCAPED.sub(lambda m: _HIDDEN[m.group(0)], text)


def restore(text: str) -> str:
    """Protected GIFT text as the text it stands for: escapes and ``\\n`` undone."""
    text = text.replace("\\n", "\n")
    return "".join(_SHOWN.get(ch, ch) for ch in text)


def comment_token(kind: str, value: str) -> str:
    """A ``[kind:value]`` comment token (whitespace collapsed, ``]`` and ``\\`` escaped)."""
    escaped = " ".join(value.split()).replace("\\", "\\\\").replace("]", "\\]")
    return f"[{kind}:{escaped}]"


def comment_tokens(line: str) -> list[tuple[str, str]]:
    """The ``(kind, value)`` of every ``[id:...]`` and ``[tag:...]`` token in a comment line."""
    return [(kind, re.sub(r"\\(.)", r"\1", value)) for kind, value in _TOKEN.findall(line)]
