"""One place to look up any code qbank reports: its name, default severity and summary."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from qbank.core.diagnostics import FORMAT_CODES, Severity

__all__ = ["CodeInfo", "all_codes", "describe"]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a code means."""

    code: str
    name: str
    severity: Severity
    summary: str


@cache
def all_codes() -> dict[str, CodeInfo]:
    """Every known code: validation codes plus the lint catalogue."""
    from qbank.lint.rules import registry  # imported late: rules import the models, codes are needed early

    out = {code: CodeInfo(code, name, sev, summary) for code, (name, sev, summary) in FORMAT_CODES.items()}
    for code, rule in registry().items():
        out.setdefault(code, CodeInfo(code, rule.name, rule.severity, rule.summary()))
    return out


def describe(code: str) -> CodeInfo:
    """Information about ``code``; unknown codes get a neutral description."""
    return all_codes().get(code, CodeInfo(code, code.lower(), Severity.WARNING, code))
