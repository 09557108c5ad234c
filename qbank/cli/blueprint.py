"""``qbank coverage`` and ``qbank assemble``: the bank against its blueprint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

import click

from qbank import __version__
from qbank.analysis.dupes import enemy_pairs
from qbank.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, config_option, echo_err, load_with_blueprint
from qbank.cli.dupes import embedding_cache
from qbank.core.diagnostics import Severity
from qbank.io.fsutil import atomic_write
from qbank.report.reporters import RunInfo, report


@click.command(name="coverage")
@click.argument("paths", nargs=-1, required=True)
@click.option("--blueprint", "blueprint_file", type=click.Path(dir_okay=False), help="Blueprint file.")
@click.option(
    "--forms",
    type=click.IntRange(min=1),
    default=None,
    help="Compute what K full-length forms need (default 1); exit 1 when the bank cannot supply K.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write an HTML report.")
@click.option("--force", is_flag=True, help="Overwrite the --html file if it exists.")
@click.option("--include-drafts", is_flag=True, help="Count draft and review questions too.")
@config_option
def coverage_command(
    paths: tuple[str, ...],
    blueprint_file: str | None,
    forms: int | None,
    fmt: str,
    html_path: str | None,
    force: bool,
    include_drafts: bool,
    config_file: str | None,
) -> int:
    """Measure the bank under PATHS against its blueprint: counts, share vs weight, full forms, gaps."""
    import json

    from qbank.analysis.coverage import coverage, render_text
    from qbank.report.coverage_html import render_html

    if html_path and Path(html_path).exists() and not force:
        raise UsageError(f"{html_path} exists (use --force to overwrite)")
    bank, problems, _ = load_with_blueprint(paths, config_file, blueprint_file)
    errors = sum(d.severity == Severity.ERROR for d in problems)
    if errors:
        echo_err(
            f"qbank: note: {errors} error(s) in the bank; questions that failed validation are not counted"
        )
    report_ = coverage(bank, bank.blueprint, forms=forms or 1, include_drafts=include_drafts)
    if fmt == "json":
        click.echo(json.dumps(report_.to_dict(), indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        _rich_coverage(report_)
    else:
        click.echo(render_text(report_), nl=False)
    if html_path:
        atomic_write(html_path, render_html(report_), overwrite=force)
        echo_err(f"wrote {html_path}")
    if forms is not None and report_.full_forms is not None and report_.full_forms < forms:
        echo_err(
            f"qbank: the bank supplies {report_.full_forms} full-length form(s) without reuse, {forms} requested"
        )
        return EXIT_FINDINGS
    return EXIT_OK


def _rich_coverage(report_: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from qbank.analysis.coverage import coverage_table, summary_lines

    headers, rows = coverage_table(report_)
    table = Table(title=f"{report_.blueprint_title} ({report_.blueprint_id})")
    for i, header in enumerate(headers):
        table.add_column(
            header,
            justify="right" if 2 <= i <= 7 else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=40 if i == 1 else None,
        )
    for cells in rows:
        domain_row = not cells[0].startswith(" ")
        styled = [
            cells[i] if i != 7 or cells[i] in ("0", "-") else f"[red]{cells[i]}[/red]"
            for i in range(len(cells))
        ]
        table.add_row(*styled, style="bold" if domain_row else None)
    console = Console()
    console.print(table)
    for line in summary_lines(report_):
        console.print(line, highlight=False, markup=False)


def _parse_time_limit(value: str | None) -> int | Literal["unlimited"] | None:
    if value is None:
        return None
    if value.strip().lower() == "unlimited":
        return "unlimited"
    try:
        minutes = int(value)
    except ValueError:
        raise UsageError(f"--time-limit must be minutes or 'unlimited', got {value!r}") from None
    if minutes < 1:
        raise UsageError(f"--time-limit must be at least 1 minute, got {minutes}")
    return minutes


def _form_targets(output: str, forms: int) -> list[Path]:
    out = Path(output)
    if out.is_dir():
        raise UsageError(f"{output} is a directory; give a file name such as {out / 'form.yaml'}")
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(f"a form is written as YAML: give -o a .yaml or .yml name, not {out.name!r}")
    if forms == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, forms + 1)]


@click.command(name="assemble")
@click.argument("paths", nargs=-1, required=True)
@click.option("--blueprint", "blueprint_file", type=click.Path(dir_okay=False), help="Blueprint file.")
@click.option("--count", "-n", type=click.IntRange(min=1), required=True, help="Questions per form.")
@click.option("--domain", "domains", multiple=True, help="Draw from this domain (repeatable).")
@click.option("--objective", "objectives", multiple=True, help="Draw from this objective (repeatable).")
@click.option("--type", "types", multiple=True, help="Only questions of this type (repeatable).")
@click.option("--difficulty", "difficulties", multiple=True, help="Only this difficulty (repeatable).")
@click.option("--time-limit", "time_limit", help="MINUTES or 'unlimited' (default: the exam's pace).")
@click.option("--seed", type=int, help="Same seed, same form (default: a random seed, recorded in the form).")
@click.option("--forms", type=click.IntRange(min=1), default=1, show_default=True, help="Forms to draw.")
@click.option("--title", help="Form title (default: the blueprint title + 'practice test').")
@click.option("--include-drafts", is_flag=True, help="Draft and review questions may be drawn too.")
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(),
    help="Form file (.yaml); FORM-1.yaml ... with --forms.",
)
@click.option("--force", is_flag=True, help="Overwrite existing form files.")
@click.option(
    "--difficulty-balance",
    is_flag=True,
    help="Parallel forms: mean facility (stored stats p) within --tolerance of each other.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0, min_open=True, max=1),
    help="Most the forms' mean p may differ (default: [tool.qbank.stats] balance-tolerance, 0.02).",
)
@config_option
def assemble_command(
    paths: tuple[str, ...],
    blueprint_file: str | None,
    count: int,
    domains: tuple[str, ...],
    objectives: tuple[str, ...],
    types: tuple[str, ...],
    difficulties: tuple[str, ...],
    time_limit: str | None,
    seed: int | None,
    forms: int,
    title: str | None,
    include_drafts: bool,
    output: str,
    force: bool,
    difficulty_balance: bool,
    tolerance: float | None,
    config_file: str | None,
) -> int:
    """Draw a practice form of COUNT questions from the bank under PATHS by blueprint weights.

    With --forms K, K forms with minimal overlap are written as FORM-1.yaml ... FORM-K.yaml next
    to the -o name. Exit 1 when the bank cannot fill the request (the short domains and objectives
    are named).
    """
    from qbank.analysis.assemble import AssemblyError, assemble
    from qbank.io.serialize import dump_questions

    minutes = _parse_time_limit(time_limit)
    if difficulty_balance and forms < 2:
        raise UsageError("--difficulty-balance makes parallel forms: ask for --forms 2 or more")
    targets = _form_targets(output, forms)
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise UsageError(
            f"{', '.join(existing)} exist{'s' * (len(existing) == 1)} (use --force to overwrite)"
        )
    bank, problems, config = load_with_blueprint(paths, config_file, blueprint_file)
    errors = [d for d in problems if d.severity == Severity.ERROR]
    if errors:
        info = RunInfo(__version__, tuple(sf.display for sf in bank.files), len(bank))
        click.echo(report(errors, "text", info), nl=False)
        echo_err("qbank: not assembled: fix the errors above first")
        return EXIT_FINDINGS
    try:
        result = assemble(
            bank,
            bank.blueprint,
            count=count,
            domains=domains,
            objectives=objectives,
            types=types,
            difficulties=difficulties,
            time_limit=minutes,
            seed=seed,
            forms=forms,
            enemies=enemy_pairs(bank.questions, config.model.dupes, cache=embedding_cache(config)),
            title=title,
            include_drafts=include_drafts,
        )
    except AssemblyError as exc:
        raise UsageError(str(exc)) from None
    balance_note: str | None = None
    if difficulty_balance and result.ok:
        result, balance_note = _balance(result, bank, config, tolerance, types, difficulties, include_drafts)
    if not result.ok:
        echo_err(f"qbank: cannot assemble {count} questions (seed {result.seed}):")
        for shortfall in result.shortfalls:
            echo_err(f"  {shortfall}")
        eligible = "approved" + (", draft, review" if include_drafts else "")
        echo_err(f"  eligible: {eligible} questions matching the filters")
        return EXIT_FINDINGS
    banks = [Path(p).resolve() for p in paths]
    for target, drawn in zip(targets, result.forms, strict=True):
        where = ", ".join(str(p) for p in paths)
        header = (
            f"Practice form drawn by qbank assemble from {where} (seed {result.seed}).\n"
            "Draw it again with the same command and --seed."
        )
        atomic_write(target, dump_questions(drawn.questions, form=drawn.form, header=header), overwrite=force)
        split = ", ".join(f"{d}: {n}" for d, n in drawn.by_domain.items())
        limit = f"{drawn.form.time_limit} min" if drawn.form.time_limit else "no time limit"
        echo_err(
            f"wrote {target}: {len(drawn.questions)} questions (domains {split}), {limit}, seed {result.seed}"
        )
        if any(target.resolve().is_relative_to(b) for b in banks if b.is_dir()):
            echo_err(f"qbank: note: {target} is inside the bank; exclude it or its questions count twice")
    for note in result.notes:
        echo_err(f"note: {note}")
    if result.reused:
        echo_err(f"note: {result.reused} questions appear on more than one form (too few for disjoint forms)")
    if balance_note is not None:
        echo_err(balance_note)
        if balance_note.startswith("qbank:"):
            return EXIT_FINDINGS
    return EXIT_OK


def _balance(
    result: Any,
    bank: Any,
    config: Any,
    tolerance: float | None,
    types: tuple[str, ...],
    difficulties: tuple[str, ...],
    include_drafts: bool,
) -> tuple[Any, str]:
    """Balance the drawn forms by stored facility; the note says how close they ended."""
    from qbank.analysis.assemble import balance_difficulty

    if not any(q.stats is not None and q.stats.p is not None for q in bank.questions):
        raise UsageError(
            "--difficulty-balance needs item statistics: run qbank stats RESPONSES --bank ... --write first"
        )
    limit = tolerance if tolerance is not None else config.model.stats.balance_tolerance
    balanced, report = balance_difficulty(
        result,
        bank,
        tolerance=limit,
        types=types,
        difficulties=difficulties,
        enemies=enemy_pairs(bank.questions, config.model.dupes, cache=embedding_cache(config)),
        include_drafts=include_drafts,
    )
    means = " / ".join("-" if m is None else f"{m:.3f}" for m in report.means)
    missing = sum(report.missing)
    extra = f"; {missing} questions without statistics left out of the means" if missing else ""
    spread = report.spread
    if report.ok:
        return balanced, (
            f"difficulty balance: mean p {means} (spread {spread:.3f}, within {limit:g}; {report.moves} moves{extra})"
        )
    shown = "-" if spread is None else f"{spread:.3f}"
    return balanced, (
        f"qbank: difficulty balance: mean p {means} differ by {shown}, more than {limit:g}: the bank has too few "
        f"questions of the right difficulty in the same objectives{extra}"
    )
