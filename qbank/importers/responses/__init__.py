"""Readers of learner responses: every format becomes a :class:`~qbank.analysis.stats.table.ResponseTable`.

:func:`read_responses` reads files of any supported format (told by ``fmt`` or recognised from the
file) against a bank and returns one table of all of them plus every located problem. A file that
cannot be read at all is a ``QB922`` error; a row that cannot be used is skipped, located (the
first :data:`~qbank.importers.responses.common.MAX_LOCATED` per file) and counted (``QB920``);
a question of an LMS report that matches nothing in the bank is ``QB921``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qbank.analysis.stats.table import ResponseTable, TableBuilder
from qbank.core.diagnostics import Diagnostic
from qbank.core.model import Bank
from qbank.importers.responses.common import Context, Problems, UnreadableResponses
from qbank.importers.responses.lms import is_canvas_header, is_moodle_header, read_canvas, read_moodle
from qbank.importers.responses.long_csv import is_long_header, read_long_csv
from qbank.importers.responses.practice import read_practice
from qbank.importers.responses.qti_results import is_results_xml, read_qti_results
from qbank.io.source import diagnostic

__all__ = ["FORMATS", "ReadResult", "detect_format", "read_responses"]

Reader = Callable[[Path, str, Context, Problems], ResponseTable]


def _readers() -> dict[str, Reader]:
    return {
        "long": read_long_csv,
        "practice": read_practice,
        "moodle": read_moodle,
        "canvas": read_canvas,
        "qti": read_qti_results,
    }


#: Format names ``--from`` accepts.
FORMATS: tuple[str, ...] = ("long", "practice", "moodle", "canvas", "qti")


@dataclass
class ReadResult:
    """The responses of every file read, and what was wrong with them."""

    table: ResponseTable
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether a file could not be read at all."""
        return any(d.code == "QB922" for d in self.diagnostics)


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.read(1 << 16)
    text = first.decode("utf-8-sig", errors="replace").splitlines()[0] if first else ""
    return next(csv.reader(io.StringIO(text)), [])


def detect_format(path: Path) -> str:
    """The format of a responses file, from its name and first bytes."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        header = [h.strip() for h in _csv_header(path)]
        if is_long_header(header):
            return "long"
        if is_canvas_header(header):
            return "canvas"
        if is_moodle_header(header):
            return "moodle"
        raise UnreadableResponses(
            "not a responses CSV qbank knows: expected the long format's header "
            "respondent,question_id,response,score, a Moodle Responses report or a Canvas Student Analysis"
        )
    if suffix == ".json":
        return "practice"
    if suffix == ".xml":
        with path.open("rb") as handle:
            head = handle.read(4096)
        if is_results_xml(head):
            return "qti"
        raise UnreadableResponses("an XML file without assessmentResult: not QTI results")
    raise UnreadableResponses(f"cannot tell the format of {path.name}: name it with --from")


def read_responses(
    paths: Sequence[str | os.PathLike[str]],
    bank: Bank,
    *,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
) -> ReadResult:
    """Read responses from ``paths`` against the questions of ``bank``.

    ``fmt`` is one of :data:`FORMATS` or ``auto``; ``mapping`` maps LMS question identifiers
    (Canvas question ids, Moodle slot numbers) to qbank ids (see
    :func:`~qbank.importers.responses.common.read_map`).
    """
    context = Context(bank.by_id(), dict(mapping or {}))
    readers = _readers()
    tables: list[ResponseTable] = []
    diagnostics: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        shown = str(raw)
        problems = Problems(shown)
        try:
            if not path.is_file():
                raise UnreadableResponses("no such file")
            kind = detect_format(path) if fmt == "auto" else fmt
            if kind not in readers:
                raise UnreadableResponses(
                    f"unknown responses format {kind!r}: use one of {', '.join(FORMATS)}"
                )
            tables.append(readers[kind](path, shown, context, problems))
        except UnreadableResponses as exc:
            diagnostics.append(diagnostic("QB922", exc.message, shown, exc.line, exc.col))
        except OSError as exc:
            diagnostics.append(diagnostic("QB922", f"cannot read: {exc.strerror or exc}", shown))
        diagnostics.extend(problems.finish())
    table = ResponseTable.concat(tables) if tables else TableBuilder().build()
    return ReadResult(table, diagnostics)
