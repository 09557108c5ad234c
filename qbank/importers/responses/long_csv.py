"""The plain long CSV: ``respondent,question_id,response,score`` (and an optional ``form`` column).

One row per question shown to a respondent. ``response`` uses the shared encoding of
:mod:`qbank.analysis.stats.responses` (empty: shown but not answered); ``score`` is the points
earned and may be empty when the key can score the response.

Large files are read with polars in two streaming passes, never as Python rows: the first
collects the distinct (question, response) pairs, which are interpreted once each against the
bank; the second joins every row to its interpretation and hands columns to numpy in batches.
A file polars cannot parse (a row with too many fields, a broken quote) is read again with
Python's :mod:`csv` module, which locates every bad row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from qbank.analysis.stats.responses import Interpretation, interpret
from qbank.analysis.stats.table import ResponseTable, TableBuilder
from qbank.core.model import Question
from qbank.importers.responses.common import MAX_LOCATED, Context, Problems, UnreadableResponses

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "is_long_header", "read_long_csv"]

COLUMNS = ("respondent", "question_id", "response", "score")
OPTIONAL_COLUMNS = ("form",)
BATCH_ROWS = 250_000


def is_long_header(header: list[str]) -> bool:
    """Whether a CSV header is the long format's."""
    names = [h.strip().lower() for h in header]
    return names[:2] == ["respondent", "question_id"] or set(COLUMNS[:3]) <= set(names)


def _header(path: Path, display: str) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    text = first.decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(text)), [])
    names = [h.strip() for h in header]
    missing = [c for c in COLUMNS[:3] if c not in names]
    if missing:
        raise UnreadableResponses(
            f"the header must be {','.join(COLUMNS)} (optionally with form); missing {', '.join(missing)}"
        )
    for index, name in enumerate(names):
        if name not in COLUMNS and name not in OPTIONAL_COLUMNS:
            col = text.find(name) + 1 if name else 1
            raise UnreadableResponses(
                f"unknown column {name!r}: the columns are {', '.join(COLUMNS)} and optionally form", 1, col
            )
        if names.index(name) != index:
            raise UnreadableResponses(f"column {name!r} appears twice", 1, text.rfind(name) + 1)
    return names


@dataclass(slots=True)
class _Pair:
    item: int
    points: float
    interpretation: Interpretation
    rows: int = 0
    first: int = 0


class _Interpreter:
    """Interprets each distinct (question id, response) once; counts what cannot be used."""

    def __init__(self, questions: Mapping[str, Question], builder: TableBuilder, problems: Problems) -> None:
        self.questions = questions
        self.builder = builder
        self.problems = problems
        self.unknown: dict[str, list[int]] = {}
        self.pairs: dict[tuple[str, str], _Pair | None] = {}

    def pair(self, qid: str, response: str, rows: int, first: int) -> _Pair | None:
        """The meaning of a (question id, response) pair, counting ``rows`` more rows of it seen
        from line ``first`` on; ``None`` for a question the bank does not have."""
        key = (qid, response)
        if key not in self.pairs:
            question = self.questions.get(qid.strip())
            self.pairs[key] = (
                None
                if question is None
                else _Pair(self.builder.item(question.id), question.points, interpret(question, response))
            )
        pair = self.pairs[key]
        if pair is None:
            seen = self.unknown.setdefault(qid, [0, first])
            seen[0] += rows
            seen[1] = min(seen[1], first)
        else:
            pair.first = min(pair.first, first) if pair.rows else first
            pair.rows += rows
        return pair

    def report(self) -> None:
        """Report unknown questions and unreadable responses, one message each."""
        found: list[tuple[int, str, int]] = []
        for qid, (rows, line) in self.unknown.items():
            shown = f"question id {qid!r} is not in the bank" if qid.strip() else "empty question_id"
            found.append((line, shown, rows))
        for (qid, _), pair in self.pairs.items():
            if pair is not None and pair.interpretation.error is not None and pair.rows:
                found.append((pair.first, f"{pair.interpretation.error} for question {qid!r}", pair.rows))
        for line, message, rows in sorted(found):
            what = "row skipped" if rows == 1 else f"{rows} rows like it skipped"
            self.problems.add("QB920", f"{message} ({what})", line, rows=rows)


def read_long_csv(path: Path, display: str, context: Context, problems: Problems) -> ResponseTable:
    """Read a long CSV of responses (bad rows are skipped, located and counted in ``problems``)."""
    questions = context.questions
    names = _header(path, display)
    try:
        return _read_polars(path, display, names, questions, problems)
    except _Malformed:
        problems.diagnostics.clear()
        problems.counts.clear()
        return _read_rows(path, display, names, questions, problems)


class _Malformed(Exception):
    """polars could not parse the file: read it row by row instead."""


