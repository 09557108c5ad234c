"""GIFT conventions shared by the GIFT exporter and importer.

* the characters ``~ = # { } :`` and ``\\`` are escaped with a backslash, a line break is ``\\n``
  (:func:`gift_escape`); the importer hides escaped characters while it splits a question
  (:func:`protect`) and brings them back in the texts (:func:`restore`);
* the comment line before a question carries ``[id:...]`` and ``[tag:...]`` tokens
  (:func:`comment_token`, :func:`comment_tokens`);
* ``$CATEGORY:`` lines set the category of the questions below them;
* the general feedback follows ``####`` at the end of the answer block;
* answers: ``=`` right, ``~`` wrong, ``~%50%`` weighted (:func:`weighted`, read by
  :data:`WEIGHT`), ``#`` before an answer's feedback; true/false is ``TRUE`` or ``FALSE``
  (:data:`TRUE_FALSE` reads ``T``/``F`` too); a number is ``#answer:tolerance``
  (:func:`numeric_answer`, read back with ranges by :func:`parse_numeric`); a matching pair is
  ``=prompt -> match`` (:data:`MATCH_ARROW`);
* a "missing word" question (text after the answer block) is a cloze question whose one gap is
  named :data:`MISSING_WORD_GAP`.
"""

from __future__ import annotations

import re

__all__ = [
    "CATEGORY",
    "GENERAL_FEEDBACK",
    "MATCH_ARROW",
    "MISSING_WORD_GAP",
    "SPECIAL",
    "TRUE_FALSE",
    "WEIGHT",
    "comment_token",
    "comment_tokens",
    "gift_escape",
    "numeric_answer",
    "parse_numeric",
    "protect",
    "restore",
    "true_false",
    "weighted",
]

SPECIAL = "~=#{}:"
"""Characters with a meaning in GIFT (a backslash escapes them)."""
CATEGORY = "$CATEGORY:"
"""Starts a line naming the category of the questions after it."""
GENERAL_FEEDBACK = "####"
"""Starts the general feedback inside the answer block."""
MATCH_ARROW = "->"
"""Separates the prompt of a matching pair from its match."""
MISSING_WORD_GAP = "1"
"""The name of the gap of a missing-word question."""
TRUE_FALSE: dict[str, bool] = {"T": True, "TRUE": True, "F": False, "FALSE": False}
"""True/false answer blocks (upper-cased) and the answer they stand for."""
WEIGHT = re.compile(r"^\s*%(-?[0-9]+(?:\.[0-9]*)?)%")
"""The ``%percent%`` weight at the start of an answer."""

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


def true_false(answer: bool) -> str:
    """The answer block of a true/false question."""
    return "TRUE" if answer else "FALSE"


def weighted(percent: str) -> str:
    """The mark of a wrong-or-partial answer worth ``percent`` (already formatted): ``~%50%``."""
    return f"~%{percent}%"


def numeric_answer(value: str, tolerance: str) -> str:
    """A numerical answer block's answer (numbers already formatted): ``#value:tolerance``."""
    return f"#{value}:{tolerance}"


def parse_numeric(text: str) -> tuple[float, float] | None:
    """(value, tolerance) of ``value``, ``value:tolerance`` or ``low..high``; ``None`` when it is not
    a number."""
    try:
        if ".." in text:
            low, high = (float(p) for p in text.split("..", 1))
            return (low + high) / 2, abs(high - low) / 2
        if ":" in text:
            value, tolerance = (float(p) for p in text.split(":", 1))
            return value, abs(tolerance)
        return float(text), 0.0
    except ValueError:
        return None
