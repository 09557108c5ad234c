"""The HTML practice page's results file (its "Download results" button), one learner per file.

```json
{"format": "qbank-results", "version": 1, "bank": "dva-c02", "title": "DVA-C02 practice test",
 "form": null, "seed": 123, "name": null, "started": "2025-01-31T09:00:00Z",
 "finished": "2025-01-31T09:40:00Z",
 "items": [{"id": "lambda-timeout", "response": "2", "score": 1, "points": 1, "time": 41.5}]}
```

``response`` uses the shared encoding (:mod:`qbank.analysis.stats.responses`); ``score`` is the
points the page gave (``null`` for an essay, which the page does not score); ``time`` is seconds
spent on the question. ``name`` is the only personal datum and optional; qbank never reads it.
A file may also hold a JSON list of such results. Learners who took a form are grouped by the
form's title, others by the bank's id.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from qbank.analysis.stats.responses import interpret
from qbank.analysis.stats.table import ResponseTable, TableBuilder
from qbank.importers.responses.common import Context, Problems, UnreadableResponses
from qbank.io.source import read_source

__all__ = ["RESULTS_FORMAT", "is_results", "read_practice"]

RESULTS_FORMAT = "qbank-results"


def is_results(data: Any) -> bool:
    """Whether parsed JSON is a practice page results file (or a list of them)."""
    first = data[0] if isinstance(data, list) and data else data
    return isinstance(first, dict) and first.get("format") == RESULTS_FORMAT


def read_practice(path: Path, display: str, context: Context, problems: Problems) -> ResponseTable:
    """Read one results file (or a list of results)."""
    sf = read_source(path, display)
    errors = [d for d in sf.diagnostics if d.severity.value == "error"]
    if errors:
        raise UnreadableResponses(errors[0].message, errors[0].line, errors[0].col)
    data = sf.data
    if not is_results(data):
        raise UnreadableResponses(f'not a practice page results file (no "format": "{RESULTS_FORMAT}")')
    results = data if isinstance(data, list) else [data]
    builder = TableBuilder()
    builder.sources.append(display)
    forms: list[int] = []
    records: list[tuple[int, int, float, int, bool]] = []
    for r, result in enumerate(results):
        base: tuple[str | int, ...] = (r,) if isinstance(data, list) else ()
        if not isinstance(result, dict) or not isinstance(result.get("items"), list):
            line, col = sf.position(base)
            problems.add("QB920", "a result without an items list (skipped)", line, col)
            continue
        form = result.get("form") or result.get("bank") or display
        respondent = len(forms)
        forms.append(builder.form(str(form)))
        seen: set[str] = set()
        for i, item in enumerate(result["items"]):
            where = (*base, "items", i)
            line, col = sf.position(where)
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                problems.add("QB920", "an item without an id (skipped)", line, col)
                continue
            qid = item["id"]
            question = context.questions.get(qid)
            if question is None:
                problems.add("QB920", f"question id {qid!r} is not in the bank (skipped)", line, col)
                continue
            if qid in seen:
                problems.add("QB920", f"question {qid!r} appears twice in one result (skipped)", line, col)
                continue
            response = item.get("response")
            if response is not None and not isinstance(response, str):
                problems.add("QB920", f"response of {qid!r} is not a string (skipped)", line, col)
                continue
            meaning = interpret(question, response)
            if meaning.error is not None:
                problems.add("QB920", f"{meaning.error} for question {qid!r} (skipped)", line, col)
                continue
            score = item.get("score")
            if score is None:
                score = meaning.score
            if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
                if score is None:
                    continue  # an essay the page did not score: nothing to analyse
                problems.add("QB920", f"score of {qid!r} is not a number (skipped)", line, col)
                continue
            if not 0 <= score <= question.points * (1 + 1e-9):
                problems.add(
                    "QB920", f"score of {qid!r} is outside 0 .. {question.points:g} (skipped)", line, col
                )
                continue
            seen.add(qid)
            records.append((builder.item(qid), respondent, float(score), meaning.chosen, meaning.omitted))
    builder.add_respondents(np.asarray(forms, dtype=np.int32))
    builder.add_records(records)
    return builder.build()
