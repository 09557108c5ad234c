"""``qbank rules``, ``qbank fmt`` and ``qbank schemas``."""

from __future__ import annotations

from pathlib import Path

import click

from qbank.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    config_option,
    echo_err,
    resolve_config,
)


@click.command(name="schemas")
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


@click.command(name="rules")
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


@click.command(name="fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of the changes.")
@config_option
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
            echo_err(f"{problem.location}: error {problem.code} {problem.message} (not formatted)")
    changed = [r for r in results if r.changed]
    if show_diff:
        for result in changed:
            click.echo(result.diff(), nl=False)
    if check_only or show_diff:
        for result in changed:
            echo_err(f"would reformat {result.display}")
    else:
        for result in write_results(changed):
            echo_err(f"reformatted {result.display}")
    unchanged = len(results) - len(changed) - len(broken)
    verb = "would be reformatted" if check_only or show_diff else "reformatted"
    echo_err(f"{len(changed)} file(s) {verb}, {unchanged} unchanged")
    if broken:
        return EXIT_USAGE
    return EXIT_FINDINGS if changed and (check_only or show_diff) else EXIT_OK
