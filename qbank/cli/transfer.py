"""``qbank export`` and ``qbank import``."""

from __future__ import annotations

from pathlib import Path

import click

from qbank import __version__
from qbank.cli.common import (
    UsageError,
    config_option,
    echo_err,
    exit_code,
    resolve_config,
    resolve_format,
)
from qbank.core.diagnostics import Severity, sort_diagnostics
from qbank.exporters import EXPORTERS, export
from qbank.importers import IMPORTERS
from qbank.io.loader import load
from qbank.report.reporters import REPORTERS, RunInfo, report


@click.command(name="export")
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
@config_option
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
        echo_err(f"qbank: not exported: fix the errors above first ({output} not written)")
        return exit_code(problems, fail_on=Severity.ERROR)
    result = export(loaded.bank, fmt_to, output, overwrite=force)
    shown = sort_diagnostics([*problems, *result.diagnostics])
    click.echo(report(shown, resolve_format(fmt), info), nl=False)
    echo_err(f"wrote {output}: {result.exported} questions ({fmt_to})")
    failing = Severity.WARNING if strict else Severity.ERROR
    return exit_code(result.diagnostics, fail_on=failing)


@click.command(name="import")
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
        echo_err(f"qbank: not imported: fix the errors above first (nothing written to {output})")
        return exit_code(result.diagnostics, fail_on=Severity.ERROR)
    written = write_import(result, output, overwrite=force)
    echo_err(
        f"imported {result.imported} of {result.found} questions ({result.skipped} skipped) "
        f"into {len(written)} files under {output}"
    )
    failing = Severity.WARNING if strict else Severity.ERROR
    return exit_code(result.diagnostics, fail_on=failing)
