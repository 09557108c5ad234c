"""``qbank check``: validation plus every analysis of the bank, filtered by the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic, Severity, sort_diagnostics
from qbank.core.model import Bank
from qbank.io.loader import PathArg, Progress, load

__all__ = ["CheckResult", "check"]


@dataclass
class CheckResult:
    """A checked bank: the bank, its files and every diagnostic after configuration was applied."""

    bank: Bank
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        """Display names of the files examined."""
        return [sf.display for sf in self.bank.files]

    def failed(self, *, strict: bool = False) -> bool:
        """Whether an error (or, with ``strict``, a warning) was found."""
        floor = Severity.WARNING if strict else Severity.ERROR
        return any(d.severity.rank >= floor.rank for d in self.diagnostics)


def check(
    paths: PathArg,
    *,
    config: Config | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> CheckResult:
    """Load the bank at ``paths`` and run every analysis on it.

    Returns all diagnostics, filtered and re-graded by ``config`` (select, ignore, per-path
    ignores, severity overrides, profile), in file/line order.
    """
    from qbank.lint.engine import apply_suppressions, lint_diagnostics  # not needed by CheckResult users

    config = config or Config()
    loaded = load(paths, config=config, jobs=jobs, progress=progress)
    diagnostics = list(loaded.diagnostics)
    diagnostics.extend(lint_diagnostics(loaded.bank, config))
    diagnostics = apply_suppressions(loaded.bank, diagnostics, config)
    return CheckResult(loaded.bank, sort_diagnostics(config.apply(diagnostics)))