def _read_polars(
    path: Path, display: str, names: list[str], questions: Mapping[str, Question], problems: Problems
) -> ResponseTable:
    import polars as pl  # imported here: only this reader needs it, and it takes a while to load

    builder = TableBuilder()
    builder.sources.append(display)
    interpreter = _Interpreter(questions, builder, problems)
    lf = pl.scan_csv(
        path,
        has_header=True,
        infer_schema=False,
        encoding="utf8-lossy",
        row_index_name="__line",
        row_index_offset=2,
    )
    who = pl.col("respondent").fill_null("").str.strip_chars()
    score = pl.col("score").fill_null("").str.strip_chars() if "score" in names else pl.lit("")
    lf = lf.with_columns(
        pl.col("question_id").fill_null("").str.strip_chars(), pl.col("response").fill_null("")
    )
    try:
        found = (
            lf.group_by("question_id", "response")
            .agg(pl.len().alias("rows"), pl.col("__line").min().alias("first"))
            .collect(engine="streaming")
        )
    except pl.exceptions.PolarsError as exc:
        raise _Malformed(str(exc)) from None
    meaning = _PairTable(found, interpreter)
    interpreter.report()
    pairs = found.select("question_id", "response").with_row_index("__pair")
    columns = [
        pl.col("__line").cast(pl.UInt32),
        who.cast(pl.Categorical).to_physical().cast(pl.UInt32).alias("__who"),
        (who == "").alias("__no_who"),
        pl.col("__pair"),
        (score != "").alias("__scored"),
        score.cast(pl.Float64, strict=False).fill_null(float("nan")).alias("__score"),
    ]
    if "form" in names:
        form = pl.col("form").fill_null("").str.strip_chars()
        columns += [
            form.cast(pl.Categorical).to_physical().cast(pl.Int64).alias("__form"),
            form.alias("form"),
        ]
    query = lf.join(pairs.lazy(), on=["question_id", "response"], how="left").select(columns)
    rows = _Rows(meaning, builder, problems)
    try:
        for batch in _batches(query):
            rows.add(batch)
    except pl.exceptions.PolarsError as exc:
        raise _Malformed(str(exc)) from None
    table = rows.build(builder, display)
    if rows.repeated:
        _report_repeats(lf, who, rows.repeated, builder, problems)
    return table


def _batches(query: Any) -> Iterable[Any]:
    collect_batches = getattr(query, "collect_batches", None)
    if collect_batches is not None:
        return cast("Iterable[Any]", collect_batches(chunk_size=BATCH_ROWS, maintain_order=True))
    return [query.collect(engine="streaming")]


class _PairTable:
    """Every distinct (question, response) pair of the file, interpreted once; rows refer to them
    by number (their row in ``found``)."""

    def __init__(self, found: Any, interpreter: _Interpreter) -> None:
        n = found.height
        self.item = np.full(n, -1, dtype=np.int32)
        self.chosen = np.zeros(n, dtype=np.uint16)
        self.omitted = np.zeros(n, dtype=bool)
        self.key = np.full(n, np.nan)
        self.points = np.zeros(n)
        counts: dict[int, int] = {}
        for at, (qid, response, rows, first) in enumerate(found.iter_rows()):
            pair = interpreter.pair(qid, response, int(rows), int(first))
            if pair is None or pair.interpretation.error is not None:
                continue
            interp = pair.interpretation
            self.item[at], self.chosen[at], self.omitted[at] = pair.item, interp.chosen, interp.omitted
            self.points[at] = pair.points
            self.key[at] = np.nan if interp.score is None else interp.score
            counts[pair.item] = counts.get(pair.item, 0) + int(rows)
        self.counts = np.array(
            [counts.get(i, 0) for i in range(len(interpreter.builder.item_ids))], dtype=np.int64
        )
        """Rows per question number (an upper bound: rows with other problems are dropped later)."""


