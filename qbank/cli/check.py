"""``qbank validate`` and ``qbank check`` (with ``--fix``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from qbank.check import CheckResult, check
from qbank.cli.common import Progress, echo_err, finish, report_options, resolve_config
from qbank.core.diagnostics import sort_diagnostics
from qbank.io.fsutil import atomic_write
from qbank.io.loader import load


def _run_check(paths: Sequence[str], *, validate_only: bool, **opts: Any) -> int:
    config = resolve_config(paths, opts["config_file"])
    progress = Progress("reading", not opts["no_progress"])
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


@click.command()
@click.argument("paths", nargs=-1, required=True)
@report_options
def validate(paths: tuple[str, ...], **opts: Any) -> int:
    """Check the format of the question files under PATHS (no lint)."""
    return _run_check(paths, validate_only=True, **opts)


@click.command(name="check")
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
            echo_err(f"{problem.location}: not fixed: {problem.code} {problem.message}")
        if result.text is None:
            continue
        atomic_write(result.path, result.text)
        for change in result.changes:
            echo_err(f"{change.path}:{change.line}:{change.col}: fixed {change.code}: {change.description}")
