"""Importers: one module per source format, registered by name in :data:`IMPORTERS`.

``qbank.import_bank(["quiz.xml"], "moodle")`` reads files of another format into qbank questions,
grouped by category or domain, with a located diagnostic for every item that was skipped
(``QB910``), every detail that could not be carried (``QB911``) and every hostile input that was
refused (``QB912``). :func:`write_import` writes the result as YAML files (docs/format.md), one per group,
plus the extracted images, atomically and never over an existing file unless asked to.

Untrusted input goes through :mod:`qbank.io.safe` (no XML entities, no zip slip or bombs).
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from qbank.core.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.core.model import QUESTION_TYPES, Blueprint, Pool, Question, question_adapter
from qbank.importers.base import Draft, ImportContext, Importer, normalize_id, slugify
from qbank.io.fsutil import OutputExistsError, atomic_write
from qbank.io.safe import MAX_INPUT_BYTES
from qbank.io.serialize import dump_questions
from qbank.io.source import diagnostic

__all__ = [
    "CARRIES",
    "IMPORTERS",
    "Carried",
    "ImportFailedError",
    "ImportResult",
    "Importer",
    "import_bank",
    "register",
    "write_import",
]

IMPORTERS: dict[str, Importer] = {}

#: Modules under ``qbank.importers`` that register a format when imported.
_BUILTIN_MODULES: tuple[str, ...] = (
    "moodle",
    "gift",
    "aiken",
    "markdown",
    "qti",
    "canvas",
    "text2qti",
    "json_import",
)


def register(importer: Importer) -> Importer:
    """Add an importer to the registry under its ``name``."""
    IMPORTERS[importer.name] = importer
    return importer


ALL_FIELDS: frozenset[str] = frozenset(
    {
        "id", "type", "stem", "choices", "choice_feedback", "answer", "tolerance", "accept", "case_sensitive",
        "pairs", "distractors", "order", "gaps", "explanation", "domain", "objective", "difficulty", "points",
        "shuffle", "status", "tags", "references", "followups", "author", "source", "lint", "pool",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Carried:
    """What a round trip through an export format and back keeps.

    ``types`` are the question types the format can hold; ``fields`` the question fields (plus
    ``choice_feedback`` for per-choice feedback) that come back equal. Everything else is lost by
    design of the format and is reported by the exporter.
    """

    exporter: str
    types: frozenset[str]
    fields: frozenset[str]
    notes: str = ""
    shuffle_types: frozenset[str] = frozenset({"single_choice", "multiple_response", "matching"})
    """Types whose ``shuffle`` is carried (when ``shuffle`` is in ``fields``)."""
    plain_text: bool = False
    """Texts come back as plain text on one line (markup and line breaks are flattened)."""
    max_gaps: int | None = None
    """Cloze questions with more gaps than this are not exported (``None``: any number)."""
    gap_names: bool = True
    """Whether gap names come back (else gaps are named by position, ``1``, ``2`` ...)."""

    @property
    def lost(self) -> frozenset[str]:
        """The fields the format cannot carry."""
        return ALL_FIELDS - self.fields


_ALL_TYPES = frozenset(QUESTION_TYPES)
_CORE = frozenset(
    {
        "id",
        "type",
        "stem",
        "choices",
        "answer",
        "tolerance",
        "accept",
        "pairs",
        "distractors",
        "order",
        "gaps",
    }
)

#: Import format -> what a bank exported in that format and imported back keeps (the round-trip
#: contract the property tests check). Formats without an exporter (markdown, text2qti) have no entry.
#: What a QTI item (2.1 or 3.0) carries besides the core fields.
_QTI_FIELDS = _CORE | {
    "choice_feedback",
    "case_sensitive",
    "explanation",
    "domain",
    "objective",
    "points",
    "shuffle",
    "references",
    "followups",
}

CARRIES: dict[str, Carried] = {
    "moodle": Carried(
        "moodle",
        _ALL_TYPES,
        _CORE
        | {
            "choice_feedback",
            "case_sensitive",
            "explanation",
            "domain",
            "objective",
            "difficulty",
            "points",
            "shuffle",
            "tags",
            "references",
            "followups",
        },
        "difficulty travels as a difficulty-<level> tag; domain and objective as category levels; "
        "status, author, source and lint have no Moodle field; shuffle is not carried for "
        "true_false, short_answer, numerical and essay (Moodle has no such setting there). Cloze: gaps "
        "are named by position, their points become whole marks, a gap's feedback travels on its "
        "answers (on drop-down options without their own).",
        gap_names=False,
    ),
    "gift": Carried(
        "gift",
        _ALL_TYPES - {"ordering"},
        _CORE
        | {
            "choice_feedback",
            "explanation",
            "domain",
            "objective",
            "difficulty",
            "tags",
            "references",
            "followups",
        },
        "GIFT has no points, shuffle, case sensitivity, ordering type, status, author, source or lint; "
        "a cloze question with one gap is a missing-word question, its gap named 1, without the gap's "
        "own feedback; cloze questions with more gaps are not exported.",
        max_gaps=1,
        gap_names=False,
    ),
    "aiken": Carried(
        "aiken",
        frozenset({"single_choice", "true_false"}),
        frozenset({"type", "stem", "choices", "answer"}),
        "Aiken holds a one-line stem, lettered options and the key: ids come from the stem, "
        "true_false comes back from a True/False option pair; nothing else is carried.",
        plain_text=True,
    ),
    "qti21": Carried(
        "qti21",
        _ALL_TYPES,
        _QTI_FIELDS,
        "QTI items carry no tags, difficulty, status, author, source or lint; the domain comes from "
        "the test section, domain and objective from the item's LOM classification in the manifest; "
        "shuffle is fixed for true_false and ordering items.",
    ),
    "qti30": Carried(
        "qti30",
        _ALL_TYPES,
        _QTI_FIELDS,
        "As QTI 2.1.",
    ),
    "canvas": Carried(
        "canvas",
        _ALL_TYPES - {"ordering"},
        _CORE | {"choice_feedback", "explanation", "objective", "points", "references", "followups"},
        "Canvas Classic Quizzes have no ordering type, no per-question shuffle or case sensitivity, "
        "and place domains only when a blueprint makes question groups; the objective travels as item "
        "metadata; no tags or difficulty. "
        "Cloze: one kind of blank per question (a fill-in question types every gap: a drop-down's key, "
        "a number as written), no feedback per blank.",
    ),
    "json": Carried(
        "json",
        _ALL_TYPES,
        ALL_FIELDS - {"lint"},
        "The JSON export has every field but lint (and writes the domain implied by the objective).",
        shuffle_types=_ALL_TYPES,
    ),
}
#: The ``--from`` value that reads each exporter's output.
IMPORT_FORMAT_OF_EXPORT: dict[str, str] = {
    "moodle": "moodle",
    "gift": "gift",
    "aiken": "aiken",
    "qti21": "qti",
    "qti30": "qti",
    "canvas": "canvas",
    "json": "json",
}


class ImportFailedError(Exception):
    """The import met errors (unsafe or unreadable input); nothing is written."""


@dataclass
class ImportResult:
    """Questions read from another format, grouped for writing, and what happened on the way."""

    fmt: str
    questions: list[Question] = field(default_factory=list)
    groups: dict[str, list[Question]] = field(default_factory=dict)
    """Category, domain or quiz name -> its questions, in source order; one output file each."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    """Extracted images: path relative to the output folder -> bytes."""
    found: int = 0
    """Items found in the sources (imported + skipped)."""
    sources: list[str] = field(default_factory=list)
    pools: dict[str, Pool] = field(default_factory=dict)
    """Pools the sources declare (question groups, QTI selections); questions name them in ``pool``."""

    @property
    def imported(self) -> int:
        """Questions converted."""
        return len(self.questions)

    @property
    def skipped(self) -> int:
        """Items found but not converted (each has a QB910 diagnostic)."""
        return self.found - self.imported

    @property
    def failed(self) -> bool:
        """Whether an error (unsafe, unreadable or malformed input) means nothing should be written."""
        return any(d.severity == Severity.ERROR for d in self.diagnostics)

    def files(self) -> dict[str, str | bytes]:
        """Output files: relative path -> content (one YAML file per group, then the media)."""
        out: dict[str, str | bytes] = {}
        used: set[str] = set()
        header = f"Imported by qbank import --from {self.fmt} from {', '.join(self.sources)}"
        declared_in = self._pool_homes()
        for group, questions in self.groups.items():
            base = normalize_id(group) or "questions"
            name, n = f"{base}.yaml", 1
            while name in used:
                n += 1
                name = f"{base}-{n}.yaml"
            used.add(name)
            pools = {n: p for n, p in self.pools.items() if declared_in.get(n) == group}
            out[name] = dump_questions(
                questions, header=f"{header}\n{group}" if group else header, pools=pools or None
            )
        out.update(sorted(self.media.items()))
        return out

    def _pool_homes(self) -> dict[str, str]:
        """The group (output file) that declares each pool: the one holding its first question."""
        homes: dict[str, str] = {}
        for group, questions in self.groups.items():
            for question in questions:
                if question.pool is not None and question.pool in self.pools:
                    homes.setdefault(question.pool, group)
        return homes


def _settle_pools(result: ImportResult, declared: dict[str, Pool]) -> None:
    """Keep the pools that imported questions use, each picking at most what it holds."""
    held: dict[str, int] = {}
    for question in result.questions:
        if question.pool is not None:
            held[question.pool] = held.get(question.pool, 0) + 1
    for name, pool in declared.items():
        if name in held:
            result.pools[name] = (
                pool if pool.pick <= held[name] else pool.model_copy(update={"pick": held[name]})
            )


def _expand(paths: Iterable[str | os.PathLike[str]], importer: Importer) -> list[tuple[Path, str]]:
    items: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(importer.suffixes)
            )
            items.extend((p, str(p)) for p in found)
        else:
            items.append((path, str(raw)))
    return items


def import_bank(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    fmt: str,
    *,
    blueprint: Blueprint | None = None,
) -> ImportResult:
    """Read question files of format ``fmt`` (see :data:`IMPORTERS`) into qbank questions.

    Folders are searched for the format's file endings. Ids are kept where the source has them
    (made valid and unique) and derived from the stem where it has none; a ``blueprint`` lets
    category names such as ``1 Development with AWS Services`` map back to domain ids. Never raises
    for bad input: every problem is a located diagnostic. Raises ``KeyError`` for an unknown format.
    """
    importer = IMPORTERS[fmt]
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    ctx = ImportContext(blueprint=blueprint)
    drafts: list[Draft] = []
    items = _expand(paths, importer)
    for path, display in items:
        try:
            size = path.stat().st_size
            if size > MAX_INPUT_BYTES:
                ctx.problem(
                    "QB912", f"the file has {size} bytes (more than {MAX_INPUT_BYTES}); refused", display
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            ctx.problem("QB001", f"cannot read the file: {exc.strerror or exc}", display)
            continue
        drafts.extend(importer.read(data, display, ctx))
    result = ImportResult(fmt, media=ctx.media, sources=[d for _, d in items])
    result.found = len(drafts) + ctx.skipped
    _finish(drafts, ctx, result)
    _settle_pools(result, ctx.pools)
    result.diagnostics = sort_diagnostics(ctx.diagnostics)
    return result


def _finish(drafts: list[Draft], ctx: ImportContext, result: ImportResult) -> None:
    """Settle ids (kept, made valid, deduplicated), validate, group."""
    used: set[str] = set()
    adapter = question_adapter()
    for draft in drafts:
        qid = _settle_id(draft, used)
        for code, message in draft.notes:
            ctx.diagnostics.append(diagnostic(code, message, draft.path, draft.line, question_id=qid))
        data = {"id": qid, **draft.data}
        try:
            question = adapter.validate_python(data)
        except ValidationError as exc:
            used.discard(qid)
            ctx.diagnostics.append(
                diagnostic("QB910", f"not imported: {_errors(exc)}", draft.path, draft.line, question_id=qid)
            )
            continue
        result.questions.append(question)
        result.groups.setdefault(draft.group, []).append(question)


def _settle_id(draft: Draft, used: set[str]) -> str:
    base = normalize_id(draft.source_id) if draft.source_id else ""
    if draft.source_id and base != draft.source_id:
        if base:
            draft.lost(f"source id {draft.source_id!r} is not a valid qbank id; written as {base!r}")
        else:
            draft.lost(
                f"source id {draft.source_id!r} has no usable characters; an id was made from the stem"
            )
    if not base:
        stem = draft.data.get("stem")
        base = (
            slugify(stem if isinstance(stem, str) else "")
            or draft.fallback_id
            or normalize_id(draft.group)
            or "question"
        )
        if not base[0].isalnum():
            base = "q" + base
    qid, n = base, 1
    while qid in used:
        n += 1
        qid = f"{base[: 200 - len(str(n)) - 1]}-{n}"
    if draft.source_id and qid != base:
        draft.lost(f"id {base!r} is used by an earlier question; written as {qid!r}")
    used.add(qid)
    return qid


def _errors(exc: ValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors()[:3]:
        where = ".".join(
            str(p) for p in error["loc"] if not re.fullmatch(r"[a-z_]+_choice|function-after\[.*", str(p))
        )
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def write_import(
    result: ImportResult, directory: str | os.PathLike[str], *, overwrite: bool = False
) -> list[Path]:
    """Write an import as YAML question files (one per group) and media under ``directory``.

    Nothing is written when the import failed (:class:`ImportFailedError`) or, without
    ``overwrite``, when any target exists (:class:`qbank.io.fsutil.OutputExistsError`, checked for
    every file before the first one is written). Each file is written atomically.
    """
    if result.failed:
        raise ImportFailedError("the import has errors; nothing written")
    root = Path(directory)
    files = result.files()
    targets = [(root / name, content) for name, content in files.items()]
    if not overwrite:
        existing = [str(t) for t, _ in targets if t.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise OutputExistsError(f"{existing[0]} exists{more} (use --force to overwrite)")
    written: list[Path] = []
    for target, content in targets:
        written.append(atomic_write(target, content, overwrite=overwrite))
    return written


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"qbank.importers.{module}")


_load_builtins()
