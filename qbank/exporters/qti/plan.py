"""The test of a QTI or Canvas package: sections by domain, random draws, time limit, passing score."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from qbank.analysis.coverage import apportion
from qbank.core.model import Bank, Question
from qbank.core.pools import PoolGroup, capacity, pool_groups
from qbank.interchange.qti import GENERAL_SECTION_TITLE, section_title

__all__ = ["PlannedSection", "TestPlan", "plan_test"]


@dataclass
class PlannedSection:
    """A section of the test: the questions of one domain (or of no domain)."""

    identifier: str
    title: str
    domain: str | None
    questions: list[Question]
    select: int | None = None
    """How many questions a session draws from this section (``None``: all of them)."""
    pools: dict[str, PoolGroup] = field(default_factory=dict)
    """Pools among ``questions``: each becomes a sub-section that draws its ``pick``."""


@dataclass
class TestPlan:
    """The assessment: title, identifier, time limit and sections."""

    identifier: str
    title: str
    time_limit_minutes: int | None
    sections: list[PlannedSection]
    passing_score: float | None = None
    """Percent of the points needed to pass (the form's, else the blueprint exam's)."""
    pools: dict[str, PoolGroup] = field(default_factory=dict)
    """Every pool of the test (its questions sit in the section of its first question)."""

    @property
    def drawn(self) -> bool:
        """Whether any section draws a random subset."""
        return any(s.select is not None for s in self.sections)


def _quotas(total: int, weights: dict[str, float], available: dict[str, int]) -> dict[str, int]:
    """Split ``total`` by weight (largest remainder), each share capped by what a domain holds."""
    if sum(weights.values()) <= 0:
        return dict(available)
    shares = apportion(total, weights)
    return {d: min(shares.get(d, 0), available[d]) for d in available}


def plan_test(bank: Bank, questions: Sequence[Question]) -> TestPlan:
    """Group questions into sections by domain and decide the random draws and the time limit.

    * Sections follow the blueprint's domain order; domains the blueprint does not know follow,
      sorted by id; questions without a domain form a last ``General`` section.
    * An assembled form (``bank.form``) keeps all its questions unless a blueprint is known and the
      form asks for fewer questions than the bank holds: then each domain section draws its share
      of ``form.count`` by the blueprint weights. Without a form, a bank with a blueprint whose
      ``exam.questions`` is smaller than the bank draws the exam's length the same way.
    * Time limit: the form's ``time_limit``; without a form, the blueprint exam's minutes when the
      test draws an exam-length form.
    * Pools (not in a form, which fixes its questions) sit whole in the section of their first
      question and count as the ``pick`` questions they yield when draws are sized.
    """
    blueprint = bank.blueprint
    form = bank.form
    pools = pool_groups(bank, questions) if form is None else {}
    home: dict[str, str | None] = {}
    by_domain: dict[str | None, list[Question]] = {}
    for q in questions:
        where = bank.domain_of(q)
        if q.pool in pools:
            where = home.setdefault(q.pool, where)
        by_domain.setdefault(where, []).append(q)
    titles: dict[str, str] = {}
    order: list[str] = []
    weights: dict[str, float] = {}
    if blueprint is not None:
        for dom in blueprint.domains:
            titles[dom.id] = dom.title
            weights[dom.id] = dom.weight
            if dom.id in by_domain:
                order.append(dom.id)
    order += sorted(d for d in by_domain if d is not None and d not in titles)

    total: int | None = None
    chosen = [d for d in order if d in weights]
    if form is not None:
        if form.domains:
            chosen = [d for d in chosen if d in form.domains]
        if blueprint is not None and form.count < len(questions):
            total = form.count
    elif blueprint is not None and blueprint.exam is not None:
        in_blueprint = sum(capacity(by_domain[d], pools) for d in chosen)
        if blueprint.exam.questions < in_blueprint:
            total = blueprint.exam.questions
    quotas: dict[str, int] = {}
    if total is not None and chosen:
        quotas = _quotas(
            total, {d: weights[d] for d in chosen}, {d: capacity(by_domain[d], pools) for d in chosen}
        )

    sections: list[PlannedSection] = []
    for index, dom_id in enumerate(order, start=1):
        qs = by_domain[dom_id]
        select = quotas.get(dom_id)
        if total is not None and dom_id not in quotas:
            select = 0 if dom_id in weights else None
        here = {name: g for name, g in pools.items() if home.get(name) == dom_id}
        if select is not None and select >= capacity(qs, pools):
            select = None
        title = section_title(dom_id, titles.get(dom_id))
        sections.append(PlannedSection(f"D{index}", title, dom_id, qs, select, here))
    sections = [s for s in sections if s.select != 0]
    if None in by_domain:
        here = {name: g for name, g in pools.items() if home.get(name) is None}
        sections.append(PlannedSection("GENERAL", GENERAL_SECTION_TITLE, None, by_domain[None], None, here))

    drawn = any(s.select is not None for s in sections)
    if form is not None:
        title, minutes = form.title, form.time_limit
    else:
        title = blueprint.title if blueprint is not None else "qbank export"
        exam = blueprint.exam if blueprint is not None else None
        minutes = exam.minutes if drawn and exam is not None else None
    digest = hashlib.sha256("\0".join([title, *(q.id for q in questions)]).encode()).hexdigest()[:12]
    exam = blueprint.exam if blueprint is not None else None
    passing = form.passing_score if form is not None and form.passing_score is not None else None
    if passing is None and exam is not None:
        passing = exam.passing_score
    return TestPlan(f"T_{digest}", title, minutes, sections, passing, pools)
