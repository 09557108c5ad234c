"""Responses as columns: one row per (respondent, question) shown, grouped by question.

Every reader produces a :class:`ResponseTable`; the statistics only ever see this shape. Rows are
stored grouped by question (``offsets[i]:offsets[i + 1]`` are the rows of question ``item_ids[i]``)
so that every per-question figure is computed on a contiguous slice, and memory grows with the
number of rows, not with respondents x questions (a practice page draws a different set for
each learner).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ResponseTable", "TableBuilder"]

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass
class ResponseTable:
    """Scored responses, one row per question shown to a respondent, rows grouped by question."""

    item_ids: list[str]
    """Question ids; row group ``i`` belongs to ``item_ids[i]``."""
    offsets: npt.NDArray[np.int64]
    """``len(item_ids) + 1`` row offsets."""
    respondent: IntArray
    """Respondent number of each row (0 .. ``n_respondents - 1``)."""
    score: npt.NDArray[np.floating[Any]]
    """Points earned (an omission scores 0); float32 when every score is exactly one."""
    chosen: npt.NDArray[np.uint16]
    """Bit mask of the chosen options (choice and true/false questions; 0 otherwise)."""
    omitted: npt.NDArray[np.bool_]
    """Shown but not answered."""
    respondent_form: IntArray
    """Form number of each respondent (an index into ``forms``)."""
    forms: list[str]
    """Form names: what the respondents of one group were given (a file, a form title)."""
    sources: list[str] = field(default_factory=list)
    """The files the responses were read from."""

    @property
    def n_respondents(self) -> int:
        """How many respondents the table holds."""
        return len(self.respondent_form)

    @property
    def n_rows(self) -> int:
        """How many (respondent, question) rows the table holds."""
        return len(self.respondent)

    def rows(self, item: int) -> slice:
        """The rows of the question numbered ``item``."""
        return slice(int(self.offsets[item]), int(self.offsets[item + 1]))

    @staticmethod
    def concat(tables: Sequence[ResponseTable]) -> ResponseTable:
        """One table of several (respondents of different tables are different people)."""
        if len(tables) == 1:
            return tables[0]
        builder = TableBuilder()
        for table in tables:
            forms = [builder.form(name) for name in table.forms]
            base = builder.add_respondents(np.asarray(forms, dtype=np.int32)[table.respondent_form])
            for i, qid in enumerate(table.item_ids):
                part = table.rows(i)
                builder.add_rows(
                    np.full(part.stop - part.start, builder.item(qid), dtype=np.int32),
                    table.respondent[part] + base,
                    table.score[part],
                    table.chosen[part],
                    table.omitted[part],
                )
            builder.sources.extend(table.sources)
        return builder.build()


class TableBuilder:
    """Collects rows in any order (in chunks of arrays) and builds a :class:`ResponseTable`."""

    def __init__(self) -> None:
        self.item_ids: list[str] = []
        self._items: dict[str, int] = {}
        self.forms: list[str] = []
        self._forms: dict[str, int] = {}
        self._respondent_form: list[IntArray] = []
        self._n_respondents = 0
        self._chunks: list[
            tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.uint16], npt.NDArray[np.bool_]]
        ]
        self._chunks = []
        self.sources: list[str] = []

    def item(self, question_id: str) -> int:
        """The number of a question (given on first use)."""
        number = self._items.get(question_id)
        if number is None:
            number = self._items[question_id] = len(self.item_ids)
            self.item_ids.append(question_id)
        return number

    def form(self, name: str) -> int:
        """The number of a form (given on first use)."""
        number = self._forms.get(name)
        if number is None:
            number = self._forms[name] = len(self.forms)
            self.forms.append(name)
        return number

    def add_respondents(self, forms: IntArray) -> int:
        """Add respondents with these form numbers; returns the number of the first one."""
        first = self._n_respondents
        self._respondent_form.append(np.asarray(forms, dtype=np.int32))
        self._n_respondents += len(forms)
        return first

    def add_rows(
        self,
        items: npt.ArrayLike,
        respondents: npt.ArrayLike,
        scores: npt.ArrayLike,
        chosen: npt.ArrayLike,
        omitted: npt.ArrayLike,
    ) -> None:
        """Add rows (question numbers, respondent numbers, points, option masks, omissions)."""
        self._chunks.append(
            (
                np.asarray(items, dtype=np.int32),
                np.asarray(respondents, dtype=np.int32),
                np.asarray(scores, dtype=np.float64),
                np.asarray(chosen, dtype=np.uint16),
                np.asarray(omitted, dtype=np.bool_),
            )
        )

    def add_records(self, records: Iterable[tuple[int, int, float, int, bool]]) -> None:
        """Add rows given one by one as (question, respondent, points, option mask, omitted)."""
        rows = list(records)
        if rows:
            items, respondents, scores, chosen, omitted = zip(*rows, strict=True)
            self.add_rows(items, respondents, scores, chosen, omitted)

    def build(self) -> ResponseTable:
        """The table, rows grouped by question (in the order they were added within a question)."""
        chunks, self._chunks = self._chunks, []
        n_items = len(self.item_ids)
        if chunks:
            items = np.concatenate([c[0] for c in chunks])
            order = np.argsort(items, kind="stable")
            counts = np.bincount(items, minlength=n_items)
            del items
            columns = []
            for k in range(1, 5):
                joined = np.concatenate([c[k] for c in chunks])
                columns.append(joined[order])
                del joined
            del order
            respondent, score, chosen, omitted = columns
        else:
            counts = np.zeros(n_items, dtype=np.int64)
            respondent = np.zeros(0, dtype=np.int32)
            score = np.zeros(0, dtype=np.float64)
            chosen = np.zeros(0, dtype=np.uint16)
            omitted = np.zeros(0, dtype=np.bool_)
        offsets = np.zeros(n_items + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        forms = (
            np.concatenate(self._respondent_form) if self._respondent_form else np.zeros(0, dtype=np.int32)
        )
        return ResponseTable(
            item_ids=list(self.item_ids),
            offsets=offsets,
            respondent=respondent.astype(np.int32, copy=False),
            score=score.astype(np.float64, copy=False),
            chosen=chosen.astype(np.uint16, copy=False),
            omitted=omitted.astype(np.bool_, copy=False),
            respondent_form=forms.astype(np.int32, copy=False),
            forms=list(self.forms),
            sources=list(self.sources),
        )
