"""``qbank check``: validation plus every analysis of the bank, filtered by the configuration.

A check runs in two steps. First every file is checked on its own (:class:`FileChecker`): read,
validated, the item rules run on its questions and the facts rules keep their facts about them
(:class:`FileResult`). Nothing in that step looks at another file, so it can run in other processes
and be kept in the cache (``.qbank_cache/check``, :mod:`qbank.io.cache`) under a key made of the
file's content and display name, qbank's version and code, and the effective configuration: an
unchanged file is never checked twice. Then the bank is assembled from the files and what needs
the whole bank runs on it: ids used twice, pools, duplicates (their embeddings are cached by
content), the judgements of the facts rules (coverage, cueing, ...), suppressions and the
configuration.

``focus`` narrows the report to some files while the whole bank is still checked, so a question of
a focused file that duplicates one elsewhere is reported.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.core.gcpolicy import bulk_work
from qbank.core.model import Bank, ItemStatistics
from qbank.io.loader import PathArg, Progress, worker_count
from qbank.io.source import QUESTION_SUFFIXES

if TYPE_CHECKING:
    from qbank.io.cache import Store
    from qbank.io.loader import Loaded
    from qbank.lint.engine import Located, RuleSet

__all__ = [
    "CACHE_NAMESPACE",
    "CheckResult",
    "FileChecker",
    "FileResult",
    "changed_since",
    "check",
    "check_cache",
]

CACHE_NAMESPACE = "check"
"""The cache namespace of per-file results (``.qbank_cache/check``)."""

_FORMAT = "check-1"


@dataclass
class CheckResult:
    """A checked bank: the bank, its files and every diagnostic after configuration was applied."""

    bank: Bank
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Warnings about the run itself (a corrupt cache entry that was ignored and rebuilt)."""

    @property
    def files(self) -> list[str]:
        """Display names of the files examined."""
        return [sf.display for sf in self.bank.files]

    def failed(self, *, strict: bool = False) -> bool:
        """Whether an error (or, with ``strict``, a warning) was found."""
        floor = Severity.WARNING if strict else Severity.ERROR
        return any(d.severity.rank >= floor.rank for d in self.diagnostics)


@dataclass(slots=True)
class FileResult:
    """One file checked on its own: what the cache keeps for it."""

    loaded: Loaded
    """The file read and validated (:func:`qbank.io.loader.read_and_validate`)."""
    found: list[Located]
    """The item rules' findings on its questions, located."""
    facts: list[list[Any]]
    """``facts[r][i]``: what facts rule ``r`` keeps of the file's i-th question."""


class FileChecker:
    """Checks one file, given as ``(path, display name)``, on its own under ``config``.

    ``stats`` holds the statistics of a sidecar file by question id; questions without their own
    ``stats:`` get them before the rules run.
    """

    def __init__(self, config: Config, stats: Mapping[str, ItemStatistics] | None = None) -> None:
        from qbank.lint.engine import RuleSet

        self.rules: RuleSet = RuleSet(config, Bank(math=config.model.math))
        self.stats = dict(stats or {})

    def __call__(self, item: tuple[Path, str]) -> FileResult:
        """Read, validate and lint one file."""
        from qbank.io.loader import read_and_validate, with_stats
        from qbank.lint.engine import check_questions

        sf, questions, form, pools, diags = read_and_validate(item)
        if self.stats:
            questions = with_stats(questions, self.stats)
        found, facts = check_questions(self.rules, questions)
        sf.pack_positions()
        return FileResult((sf, questions, form, pools, diags), found, facts)


def check_cache(config: Config) -> Store:
    """The cache of per-file results for a run with ``config`` (``.qbank_cache/check`` beside the
    configuration, or in the current folder without one)."""
    from qbank.io.cache import Store, cache_root

    return Store(cache_root(config.root if config.path is not None else None), CACHE_NAMESPACE)


