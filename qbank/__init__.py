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

__version__ = "0.1.0"

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
