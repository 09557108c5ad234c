"""``qbank dupes``: exact, near and reworded duplicate questions, key conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from qbank import __version__
from qbank.analysis.dupes.report import pair_scores_text
from qbank.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Progress,
    UsageError,
    emit,
    report_options,
    resolve_config,
    resolve_format,
)
from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.io.cache import Store, cache_root
from qbank.io.loader import load
from qbank.report.reporters import RunInfo, diagnostic_dict, report


@click.command(name="dupes")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 100),
    default=None,
    help="Whole-item score (0-100) for near duplicates [default: [tool.qbank.dupes] threshold, 85].",
)
@click.option(
    "--threshold-meaning",
    "threshold_meaning",
    type=click.FloatRange(0, 100),
    default=None,
    help="Meaning score (0-100) for reworded duplicates [default: [tool.qbank.dupes] threshold-meaning, 85].",
)
@click.option(
    "--no-meaning",
    "no_meaning",
    is_flag=True,
    help="Do not look for reworded duplicates (no embedding model is loaded).",
)
@click.option(
    "--against",
    "against",
    multiple=True,
    type=click.Path(),
    help="A published bank (repeatable): report new questions that duplicate it, never pairs inside it.",
)
@report_options
def dupes_command(
    paths: tuple[str, ...],
    threshold: float | None,
    threshold_meaning: float | None,
    no_meaning: bool,
    against: tuple[str, ...],
    **opts: Any,
) -> int:
    """Find exact, near and reworded duplicates and key conflicts among the questions under PATHS.

    Exit code: 1 when a key conflict (the same question keyed differently) or a file error is
    found, and with --strict also for exact, near and reworded duplicates; 0 otherwise; 2 for usage errors.
    """
    from qbank.analysis.dupes import find_duplicates
    from qbank.analysis.dupes.embeddings import ModelUnavailable

    config = resolve_config(paths, opts["config_file"])
    reading = Progress("reading", not opts["no_progress"])
    try:
        loaded = load(list(paths), config=config, jobs=opts["jobs"], progress=reading)
        published = load(list(against), config=config, jobs=opts["jobs"]) if against else None
    finally:
        reading.close()
    problems = sort_diagnostics(
        config.apply([*loaded.diagnostics, *(published.diagnostics if published else [])])
    )
    settings = config.model.dupes
    comparing = Progress("comparing", not opts["no_progress"])
    try:
        found = find_duplicates(
            loaded.bank,
            threshold=settings.threshold if threshold is None else threshold,
            against=published.bank if published else None,
            allow=settings.allow,
            meaning=settings.meaning and not no_meaning,
            meaning_threshold=settings.threshold_meaning if threshold_meaning is None else threshold_meaning,
            cache=embedding_cache(config),
            jobs=0 if opts["jobs"] is None else opts["jobs"],
            progress=comparing,
        )
    except ModelUnavailable as exc:
        raise UsageError(str(exc)) from None
    finally:
        comparing.close()
    strict = opts["strict"] or config.model.profile == "strict"
    fail_on = Severity.WARNING if strict else Severity.ERROR
    fmt = resolve_format(opts["fmt"])
    shown = [d for d in problems if not opts["quiet"] or d.severity.rank >= fail_on.rank]
    clusters = [c for c in found.clusters if not opts["quiet"] or c.severity.rank >= fail_on.rank]
    files = tuple(sf.display for sf in loaded.bank.files)
    if fmt == "json":
        import json

        doc = found.as_dict()
        doc["clusters"] = [
            c for c in doc["clusters"] if not opts["quiet"] or c["severity"] == "error" or strict
        ]
        doc["diagnostics"] = [diagnostic_dict(d) for d in shown]
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "text":
        text = _dupes_text(found, clusters, shown)
    else:
        diagnostics = sort_diagnostics([*shown, *found.diagnostics()])
        if opts["quiet"]:
            diagnostics = [d for d in diagnostics if d.severity.rank >= fail_on.rank]
        text = report(diagnostics, fmt, RunInfo(__version__, files, len(loaded.bank), fail_on))
    emit(text, opts["output"])
    if any(d.code == "QB001" for d in problems):
        return EXIT_USAGE
    failing = found.failed or any(d.severity.rank >= fail_on.rank for d in problems)
    if strict and found.clusters:
        failing = True
    return EXIT_FINDINGS if failing else EXIT_OK


def _dupes_text(found: Any, clusters: Sequence[Any], problems: Sequence[Diagnostic]) -> str:
    """Clusters with every member's location and every pair's component scores, then a summary."""
    lines = [f"{d.location}: {d.severity.value} {d.code} {d.message}" for d in problems]
    for cluster in clusters:
        lines.append(f"{cluster.kind} ({cluster.severity.value}): {len(cluster.ids)} questions")
        for qid in cluster.ids:
            lines.append(f"  {found.locations.get(qid, '<memory>')}  {qid}")
        for pair in cluster.pairs:
            lines.append(f"    {pair.a} ~ {pair.b}: {pair.kind} {pair_scores_text(pair)}")
    counts = found.counts()
    published = f" against {found.against} published" if found.against else ""
    meaning = (
        "meaning check off"
        if found.meaning_threshold is None
        else f"meaning threshold {found.meaning_threshold:g}"
    )
    lines.append(
        f"{len(found.clusters)} duplicate clusters ({counts['key-conflict']} key-conflict, "
        f"{counts['exact']} exact, {counts['near']} near, {counts['reworded']} reworded) among "
        f"{found.questions} questions{published}; threshold {found.threshold:g}, {meaning}, "
        f"{found.candidates} candidate pairs verified ({found.method})"
    )
    if found.capped:
        lines.append(
            f"note: {found.capped} questions have more reworded partners with the same key than are "
            "listed (the most similar ones are; the clusters still join them)"
        )
    return "\n".join(lines) + "\n"


def embedding_cache(config: Config) -> Store:
    """The on-disk cache of embeddings for a run with ``config`` (``.qbank_cache/embeddings``)."""
    return Store(cache_root(config.root if config.path is not None else None), "embeddings")
