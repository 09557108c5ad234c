"""``qbank stats`` reports: the item and form figures as text or JSON, findings in any CI format.

The JSON document (``--format json``, documented in ``docs/stats.md``)::

    {"version": 1, "tool": {...}, "respondents": 412, "rows": 8240, "sources": ["results.csv"],
     "min_n": 30,
     "items": [{"id", "n", "p", "discrimination", "upper_lower", "omitted", "mean", "sd", "points",
                "reliable", "path", "line", "options": [{"label", "key", "count", "share", "pbis"}],
                "flags": ["QB951", ...]}],
     "forms": [{"form", "n", "k", "alpha", "kr20", "sem", "mean", "sd", "flags": [...]}],
     "summary": {"errors", "warnings", "info", "failed"},
     "diagnostics": [...]}

Findings (QB95x flags and QB92x reading problems) go through :mod:`qbank.report.reporters` for
``github`` and ``sarif``, so annotations land on the question's line like ``qbank check``'s.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from qbank.analysis.stats import FormStats, ItemStats, StatsResult
from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.model import Bank
from qbank.report.reporters import RunInfo, diagnostic_dict, report

__all__ = ["StatsReport", "Thresholds", "render_stats"]


@dataclass(frozen=True)
class Thresholds:
    """The limits of the statistics rules, as configured (for the flag zones of the HTML page)."""

    min_p: float = 0.3
    max_p: float = 0.9
    min_discrimination: float = 0.2
    min_share: float = 0.05
    min_alpha: float = 0.7


@dataclass
class StatsReport:
    """Everything a stats report shows."""

    result: StatsResult
    diagnostics: list[Diagnostic]
    bank: Bank
    min_n: int = 30
    info: RunInfo = field(default_factory=RunInfo)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def flags(self, question_id: str) -> list[str]:
        """The codes reported for a question, in code order, once each."""
        return sorted(
            {d.code for d in self.diagnostics if d.question_id == question_id and d.code.startswith("QB95")}
        )

    def form_flags(self, form: str) -> list[str]:
        """The codes reported about a form."""
        return sorted(
            {d.code for d in self.diagnostics if d.question_id is None and f"of form {form!r}" in d.message}
        )

    @property
    def failed(self) -> bool:
        """Whether a finding is at or above the failing severity."""
        return any(d.severity.rank >= self.info.fail_on.rank for d in self.diagnostics)


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _where(bank: Bank, question_id: str) -> tuple[str | None, int | None]:
    question = bank.by_id().get(question_id)
    origin = question.origin if question is not None else None
    if origin is None:
        return None, None
    line, _ = origin.source.position(("questions", origin.index, "id"))
    return origin.source.display, line


def item_dict(stats: ItemStats, report_: StatsReport) -> dict[str, object]:
    """One question's figures as the JSON report writes them."""
    path, line = _where(report_.bank, stats.id)
    return {
        "id": stats.id,
        "n": stats.n,
        "p": _num(stats.p),
        "discrimination": _num(stats.discrimination),
        "upper_lower": _num(stats.upper_lower),
        "omitted": _num(stats.omitted),
        "mean": _num(stats.mean),
        "sd": _num(stats.sd),
        "points": stats.points,
        "reliable": stats.n >= report_.min_n,
        "path": path,
        "line": line,
        "options": [
            {"label": o.label, "key": o.key, "count": o.count, "share": o.share, "pbis": _num(o.pbis)}
            for o in stats.options
        ],
        "flags": report_.flags(stats.id),
    }


def form_dict(stats: FormStats, report_: StatsReport) -> dict[str, object]:
    """One form's figures as the JSON report writes them."""
    return {
        "form": stats.form,
        "n": stats.n,
        "k": stats.k,
        "alpha": _num(stats.alpha),
        "kr20": _num(stats.kr20),
        "sem": _num(stats.sem),
        "mean": _num(stats.mean),
        "sd": _num(stats.sd),
        "items": list(stats.items),
        "flags": report_.form_flags(stats.form),
    }


def render_json(report_: StatsReport) -> str:
    """The JSON report."""
    counts = Counter(d.severity.value for d in report_.diagnostics)
    doc = {
        "version": 1,
        "tool": {"name": "qbank", "version": report_.info.tool_version},
        "respondents": report_.result.respondents,
        "rows": report_.result.rows,
        "sources": report_.result.sources,
        "min_n": report_.min_n,
        "items": [item_dict(s, report_) for s in report_.result.items],
        "forms": [form_dict(f, report_) for f in report_.result.forms],
        "summary": {
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "failed": report_.failed,
        },
        "diagnostics": [diagnostic_dict(d) for d in report_.diagnostics],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(report_: StatsReport) -> str:
    """A table of the questions and forms, then the findings and a summary line."""
    result = report_.result
    sources = ", ".join(result.sources) or "no file"
    lines = [
        f"{result.respondents} respondents, {len(result.items)} questions, {result.rows} responses ({sources})",
        "",
    ]
    rows = []
    for s in result.items:
        mark = "" if s.n >= report_.min_n else " *"
        rows.append(
            [
                s.id,
                f"{s.n}{mark}",
                _fmt(s.p),
                _fmt(s.discrimination),
                _fmt(s.upper_lower),
                _fmt(s.omitted),
                " ".join(report_.flags(s.id)),
            ]
        )
    lines += _table(["question", "n", "p", "disc", "D27", "omit", "flags"], rows, {1, 2, 3, 4, 5})
    if any(s.n < report_.min_n for s in result.items):
        lines.append(f"* fewer than {report_.min_n} respondents: figures are unreliable")
    if result.forms:
        lines.append("")
        form_rows = [
            [
                f.form,
                str(f.n),
                str(f.k),
                _fmt(f.alpha),
                _fmt(f.kr20),
                _fmt(f.sem),
                " ".join(report_.form_flags(f.form)),
            ]
            for f in result.forms
        ]
        lines += _table(["form", "n", "k", "alpha", "kr20", "sem", "flags"], form_rows, {1, 2, 3, 4, 5})
    lines.append("")
    findings = report(report_.diagnostics, "text", report_.info)
    return "\n".join(lines) + "\n" + findings


def render_stats(report_: StatsReport, fmt: str) -> str:
    """The report in ``fmt``: ``text``, ``json``, or any reporter format for the findings alone."""
    if fmt == "json":
        return render_json(report_)
    if fmt == "text":
        return render_text(report_)
    return report(report_.diagnostics, fmt, report_.info)


def fails(diagnostics: Sequence[Diagnostic], fail_on: Severity) -> bool:
    """Whether a finding is at or above ``fail_on``."""
    return any(d.severity.rank >= fail_on.rank for d in diagnostics)
