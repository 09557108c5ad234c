"""QB8xx: the bank measured against its blueprint (run only when a blueprint is configured or found)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from pydantic import Field

from qbank.analysis.coverage import Misplaced, coverage, drawable, locate
from qbank.core.diagnostics import Severity
from qbank.core.model import QUESTION_TYPES, Bank, Question
from qbank.lint.rules.base import BankFacts, Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions

__all__ = [
    "BlueprintCoverageGap",
    "BlueprintWeightDrift",
    "CoverageGapOptions",
    "UnknownOrMissingObjective",
    "WeightDriftOptions",
]


class UnknownOrMissingObjective(Rule[NoOptions]):
    """Every question sits on a blueprint objective that belongs to its domain.

    What it does
        When the bank has a blueprint, reports a question with neither ``domain`` nor
        ``objective``, an ``objective`` or ``domain`` the blueprint does not define, an objective
        that belongs to another domain than the question's ``domain``, and a question with only a
        ``domain`` when that domain has objectives. Retired questions are not checked.

    Why it matters
        Every item should measure content the test specification calls for (Haladyna, Downing
        and Rodriguez 2002, guideline 1). A question that cannot be placed is left out of
        coverage figures and is never drawn onto a practice form.

    Example
        ```yaml
        - id: kms-envelope
          domain: "1"
          objective: "2.2"          # 2.2 is in domain 2
          stem: ...
        ```

    Use instead
        Give the objective (it implies the domain) and keep ``domain`` consistent with it:
        ``objective: "2.2"``.
    """

    code = "QB801"
    name = "unknown-or-missing-objective"
    severity = Severity.ERROR
    scope = "item"
    """An item finding (it names its question), judged once the blueprint is known."""

    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[NoOptions]) -> Any:
        q = item.question
        return None if q.status == "retired" else (q.domain, q.objective)

    def judge(self, facts: BankFacts, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        blueprint = ctx.bank.blueprint
        if blueprint is None:
            return
        for ordinal, fact in enumerate(facts.values):
            if fact is None:
                continue
            domain, objective = fact
            placed = stand_in("essay", id=facts.ids[ordinal], domain=domain, objective=objective)
            where = locate(placed, blueprint)
            if isinstance(where, Misplaced):
                yield Finding(where.message, where=(where.field,) if where.field else (), ordinal=ordinal)


class CoverageGapOptions(RuleOptions):
    """Options of QB802."""

    min_items_per_objective: int = Field(default=5, ge=1)
    """Fewest drawable questions an objective should have."""
    include_drafts: bool = False
    """Count ``draft`` and ``review`` questions too."""


class BlueprintCoverageGap(Rule[CoverageGapOptions]):
    """Every blueprint objective has enough questions.

    What it does
        Counts the drawable questions (``approved``; with ``include-drafts`` also ``draft`` and
        ``review``) of each objective of the blueprint and reports an objective with fewer than
        ``min-items-per-objective`` (default 5) as a warning, and a domain with none at all as an
        error. A domain without objectives is measured as a whole.

    Why it matters
        A practice test is only as broad as the bank: an objective with two questions shows the
        same two on every form, and an empty domain cannot be practised at all.

    Example
        A DVA-C02 bank with 7 questions on 1.1 and 2 on 2.2 ("Implement encryption by using AWS
        services"): 2.2 is reported, and ``qbank coverage`` shows how many it needs.

    Use instead
        Write questions for the objectives reported until each has at least the minimum;
        ``qbank coverage --forms K`` says how many each needs for K full-length forms.
    """

    code = "QB802"
    name = "blueprint-coverage-gap"
    severity = Severity.WARNING
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[CoverageGapOptions]) -> Any:
        return placement_fact(item.question)

    def judge(self, facts: BankFacts, ctx: RuleContext[CoverageGapOptions]) -> Iterable[Finding]:
        bank = placement_bank(facts, ctx.bank)
        if bank.blueprint is None:
            return
        opts = ctx.options
        report = coverage(bank, bank.blueprint, include_drafts=opts.include_drafts)
        floor = opts.min_items_per_objective
        for di, dom in enumerate(report.domains):
            if dom.count == 0:
                yield Finding(
                    f"domain {dom.id} ({dom.title}, weight {dom.weight:g}%) has no drawable questions",
                    where=_at(di),
                    severity=Severity.ERROR,
                    data=(("domain", dom.id),),
                )
                continue
            for oi, obj in enumerate(dom.objectives):
                if obj.count >= floor:
                    continue
                what = f"objective {obj.id}" if obj.id is not None else f"domain {dom.id}"
                yield Finding(
                    f"{what} ({obj.title}) has {obj.count} drawable question{'s' * (obj.count != 1)}, "
                    f"fewer than {floor}",
                    where=_at(di, oi if obj.id is not None else None),
                    data=(("domain", dom.id), ("objective", obj.id or ""), ("count", str(obj.count))),
                )


class WeightDriftOptions(RuleOptions):
    """Options of QB803."""

    max_drift_pp: float = Field(default=5.0, ge=0, le=100)
    """Largest accepted gap, in percentage points, between a domain's share and its weight."""
    basis: Literal["items", "points"] = "items"
    """Measure shares by number of questions or by their points."""
    include_drafts: bool = False
    """Count ``draft`` and ``review`` questions too."""


class BlueprintWeightDrift(Rule[WeightDriftOptions]):
    """Each domain's share of the bank follows its blueprint weight.

    What it does
        Compares each domain's share of the drawable questions (or of their points, with
        ``basis = "points"``) with its blueprint weight and reports a gap larger than
        ``max-drift-pp`` percentage points (default 5). When the blueprint gives the exam length,
        it also reports a domain with fewer questions than its seats on one full-length form
        (DVA-C02 at 65 questions needs 21/17/15/12).

    Why it matters
        A bank skewed toward one domain over-trains it, and a domain with fewer questions than
        its seats makes a full-length practice test impossible to draw.

    Example
        A DVA-C02 bank where Security (weight 26%) holds 12% of the questions, or 16 Security
        questions when a 65-question form needs 17.

    Use instead
        Write questions for the under-represented domains (``qbank coverage`` lists the gaps),
        or retire surplus ones in the over-represented domains.
    """

    code = "QB803"
    name = "blueprint-weight-drift"
    severity = Severity.WARNING
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[WeightDriftOptions]) -> Any:
        return placement_fact(item.question)

    def judge(self, facts: BankFacts, ctx: RuleContext[WeightDriftOptions]) -> Iterable[Finding]:
        bank = placement_bank(facts, ctx.bank)
        blueprint = bank.blueprint
        if blueprint is None:
            return
        opts = ctx.options
        report = coverage(bank, blueprint, include_drafts=opts.include_drafts)
        shares = {d.id: d.share for d in report.domains}
        if opts.basis == "points":
            shares = _point_shares(bank, opts.include_drafts)
        if report.total:
            for di, dom in enumerate(report.domains):
                share = shares.get(dom.id, 0.0)
                if abs(share - dom.weight) > opts.max_drift_pp:
                    basis = "questions" if opts.basis == "items" else "points"
                    yield Finding(
                        f"domain {dom.id} ({dom.title}) holds {share:.1f}% of the {basis}, its weight "
                        f"is {dom.weight:g}% (drift {share - dom.weight:+.1f} points, limit "
                        f"{opts.max_drift_pp:g})",
                        where=_at(di, field="weight"),
                        data=(("domain", dom.id), ("share", f"{share:.2f}"), ("weight", f"{dom.weight:g}")),
                    )
        if report.length:
            for di, dom in enumerate(report.domains):
                if 0 < dom.count < dom.seats:
                    yield Finding(
                        f"domain {dom.id} ({dom.title}) has {dom.count} drawable questions; a "
                        f"full-length form of {report.length} needs {dom.seats} (short by "
                        f"{dom.seats - dom.count})",
                        where=_at(di),
                        data=(("domain", dom.id), ("seats", str(dom.seats))),
                    )