class _Rows:
    """Checks batches of rows and writes the usable ones straight into question-grouped arrays."""

    def __init__(self, meaning: _PairTable, builder: TableBuilder, problems: Problems) -> None:
        self.meaning = meaning
        self.problems = problems
        n_items = len(builder.item_ids)
        self.offsets = np.zeros(n_items + 1, dtype=np.int64)
        np.cumsum(meaning.counts, out=self.offsets[1:])
        self.cursor = self.offsets[:-1].copy()
        total = int(self.offsets[-1])
        # allocated untouched: pages are used only as rows are written
        self.who = np.empty(total, dtype=np.uint32)
        # scores are kept as float32 while every one is exactly a float32 (0, 1, 0.5 ...), else float64
        self.score: npt.NDArray[np.floating[Any]] = np.empty(total, dtype=np.float32)
        self.chosen = np.empty(total, dtype=np.uint16)
        self.omitted = np.empty(total, dtype=np.bool_)
        self.seen_who = np.zeros(0, dtype=bool)
        self.first_form: dict[int, int] = {}
        self.form_names: dict[int, str] = {}
        self.repeated: list[tuple[int, int]] = []

    def add(self, batch: Any) -> None:
        """Check one batch and write its usable rows."""
        m = self.meaning
        pair = batch["__pair"].to_numpy()
        item = m.item[pair]
        line = batch["__line"].to_numpy()
        known = item >= 0  # unknown questions and unreadable responses were reported per pair
        scored = batch["__scored"].to_numpy()
        score = batch["__score"].to_numpy()
        key = m.key[pair]
        final = np.where(scored, score, key)
        points = m.points[pair]
        for mask, message in (
            (batch["__no_who"].to_numpy(), "empty respondent"),
            (scored & np.isnan(score), "score is not a number"),
            (~scored & np.isnan(key), "no score, and only a person can score this answer (essay)"),
            (
                ~np.isnan(final) & ((final < 0) | (final > points * (1 + 1e-9))),
                "score is outside 0 .. the question's points",
            ),
        ):
            hits = np.nonzero(mask & known)[0]
            for row in hits[:MAX_LOCATED]:
                self.problems.add("QB920", f"{message} (row skipped)", int(line[row]))
            if len(hits) > MAX_LOCATED:
                self.problems.counts["QB920"] += len(hits) - MAX_LOCATED
            known &= ~mask
        keep = np.nonzero(known)[0]
        small = item[keep].astype(np.uint16) if len(self.cursor) <= 65536 else item[keep]
        order = keep[np.argsort(small, kind="stable")]
        del small, key, points, scored, score, known
        item = item[order]
        who = batch["__who"].to_numpy()[order]
        if len(who) and int(who.max()) >= len(self.seen_who):
            grown = np.zeros(int(who.max()) + 1, dtype=bool)
            grown[: len(self.seen_who)] = self.seen_who
            self.seen_who = grown
        self.seen_who[who] = True
        if "__form" in batch.columns:
            for code, name in batch.group_by("__form").agg(_first("form")).iter_rows():
                self.form_names.setdefault(int(code), str(name))
            codes = batch["__form"].to_numpy()[order]
            new = {int(w): int(c) for w, c in zip(who[::-1], codes[::-1], strict=True)}
            for w, c in new.items():
                self.first_form.setdefault(w, c)
        pair = pair[order]
        final = final[order]
        if self.score.dtype == np.float32 and not np.array_equal(final.astype(np.float32), final):
            wider = np.empty(len(self.score), dtype=np.float64)
            for i in range(len(self.cursor)):
                lo, hi = int(self.offsets[i]), int(self.cursor[i])
                wider[lo:hi] = self.score[lo:hi]
            self.score = wider
        bounds = np.searchsorted(item, np.arange(len(self.cursor) + 1))
        for i in np.nonzero(np.diff(bounds))[0].tolist():
            lo, hi = int(bounds[i]), int(bounds[i + 1])
            start = int(self.cursor[i])
            end = start + hi - lo
            self.who[start:end] = who[lo:hi]
            self.score[start:end] = final[lo:hi]
            self.chosen[start:end] = m.chosen[pair[lo:hi]]
            self.omitted[start:end] = m.omitted[pair[lo:hi]]
            self.cursor[i] = end

    def build(self, builder: TableBuilder, display: str) -> ResponseTable:
        """One table: rows packed, respondents numbered, repeated (respondent, question) rows dropped."""
        n_items = len(self.cursor)
        counts = self.cursor - self.offsets[:-1]
        packed = np.zeros(n_items + 1, dtype=np.int64)
        np.cumsum(counts, out=packed[1:])
        compact = (np.cumsum(self.seen_who) - 1).astype(np.uint32)
        physical = np.nonzero(self.seen_who)[0]
        n_resp = len(physical)
        keep: npt.NDArray[np.bool_] | None = None
        for i in range(n_items):
            src, dst, n = int(self.offsets[i]), int(packed[i]), int(counts[i])
            for column in (self.score, self.chosen, self.omitted):
                if src != dst:
                    column[dst : dst + n] = column[src : src + n].copy()
            self.who[dst : dst + n] = compact[self.who[src : src + n]]
            part = self.who[dst : dst + n]
            if n > 1 and int(np.bincount(part).max()) > 1:
                _, first = np.unique(part, return_index=True)
                later = np.ones(n, dtype=bool)
                later[first] = False
                if keep is None:
                    keep = np.ones(len(self.who), dtype=bool)
                keep[dst : dst + n] = ~later
                self.repeated.extend((int(physical[w]), i) for w in np.unique(part[later]).tolist())
        total = int(packed[-1])
        who = self.who[:total].view(np.int32)
        score, chosen, omitted = self.score[:total], self.chosen[:total], self.omitted[:total]
        if keep is not None:
            keep = keep[:total]
            kept = np.zeros(n_items + 1, dtype=np.int64)
            np.cumsum([int(keep[packed[i] : packed[i + 1]].sum()) for i in range(n_items)], out=kept[1:])
            packed = kept
            who, score, chosen, omitted = who[keep], score[keep], chosen[keep], omitted[keep]
        forms = np.zeros(n_resp, dtype=np.int32)
        if self.form_names:
            numbers = {code: builder.form(name or display) for code, name in sorted(self.form_names.items())}
            forms = np.array([numbers[self.first_form[int(p)]] for p in physical], dtype=np.int32)
        else:
            builder.form(display)
        builder.add_respondents(forms)
        table = builder.build()
        table.offsets, table.respondent, table.score, table.chosen, table.omitted = (
            packed,
            who,
            score,
            chosen,
            omitted,
        )
        return table


