"""LMS reports: Moodle's quiz Responses report and Canvas's Student Analysis, both as CSV downloads.

Neither report names qbank's ids, so every question column is matched to a question of the bank:
first through the question map (``--map``: a Moodle slot number or a Canvas question id to a
qbank id; Canvas's quiz questions JSON works as it is, since qbank's Canvas export writes the
qbank id as each question's name), then by the question's text as the report shows it (HTML
stripped; Moodle's summary adds the choices after the stem), and for Moodle, without a question
text column, by the right answer and the responses given. A column that matches nothing is
reported (``QB921``) with the number of responses left out.

Responses are the texts the LMS shows (the chosen choice's text, ``True``/``False``, the typed
answer); they are turned into qbank's response encoding and scored by the key, unless the report
carries marks (Canvas's points column, Moodle's ``Q. n /max`` columns from the Grades report),
which are then used, scaled to the question's points.

Moodle (``mod/quiz/report/responses``): user columns, ``State``, ``Started on``, ``Completed``,
``Time taken``, ``Grade/10.00``, then per slot *n* ``Question n`` (optional), ``Response n``,
``Right answer n`` (optional); a cell is ``-`` when the question was not answered. Canvas
(``quiz_statistics/student_analysis``): ``name``, ``id``, ``sis_id``, ``section``,
``section_id``, ``section_sis_id``, ``submitted``, ``attempt``, then per question
``<question id>: <question text>`` and a column headed by its points possible holding the points
earned, then ``n correct``, ``n incorrect``, ``score``; several chosen answers are joined by
``,`` with commas inside an answer written ``\\,``, matching answers as ``left=>right``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qbank.analysis.stats.responses import encode_choices, interpret, parse_number
from qbank.analysis.stats.table import ResponseTable, TableBuilder
from qbank.core.markup import plain_text
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
from qbank.core.text import bare
from qbank.importers.responses.common import Context, Problems, UnreadableResponses, resolve_id

__all__ = ["is_canvas_header", "is_moodle_header", "read_canvas", "read_moodle"]

_MOODLE_RESPONSE = re.compile(r"^Response (\d+)$")
_MOODLE_QUESTION = re.compile(r"^Question (\d+)$")
_MOODLE_RIGHT = re.compile(r"^Right answer (\d+)$")
_MOODLE_MARK = re.compile(r"^Q\. ?(\d+) ?/ ?([0-9]+(?:[.,][0-9]+)?)$")
_CANVAS_QUESTION = re.compile(r"^(\d+): (.*)$", re.S)
_NOT_ANSWERED = ("", "-")


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        rows: list[tuple[int, list[str]]] = []
        start = reader.line_num + 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableResponses(f"malformed CSV: {exc}", reader.line_num) from None
    return [h.strip() for h in header], rows


def _col(header: Sequence[str], index: int) -> int:
    """1-based text column of header cell ``index`` (cells joined by commas, as typically written)."""
    return sum(len(h) + 1 for h in header[:index]) + 1


def is_moodle_header(header: Sequence[str]) -> bool:
    """Whether a CSV header is a Moodle quiz report's."""
    return any(_MOODLE_RESPONSE.match(h) or _MOODLE_MARK.match(h) for h in header)


def is_canvas_header(header: Sequence[str]) -> bool:
    """Whether a CSV header is a Canvas Student Analysis report's."""
    lowered = [h.lower() for h in header]
    return any(_CANVAS_QUESTION.match(h) for h in header) and (
        "n correct" in lowered or "submitted" in lowered
    )


# ---------------------------------------------------------------------------------------------- answers


def _choice_index(question: ChoiceQuestion) -> dict[str, int]:
    return {bare(plain_text(c.text)): i for i, c in enumerate(question.choices)}


def _split_known(parts: Sequence[str], known: dict[str, int]) -> list[int] | None:
    """Choice indexes of ``parts`` (pieces of a joined list), merging neighbours that form one
    choice text containing the separator; ``None`` when the pieces cannot be read so."""
    out: list[int] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            key = bare("; ".join(parts[i:j]))
            if key in known:
                out.append(known[key])
                i = j
                break
        else:
            return None
    return out


def _encode(question: Question, shown: str, separator: str) -> tuple[str | None, str | None]:
    """An LMS response text in qbank's encoding: ``(response, None)`` or ``(None, why not)``."""
    text = shown.strip()
    if text in _NOT_ANSWERED:
        return "", None
    if isinstance(question, ChoiceQuestion):
        known = _choice_index(question)
        parts = _split(text, separator) if isinstance(question, MultipleResponse) else [text]
        picked = _split_known(parts, known)
        if picked is None:
            return None, f"response {text!r} matches no choice"
        return encode_choices(picked), None
    if isinstance(question, TrueFalse):
        value = text.casefold()
        if value not in ("true", "false"):
            return None, f"expected True or False, got {text!r}"
        return value, None
    if isinstance(question, ShortAnswer | Numerical):
        return text, None
    if isinstance(question, Matching):
        prompts = {bare(plain_text(p.prompt)): i for i, p in enumerate(question.pairs)}
        given = [""] * len(question.pairs)
        arrow = "=>" if separator == "," else "->"
        for part in _split(text, separator):
            left, sep, right = part.partition(arrow)
            at = prompts.get(bare(left))
            if not sep or at is None:
                return None, f"matching answer {part!r} names no prompt of the question"
            given[at] = right.strip()
        if any(";" in g for g in given):
            return None, "a match contains ';'"
        return ";".join(given), None
    if isinstance(question, Ordering):
        return None, "ordering responses are not read from LMS reports"
    return text, None  # essay


