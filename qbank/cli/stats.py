"""``qbank stats``: item analysis of learner responses against the bank, reported and kept."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import click

from qbank import __version__
from qbank.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    config_option,
    echo_err,
    emit,
    resolve_config,
    resolve_format,
)
from qbank.core.config import Config
from qbank.core.diagnostics import Severity, sort_diagnostics
from qbank.core.model import Bank
from qbank.io.fsutil import atomic_write
from qbank.report.reporters import RunInfo

__all__ = ["stats_command"]


@click.command(name="stats")
@click.argument("responses", nargs=-1, required=True)
@click.option(
    "--bank",
    "bank_paths",
    multiple=True,
    required=True,
    help="The question bank the responses are about (repeatable).",
)
@click.option(
    "--from",
    "source_format",
    type=click.Choice(["auto", "long", "practice", "moodle", "canvas", "qti"]),
    default="auto",
    show_default=True,
    help="Format of the responses files (auto: told by name and content).",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False),
    help="Question map for LMS reports: CSV 'column,question_id' or Canvas's quiz questions JSON.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "text", "json", "github", "sarif"]),
    default="auto",
    show_default=True,
    help="Report format; auto = github inside GitHub Actions, else text.",
)
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write an HTML report.")
@click.option("--force", is_flag=True, help="Overwrite the --html file if it exists.")
@click.option(
    "--write",
    is_flag=True,
    help="Keep the statistics: a stats: block in each question (or the configured sidecar file).",
)
@click.option("--date", "date", help="Date recorded with --write (YYYY-MM-DD; default: today).")
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@click.option("--quiet", "-q", is_flag=True, help="Report only findings that fail the run.")
@config_option
def stats_command(
    responses: tuple[str, ...],
    bank_paths: tuple[str, ...],
    source_format: str,
    map_file: str | None,
    fmt: str,
    output: str | None,
    html_path: str | None,
    force: bool,
    write: bool,
    date: str | None,
    strict: bool,
    quiet: bool,
    config_file: str | None,
) -> int:
    """Analyse learner RESPONSES (files) against the bank: facility, discrimination, distractors,
    reliability; flag likely miskeys, dead distractors, too easy or hard questions, weak forms.

    Exit 1 when a finding fails the run (a likely miskey is an error), 2 when a file cannot be read.
    """
    from qbank.analysis.stats import analyse
    from qbank.importers.responses import read_responses
    from qbank.io.loader import load
    from qbank.lint.stats import judge_statistics, stats_options
    from qbank.report.stats import StatsReport, Thresholds, render_stats

    if html_path and Path(html_path).exists() and not force:
        raise UsageError(f"{html_path} exists (use --force to overwrite)")
    if date is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date):
        raise UsageError(f"--date must be YYYY-MM-DD, got {date!r}")
    config = resolve_config(list(bank_paths), config_file)
    loaded = load(list(bank_paths), config=config)
    bank_problems = sort_diagnostics(config.apply(loaded.diagnostics))
    unreadable = [d for d in bank_problems if d.code == "QB001"]
    if unreadable:
        raise UsageError("\n".join(f"{d.location}: {d.message}" for d in unreadable))
    bank = loaded.bank
    bank_errors = [d for d in bank_problems if d.severity == Severity.ERROR]
    if bank_errors:
        echo_err(
            f"qbank: note: {len(bank_errors)} error(s) in the bank; questions that failed validation are not analysed"
        )
    mapping = _read_map(map_file) if map_file else None
    read = read_responses(list(responses), bank, fmt=source_format, mapping=mapping)
    result = analyse(read.table, bank.by_id())
    judged, findings = judge_statistics(bank, result, config)
    diagnostics = sort_diagnostics([*config.apply(read.diagnostics), *findings])
    fail_on = Severity.WARNING if strict else Severity.ERROR
    files = tuple(sorted({*read.table.sources, *(sf.display for sf in bank.files)}))
    info = RunInfo(__version__, files, len(bank), fail_on)
    thresholds = Thresholds(**stats_options(config))
    report_ = StatsReport(result, diagnostics, bank, config.model.stats.min_n, info, thresholds)
    shown = report_
    if quiet:
        failing = [d for d in diagnostics if d.severity.rank >= fail_on.rank]
        shown = StatsReport(result, failing, bank, report_.min_n, info, thresholds)
    kind = resolve_format(fmt)
    emit(render_stats(shown, kind), output)
    if html_path:
        from qbank.report.stats_html import render_html

        atomic_write(html_path, render_html(report_), overwrite=force)
        echo_err(f"wrote {html_path}")
    if read.failed:
        return EXIT_USAGE
    if write:
        if bank_errors:
            echo_err("qbank: statistics not written: fix the errors in the bank first")
            return EXIT_FINDINGS
        written = _write(judged, result, config, date or datetime.date.today().isoformat())
        for name in written:
            echo_err(f"wrote statistics to {name}")
    return EXIT_FINDINGS if any(d.severity.rank >= fail_on.rank for d in diagnostics) else EXIT_OK


def _read_map(path: str) -> dict[str, str]:
    from qbank.importers.responses.common import UnreadableResponses, read_map

    try:
        return read_map(Path(path))
    except UnreadableResponses as exc:
        raise UsageError(f"{path}:{exc.line}:{exc.col}: {exc.message}") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None


def _source(result: Any) -> str:
    return ", ".join(Path(s).name for s in result.sources)


def _write(bank: Bank, result: Any, config: Config, date: str) -> list[str]:
    """Store the statistics of every analysed question (and the form's), atomically per file."""
    from qbank.analysis.stats import stored_form, stored_item
    from qbank.io.fmt import set_values
    from qbank.io.sidecar import sidecar_text

    source = _source(result)
    blocks = {
        s.id: stored_item(s, source=source, date=date).model_dump(mode="json", exclude_none=True)
        for s in result.items
    }
    form_block: dict[str, Any] | None = None
    if bank.form is not None:
        match = [f for f in result.forms if f.form == bank.form.title] or (
            result.forms if len(result.forms) == 1 else []
        )
        if match:
            form_block = stored_form(match[0], source=source, date=date).model_dump(
                mode="json", exclude_none=True
            )
    sidecar = config.stats_sidecar
    if sidecar is not None:
        current = sidecar.read_text(encoding="utf-8") if sidecar.exists() else None
        forms = {bank.form.title: form_block} if bank.form is not None and form_block else {}
        atomic_write(sidecar, sidecar_text(current, blocks, forms))
        return [str(sidecar)]
    files = {sf.display: sf for sf in bank.files}
    updates: dict[str, dict[tuple[str | int, ...], Any]] = {}
    variants = 0
    for question in bank.questions:
        origin = question.origin
        if origin is None or question.id not in blocks:
            continue
        if origin.variant is not None:  # the variants of a template share its place in the file
            variants += 1
            continue
        path = ("questions", origin.index, "stats")
        updates.setdefault(origin.source.display, {})[path] = blocks[question.id]
    if form_block is not None:
        for sf in bank.files:
            if isinstance(sf.data, dict) and "form" in sf.data:
                updates.setdefault(sf.display, {})[("form", "stats")] = form_block
    if variants:
        echo_err(
            f"qbank: note: statistics of {variants} template variant(s) not written: variants share their "
            "template's place in the file; set [tool.qbank.stats] sidecar to keep them"
        )
    written = []
    for display, changes in updates.items():
        sf = files[display]
        try:
            text = set_values(sf, changes)
        except (ValueError, KeyError, IndexError) as exc:
            echo_err(f"qbank: {sf.display}: statistics not written: {exc}")
            continue
        atomic_write(sf.path, text)
        written.append(sf.display)
    return written