def _report_repeats(
    lf: Any,
    who: Any,
    repeated: list[tuple[int, int]],
    builder: TableBuilder,
    problems: Problems,
) -> None:
    """Locate the rows that repeat a (respondent, question) pair: read again, only those rows."""
    import polars as pl

    codes = sorted({w for w, _ in repeated})
    ids = sorted({builder.item_ids[i] for _, i in repeated})
    found = (
        lf.select(
            pl.col("__line"),
            who.cast(pl.Categorical).to_physical().cast(pl.Int64).alias("__who"),
            pl.col("question_id").alias("qid"),
        )
        .filter(pl.col("__who").is_in(codes) & pl.col("qid").is_in(ids))
        .sort("__line")
        .collect(engine="streaming")
    )
    wanted = {(w, builder.item_ids[i]) for w, i in repeated}
    seen: set[tuple[int, str]] = set()
    for line, code, question in found.iter_rows():
        pair = (int(code), str(question))
        if pair not in wanted:
            continue
        if pair in seen:
            problems.add(
                "QB920",
                f"a second row for the same respondent and question {question!r} (row skipped; the first one counts)",
                int(line),
            )
        seen.add(pair)


def _first(name: str) -> Any:
    """``pl.col(name).first()`` (polars imported lazily)."""
    import polars as pl

    return pl.col(name).first()


def _read_rows(
    path: Path, display: str, names: list[str], questions: Mapping[str, Question], problems: Problems
) -> ResponseTable:
    """Row-by-row reading with :mod:`csv`, for files polars cannot parse; every bad row is located."""
    builder = TableBuilder()
    builder.sources.append(display)
    interpreter = _Interpreter(questions, builder, problems)
    column = {name: i for i, name in enumerate(names)}
    respondents: dict[str, int] = {}
    forms: list[int] = []
    records: list[tuple[int, int, float, int, bool]] = []
    seen: set[tuple[int, int]] = set()
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(names):
                    problems.add(
                        "QB920", f"{len(row)} fields, the header has {len(names)} (row skipped)", line
                    )
                    continue
                qid = row[column["question_id"]].strip()
                response = row[column["response"]]
                pair = interpreter.pair(qid, response, 1, line)
                if pair is None or pair.interpretation.error is not None:
                    continue
                interp = pair.interpretation
                who = row[column["respondent"]].strip()
                if not who:
                    problems.add("QB920", "empty respondent (row skipped)", line)
                    continue
                raw = row[column["score"]].strip() if "score" in column else ""
                if raw:
                    value = _number(raw)
                    if value is None:
                        problems.add("QB920", "score is not a number (row skipped)", line)
                        continue
                elif interp.score is None:
                    problems.add(
                        "QB920",
                        "no score, and only a person can score this answer (essay) (row skipped)",
                        line,
                    )
                    continue
                else:
                    value = interp.score
                if value < 0 or value > pair.points * (1 + 1e-9):
                    problems.add("QB920", "score is outside 0 .. the question's points (row skipped)", line)
                    continue
                number = respondents.get(who)
                if number is None:
                    number = respondents[who] = len(respondents)
                    form = row[column["form"]].strip() if "form" in column else ""
                    forms.append(builder.form(form or display))
                if (number, pair.item) in seen:
                    problems.add(
                        "QB920",
                        f"a second row for the same respondent and question {qid!r} "
                        "(row skipped; the first one counts)",
                        line,
                    )
                    continue
                seen.add((number, pair.item))
                records.append((pair.item, number, value, interp.chosen, interp.omitted))
    except (OSError, csv.Error) as exc:
        raise UnreadableResponses(f"cannot read the CSV: {exc}") from None
    interpreter.report()
    if not forms:
        builder.form(display)
    builder.add_respondents(np.asarray(forms, dtype=np.int32))
    builder.add_records(records)
    return builder.build()


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None
