"""What rules share besides the text helpers of :mod:`qbank.core.text`: the question being checked
with its text analysis, options and text edits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict

from qbank.core.model import Question
from qbank.core.text import FieldPath, OptionSet, mask_literals, option_sets, text_fields, word_re

__all__ = ["Item", "RuleOptions", "TextEdit", "find_word", "first_line_end", "may_hold_words"]


class Item:
    """The question an item rule checks, with the text analysis every rule shares.

    Each piece is computed on first use and kept, so that rules checking the same question do not
    repeat the work.
    """

    def __init__(self, question: Question) -> None:
        self.question = question

    @cached_property
    def fields(self) -> tuple[tuple[FieldPath, str], ...]:
        """(data path, text) of every learner-visible text, stem first (:func:`~qbank.core.text.text_fields`)."""
        return tuple(text_fields(self.question))

    @cached_property
    def option_sets(self) -> tuple[OptionSet, ...]:
        """The option sets of the question (:func:`~qbank.core.text.option_sets`)."""
        return tuple(option_sets(self.question))

    @cached_property
    def choice_fields(self) -> tuple[tuple[FieldPath, str], ...]:
        """(data path, text) of every option text (:func:`~qbank.core.text.choice_fields`)."""
        return tuple(
            (options.path(index), text)
            for options in self.option_sets
            for index, text in enumerate(options.texts)
        )


@lru_cache(maxsize=512)
def _needles(entries: tuple[str, ...]) -> tuple[str, ...] | None:
    """The longest word of each entry, in lower case: every match of ``word_re(entries)`` holds one.
    ``None`` when an entry is not ASCII or has no word (no such quick test then)."""
    out = []
    for entry in entries:
        pieces = entry.lower().split()
        if not entry.isascii() or not pieces:
            return None
        out.append(max(pieces, key=len))
    return tuple(out)


def may_hold_words(entries: tuple[str, ...], text: str) -> bool:
    """A quick test before searching ``text`` with ``word_re(entries)``: ``False`` means no match."""
    needles = _needles(entries)
    if needles is None or not text.isascii():  # case-insensitive matching goes beyond lower() there
        return True
    lowered = text.lower()
    return any(needle in lowered for needle in needles)


@lru_cache(maxsize=200_000)
def find_word(entries: tuple[str, ...], text: str) -> re.Match[str] | None:
    """The first of ``entries`` (whole words or phrases, any case) in the prose of ``text``: outside
    code, command lines and code-like tokens (:func:`~qbank.core.text.mask_literals`)."""
    if not may_hold_words(entries, text):
        return None
    return word_re(entries).search(mask_literals(text))


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class RuleOptions(BaseModel):
    """Base of rule options: kebab-case keys like the rest of the configuration, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True)


@dataclass(frozen=True, slots=True)
class TextEdit:
    """A meaning-preserving replacement inside one string field of a question (``check --fix``).

    ``where`` is the field's data path inside the question; ``start``/``end`` are character offsets
    into the field's value.
    """

    where: FieldPath
    start: int
    end: int
    replacement: str
    description: str


def first_line_end(text: str) -> int:
    """Offset of the end of the first line of ``text``."""
    end = text.find("\n")
    return len(text) if end < 0 else end
