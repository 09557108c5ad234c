"""The response encoding shared by the long CSV and the practice page's results file, and key scoring.

A response is one string, written the same way in every qbank results file:

* ``single_choice`` / ``multiple_response``: the 1-based positions of the chosen choices in the
  question file (not in the order shown), several joined by ``;`` (``2``, ``1;3``);
* ``true_false``: ``true`` or ``false``;
* ``short_answer``, ``numerical``, ``essay``: the text as typed;
* ``matching``: the chosen match of each prompt, in prompt order, joined by ``;`` (empty between
  two ``;`` for a prompt left unanswered);
* ``ordering``: the 1-based positions (in the question file's ``order``) of the items in the order
  the learner put them (``2;1;3``);
* empty: the question was shown but not answered (an omission).

:func:`interpret` reads such a string for a question: which options it chose (for the option
analysis of choice and true/false questions) and, when the key can decide it, the points earned.
Key scoring is all-or-nothing, as on the practice page: a multiple-response answer needs exactly
the keys, a matching answer every pair, an ordering answer the whole order. Essays have no key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qbank.core.model import (
    ChoiceQuestion,
    Matching,
    MultipleResponse,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)

__all__ = [
    "MAX_OPTIONS",
    "Interpretation",
    "encode_choices",
    "interpret",
    "key_mask",
    "option_count",
    "option_labels",
    "parse_number",
]

MAX_OPTIONS = 10
"""The most options a question has (choices of a choice question), so a bit mask fits 16 bits."""

_POSITIONS = re.compile(r"^\s*\d{1,2}\s*(?:;\s*\d{1,2}\s*)*$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True, slots=True)
class Interpretation:
    """What a response string means for one question."""

    chosen: int = 0
    """Bit mask of the chosen options (bit 0 = first choice; true/false: bit 0 true, bit 1 false)."""
    omitted: bool = False
    """The question was shown and left unanswered."""
    score: float | None = None
    """Points the key gives (``None`` when only a person can score it: essays)."""
    error: str | None = None
    """Why the response cannot be read for this question (the row is skipped)."""


def option_count(question: Question) -> int:
    """How many options the option analysis tracks: the choices, two for true/false, else none."""
    if isinstance(question, ChoiceQuestion):
        return len(question.choices)
    if isinstance(question, TrueFalse):
        return 2
    return 0


def option_labels(question: Question) -> list[str]:
    """Labels of the tracked options: ``A``, ``B`` ... in file order, or ``true``/``false``."""
    if isinstance(question, TrueFalse):
        return ["true", "false"]
    return [chr(ord("A") + i) for i in range(option_count(question))]


def key_mask(question: Question) -> int:
    """Bit mask of the key options (choice and true/false questions; 0 otherwise)."""
    if isinstance(question, ChoiceQuestion):
        return sum(1 << i for i in question.keys)
    if isinstance(question, TrueFalse):
        return 1 if question.answer else 2
    return 0


def encode_choices(indexes: Sequence[int]) -> str:
    """The response string of chosen 0-based choice indexes (``[0, 2]`` -> ``"1;3"``)."""
    return ";".join(str(i + 1) for i in sorted(set(indexes)))


def parse_number(text: str) -> float | None:
    """A number as a learner types it (spaces ignored, a lone decimal comma accepted), or ``None``."""
    t = "".join(text.split())
    if "," in t and "." not in t:
        t = t.replace(",", ".", 1)
    if not _NUMBER.match(t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


def _same_text(a: str, b: str, case_sensitive: bool) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    return a == b if case_sensitive else a.casefold() == b.casefold()


def interpret(question: Question, response: str | None) -> Interpretation:
    """Read ``response`` (the shared encoding, see the module docstring) for ``question``."""
    text = (response or "").strip()
    points = question.points
    if not text:
        return Interpretation(omitted=True, score=0.0 if question.kind != "essay" else None)
    if isinstance(question, ChoiceQuestion):
        if not _POSITIONS.match(text):
            return Interpretation(error=f"expected choice positions such as 2 or 1;3, got {text!r}")
        picked = [int(p) for p in text.split(";")]
        bad = [p for p in picked if not 1 <= p <= len(question.choices)]
        if bad:
            return Interpretation(
                error=f"choice {bad[0]} does not exist (the question has {len(question.choices)} choices)"
            )
        if len(set(picked)) != len(picked):
            return Interpretation(error=f"a choice is given twice in {text!r}")
        if not isinstance(question, MultipleResponse) and len(picked) > 1:
            return Interpretation(error=f"a single_choice question takes one choice, got {text!r}")
        mask = sum(1 << (p - 1) for p in picked)
        return Interpretation(chosen=mask, score=points if mask == key_mask(question) else 0.0)
    if isinstance(question, TrueFalse):
        value = text.casefold()
        if value not in ("true", "false"):
            return Interpretation(error=f"expected true or false, got {text!r}")
        mask = 1 if value == "true" else 2
        return Interpretation(chosen=mask, score=points if mask == key_mask(question) else 0.0)
    if isinstance(question, ShortAnswer):
        right = any(_same_text(text, a, question.case_sensitive) for a in question.accept)
        return Interpretation(score=points if right else 0.0)
    if isinstance(question, Numerical):
        number = parse_number(text)
        if number is None:
            return Interpretation(score=0.0)
        slack = 1e-9 * max(1.0, abs(question.answer))
        right = abs(number - question.answer) <= question.tolerance + slack
        return Interpretation(score=points if right else 0.0)
    if isinstance(question, Matching):
        given = [part.strip() for part in (response or "").split(";")]
        if len(given) != len(question.pairs):
            return Interpretation(
                error=f"expected {len(question.pairs)} matches joined by ';', got {len(given)}"
            )
        right = all(_same_text(g, p.match, True) for g, p in zip(given, question.pairs, strict=True))
        return Interpretation(score=points if right else 0.0)
    if isinstance(question, Ordering):
        if not _POSITIONS.match(text):
            return Interpretation(error=f"expected item positions such as 2;1;3, got {text!r}")
        order = [int(p) for p in text.split(";")]
        if sorted(order) != list(range(1, len(question.order) + 1)):
            return Interpretation(
                error=f"expected each of the {len(question.order)} item positions once, got {text!r}"
            )
        right = order == sorted(order)
        return Interpretation(score=points if right else 0.0)
    return Interpretation(score=None)  # essay: a person scores it
