"""Loading a bank: discover files, read, validate, and collect every problem in every file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic, sort_diagnostics
from qbank.core.gcpolicy import bulk_work
from qbank.core.model import Bank, Blueprint, Form, ItemStatistics, Pool, Question
from qbank.io.source import SourceFile, diagnostic, discover, read_source
from qbank.io.validation import (
    build_validators,
    validate_blueprint_file,
    validate_form,
    validate_pools,
    validate_question_file,
)

__all__ = [
    "LoadResult",
    "Loaded",
    "Progress",
    "assemble",
    "batches",
    "discover_files",
    "load",
    "read_and_validate",
    "validate",
    "with_stats",
]

#: ``progress(done, total)`` is called after each file.
Progress = Callable[[int, int], None]

PathArg = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


@dataclass
class LoadResult:
    """A loaded bank and every diagnostic found while reading and validating it."""

    bank: Bank
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no error was found."""
        return not any(d.severity == "error" for d in self.diagnostics)


def _as_paths(paths: PathArg) -> list[str | os.PathLike[str]]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


Loaded = tuple[SourceFile, list[Question], Form | None, dict[str, Pool], list[Diagnostic]]
"""One file read and validated on its own: the file, its valid questions, its form header, the
pools it declares and its problems."""


def read_and_validate(item: tuple[Path, str], timings: dict[str, float] | None = None) -> Loaded:
    """Read and validate one file, given as ``(path, display name)`` (see :func:`discover_files`).
    ``timings``, when given, receives the CPU seconds spent reading and validating."""
    path, shown = item
    start = time.process_time()
    sf = read_source(path, shown)
    read = time.process_time()
    diags = list(sf.diagnostics)
    questions: list[Question] = []
    form: Form | None = None
    pools: dict[str, Pool] = {}
    if sf.kind == "questions":
        questions, problems = validate_question_file(sf)
        form, form_problems = validate_form(sf)
        pools, pool_problems = validate_pools(sf)
        diags.extend(problems + form_problems + pool_problems)
        sf.release()
    if timings is not None:
        timings["read"] = timings.get("read", 0.0) + read - start
        timings["validate"] = timings.get("validate", 0.0) + time.process_time() - read
    return sf, questions, form, pools, diags


def _worker(batch: list[tuple[Path, str]]) -> list[Loaded]:
    out = []
    for item in batch:
        result = read_and_validate(item)
        result[0].pack_positions()  # what the parent may still place: problems that span files
        out.append(result)
    return out


PARALLEL_BYTES = 1_000_000
"""With ``jobs=None`` (automatic), files are read and checked on every core once those still to do
hold at least this much text (about 1,600 questions); below it one process is quicker than
starting others."""


def worker_count(items: list[tuple[Path, str]], jobs: int | None) -> int:
    """How many processes read (and check) ``items``: ``jobs`` when given (0 = one per core); with
    ``None``, one per core when the files hold at least ``PARALLEL_BYTES``, else one."""
    cores = os.cpu_count() or 1
    if jobs is not None:
        return cores if jobs == 0 else max(1, jobs)
    if cores < 2 or len(items) < 2:
        return 1
    total = 0
    for path, _ in items:
        try:
            total += path.stat().st_size
        except OSError:
            continue
        if total >= PARALLEL_BYTES:
            return cores
    return 1


BATCHES_PER_WORKER = 32
"""Files are sent to the workers in about this many batches per worker, of about equal size on disk:
few enough that sending them costs nothing, many enough that no worker is left with a long
batch while the others are done."""


