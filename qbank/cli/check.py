"""``qbank validate`` and ``qbank check`` (with ``--fix``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qbank.check import CheckResult, changed_since, check, check_cache
from qbank.cli.common import Progress, UsageError, echo_err, finish, report_options, resolve_config
from qbank.core.diagnostics import sort_diagnostics
from qbank.io.fsutil import atomic_write
from qbank.io.loader import load

if TYPE_CHECKING:
    from qbank.core.config import Config


def _run_check(paths: Sequence[str], *, validate_only: bool, **opts: Any) -> int:
    config = resolve_config(paths, opts["config_file"])
    progress = Progress("reading", not opts["no_progress"])
    try:
        if validate_only:
            loaded = load(list(paths), config=config, jobs=opts["jobs"], progress=progress)
            result = CheckResult(loaded.bank, sort_diagnostics(config.apply(loaded.diagnostics)))
        else:
            bank, focus = _scope(paths, config, opts["bank"], opts["changed_since"])
            result = check(
                bank,
                config=config,
                jobs=opts["jobs"],
                progress=progress,
                cache=None if opts["no_cache"] else check_cache(config),
                focus=focus,
            )
    finally:
        progress.close()
    for note in result.notes:
        echo_err(f"qbank: warning: {note}")
    strict = opts["strict"] or config.model.profile == "strict"
    return finish(result, fmt=opts["fmt"], output=opts["output"], strict=strict, quiet=opts["quiet"])


@click.command()
@click.argument("paths", nargs=-1, required=True)
@report_options
def validate(paths: tuple[str, ...], **opts: Any) -> int:
    """Check the format of the question files under PATHS (no lint)."""
    return _run_check(paths, validate_only=True, **opts)


def _scope(
    paths: Sequence[str], config: Config, bank: str | None, ref: str | None
) -> tuple[list[str], list[str] | None]:
    """The bank to check and the files to report on (``None``: all of it).

    With a bank folder (``--bank``, else the ``bank`` setting) PATHS are reported on and judged
    against that bank (no PATHS: the whole bank); without one, PATHS are the bank.
    ``--changed-since REF`` reports on the files under PATHS (or the bank) that git finds changed
    since REF.
    """
    root = bank if bank is not None else _shown(config.bank_path)
    if root is not None and not Path(root).is_dir():
        raise UsageError(f"the bank folder {root} does not exist")
    if ref is not None:
        where = list(paths) or ([root] if root is not None else ["."])
        try:
            changed = changed_since(ref, where)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return ([root] if root is not None else where), [_shown(p) or str(p) for p in changed]
    if not paths:
        if root is not None:
            return [root], None
        raise UsageError("give the files or folders to check (or --changed-since REF)")
    if root is None:
        return list(paths), None
    return [root], list(paths)


def _shown(path: Path | None) -> str | None:
    """``path`` as the user would type it: relative to the current folder when it is inside it."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


@click.command(name="check")
@click.argument("paths", nargs=-1)
@report_options
@click.option(
    "--fix",
    is_flag=True,
    help="First apply the fixes that cannot change meaning (QB601, QB603, QB605) and list them.",
)
@click.option(
    "--bank",
    type=click.Path(file_okay=False),
    help="Folder of the whole bank: report on PATHS only, judged against it (default: the `bank` setting).",
)
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REF",
    help="Report on the files that git finds changed since REF (a commit, branch or tag).",
)
@click.option("--no-cache", is_flag=True, help="Check every file afresh; read and write no cache.")
def check_command(paths: tuple[str, ...], fix: bool, **opts: Any) -> int:
    """Validate PATHS and run every analysis: lint rules, duplicates, blueprint coverage.

    Each file's results are kept in .qbank_cache (beside the configuration) and reused while the
    file, the configuration and qbank are unchanged.
    """
    if fix:
        if not paths:
            raise UsageError("--fix needs the files or folders to fix")
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