def _split(text: str, separator: str) -> list[str]:
    if separator == ",":  # Canvas: commas inside an answer are written \\,
        parts = re.split(r"(?<!\\),", text)
        return [p.replace("\\,", ",").strip() for p in parts]
    return [p.strip() for p in text.split("; ")]


@dataclass
class _Column:
    """A question column of a report: where it is and which question it is (per row, for Moodle)."""

    index: int
    label: str
    fixed: str | None = None
    per_row: int | None = None
    """Moodle: the index of the ``Question n`` column naming the question on each row."""
    mark: int | None = None
    """The index of the column holding the marks earned."""
    mark_max: float | None = None
    """The most marks the column gives (``None``: the question's points, as Canvas writes them)."""


def _collect(
    display: str,
    columns: list[_Column],
    rows: list[tuple[int, list[str]]],
    context: Context,
    problems: Problems,
    separator: str,
    keep_row: Callable[[list[str]], bool],
    question_of: Callable[[_Column, list[str]], str | None],
) -> ResponseTable:
    builder = TableBuilder()
    builder.sources.append(display)
    form = builder.form(display)
    records: list[tuple[int, int, float, int, bool]] = []
    respondents = 0
    for line, row in rows:
        if not keep_row(row):
            continue
        respondent = respondents
        respondents += 1
        for column in columns:
            if column.index >= len(row):
                continue
            qid = question_of(column, row)
            if qid is None:
                continue
            question = context.questions[qid]
            cell = row[column.index]
            mark_text = row[column.mark].strip() if column.mark is not None and column.mark < len(row) else ""
            if cell.strip() == "" and column.mark is not None and mark_text == "":
                continue  # the question was not in this respondent's attempt
            response, why = _encode(question, cell, separator)
            if response is None:
                problems.add("QB920", f"{why} for question {qid!r} ({column.label}; skipped)", line)
                continue
            meaning = interpret(question, response)
            if meaning.error is not None:
                problems.add("QB920", f"{meaning.error} for question {qid!r} ({column.label}; skipped)", line)
                continue
            score = meaning.score
            if mark_text and mark_text not in _NOT_ANSWERED:
                earned = parse_number(mark_text)
                top = column.mark_max if column.mark_max is not None else question.points
                if earned is None or top <= 0 or not 0 <= earned <= top * (1 + 1e-9):
                    problems.add(
                        "QB920", f"mark {mark_text!r} of question {qid!r} is not usable (skipped)", line
                    )
                    continue
                score = earned / top * question.points
            if score is None:
                continue  # an essay without a mark
            records.append((builder.item(qid), respondent, score, meaning.chosen, meaning.omitted))
    builder.add_respondents(np.full(respondents, form, dtype=np.int32))
    builder.add_records(records)
    return builder.build()


# ---------------------------------------------------------------------------------------------- Canvas


def read_canvas(path: Path, display: str, context: Context, problems: Problems) -> ResponseTable:
    """Read a Canvas Student Analysis CSV."""
    header, rows = _rows(path)
    if not is_canvas_header(header):
        raise UnreadableResponses("not a Canvas Student Analysis report: no '<id>: <question>' columns")
    columns: list[_Column] = []
    for i, cell in enumerate(header):
        match = _CANVAS_QUESTION.match(cell)
        if not match or i + 1 >= len(header) or parse_number(header[i + 1]) is None:
            continue
        canvas_id, text = match.group(1), match.group(2)
        qid = (
            context.mapped(canvas_id) or resolve_id(canvas_id, context.questions) or context.texts.find(text)
        )
        if qid is None:
            answered = sum(1 for _, row in rows if i < len(row) and row[i].strip())
            problems.note(
                "QB921",
                f"question column {_short(cell)!r} matches no question of the bank (by map, id or text): "
                f"{answered} responses left out",
                1,
                _col(header, i),
            )
            continue
        columns.append(_Column(i, f"question {canvas_id}", fixed=qid, mark=i + 1))
    return _collect(
        display,
        columns,
        rows,
        context,
        problems,
        ",",
        lambda row: any(cell.strip() for cell in row),
        lambda column, _row: column.fixed,
    )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------- Moodle


