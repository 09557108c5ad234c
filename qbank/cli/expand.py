"""``qbank expand``: write every template's variants as concrete question files."""

from __future__ import annotations

from pathlib import Path

import click

from qbank import __version__
from qbank.cli.common import UsageError, config_option, echo_err, exit_code, resolve_config, resolve_format
from qbank.core.diagnostics import Severity, sort_diagnostics
from qbank.io.fsutil import atomic_write
from qbank.io.loader import load
from qbank.io.templates import expanded_files
from qbank.report.reporters import REPORTERS, RunInfo, report


def _relative(path: Path, roots: list[Path]) -> Path:
    """Where a source file goes under the output folder: its path below the folder given, or its name."""
    resolved = path.resolve()
    for root in roots:
        if root.is_dir() and resolved.is_relative_to(root):
            return resolved.relative_to(root)
    return Path(path.name)


@click.command(name="expand")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the expanded question files (same relative paths as the sources).",
)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@config_option
@click.option(
    "--format", "fmt", type=click.Choice(["auto", *REPORTERS]), default="auto", help="Report format."
)
def expand_command(
    paths: tuple[str, ...], output: str, force: bool, config_file: str | None, fmt: str
) -> int:
    """Write the question files under PATHS with every template replaced by its variants.

    Variant ids are the template's id with ``.1``, ``.2`` ... appended; a template's pool is
    declared in the file that holds it. The same bank always expands to the same files. Nothing
    is written when the bank has errors, and no existing file is overwritten without --force.
    """
    config = resolve_config(paths, config_file)
    loaded = load(list(paths), config=config)
    problems = sort_diagnostics(config.apply(loaded.diagnostics))
    bank = loaded.bank
    info = RunInfo(__version__, tuple(sf.display for sf in bank.files), len(bank))
    click.echo(report(problems, resolve_format(fmt), info), nl=False)
    if any(d.severity == Severity.ERROR for d in problems):
        echo_err(f"qbank: not expanded: fix the errors above first (nothing written to {output})")
        return exit_code(problems, fail_on=Severity.ERROR)
    roots = [Path(p).resolve() for p in paths]
    files = [(Path(output) / _relative(sf.path, roots), text) for sf, text in expanded_files(bank)]
    existing = [str(target) for target, _ in files if target.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists (use --force to overwrite)")
    for target, text in files:
        atomic_write(target, text)
    variants = sum(1 for q in bank if q.origin is not None and q.origin.variant is not None)
    echo_err(
        f"wrote {len(files)} file(s) under {output}: {len(bank)} questions ({variants} template variants)"
    )
    return exit_code(problems, fail_on=Severity.ERROR)