#: What coverage reads of a question: its type, id, status, domain, objective, difficulty, points
#: and pool.
PlacementFact = tuple[str, str, str, str | None, str | None, str | None, float, str | None]


def placement_fact(question: Question) -> PlacementFact:
    """The fields of ``question`` that blueprint coverage counts."""
    q = question
    return (q.kind, q.id, q.status, q.domain, q.objective, q.difficulty, q.points, q.pool)


def placement_bank(facts: BankFacts, bank: Bank) -> Bank:
    """A bank of stand-ins built from placement facts (only the counted fields are set), with the
    blueprint and pools of ``bank``: coverage is measured on it without the questions' texts."""
    stand_ins: list[Any] = []
    for kind, qid, status, domain, objective, difficulty, points, pool in facts.values:
        stand_ins.append(
            stand_in(
                kind,
                id=qid,
                status=status,
                domain=domain,
                objective=objective,
                difficulty=difficulty,
                points=points,
                pool=pool,
            )
        )
    return Bank(
        questions=stand_ins, blueprint=bank.blueprint, blueprint_path=bank.blueprint_path, pools=bank.pools
    )


def stand_in(kind: str, **fields: Any) -> Question:
    """A question of type ``kind`` with only ``fields`` set (no validation, empty texts): what
    coverage needs to place and count a question without its text."""
    return _empty(kind).model_copy(update=fields)


@cache
def _empty(kind: str) -> Question:
    # model_construct fills every default (slow); copies of one empty question share them
    empty: Question = QUESTION_TYPES[kind].model_construct(id="", stem="")  # type: ignore[assignment]
    return empty


def _at(domain: int, objective: int | None = None, *, field: str | None = None) -> tuple[str | int, ...]:
    """Data path of a domain (or objective) inside the blueprint file: bank findings are placed there."""
    path: tuple[str | int, ...] = ("blueprint", "domains", domain)
    if objective is not None:
        path += ("objectives", objective)
    if field is not None:
        path += (field,)
    return path


def _point_shares(bank: Bank, include_drafts: bool) -> dict[str, float]:
    blueprint = bank.blueprint
    assert blueprint is not None
    points: dict[str, float] = {}
    for question in bank.questions:
        if not drawable(question, include_drafts=include_drafts):
            continue
        where = locate(question, blueprint)
        if isinstance(where, Misplaced):
            continue
        points[where.domain] = points.get(where.domain, 0.0) + question.points
    total = sum(points.values())
    return {k: 100.0 * v / total for k, v in points.items()} if total else {}
