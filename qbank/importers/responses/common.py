"""What every responses reader shares: located problems with a cap, id and text matching."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz, process

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import plain_text
from qbank.core.model import ChoiceQuestion, Question
from qbank.core.text import bare
from qbank.interchange.qti import question_id
from qbank.io.source import diagnostic

__all__ = [
    "MAX_LOCATED",
    "Context",
    "Problems",
    "TextIndex",
    "UnreadableResponses",
    "read_map",
    "resolve_id",
]

MAX_LOCATED = 20
"""Located messages per file and kind before the rest are only counted."""


class UnreadableResponses(Exception):
    """A responses file cannot be read at all (becomes a located ``QB922`` error)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Problems:
    """Problems found in one file: the first :data:`MAX_LOCATED` of each code are located, all counted."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, code: str, message: str, line: int = 1, col: int = 1, *, rows: int = 1) -> None:
        """Record ``rows`` rows skipped for one reason (located at the first of them)."""
        seen = self.counts.get(code, 0)
        self.counts[code] = seen + rows
        located = sum(1 for d in self.diagnostics if d.code == code)
        if located < MAX_LOCATED:
            self.diagnostics.append(diagnostic(code, message, self.path, line, col))

    def note(
        self, code: str, message: str, line: int = 1, col: int = 1, *, severity: Severity | None = None
    ) -> None:
        """A located message that is not about skipped rows (never capped)."""
        self.diagnostics.append(diagnostic(code, message, self.path, line, col, severity=severity))

    def finish(self) -> list[Diagnostic]:
        """The located messages plus a summary of what was only counted."""
        out = list(self.diagnostics)
        for code, total in self.counts.items():
            located = sum(1 for d in self.diagnostics if d.code == code)
            if total > located and code == "QB920":
                out.append(
                    diagnostic(
                        code,
                        f"{total} rows skipped in all ({total - located} more than listed)",
                        self.path,
                    )
                )
        return out


def resolve_id(raw: str, ids: Mapping[str, object]) -> str | None:
    """The bank id behind an identifier a qbank export wrote: the id itself, or its QTI form
    (:func:`qbank.interchange.qti.question_id` undoes it)."""
    value = raw.strip()
    if value in ids:
        return value
    qid = question_id(value, None)
    return qid if qid in ids else None


class TextIndex:
    """Finds a question by its stem as an LMS shows it (HTML stripped, maybe followed by the choices)."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self._by_text: dict[str, list[str]] = {}
        self._texts: list[str] = []
        self._ids: list[str] = []
        for q in questions:
            key = bare(plain_text(q.stem))
            self._by_text.setdefault(key, []).append(q.id)
            self._texts.append(key)
            self._ids.append(q.id)

    def find(self, shown: str, *, cutoff: float = 92.0) -> str | None:
        """The id of the one question whose stem is ``shown`` (exactly after normalisation, as the
        start of it, or nearly: a similarity of at least ``cutoff`` out of 100), else ``None``."""
        key = bare(shown)
        if not key:
            return None
        exact = self._by_text.get(key, [])
        if len(exact) == 1:
            return exact[0]
        if exact:
            return None
        starts = {
            qid for text, qid in zip(self._texts, self._ids, strict=True) if text and key.startswith(text)
        }
        if len(starts) == 1:
            return starts.pop()
        best = process.extract(key, self._texts, scorer=fuzz.ratio, limit=2, score_cutoff=cutoff)
        if len(best) == 1 or (len(best) == 2 and best[0][1] - best[1][1] >= 3):
            return self._ids[best[0][2]]
        return None


def choice_texts(question: ChoiceQuestion) -> list[str]:
    """The choices as plain text, normalised for comparison with what an LMS shows."""
    return [bare(plain_text(c.text)) for c in question.choices]


@dataclass
class Context:
    """What a reader reads against: the bank's questions and an optional question map."""

    questions: Mapping[str, Question]
    mapping: Mapping[str, str] = field(default_factory=dict)
    """LMS question identifier (a Canvas question id, a Moodle slot number) -> qbank id."""

    @cached_property
    def texts(self) -> TextIndex:
        """The questions by stem text."""
        return TextIndex(self.questions.values())

    def mapped(self, identifier: str) -> str | None:
        """The qbank id the map gives an LMS identifier (only ids of the bank count)."""
        qid = self.mapping.get(identifier.strip())
        return qid if qid is not None and qid in self.questions else None


def read_map(path: Path) -> dict[str, str]:
    """A question map: a CSV with the header ``column,question_id`` (a Canvas question id or a
    Moodle slot number, then the qbank id), or the JSON list Canvas's quiz questions API returns
    (``id`` and ``question_name``; qbank's Canvas export writes the qbank id as the question name)."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnreadableResponses(f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
        entries = data.get("questions", data) if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise UnreadableResponses("expected a list of questions with id and question_name")
        out: dict[str, str] = {}
        for entry in entries:
            if isinstance(entry, dict) and "id" in entry and isinstance(entry.get("question_name"), str):
                out[str(entry["id"])] = entry["question_name"].strip()
        return out
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [h.strip().lower() for h in rows[0][:2]] != ["column", "question_id"]:
        raise UnreadableResponses("a question map CSV starts with the header column,question_id")
    out = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise UnreadableResponses("expected column,question_id", number)
        out[row[0].strip()] = row[1].strip()
    return out
