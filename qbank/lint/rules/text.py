"""What rules share besides the text helpers of :mod:`qbank.core.text`: options and text edits."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from qbank.core.text import FieldPath

__all__ = ["RuleOptions", "TextEdit", "first_line_end"]


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
