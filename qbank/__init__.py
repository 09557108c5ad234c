"""qbank: author, validate, lint, de-duplicate and export exam question banks kept as YAML/JSON.

The CLI is a thin layer over these functions::

    import qbank

    result = qbank.load("questions/")          # bank + diagnostics, nothing filtered
    for d in result.diagnostics:
        print(d.location, d.code, d.message)

    checked = qbank.check("questions/")        # validation + every analysis, config applied
    assert not checked.failed(strict=True)
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from qbank.analysis.assemble import AssembledForm, AssemblyError, AssemblyResult, Shortfall, assemble
    from qbank.analysis.coverage import CoverageReport, DomainCoverage, ObjectiveCoverage, coverage
    from qbank.analysis.dupes import DuplicateReport, find_duplicates
    from qbank.analysis.stats import FormStats, ItemStats, StatsResult
    from qbank.analysis.stats import analyse as item_analysis
    from qbank.check import CheckResult, check
    from qbank.core.config import Config, ConfigError, find_config, load_config
    from qbank.core.diagnostics import Diagnostic, Severity
    from qbank.core.model import (
        Bank,
        Blueprint,
        Choice,
        Domain,
        Essay,
        Matching,
        MatchPair,
        MultipleResponse,
        Numerical,
        Objective,
        Ordering,
        Pool,
        Question,
        ShortAnswer,
        SingleChoice,
        TrueFalse,
        Variant,
    )
    from qbank.exporters import EXPORTERS, ExportResult, export
    from qbank.importers import ImportResult, import_bank
    from qbank.importers.responses import ReadResult, read_responses
    from qbank.io.loader import LoadResult, load, validate
    from qbank.lint.engine import lint

#: public name -> the module that defines it (``module:name`` when it has another name there),
#: imported on first use: ``import qbank`` stays cheap, and ``qbank --version`` and ``qbank
#: validate`` never load the exporters, numpy or lxml
_LAZY: dict[str, str] = {
    "AssembledForm": "qbank.analysis.assemble",
    "AssemblyError": "qbank.analysis.assemble",
    "AssemblyResult": "qbank.analysis.assemble",
    "Shortfall": "qbank.analysis.assemble",
    "assemble": "qbank.analysis.assemble",
    "CoverageReport": "qbank.analysis.coverage",
    "DomainCoverage": "qbank.analysis.coverage",
    "ObjectiveCoverage": "qbank.analysis.coverage",
    "coverage": "qbank.analysis.coverage",
    "DuplicateReport": "qbank.analysis.dupes",
    "find_duplicates": "qbank.analysis.dupes",
    "FormStats": "qbank.analysis.stats",
    "ItemStats": "qbank.analysis.stats",
    "StatsResult": "qbank.analysis.stats",
    "item_analysis": "qbank.analysis.stats:analyse",
    "CheckResult": "qbank.check",
    "check": "qbank.check",
    "Config": "qbank.core.config",
    "ConfigError": "qbank.core.config",
    "find_config": "qbank.core.config",
    "load_config": "qbank.core.config",
    "Diagnostic": "qbank.core.diagnostics",
    "Severity": "qbank.core.diagnostics",
    "Bank": "qbank.core.model",
    "Blueprint": "qbank.core.model",
    "Choice": "qbank.core.model",
    "Domain": "qbank.core.model",
    "Essay": "qbank.core.model",
    "MatchPair": "qbank.core.model",
    "Matching": "qbank.core.model",
    "MultipleResponse": "qbank.core.model",
    "Numerical": "qbank.core.model",
    "Objective": "qbank.core.model",
    "Ordering": "qbank.core.model",
    "Pool": "qbank.core.model",
    "Question": "qbank.core.model",
    "ShortAnswer": "qbank.core.model",
    "SingleChoice": "qbank.core.model",
    "TrueFalse": "qbank.core.model",
    "Variant": "qbank.core.model",
    "EXPORTERS": "qbank.exporters",
    "ExportResult": "qbank.exporters",
    "export": "qbank.exporters",
    "ImportResult": "qbank.importers",
    "import_bank": "qbank.importers",
    "ReadResult": "qbank.importers.responses",
    "read_responses": "qbank.importers.responses",
    "LoadResult": "qbank.io.loader",
    "load": "qbank.io.loader",
    "validate": "qbank.io.loader",
    "lint": "qbank.lint.engine",
}

__all__ = [
    "EXPORTERS",
    "AssembledForm",
    "AssemblyError",
    "AssemblyResult",
    "Bank",
    "Blueprint",
    "CheckResult",
    "Choice",
    "Config",
    "ConfigError",
    "CoverageReport",
    "Diagnostic",
    "Domain",
    "DomainCoverage",
    "DuplicateReport",
    "Essay",
    "ExportResult",
    "FormStats",
    "ImportResult",
    "ItemStats",
    "LoadResult",
    "MatchPair",
    "Matching",
    "MultipleResponse",
    "Numerical",
    "Objective",
    "ObjectiveCoverage",
    "Ordering",
    "Pool",
    "Question",
    "ReadResult",
    "Severity",
    "ShortAnswer",
    "Shortfall",
    "SingleChoice",
    "StatsResult",
    "TrueFalse",
    "Variant",
    "__version__",
    "assemble",
    "check",
    "coverage",
    "export",
    "find_config",
    "find_duplicates",
    "import_bank",
    "item_analysis",
    "lint",
    "load",
    "load_config",
    "read_responses",
    "validate",
]


class _Package(types.ModuleType):
    """``qbank.check`` and ``qbank.lint`` are functions, although submodules share their names: the
    import system's binding of those submodules onto the package is ignored, so the function is
    what ``qbank.check`` means whichever is imported first."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _LAZY and value.__name__ == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first use and keep the value."""
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'qbank' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
