"""Exporters: one module per format, registered by name in :data:`EXPORTERS`.

``qbank.export(bank, "qti21", "out.zip")`` renders a bank (or an assembled form) in a format and
writes it atomically. What a format cannot carry comes back as diagnostics, never as a silent drop.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from qbank.core.diagnostics import Diagnostic, sort_diagnostics
from qbank.core.model import Bank
from qbank.exporters.base import Exporter, ExportOutput
from qbank.io.fsutil import OutputExistsError, atomic_write

__all__ = ["EXPORTERS", "ExportOutput", "ExportResult", "Exporter", "export", "register"]

EXPORTERS: dict[str, Exporter] = {}

#: Modules under ``qbank.exporters`` that register a format when imported.
_BUILTIN_MODULES: tuple[str, ...] = (
    "qti",
    "canvas",
    "moodle",
    "gift",
    "json_export",
    "html",
    "aiken",
)


def register(exporter: Exporter) -> Exporter:
    """Add an exporter to the registry under its ``name``."""
    EXPORTERS[exporter.name] = exporter
    return exporter


@dataclass
class ExportResult:
    """The exported bytes, where they were written and what the format could not carry."""

    data: bytes
    path: Path | None
    exported: int
    diagnostics: list[Diagnostic] = field(default_factory=list)


def export(
    bank: Bank,
    fmt: str,
    output: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> ExportResult:
    """Export ``bank`` in format ``fmt``; write to ``output`` (atomically) when given.

    Raises ``KeyError`` for an unknown format and :class:`qbank.io.fsutil.OutputExistsError` when
    ``output`` exists and ``overwrite`` is false (checked before any work is done).
    """
    exporter = EXPORTERS[fmt]
    if output is not None and not overwrite and Path(output).exists():
        raise OutputExistsError(f"{output} exists (use --force to overwrite)")
    result = exporter.export(bank)
    path = atomic_write(output, result.data, overwrite=overwrite) if output is not None else None
    return ExportResult(result.data, path, result.exported, sort_diagnostics(result.diagnostics))


for _module in _BUILTIN_MODULES:
    importlib.import_module(f"qbank.exporters.{_module}")
