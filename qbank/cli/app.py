"""The ``qbank`` command line: glue only. Parse arguments, call the API, report, return an exit code.

Exit codes (every command): 0 clean; 1 findings at or above the failing severity; 2 usage,
configuration or I/O error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from qbank import __version__
from qbank.analysis.dupes import enemy_pairs
from qbank.check import CheckResult, check
from qbank.core.config import Config, ConfigError, find_config, load_config
from qbank.core.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.core.model import Bank
from qbank.exporters import EXPORTERS, export
from qbank.importers import IMPORTERS
from qbank.io.fsutil import atomic_write
from qbank.io.loader import load
from qbank.report.reporters import REPORTERS, RunInfo, diagnostic_dict, report

__all__ = ["main", "run"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class UsageError(Exception):
    """A problem that ends the command with exit code 2."""


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def resolve_config(paths: Sequence[str], config_file: str | None) -> Config:
    """The configuration named by ``--config``, else the nearest one above the first path."""
    if config_file is not None:
        path: Path | None = Path(config_file)
        if not path or not path.is_file():
            raise UsageError(f"configuration file not found: {config_file}")
    else:
        path = find_config(Path(paths[0]) if paths else Path.cwd())
    try:
        return load_config(path)
    except ConfigError as exc:
        raise UsageError(
            "\n".join(f"{d.location}: error {d.code} {d.message}" for d in exc.diagnostics)
        ) from None


def resolve_format(fmt: str) -> str:
    """``auto`` is ``github`` inside GitHub Actions and ``text`` elsewhere."""
    if fmt == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return fmt


def emit(text: str, output: str | None) -> None:
    """Print a report, or write it atomically to ``output``."""
    if output:
        atomic_write(output, text)
    else:
        click.echo(text, nl=False)


class _Progress:
    """A rich progress bar on a terminal; nothing elsewhere."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.label = label
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 20:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def report_options(func: F) -> F:
    """Options shared by every command that reports findings."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["auto", *REPORTERS]),
            default="auto",
            show_default=True,
            help="Report format; auto = github inside GitHub Actions, else text.",
        ),
        click.option(
            "--output", "-o", "output", type=click.Path(dir_okay=False), help="Write the report to a file."
        ),
        click.option("--strict", is_flag=True, help="Warnings fail the run too."),
        click.option(
            "--quiet", "-q", is_flag=True, help="Report only findings that fail the run; no summary."
        ),
        click.option(
            "--config", "config_file", type=click.Path(), help="Configuration file (default: nearest one)."
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=0),
            default=1,
            show_default=True,
            help="Processes (0 = one per core).",
        ),
        click.option("--no-progress", is_flag=True, help="Never show a progress bar."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def finish(result: CheckResult, *, fmt: str, output: str | None, strict: bool, quiet: bool) -> int:
    """Report a result and turn it into an exit code."""
    fail_on = Severity.WARNING if strict else Severity.ERROR
    shown: list[Diagnostic] = result.diagnostics
    if quiet:
        shown = [d for d in shown if d.severity.rank >= fail_on.rank]
    info = RunInfo(__version__, tuple(result.files), len(result.bank), fail_on)
    text = report(shown, resolve_format(fmt), info)
    if quiet and resolve_format(fmt) in ("text", "github"):
        text = "".join(line + "\n" for line in text.splitlines()[:-1])
    emit(text, output)
    if output and not quiet:
        _echo_err(report(result.diagnostics, "text", info).splitlines()[-1])
    if any(d.code == "QB001" for d in result.diagnostics):
        return EXIT_USAGE
    return EXIT_FINDINGS if result.failed(strict=strict) else EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="qbank")
def cli() -> None:
    """Validate, lint, de-duplicate and export question banks kept as YAML/JSON."""


def _run_check(paths: Sequence[str], *, validate_only: bool, **opts: Any) -> int:
    config = resolve_config(paths, opts["config_file"])
    progress = _Progress("reading", not opts["no_progress"])
    try:
        if validate_only:
            loaded = load(list(paths), config=config, jobs=opts["jobs"], progress=progress)
            result = CheckResult(loaded.bank, sort_diagnostics(config.apply(loaded.diagnostics)))
        else:
            result = check(list(paths), config=config, jobs=opts["jobs"], progress=progress)
    finally:
        progress.close()
    strict = opts["strict"] or config.model.profile == "strict"
    return finish(result, fmt=opts["fmt"], output=opts["output"], strict=strict, quiet=opts["quiet"])


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@report_options
def validate(paths: tuple[str, ...], **opts: Any) -> int:
    """Check the format of the question files under PATHS (no lint)."""
    return _run_check(paths, validate_only=True, **opts)


@cli.command(name="check")
@click.argument("paths", nargs=-1, required=True)
@report_options
@click.option(
    "--fix",
    is_flag=True,
    help="First apply the fixes that cannot change meaning (QB601, QB603, QB605) and list them.",
)
def check_command(paths: tuple[str, ...], fix: bool, **opts: Any) -> int:
    """Validate PATHS and run every analysis: lint rules, duplicates, blueprint coverage."""
    if fix:
        _apply_fixes(paths, opts["config_file"])
    return _run_check(paths, validate_only=False, **opts)


def _apply_fixes(paths: Sequence[str], config_file: str | None) -> None:
    from qbank.lint.fixes import fix_files

    config = resolve_config(paths, config_file)
    for result in fix_files(list(paths), config):
        for problem in result.problems:
            _echo_err(f"{problem.location}: not fixed: {problem.code} {problem.message}")
        if result.text is None:
            continue
        atomic_write(result.path, result.text)
        for change in result.changes:
            _echo_err(f"{change.path}:{change.line}:{change.col}: fixed {change.code}: {change.description}")


@cli.command(name="export")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--to",
    "fmt_to",
    required=True,
    type=click.Choice(sorted(EXPORTERS)),
    help="Target format: "
    + "; ".join(f"{name}: {EXPORTERS[name].description}" for name in sorted(EXPORTERS)),
)
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False), help="Output file.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option("--config", "config_file", type=click.Path(), help="Configuration file (default: nearest one).")
@click.option(
    "--format", "fmt", type=click.Choice(["auto", *REPORTERS]), default="auto", help="Report format."
)
@click.option("--strict", is_flag=True, help="Also fail when something could not be carried (warnings).")
def export_command(
    paths: tuple[str, ...],
    fmt_to: str,
    output: str,
    force: bool,
    config_file: str | None,
    fmt: str,
    strict: bool,
) -> int:
    """Export the bank (or assembled form) under PATHS to an LMS format.

    Nothing is written when the bank has errors. What the format cannot carry is reported per question.
    """
    if Path(output).exists() and not force:
        raise UsageError(f"{output} exists (use --force to overwrite)")
    config = resolve_config(paths, config_file)
    loaded = load(list(paths), config=config)
    problems = sort_diagnostics(config.apply(loaded.diagnostics))
    info = RunInfo(__version__, tuple(sf.display for sf in loaded.bank.files), len(loaded.bank))
    if any(d.severity == Severity.ERROR for d in problems):
        click.echo(report(problems, resolve_format(fmt), info), nl=False)
        _echo_err(f"qbank: not exported: fix the errors above first ({output} not written)")
        return EXIT_USAGE if any(d.code == "QB001" for d in problems) else EXIT_FINDINGS
    result = export(loaded.bank, fmt_to, output, overwrite=force)
    shown = sort_diagnostics([*problems, *result.diagnostics])
    click.echo(report(shown, resolve_format(fmt), info), nl=False)
    _echo_err(f"wrote {output}: {result.exported} questions ({fmt_to})")
    failing = Severity.WARNING if strict else Severity.ERROR
    return EXIT_FINDINGS if any(d.severity.rank >= failing.rank for d in result.diagnostics) else EXIT_OK


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False), default="schemas")
@click.option(
    "--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a schema file is out of date."
)
def schemas(directory: str, check_only: bool) -> int:
    """Write the published JSON Schemas (question, blueprint, config) to DIRECTORY."""
    from qbank.schemas import write_schemas

    stale = write_schemas(Path(directory), check=check_only)
    for path in stale:
        click.echo(f"{'out of date' if check_only else 'wrote'}: {path}")
    return EXIT_FINDINGS if check_only and stale else EXIT_OK


# ---------------------------------------------------------------------------------------------- coverage, assemble


def _load_with_blueprint(
    paths: Sequence[str], config_file: str | None, blueprint_file: str | None
) -> tuple[Bank, list[Diagnostic], Config]:
    """Load the bank; ``--blueprint`` overrides the configured or found one. No blueprint is a usage error."""
    config = resolve_config(paths, config_file)
    if blueprint_file is not None:
        if not Path(blueprint_file).is_file():
            raise UsageError(f"blueprint file not found: {blueprint_file}")
        config = config.with_overrides(blueprint=str(Path(blueprint_file).resolve()))
    loaded = load(list(paths), config=config)
    problems = sort_diagnostics(config.apply(loaded.diagnostics))
    unreadable = [d for d in problems if d.code == "QB001"]
    if unreadable:
        raise UsageError("\n".join(f"{d.location}: {d.message}" for d in unreadable))
    if loaded.bank.blueprint is None:
        for diag in problems:
            if diag.code == "QB013" or (diag.code == "QB007" and "blueprint" in diag.message):
                _echo_err(f"{diag.location}: {diag.severity.value} {diag.code} {diag.message}")
        raise UsageError("no blueprint: pass --blueprint FILE or set `blueprint` in [tool.qbank]")
    return loaded.bank, problems, config


@cli.command(name="coverage")
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
@click.option("--config", "config_file", type=click.Path(), help="Configuration file (default: nearest one).")
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
    bank, problems, _ = _load_with_blueprint(paths, config_file, blueprint_file)
    errors = sum(d.severity == Severity.ERROR for d in problems)
    if errors:
        _echo_err(
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
        _echo_err(f"wrote {html_path}")
    if forms is not None and report_.full_forms is not None and report_.full_forms < forms:
        _echo_err(
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


@cli.command(name="assemble")
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
@click.option("--config", "config_file", type=click.Path(), help="Configuration file (default: nearest one).")
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
    targets = _form_targets(output, forms)
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise UsageError(
            f"{', '.join(existing)} exist{'s' * (len(existing) == 1)} (use --force to overwrite)"
        )
    bank, problems, config = _load_with_blueprint(paths, config_file, blueprint_file)
    errors = [d for d in problems if d.severity == Severity.ERROR]
    if errors:
        info = RunInfo(__version__, tuple(sf.display for sf in bank.files), len(bank))
        click.echo(report(errors, "text", info), nl=False)
        _echo_err("qbank: not assembled: fix the errors above first")
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
            enemies=enemy_pairs(bank.questions, config.model.dupes.threshold, config.model.dupes.allow),
            title=title,
            include_drafts=include_drafts,
        )
    except AssemblyError as exc:
        raise UsageError(str(exc)) from None
    if not result.ok:
        _echo_err(f"qbank: cannot assemble {count} questions (seed {result.seed}):")
        for shortfall in result.shortfalls:
            _echo_err(f"  {shortfall}")
        eligible = "approved" + (", draft, review" if include_drafts else "")
        _echo_err(f"  eligible: {eligible} questions matching the filters")
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
        _echo_err(
            f"wrote {target}: {len(drawn.questions)} questions (domains {split}), {limit}, seed {result.seed}"
        )
        if any(target.resolve().is_relative_to(b) for b in banks if b.is_dir()):
            _echo_err(f"qbank: note: {target} is inside the bank; exclude it or its questions count twice")
    for note in result.notes:
        _echo_err(f"note: {note}")
    if result.reused:
        _echo_err(
            f"note: {result.reused} questions appear on more than one form (too few for disjoint forms)"
        )
    return EXIT_OK


@cli.command(name="dupes")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 100),
    default=None,
    help="Whole-item score (0-100) for near duplicates [default: [tool.qbank.dupes] threshold, 85].",
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
    paths: tuple[str, ...], threshold: float | None, against: tuple[str, ...], **opts: Any
) -> int:
    """Find exact duplicates, near duplicates and key conflicts among the questions under PATHS.

    Exit code: 1 when a key conflict (the same question keyed differently) or a file error is
    found, and with --strict also for exact and near duplicates; 0 otherwise; 2 for usage errors.
    """
    from qbank.analysis.dupes import find_duplicates

    config = resolve_config(paths, opts["config_file"])
    reading = _Progress("reading", not opts["no_progress"])
    try:
        loaded = load(list(paths), config=config, jobs=opts["jobs"], progress=reading)
        published = load(list(against), config=config, jobs=opts["jobs"]) if against else None
    finally:
        reading.close()
    problems = sort_diagnostics(
        config.apply([*loaded.diagnostics, *(published.diagnostics if published else [])])
    )
    comparing = _Progress("comparing", not opts["no_progress"])
    try:
        found = find_duplicates(
            loaded.bank,
            threshold=config.model.dupes.threshold if threshold is None else threshold,
            against=published.bank if published else None,
            allow=config.model.dupes.allow,
            jobs=opts["jobs"],
            progress=comparing,
        )
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
            choices = "" if pair.choices is None else f", choices {pair.choices:.0f}"
            lines.append(
                f"    {pair.a} ~ {pair.b}: {pair.kind} score {pair.score:.0f} "
                f"(stem {pair.stem:.0f}, key {pair.key:.0f}{choices})"
            )
    counts = found.counts()
    published = f" against {found.against} published" if found.against else ""
    lines.append(
        f"{len(found.clusters)} duplicate clusters ({counts['key-conflict']} key-conflict, "
        f"{counts['exact']} exact, {counts['near']} near) among {found.questions} questions{published}; "
        f"threshold {found.threshold:g}, {found.candidates} candidate pairs verified ({found.method})"
    )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- rules, fmt


@cli.command(name="rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> int:
    """List every rule and validation code, or print the documentation of CODE (e.g. QB401)."""
    from qbank.lint.catalogue import all_codes
    from qbank.lint.engine import rule_doc

    if code is None:
        for info in sorted(all_codes().values(), key=lambda i: i.code):
            click.echo(f"{info.code}  {info.name:<42} {info.severity.value:<8} {info.summary}")
        return EXIT_OK
    doc = rule_doc(code.upper())
    if doc is None:
        raise UsageError(f"unknown rule code {code!r} (`qbank rules` lists them)")
    click.echo(doc, nl=False)
    return EXIT_OK


@cli.command(name="fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of the changes.")
@click.option("--config", "config_file", type=click.Path(), help="Configuration file (default: nearest one).")
def fmt_command(paths: tuple[str, ...], check_only: bool, show_diff: bool, config_file: str | None) -> int:
    """Rewrite question files under PATHS in the canonical layout, keeping comments.

    Key order follows the format, multi-line Markdown becomes `|` blocks, indentation is 2 spaces;
    JSON files get the same key order and a 2-space indent. Files are written atomically.
    Exit codes: 0 nothing to do (or done), 1 with --check/--diff when a file would change,
    2 when a file cannot be read or parsed (it is reported and never written).
    """
    from qbank.io.fmt import format_paths, write_results

    config = resolve_config(paths, config_file)
    results = format_paths(list(paths), config)
    broken = [r for r in results if r.failed]
    for result in broken:
        for problem in result.diagnostics:
            _echo_err(f"{problem.location}: error {problem.code} {problem.message} (not formatted)")
    changed = [r for r in results if r.changed]
    if show_diff:
        for result in changed:
            click.echo(result.diff(), nl=False)
    if check_only or show_diff:
        for result in changed:
            _echo_err(f"would reformat {result.display}")
    else:
        for result in write_results(changed):
            _echo_err(f"reformatted {result.display}")
    unchanged = len(results) - len(changed) - len(broken)
    verb = "would be reformatted" if check_only or show_diff else "reformatted"
    _echo_err(f"{len(changed)} file(s) {verb}, {unchanged} unchanged")
    if broken:
        return EXIT_USAGE
    return EXIT_FINDINGS if changed and (check_only or show_diff) else EXIT_OK


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True)
@click.option("--from", "fmt_from", required=True, type=click.Choice(list(IMPORTERS)), help="Source format.")
@click.option(
    "--output",
    "-o",
    "output",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the YAML question files (one per category or domain) and media/.",
)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option(
    "--blueprint",
    "blueprint_file",
    type=click.Path(dir_okay=False),
    help="Blueprint whose domain and objective titles map category names back to ids.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["auto", *REPORTERS]), default="auto", help="Report format."
)
@click.option("--strict", is_flag=True, help="Also fail when items were skipped or lost detail (warnings).")
def import_command(
    files: tuple[str, ...],
    fmt_from: str,
    output: str,
    force: bool,
    blueprint_file: str | None,
    fmt: str,
    strict: bool,
) -> int:
    """Import FILES (or folders) of another format as qbank YAML question files.

    Ids are kept where the source has them; every skipped item (QB910), lost detail (QB911) and
    refused hostile input (QB912) is reported with its location. Nothing is written when the input
    has errors, and no existing file is overwritten without --force.
    """
    from qbank.importers import import_bank, write_import

    blueprint = None
    if blueprint_file is not None:
        loaded = load([blueprint_file])
        blueprint = loaded.bank.blueprint
        if blueprint is None:
            raise UsageError(f"no valid blueprint in {blueprint_file}")
    result = import_bank(list(files), fmt_from, blueprint=blueprint)
    info = RunInfo(__version__, tuple(result.sources), result.imported)
    click.echo(report(result.diagnostics, resolve_format(fmt), info), nl=False)
    if result.failed:
        _echo_err(f"qbank: not imported: fix the errors above first (nothing written to {output})")
        unreadable = any(d.code == "QB001" for d in result.diagnostics)
        return EXIT_USAGE if unreadable else EXIT_FINDINGS
    written = write_import(result, output, overwrite=force)
    _echo_err(
        f"imported {result.imported} of {result.found} questions ({result.skipped} skipped) "
        f"into {len(written)} files under {output}"
    )
    failing = Severity.WARNING if strict else Severity.ERROR
    return EXIT_FINDINGS if any(d.severity.rank >= failing.rank for d in result.diagnostics) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (never raises for user errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = cli.main(args=args, prog_name="qbank", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        _echo_err("aborted")
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except UsageError as exc:
        _echo_err(f"qbank: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        _echo_err(f"qbank: {exc}")
        return EXIT_USAGE
    return int(rv) if isinstance(rv, int) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