@bulk_work()
def check(
    paths: PathArg,
    *,
    config: Config | None = None,
    jobs: int | None = 1,
    progress: Progress | None = None,
    cache: Store | None = None,
    focus: Sequence[str | os.PathLike[str]] | None = None,
) -> CheckResult:
    """Load the bank at ``paths`` and run every analysis on it.

    Returns all diagnostics, filtered and re-graded by ``config`` (select, ignore, per-path
    ignores, severity overrides, profile), in file/line order. ``jobs`` > 1 checks files in that
    many processes (0 = one per core; ``None`` = one per core when the files still to check are
    large, see :func:`qbank.io.loader.worker_count`), and the duplicate search then uses as many
    threads. ``cache`` (see :func:`check_cache`) keeps each file's result between runs; ``None`` checks every file afresh. ``focus`` (files or folders) reports the
    findings of those files only, judged against the whole bank; files of ``focus`` outside
    ``paths`` join the bank.
    """
    from qbank.io.loader import assemble, discover_files
    from qbank.lint.engine import RuleSet, apply_suppressions, judge_bank, one_per_template

    config = config or Config()
    roots = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    items, diagnostics = discover_files([*roots, *(focus or ())], config)
    shown: frozenset[str] | None = None
    if focus is not None:
        wanted = {path for path, _ in discover_files(list(focus), config)[0]}
        shown = frozenset(display for path, display in items if path in wanted)
    notes: list[str] = []
    with _settled() as settle:
        results = _file_results(items, config, jobs, progress, cache, notes, settle)
        loaded = assemble((r.loaded for r in results), config, diagnostics)
        bank = loaded.bank
        root = cache.root if cache is not None else None
        rules = RuleSet(config, bank, focus=shown, cache=root, jobs=0 if jobs is None else jobs)
        facts = [[fact for r in results for fact in r.facts[k]] for k in range(len(rules.fact_rules))]
        located = [x for r in results for x in r.found]
        located.extend(judge_bank(rules, bank, facts))
        found = [*loaded.diagnostics, *rules.problems, *(x.diagnostic for x in one_per_template(located))]
        kept = config.apply(apply_suppressions(bank, found, config))
        if shown is not None:
            files = {sf.display for sf in bank.files}
            kept = [d for d in kept if d.path in shown or d.path not in files]
        if cache is not None:
            notes.extend(cache.problems)
        return CheckResult(bank, sort_diagnostics(kept), notes)


def _file_results(
    items: list[tuple[Path, str]],
    config: Config,
    jobs: int | None,
    progress: Progress | None,
    cache: Store | None,
    notes: list[str],
    settle: Callable[[], None],
) -> list[FileResult]:
    """Each file's result, from the cache where it holds one, else computed (and stored); ``settle``
    is called after each result, which is kept to the end of the check."""
    stats, sidecar = _sidecar_stats(config)
    keys: list[str | None] = [None] * len(items)
    results: list[FileResult | None] = [None] * len(items)
    if cache is not None:
        from qbank.io.cache import cache_key, code_version

        prefix = cache_key(_FORMAT, code_version(), config.model.model_dump_json(), sidecar)
        for i, (path, display) in enumerate(items):
            try:
                content = path.read_bytes()
            except OSError:
                continue  # reading it again reports the problem
            keys[i] = key = cache_key(prefix, display, content)
            raw = cache.get(key)
            if raw is None:
                continue
            try:
                results[i] = pickle.loads(raw)
            except Exception:
                notes.append(f"ignored an unreadable cache entry for {display} (it will be rebuilt)")
            settle()
    missing = [i for i, r in enumerate(results) if r is None]
    done = len(items) - len(missing)
    for i, (result, data) in _compute([items[i] for i in missing], config, stats, jobs, cache is not None):
        index = missing[i]
        stored = keys[index]
        if cache is not None and stored is not None and data is not None:
            cache.put(stored, data)
        results[index] = result
        settle()
        done += 1
        if progress:
            progress(done, len(items))
    if progress and not missing:
        progress(len(items), len(items))
    return [r for r in results if r is not None]


