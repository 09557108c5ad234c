"""The ``qbank`` command line: glue only. Parse arguments, call the API, report, return an exit code.

Exit codes (every command): 0 clean; 1 findings at or above the failing severity; 2 usage,
configuration or I/O error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from qbank import __version__
from qbank.check import CheckResult, check
from qbank.config import Config, ConfigError, find_config, load_config
from qbank.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.fsutil import atomic_write
from qbank.loader import load
from qbank.reporters import REPORTERS, RunInfo, report

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
def check_command(paths: tuple[str, ...], **opts: Any) -> int:
    """Validate PATHS and run every analysis: lint rules, duplicates, blueprint coverage."""
    return _run_check(paths, validate_only=False, **opts)


@cli.command(name="export")
@click.argument("paths", nargs=-1, required=True)
@click.option("--to", "fmt_to", required=True, help="Target format (see `qbank export --help` for the list).")
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
    from qbank.exporters import EXPORTERS, export

    if fmt_to not in EXPORTERS:
        raise UsageError(f"unknown format {fmt_to!r}; choose one of: {', '.join(sorted(EXPORTERS))}")
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
    from qbank.schema import write_schemas

    stale = write_schemas(Path(directory), check=check_only)
    for path in stale:
        click.echo(f"{'out of date' if check_only else 'wrote'}: {path}")
    return EXIT_FINDINGS if check_only and stale else EXIT_OK


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
