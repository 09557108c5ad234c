"""The general feedback block: explanation, references and follow-up prompts as one Markdown text.

QTI, Canvas, Moodle XML and GIFT have one general feedback per question and no fields for
references or follow-ups, so exporters append both to the explanation under a heading, and
importers split them off again. Each format family keeps its heading style (:data:`PLAIN_HEADINGS`
for QTI and Canvas, :data:`BOLD_HEADINGS` for Moodle and GIFT); reading accepts either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qbank.core.model import Question
from qbank.interchange.markdown import escape_markdown, unescape_markdown

__all__ = [
    "BOLD_HEADINGS",
    "PLAIN_HEADINGS",
    "FeedbackHeadings",
    "general_feedback",
    "general_feedback_fields",
    "split_general_feedback",
]


@dataclass(frozen=True)
class FeedbackHeadings:
    """How the references and follow-up lists are headed (Markdown)."""

    references: str
    followups: str


PLAIN_HEADINGS = FeedbackHeadings("References:", "Explore next:")
"""QTI and Canvas: plain headings."""
BOLD_HEADINGS = FeedbackHeadings("**References**", "**Explore next**")
"""Moodle XML and GIFT: bold headings."""


def _heading_key(heading: str) -> str:
    return heading.strip().strip("*").strip().lower()


_STYLES = (PLAIN_HEADINGS, BOLD_HEADINGS)
_REFERENCES = {_heading_key(s.references) for s in _STYLES}
_FOLLOWUPS = {_heading_key(s.followups) for s in _STYLES}


def general_feedback(question: Question, headings: FeedbackHeadings) -> str | None:
    """The Markdown of the general feedback: explanation, then references and follow-up prompts.

    References become autolinks; each follow-up is one list item, its whitespace collapsed and its
    text escaped (follow-ups are plain text). ``None`` when the question has none of the three.
    """
    parts: list[str] = []
    if question.explanation:
        parts.append(question.explanation.strip())
    if question.references:
        parts.append(f"{headings.references}\n\n" + "\n".join(f"- <{url}>" for url in question.references))
    if question.followups:
        items = (escape_markdown(" ".join(text.split())) for text in question.followups)
        parts.append(f"{headings.followups}\n\n" + "\n".join(f"- {item}" for item in items))
    return "\n\n".join(parts) if parts else None


def split_general_feedback(markdown: str) -> tuple[str | None, list[str], list[str]]:
    """Undo :func:`general_feedback`: (explanation, references, follow-ups).

    Trailing ``References`` / ``Explore next`` lists (in either heading style) come back as fields;
    anything else stays in the explanation.
    """
    blocks = markdown.split("\n\n")
    references: list[str] = []
    followups: list[str] = []
    while len(blocks) >= 2:
        heading = _heading_key(blocks[-2])
        items = blocks[-1].split("\n")
        if heading not in _REFERENCES | _FOLLOWUPS or not all(i.startswith("- ") for i in items):
            break
        values = [i[2:].strip() for i in items]
        if heading in _FOLLOWUPS and not followups and not references:
            followups = [unescape_markdown(v) for v in values]
        elif heading in _REFERENCES and not references:
            urls = [v[1:-1] if v.startswith("<") and v.endswith(">") else v for v in values]
            if not all(u and not re.search(r"\s", u) for u in urls):
                break
            references = urls
        else:
            break
        blocks = blocks[:-2]
    rest = "\n\n".join(blocks).strip()
    return (rest or None), references, followups


def general_feedback_fields(markdown: str) -> dict[str, Any]:
    """The question fields in a general feedback text: ``explanation``, ``references``, ``followups``
    (only those present)."""
    explanation, references, followups = split_general_feedback(markdown)
    fields: dict[str, Any] = {}
    if explanation:
        fields["explanation"] = explanation
    if references:
        fields["references"] = references
    if followups:
        fields["followups"] = followups
    return fields
