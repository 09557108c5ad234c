"""Judging item statistics with the QB95x rules: fresh figures from ``qbank stats`` or stored ones.

:func:`judge_statistics` attaches freshly computed figures to the questions (as the blocks
``--write`` would store) and runs the statistics rules on them, so ``qbank stats`` and a later
``qbank check`` on the written files report the same findings. Form reliability (QB957) is judged
for every form the responses hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from qbank.analysis.stats import StatsResult, stored_item
from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic, sort_diagnostics
from qbank.core.model import Bank, ItemStatistics
from qbank.io.source import diagnostic
from qbank.lint.engine import apply_suppressions, rule_options, run_rules
from qbank.lint.rules import registry
from qbank.lint.rules.stats import LowReliability, ReliabilityOptions, low_reliability

__all__ = ["STATS_CODES", "judge_statistics", "stats_options", "with_statistics"]

#: The codes of the statistics rules.
STATS_CODES: tuple[str, ...] = ("QB951", "QB952", "QB953", "QB954", "QB955", "QB956", "QB957")


def with_statistics(bank: Bank, stats: dict[str, ItemStatistics]) -> Bank:
    """A copy of ``bank`` whose questions carry ``stats`` (by id) instead of what they had."""
    questions = [q.model_copy(update={"stats": stats[q.id]}) if q.id in stats else q for q in bank.questions]
    return replace(bank, questions=questions)


def judge_statistics(
    bank: Bank,
    result: StatsResult,
    config: Config | None = None,
    *,
    form_locations: Iterable[tuple[str, str]] = (),
) -> tuple[Bank, list[Diagnostic]]:
    """The bank with fresh statistics attached, and the QB95x findings on them.

    ``form_locations`` maps a form name to the file a finding about it is placed in (default:
    the form name itself, which readers set to the responses file).
    """
    config = config or Config()
    judged = with_statistics(bank, {s.id: stored_item(s) for s in result.items})
    located, problems = run_rules(judged, config, codes=set(STATS_CODES) - {LowReliability.code})
    diagnostics = [*problems, *(x.diagnostic for x in located)]
    options, option_problems = rule_options(config, [registry()[LowReliability.code]])
    diagnostics.extend(p for p in option_problems if p not in diagnostics)
    reliability = options[LowReliability.code]
    assert isinstance(reliability, ReliabilityOptions)
    where = dict(form_locations)
    for form in result.forms:
        verdict = low_reliability(form.form, form.alpha, form.n, reliability)
        if verdict is not None:
            message, severity = verdict
            path = where.get(form.form, form.form)
            diagnostics.append(diagnostic(LowReliability.code, message, path, severity=severity))
    kept = apply_suppressions(judged, diagnostics, config, checked=STATS_CODES)
    return judged, sort_diagnostics(config.apply(kept))


def stats_options(config: Config) -> dict[str, float]:
    """The configured limits of the statistics rules: ``min_p``, ``max_p``, ``min_discrimination``,
    ``min_share`` and ``min_alpha``."""
    rules = [registry()[code] for code in ("QB952", "QB953", "QB954", "QB955", "QB957")]
    options, _ = rule_options(config, rules)
    out: dict[str, float] = {}
    for code, name in (
        ("QB954", "min_p"),
        ("QB953", "max_p"),
        ("QB955", "min_discrimination"),
        ("QB952", "min_share"),
        ("QB957", "min_alpha"),
    ):
        out[name] = float(getattr(options[code], name))
    return out