def batches(items: list[tuple[Path, str]], workers: int) -> list[list[tuple[Path, str]]]:
    """``items`` (as :func:`discover_files` gives them) cut, in order, into runs of about equal size on
    disk for ``workers`` processes (a large file is a run alone)."""
    sizes: list[int] = []
    for path, _ in items:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    target = max(1, sum(sizes) // (workers * BATCHES_PER_WORKER))
    out: list[list[tuple[Path, str]]] = []
    run: list[tuple[Path, str]] = []
    held = 0
    for item, size in zip(items, sizes, strict=True):
        if run and held + size > target:
            out.append(run)
            run, held = [], 0
        run.append(item)
        held += size
    if run:
        out.append(run)
    return out


@bulk_work()
def load(
    paths: PathArg,
    *,
    config: Config | None = None,
    jobs: int | None = 1,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
) -> LoadResult:
    """Load the question files under ``paths`` into a :class:`~qbank.core.model.Bank`.

    Every file is read and validated; nothing stops at the first problem. Invalid questions are
    left out of the bank and reported. ``jobs`` > 1 reads files in that many processes (0 = one
    per core; ``None`` = one per core for a large bank, see :func:`worker_count`). The returned diagnostics are not yet filtered by the configuration (see
    :func:`validate`). ``timings``, when given (one process only), receives the CPU seconds spent
    reading and parsing (``read``) and validating (``validate``).
    """
    config = config or Config()
    items, diagnostics = discover_files(paths, config)
    return assemble(_run(items, jobs, progress, timings), config, diagnostics)


def discover_files(paths: PathArg, config: Config) -> tuple[list[tuple[Path, str]], list[Diagnostic]]:
    """The files of the bank under ``paths`` as ``(path, display name)``, in load order (the
    configuration's ``exclude`` and statistics sidecar left out), and the paths that do not exist."""
    items, diagnostics = discover(_as_paths(paths), config.model.exclude)
    sidecar = config.stats_sidecar
    if sidecar is not None:
        items = [item for item in items if item[0].resolve() != sidecar.resolve()]
    return items, diagnostics


def assemble(results: Iterable[Loaded], config: Config, diagnostics: list[Diagnostic]) -> LoadResult:
    """The bank made of files read and validated on their own (in load order): the blueprint, the
    form, the pools and the statistics sidecar are found, and the problems that span files (ids
    used twice, pools) are added to ``diagnostics``."""
    bank = Bank(math=config.model.math)
    sidecar = config.stats_sidecar
    blueprints: list[SourceFile] = []
    forms: list[tuple[SourceFile, Form]] = []
    declared: list[tuple[SourceFile, dict[str, Pool]]] = []
    for sf, questions, form, pools, diags in results:
        bank.files.append(sf)
        diagnostics.extend(diags)
        bank.questions.extend(questions)
        if pools:
            declared.append((sf, pools))
        if form is not None:
            forms.append((sf, form))
        if sf.kind == "blueprint":
            blueprints.append(sf)
        elif sf.kind == "other":
            diagnostics.append(
                diagnostic("QB007", "no `questions` key: not a question file, skipped", sf.display)
            )

    bank.blueprint, bank.blueprint_path = _pick_blueprint(config, blueprints, diagnostics)
    if len(forms) == 1:
        bank.form = forms[0][1]
    elif forms:
        names = ", ".join(sf.display for sf, _ in forms)
        diagnostics.append(
            diagnostic(
                "QB007",
                f"several form headers found ({names}); the bank is not treated as one form",
                forms[0][0].display,
            )
        )
    diagnostics.extend(duplicate_ids(bank.questions))
    if sidecar is not None:
        diagnostics.extend(attach_sidecar(bank, sidecar))
    bank.pools, pool_problems = resolve_pools(bank.questions, declared)
    diagnostics.extend(pool_problems)
    return LoadResult(bank, sort_diagnostics(diagnostics))


def attach_sidecar(bank: Bank, path: Path) -> list[Diagnostic]:
    """Give questions (and the form) the statistics kept in a sidecar file; a question's own
    ``stats:`` wins. Returns the sidecar's problems."""
    from qbank.io.sidecar import read_sidecar

    found, problems = read_sidecar(path)
    if found.items:
        bank.questions = with_stats(bank.questions, found.items)
    if bank.form is not None and bank.form.stats is None and bank.form.title in found.forms:
        bank.form = bank.form.model_copy(update={"stats": found.forms[bank.form.title]})
    return problems


def with_stats(questions: Iterable[Question], stats: Mapping[str, ItemStatistics]) -> list[Question]:
    """``questions``, those without their own ``stats:`` given the statistics kept for their id."""
    return [
        q.model_copy(update={"stats": stats[q.id]}) if q.stats is None and q.id in stats else q
        for q in questions
    ]


def _run(
    items: list[tuple[Path, str]],
    jobs: int | None,
    progress: Progress | None,
    timings: dict[str, float] | None,
) -> Iterable[Loaded]:
    total = len(items)
    workers = worker_count(items, jobs)
    if workers > 1 and total > 1 and timings is None:
        build_validators()
        count = min(workers, total)
        with ProcessPoolExecutor(max_workers=count) as pool:
            done = 0
            for batch in pool.map(_worker, batches(items, count)):
                for result in batch:
                    done += 1
                    if progress:
                        progress(done, total)
                    yield result
        return
    for done, item in enumerate(items, start=1):
        result = read_and_validate(item, timings)
        if progress:
            progress(done, total)
        yield result


def _pick_blueprint(
    config: Config, found: list[SourceFile], diagnostics: list[Diagnostic]
) -> tuple[Blueprint | None, str | None]:
    configured = config.blueprint_path
    if configured is not None:
        match = next((sf for sf in found if sf.path.resolve() == configured.resolve()), None)
        sf = match or read_source(configured, str(configured))
        if sf is not match:
            diagnostics.extend(sf.diagnostics)
        if sf.kind != "blueprint":
            if not sf.diagnostics:
                diagnostics.append(
                    diagnostic(
                        "QB013", "the configured blueprint has no top-level `blueprint` key", sf.display
                    )
                )
            return None, None
        candidates = [sf]
    else:
        candidates = found
    blueprint: Blueprint | None = None
    chosen: str | None = None
    for sf in candidates:
        parsed, problems = validate_blueprint_file(sf)
        diagnostics.extend(problems)
        if parsed is not None and blueprint is None and len(candidates) == 1:
            blueprint, chosen = parsed, sf.display
    if len(candidates) > 1:
        names = ", ".join(sf.display for sf in candidates)
        diagnostics.append(
            diagnostic(
                "QB007",
                f"several blueprints found ({names}); none is used: set `blueprint` in [tool.qbank]",
                candidates[0].display,
            )
        )
    return blueprint, chosen


def resolve_pools(
    questions: Sequence[Question], declared: Iterable[tuple[SourceFile, dict[str, Pool]]]
) -> tuple[dict[str, Pool], list[Diagnostic]]:
    """Every pool the questions name (declared ones, plus a ``pick: 1`` pool per template that
    has no declaration) and ``QB016`` for pools declared twice, used without a declaration,
    declared and never used, picking more questions than they hold, or with members that
    disagree on points while the pool sets none."""
    pools: dict[str, Pool] = {}
    where: dict[str, tuple[SourceFile]] = {}
    problems: list[Diagnostic] = []
    for sf, found in declared:
        for name, pool in found.items():
            if name in where:
                first = where[name][0]
                line, _col = first.position(("pools", name), key=True)
                problems.append(
                    sf.diag(
                        "QB016",
                        f"pool {name!r} is already declared at {first.display}:{line}",
                        ("pools", name),
                        key=True,
                    )
                )
                continue
            pools[name] = pool
            where[name] = (sf,)
    members: dict[str, list[Question]] = {}
    for question in questions:
        if question.pool is not None:
            members.setdefault(question.pool, []).append(question)
    for name, group in members.items():
        if name in pools:
            continue
        origin = group[0].origin
        variant = origin.variant if origin is not None else None
        if variant is not None and variant.template == name:
            pools[name] = Pool(pick=1)  # a template's own pool: one variant per test
            continue
        problems.extend(
            _pool_problem(
                q,
                f"pool {name!r} is not declared: add `pools: {{{name}: {{pick: N}}}}` to a question file",
                at_pool=True,
            )
            for q in group
            if q.origin is None or q.origin.variant is None or q.origin.variant.number == 1
        )
    for name, pool in pools.items():
        group = [q for q in members.get(name, []) if q.exportable]
        declaration = where.get(name)
        if declaration is None:
            continue
        decl_sf = declaration[0]
        if not group:
            problems.append(
                decl_sf.diag(
                    "QB016",
                    f"pool {name!r} has no questions (no question sets `pool: {name}`)",
                    ("pools", name),
                    key=True,
                    severity="warning",
                )
            )
        elif pool.pick > len(group):
            problems.append(
                decl_sf.diag(
                    "QB016",
                    f"pool {name!r} picks {pool.pick} but holds {len(group)} question"
                    f"{'s' if len(group) != 1 else ''}",
                    ("pools", name, "pick"),
                )
            )
        if pool.points is None and len({q.points for q in group}) > 1:
            values = ", ".join(f"{p:g}" for p in sorted({q.points for q in group}))
            problems.append(
                decl_sf.diag(
                    "QB016",
                    f"the questions of pool {name!r} are worth {values} points: set `points` to the "
                    "points of each drawn question",
                    ("pools", name),
                    key=True,
                )
            )
    return pools, problems


def _pool_problem(question: Question, message: str, *, at_pool: bool) -> Diagnostic:
    origin = question.origin
    if origin is None:
        return diagnostic("QB016", message, "<memory>", question_id=question.id)
    sf: SourceFile = origin.source
    path: tuple[str | int, ...] = ("questions", origin.index, "pool")
    raw = sf.data["questions"][origin.index] if isinstance(sf.data, dict) else None
    if not (isinstance(raw, dict) and "pool" in raw):
        path = ("defaults", "pool")
    return sf.diag("QB016", message, path if at_pool else path[:2], question_id=question.id)


def duplicate_ids(questions: Iterable[Question]) -> list[Diagnostic]:
    """``QB804`` for every question whose id an earlier question already uses."""
    first: dict[str, Question] = {}
    out: list[Diagnostic] = []
    for question in questions:
        seen = first.get(question.id)
        if seen is None:
            first[question.id] = question
            continue
        where = _id_location(seen)
        origin = question.origin
        message = f"duplicate id {question.id!r} (first used at {where})"
        if origin is None:
            out.append(diagnostic("QB804", message, "<memory>", question_id=question.id))
        else:
            out.append(
                origin.source.diag(
                    "QB804", message, ("questions", origin.index, "id"), question_id=question.id
                )
            )
    return out


def _id_location(question: Question) -> str:
    origin = question.origin
    if origin is None:
        return "<memory>"
    line, col = origin.source.position(("questions", origin.index, "id"))
    return f"{origin.source.display}:{line}:{col}"


def validate(paths: PathArg, *, config: Config | None = None, jobs: int | None = 1) -> list[Diagnostic]:
    """Format-only validation: every located problem, filtered by ``config``."""
    config = config or Config()
    result = load(paths, config=config, jobs=jobs)
    return sort_diagnostics(config.apply(result.diagnostics))