def _right_answer(question: Question) -> str:
    """The right answer as Moodle's report summarises it, normalised."""
    if isinstance(question, ChoiceQuestion):
        return bare("; ".join(plain_text(question.choices[k].text) for k in question.keys))
    if isinstance(question, TrueFalse):
        return "true" if question.answer else "false"
    if isinstance(question, ShortAnswer):
        return bare(question.accept[0])
    if isinstance(question, Numerical):
        return bare(f"{question.answer:g}")
    if isinstance(question, Matching):
        return bare("; ".join(f"{plain_text(p.prompt)} -> {p.match}" for p in question.pairs))
    return ""


def _guess(values: Iterator[tuple[str, str]], context: Context) -> str | None:
    """The one question whose right answer and choices fit every (right answer, response) seen."""
    candidates = list(context.questions.values())
    for right, response in values:
        if right.strip() not in _NOT_ANSWERED:
            candidates = [q for q in candidates if _right_answer(q) == bare(right)]
        if response.strip() not in _NOT_ANSWERED:
            candidates = [q for q in candidates if _encode(q, response, "; ")[0] is not None]
        if len(candidates) <= 1:
            break
    return candidates[0].id if len(candidates) == 1 else None


def read_moodle(path: Path, display: str, context: Context, problems: Problems) -> ResponseTable:
    """Read a Moodle quiz Responses report CSV (optionally with the Grades report's mark columns)."""
    header, rows = _rows(path)
    if not is_moodle_header(header):
        raise UnreadableResponses("not a Moodle quiz report: no 'Response n' or 'Q. n /max' columns")
    slots: dict[int, dict[str, int]] = {}
    marks: dict[int, tuple[int, float]] = {}
    for i, cell in enumerate(header):
        for kind, pattern in (
            ("response", _MOODLE_RESPONSE),
            ("question", _MOODLE_QUESTION),
            ("right", _MOODLE_RIGHT),
        ):
            match = pattern.match(cell)
            if match:
                slots.setdefault(int(match.group(1)), {})[kind] = i
        marked = _MOODLE_MARK.match(cell)
        if marked:
            top = parse_number(marked.group(2))
            if top is not None:
                marks[int(marked.group(1))] = (i, top)
    state = next((i for i, h in enumerate(header) if h.lower() == "state"), None)

    def keep_row(row: list[str]) -> bool:
        if not any(cell.strip() for cell in row) or (
            row and row[0].strip().lower().startswith("overall average")
        ):
            return False
        return state is None or state >= len(row) or row[state].strip().lower() in ("finished", "")

    kept = [(line, row) for line, row in rows if keep_row(row)]
    columns: list[_Column] = []
    for slot in sorted(set(slots) | set(marks)):
        kinds = slots.get(slot, {})
        index = kinds.get("response")
        mark = marks.get(slot)
        label = f"slot {slot}"
        column = _Column(
            index if index is not None else mark[0] if mark else 0,
            label,
            mark=mark[0] if mark else None,
            mark_max=mark[1] if mark else None,
        )
        column.fixed = context.mapped(str(slot))
        if column.fixed is None and "question" in kinds:
            column.per_row = kinds["question"]
        elif column.fixed is None:

            def pairs(kinds: dict[str, int] = kinds) -> Iterator[tuple[str, str]]:
                for _, row in kept:
                    right = row[kinds["right"]] if "right" in kinds and kinds["right"] < len(row) else ""
                    response = (
                        row[kinds["response"]] if "response" in kinds and kinds["response"] < len(row) else ""
                    )
                    yield right, response

            column.fixed = _guess(pairs(), context)
            if column.fixed is None:
                at = index if index is not None else column.index
                problems.note(
                    "QB921",
                    f"slot {slot} ({header[at]!r}) matches no single question of the bank (add it to --map, "
                    f"or include the question text in the report): {len(kept)} responses left out",
                    1,
                    _col(header, at),
                )
                continue
        columns.append(column)
    if not any(c.index for c in columns) and not columns:
        return _collect(display, [], kept, context, problems, "; ", lambda _row: True, lambda _c, _r: None)

    cache: dict[str, str | None] = {}
    unmatched: dict[str, int] = {}

    def question_of(column: _Column, row: list[str]) -> str | None:
        if column.fixed is not None or column.per_row is None:
            return column.fixed
        shown = row[column.per_row] if column.per_row < len(row) else ""
        if shown.strip() in _NOT_ANSWERED:
            return None
        if shown not in cache:
            cache[shown] = context.texts.find(shown)
            if cache[shown] is None:
                unmatched[shown] = 0
        if cache[shown] is None:
            unmatched[shown] += 1
        return cache[shown]

    table = _collect(display, columns, kept, context, problems, "; ", lambda _row: True, question_of)
    for shown, count in unmatched.items():
        problems.note(
            "QB921",
            f"question {_short(shown)!r} matches no question of the bank: {count} responses left out",
        )
    return table
