"""What every command shares: exit codes, configuration lookup, report options and output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qbank import __version__
from qbank.core.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.io.fsutil import atomic_write

if TYPE_CHECKING:  # the rest is imported where used, so that ``qbank --version`` loads almost nothing
    from qbank.check import CheckResult
    from qbank.core.config import Config
    from qbank.core.model import Bank

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "Progress",
    "UsageError",
    "config_option",
    "echo_err",
    "emit",
    "exit_code",
    "finish",
    "load_with_blueprint",
    "report_options",
    "resolve_config",
    "resolve_format",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class UsageError(Exception):
    """A problem that ends the command with exit code 2."""


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def resolve_config(paths: Sequence[str], config_file: str | None) -> Config:
    """The configuration named by ``--config``, else the nearest one above the first path."""
    from qbank.core.config import ConfigError, find_config, load_config

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


class Progress:
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


config_option = click.option(
    "--config", "config_file", type=click.Path(), help="Configuration file (default: nearest one)."
)


def exit_code(diagnostics: Sequence[Diagnostic], *, fail_on: Severity) -> int:
    """2 when a path could not be read (QB001), 1 when a finding is at or above ``fail_on``, else 0."""
    if any(d.code == "QB001" for d in diagnostics):
        return EXIT_USAGE
    return EXIT_FINDINGS if any(d.severity.rank >= fail_on.rank for d in diagnostics) else EXIT_OK


def report_options(func: F) -> F:
    """Options shared by every command that reports findings."""
    from qbank.report.reporters import REPORTERS

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
        config_option,
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=0),
            default=None,
            help="Processes (0 = one per core) [default: one per core for banks over 1 MB, else 1].",
        ),
        click.option("--no-progress", is_flag=True, help="Never show a progress bar."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def finish(result: CheckResult, *, fmt: str, output: str | None, strict: bool, quiet: bool) -> int:
    """Report a result and turn it into an exit code."""
    from qbank.report.reporters import RunInfo, report

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
        echo_err(report(result.diagnostics, "text", info).splitlines()[-1])
    return exit_code(result.diagnostics, fail_on=fail_on)


def load_with_blueprint(
    paths: Sequence[str], config_file: str | None, blueprint_file: str | None
) -> tuple[Bank, list[Diagnostic], Config]:
    """Load the bank; ``--blueprint`` overrides the configured or found one. No blueprint is a usage error."""
    from qbank.io.loader import load

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
                echo_err(f"{diag.location}: {diag.severity.value} {diag.code} {diag.message}")
        raise UsageError("no blueprint: pass --blueprint FILE or set `blueprint` in [tool.qbank]")
    return loaded.bank, problems, config
