"""Read the normalised third-party corpora (../shared/corpora/normalized/*.jsonl) as qbank questions.

Records are ``{stem, choices, correct (0-based), explanation?, flags, lang?}``; records flagged
``no_correct`` or ``lt2_choices`` are dropped, and so are records the question models reject
(duplicate choices, more than 10 choices, empty texts). Questions have no origin, so lint places
their findings at ``<memory>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qbank.core.model import Question, question_adapter

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora" / "normalized"
DROP_FLAGS = frozenset({"no_correct", "lt2_choices"})


def records(path: Path) -> Iterator[dict[str, Any]]:
    """The usable records of one JSONL file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if not DROP_FLAGS & set(record.get("flags", ())):
                    yield record


def to_question(record: dict[str, Any], number: int) -> Question | None:
    """A question model for a record, or ``None`` when the models reject it."""
    correct = set(record.get("correct", ()))
    choices = [{"text": text, "correct": i in correct} for i, text in enumerate(record.get("choices", []))]
    raw: dict[str, Any] = {"id": f"r{number}", "stem": record.get("stem") or "", "choices": choices}
    if len(correct) > 1:
        raw["type"] = "multiple_response"
    if record.get("explanation"):
        raw["explanation"] = record["explanation"]
    try:
        return question_adapter().validate_python(raw)
    except ValidationError:
        return None


def load_corpus(name: str, *, lang: str | None = None) -> tuple[list[Question], int]:
    """Questions of ``<name>.jsonl`` (optionally of one language) and how many records were rejected."""
    questions: list[Question] = []
    rejected = 0
    for number, record in enumerate(records(CORPORA / f"{name}.jsonl")):
        if lang is not None and record.get("lang") != lang:
            continue
        question = to_question(record, number)
        if question is None:
            rejected += 1
        else:
            questions.append(question)
    return questions, rejected