@contextmanager
def _settled() -> Iterator[Callable[[], None]]:
    """A function that moves every object allocated so far out of the garbage collector's sight
    (:func:`gc.freeze`), all of them given back when the ``with`` block ends.

    A check keeps each file's result (questions, findings, facts: about a million objects per
    10,000 questions) to its end, and the collector's full passes would scan them all again and
    again, which costs about a third of a warm run at 100,000 questions. Nothing is frozen when
    the collector is off or the caller already froze objects of its own.
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield lambda: None
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _sidecar_stats(config: Config) -> tuple[dict[str, ItemStatistics], bytes]:
    """The sidecar's statistics by question id, and its content (for cache keys)."""
    path = config.stats_sidecar
    if path is None:
        return {}, b""
    from qbank.io.sidecar import read_sidecar

    try:
        content = path.read_bytes()
    except OSError:
        return {}, b""
    return dict(read_sidecar(path)[0].items), content


_WORKER: FileChecker | None = None


def _start_worker(config: Config, stats: dict[str, ItemStatistics]) -> None:
    global _WORKER
    _WORKER = FileChecker(config, stats)


def _check_in_worker(batch: list[tuple[Path, str]]) -> list[bytes]:
    assert _WORKER is not None
    return [pickle.dumps(_WORKER(item), protocol=pickle.HIGHEST_PROTOCOL) for item in batch]


def _compute(
    items: list[tuple[Path, str]],
    config: Config,
    stats: dict[str, ItemStatistics],
    jobs: int | None,
    keep: bool,
) -> Iterable[tuple[int, tuple[FileResult, bytes | None]]]:
    """(index in ``items``, (result, its pickled form when ``keep``)) of every file, in order."""
    workers = worker_count(items, jobs)
    if workers > 1 and len(items) > 1:
        from qbank.io.loader import batches
        from qbank.io.validation import build_validators

        build_validators()  # once, before the workers are forked
        count = min(workers, len(items))
        with ProcessPoolExecutor(count, initializer=_start_worker, initargs=(config, stats)) as pool:
            done = (data for batch in pool.map(_check_in_worker, batches(items, count)) for data in batch)
            for i, data in enumerate(done):
                yield i, (pickle.loads(data), data if keep else None)
        return
    checker = FileChecker(config, stats)
    for i, item in enumerate(items):
        result = checker(item)
        yield i, (result, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL) if keep else None)


def changed_since(ref: str, paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Question files (``.yaml``, ``.yml``, ``.json``) under ``paths`` that differ from git revision
    ``ref`` (changed, added, renamed or untracked; deleted ones are gone), asked of git in the folder
    of the first path.

    Raises :class:`ValueError` with a clear message when git is missing, the folder is not in a
    repository or ``ref`` does not name a commit.
    """
    where = Path(paths[0]) if paths else Path.cwd()
    folder = where if where.is_dir() else where.parent
    if ref.startswith("-") or not ref.strip() or "\0" in ref:
        raise ValueError(f"--changed-since: {ref!r} is not a git revision")

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=folder, capture_output=True, text=True, check=False, timeout=60
            )
        except FileNotFoundError:
            raise ValueError("--changed-since needs git, which was not found") from None
        except subprocess.TimeoutExpired:
            raise ValueError("--changed-since: git did not answer within 60 s") from None
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
            raise ValueError(f"--changed-since {ref}: git: {reason}")
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel").strip())
    try:
        commit = git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except ValueError:
        raise ValueError(f"--changed-since: {ref!r} does not name a commit in {top}") from None
    names = git("diff", "--name-only", "-z", "--diff-filter=d", commit, "--").split("\0")
    names += git("ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/").split("\0")
    roots = [Path(p).resolve() for p in paths] or [Path.cwd().resolve()]
    out: list[Path] = []
    for name in sorted(set(filter(None, names))):
        path = (top / name).resolve()
        inside = any(path == r or r in path.parents for r in roots)
        if inside and path.suffix.lower() in QUESTION_SUFFIXES and path.is_file():
            out.append(path)
    return out
