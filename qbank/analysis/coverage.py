"""Bank versus blueprint: where every question sits, and how far the bank is from the outline.

Pure functions over models. :func:`locate` places one question on the blueprint (or says why it
cannot be placed); :func:`apportion` splits a number of seats by weight with the largest-remainder
method; :func:`coverage` counts the bank per domain and objective and works out how many
full-length forms it can supply and how many questions each objective still needs.

How a full-length form is split (the same plan :func:`qbank.analysis.assemble.assemble` draws by):

* the form length (``blueprint.exam.questions``) is split across domains by weight, largest
  remainder first (DVA-C02 at 65 questions: 21/17/15/12);
* each domain's seats are split equally across its objectives; the seats left over by the division
  go to the objectives with the most questions (outline order on ties).

Only questions a form may draw are counted: ``approved`` ones (plus ``draft`` and ``review`` with
``include_drafts``); ``retired`` questions never count. A pool counts as the questions it yields:
``pick`` per form, so its first ``pick x forms`` drawable members (a template's ten variants with
``pick: 1`` count once for one form, twice for two disjoint forms).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, TypeVar

from qbank.core.model import QUESTION_TYPES, Bank, Blueprint, Question

__all__ = [
    "CoverageReport",
    "DomainCoverage",
    "Misplaced",
    "ObjectiveCoverage",
    "Placement",
    "Unplaced",
    "apportion",
    "coverage",
    "coverage_table",
    "drawable",
    "locate",
    "render_text",
]

K = TypeVar("K", bound=Hashable)

DIFFICULTIES = ("easy", "medium", "hard")
UNSET = "unset"


# ---------------------------------------------------------------------------------------------- placement


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a question sits on a blueprint.

    ``objective`` is ``None`` only for a domain that has no objectives in the blueprint.
    """

    domain: str
    objective: str | None


@dataclass(frozen=True, slots=True)
class Misplaced:
    """Why a question cannot be placed on a blueprint, and which field is at fault."""

    message: str
    field: str | None
    """``"domain"`` or ``"objective"``; ``None`` when both are missing."""


def locate(question: Question, blueprint: Blueprint) -> Placement | Misplaced:
    """Place ``question`` on ``blueprint``: its objective must exist and belong to its domain.

    A question needs an objective unless its domain has none in the blueprint; ``domain`` may be
    left out when ``objective`` is given (the objective implies it).
    """
    domains = {d.id: d for d in blueprint.domains}
    objective, domain = question.objective, question.domain
    if objective is not None:
        owner = blueprint.domain_of(objective)
        if owner is None:
            known = ", ".join(o.id for _, o in blueprint.objectives()) or "none"
            return Misplaced(
                f"unknown objective {objective!r}: blueprint {blueprint.id!r} has objectives {known}",
                "objective",
            )
        if domain is not None and domain != owner.id:
            if domain not in domains:
                return Misplaced(_unknown_domain(domain, blueprint), "domain")
            return Misplaced(
                f"objective {objective!r} belongs to domain {owner.id!r}, not to domain {domain!r}",
                "domain",
            )
        return Placement(owner.id, objective)
    if domain is None:
        return Misplaced("no domain or objective: the question cannot be placed on the blueprint", None)
    found = domains.get(domain)
    if found is None:
        return Misplaced(_unknown_domain(domain, blueprint), "domain")
    if found.objectives:
        ids = ", ".join(o.id for o in found.objectives)
        return Misplaced(f"no objective: domain {domain!r} has objectives {ids}", "domain")
    return Placement(domain, None)


def _unknown_domain(domain: str, blueprint: Blueprint) -> str:
    known = ", ".join(d.id for d in blueprint.domains)
    return f"unknown domain {domain!r}: blueprint {blueprint.id!r} has domains {known}"


def drawable(question: Question, *, include_drafts: bool = False) -> bool:
    """Whether a form may draw the question: approved (draft and review with ``include_drafts``)."""
    if question.status == "approved":
        return True
    return include_drafts and question.status in ("draft", "review")


# ---------------------------------------------------------------------------------------------- apportionment


def apportion(
    total: int,
    weights: Mapping[K, float],
    *,
    prefer: Mapping[K, float] | None = None,
) -> dict[K, int]:
    """Split ``total`` seats across ``weights`` with the largest-remainder (Hamilton) method.

    Each key gets the whole part of its exact quota ``total * weight / sum(weights)``; the seats
    left go to the largest fractional parts. Ties go to the larger ``prefer`` value, then to the
    earlier key. All-zero weights count as equal weights. Every key's seats are within 1 of its
    quota and the seats sum to ``total``.

    >>> apportion(65, {"1": 32, "2": 26, "3": 24, "4": 18})
    {'1': 21, '2': 17, '3': 15, '4': 12}
    """
    if total < 0:
        raise ValueError(f"cannot apportion a negative number of seats ({total})")
    keys = list(weights)
    if not keys:
        if total:
            raise ValueError("cannot apportion seats across nothing")
        return {}
    exact = {k: Fraction(weights[k]) for k in keys}
    if any(w < 0 for w in exact.values()):
        raise ValueError("weights must not be negative")
    whole = sum(exact.values(), Fraction(0))
    if whole == 0:
        exact = dict.fromkeys(keys, Fraction(1))
        whole = Fraction(len(keys))
    quotas = {k: total * exact[k] / whole for k in keys}
    seats = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(seats.values())
    rank = {k: i for i, k in enumerate(keys)}
    order = sorted(
        keys,
        key=lambda k: (-(quotas[k] - seats[k]), -(prefer[k] if prefer else 0), rank[k]),
    )
    for k in order[:left]:
        seats[k] += 1
    return seats


def fill(
    seats: int,
    target: Mapping[K, int],
    capacity: Mapping[K, int],
    *,
    base: Mapping[K, int] | None = None,
) -> dict[K, int]:
    """Hand out ``seats`` within ``capacity``, as close to ``target`` as capacity allows.

    ``base`` holds seats each key already has (they count toward its target). Each key first
    gets what it still lacks of its target, up to its capacity; seats that could not be given
    that way then go, one at a time, to the key furthest below its target (fewest seats, most
    spare capacity, key order on ties). The result sums to less than ``seats`` only when the
    capacity runs out.
    """
    base = base or {}
    keys = list(dict.fromkeys([*capacity, *target]))
    order = {k: i for i, k in enumerate(keys)}

    def cap(k: K) -> int:
        return max(capacity.get(k, 0), 0)

    alloc = {k: min(max(target.get(k, 0) - base.get(k, 0), 0), cap(k)) for k in keys}

    def standing(k: K) -> tuple[int, int]:
        held = base.get(k, 0) + alloc[k]
        return held - target.get(k, 0), held

    over = sum(alloc.values()) - seats
    while over > 0:
        k = max((k for k in keys if alloc[k] > 0), key=lambda k: (*standing(k), order[k]))
        alloc[k] -= 1
        over -= 1
    missing = seats - sum(alloc.values())
    while missing > 0:
        spare = [k for k in keys if cap(k) - alloc[k] > 0]
        if not spare:
            break
        k = min(spare, key=lambda k: (*standing(k), -(cap(k) - alloc[k]), order[k]))
        alloc[k] += 1
        missing -= 1
    return alloc


# ---------------------------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class ObjectiveCoverage:
    """Questions on one objective (``id`` is ``None`` for a domain without objectives)."""

    id: str | None
    title: str
    domain: str
    count: int
    share: float
    """Percent of the placed questions."""
    by_type: dict[str, int]
    by_difficulty: dict[str, int]
    seats: int
    """Seats of the objective on one full-length form (0 when the length is unknown)."""
    forms: int | None
    """Full-length forms this objective can fill at its seats without reuse (``None``: no seats)."""
    needed: int
    """More questions the objective needs for the target number of forms."""


@dataclass(frozen=True)
class DomainCoverage:
    """Questions in one domain and in each of its objectives."""

    id: str
    title: str
    weight: float
    count: int
    share: float
    """Percent of the placed questions."""
    drift: float
    """``share - weight`` in percentage points."""
    by_type: dict[str, int]
    by_difficulty: dict[str, int]
    seats: int
    """Seats of the domain on one full-length form."""
    forms: int | None
    needed: int
    """More questions the domain needs for the target number of forms."""
    objectives: tuple[ObjectiveCoverage, ...]


@dataclass(frozen=True)
class Unplaced:
    """A drawable question that could not be placed on the blueprint."""

    question_id: str
    problem: str


@dataclass(frozen=True)
class CoverageReport:
    """The bank measured against a blueprint (see :func:`coverage`)."""

    blueprint_id: str
    blueprint_title: str
    length: int | None
    """Questions on a full-length form (``None`` when the blueprint gives no exam length)."""
    target_forms: int
    """The number of forms the ``needed`` figures are for."""
    total: int
    """Drawable questions placed on the blueprint."""
    domains: tuple[DomainCoverage, ...]
    full_forms: int | None
    """Full-length forms the bank can supply without reusing a question, every domain at its
    weight and seats moved between the objectives of a domain where one runs short (what
    ``qbank assemble --forms K`` draws without overlap)."""
    balanced_forms: int | None
    """Full-length forms with every objective at its equal share as well."""
    unplaced: tuple[Unplaced, ...] = ()
    excluded: dict[str, int] = field(default_factory=dict)
    """Questions not counted, by status (``retired``; ``draft`` and ``review`` unless included),
    and under ``pool`` the members of a pool beyond the ``pick`` per form it yields to the forms asked for."""
    by_type: dict[str, int] = field(default_factory=dict)
    by_difficulty: dict[str, int] = field(default_factory=dict)
    include_drafts: bool = False

    @property
    def needed(self) -> int:
        """Questions still to write so that every objective has its seats on the target forms."""
        return sum(o.needed for d in self.domains for o in d.objectives)

    def objective(self, objective_id: str) -> ObjectiveCoverage:
        """The coverage of one objective (``KeyError`` when unknown)."""
        for dom in self.domains:
            for obj in dom.objectives:
                if obj.id == objective_id:
                    return obj
        raise KeyError(objective_id)

    def domain(self, domain_id: str) -> DomainCoverage:
        """The coverage of one domain (``KeyError`` when unknown)."""
        for dom in self.domains:
            if dom.id == domain_id:
                return dom
        raise KeyError(domain_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (``qbank coverage --format json``)."""
        return {
            "version": 1,
            "blueprint": {"id": self.blueprint_id, "title": self.blueprint_title},
            "length": self.length,
            "target_forms": self.target_forms,
            "total": self.total,
            "full_forms": self.full_forms,
            "balanced_forms": self.balanced_forms,
            "needed": self.needed,
            "include_drafts": self.include_drafts,
            "by_type": self.by_type,
            "by_difficulty": self.by_difficulty,
            "excluded": self.excluded,
            "unplaced": [{"question_id": u.question_id, "problem": u.problem} for u in self.unplaced],
            "domains": [
                {
                    "id": d.id,
                    "title": d.title,
                    "weight": d.weight,
                    "count": d.count,
                    "share": round(d.share, 2),
                    "drift": round(d.drift, 2),
                    "seats": d.seats,
                    "forms": d.forms,
                    "needed": d.needed,
                    "by_type": d.by_type,
                    "by_difficulty": d.by_difficulty,
                    "objectives": [
                        {
                            "id": o.id,
                            "title": o.title,
                            "count": o.count,
                            "share": round(o.share, 2),
                            "seats": o.seats,
                            "forms": o.forms,
                            "needed": o.needed,
                            "by_type": o.by_type,
                            "by_difficulty": o.by_difficulty,
                        }
                        for o in d.objectives
                    ],
                }
                for d in self.domains
            ],
        }


def _tally(values: Iterable[str], order: Sequence[str]) -> dict[str, int]:
    counts = Counter(values)
    keys = [k for k in order if counts[k]] + sorted(k for k in counts if k not in order)
    return {k: counts[k] for k in keys}


def _types(questions: Sequence[Question]) -> dict[str, int]:
    return _tally((q.kind for q in questions), tuple(QUESTION_TYPES))


def _difficulties(questions: Sequence[Question]) -> dict[str, int]:
    return _tally((q.difficulty or UNSET for q in questions), (*DIFFICULTIES, UNSET))


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def objective_seats(seats: int, supply: Mapping[K, float]) -> dict[K, int]:
    """A domain's ``seats`` split equally across its objectives (keys of ``supply``, in outline
    order); the seats the division leaves go to the objectives with the largest supply."""
    return apportion(seats, dict.fromkeys(supply, 1), prefer={k: float(v) for k, v in supply.items()})


Bucket = tuple[str, str | None]
"""A domain id and one of its objective ids (``None`` for a domain without objectives)."""


def _with_form_counts(
    domains: list[DomainCoverage],
    unpooled: dict[Bucket, int],
    members: dict[str, list[Bucket]],
    picks: dict[str, int],
    seats: dict[Bucket, int],
) -> list[DomainCoverage]:
    """Each domain's and objective's ``forms``: the most disjoint full-length forms it can fill.

    Without pools that is ``count // seats``. A pool gives ``pick`` questions to each form, so
    ``k`` forms may use its first ``pick x k`` members: the forms are counted up one at a time,
    adding each pool's next members, until the supply runs short (or every pool is used up).
    """
    count = Counter(unpooled)
    fills: dict[Bucket | str, int | None] = {}
    alive: dict[Bucket | str, tuple[list[Bucket], int]] = {}
    for dom in domains:
        parts = [(dom.id, o.id) for o in dom.objectives]
        figures: list[tuple[Bucket | str, list[Bucket], int]] = [(p, [p], seats.get(p, 0)) for p in parts]
        figures.append((dom.id, parts, dom.seats))
        for key, keys, need in figures:
            fills[key] = 0 if need else None
            if need:
                alive[key] = (keys, need)
    used = dict.fromkeys(members, 0)  # members of each pool counted so far
    k = 0
    while alive:
        k += 1
        for name, start in used.items():
            stop = min(len(members[name]), picks[name] * k)
            count.update(members[name][start:stop])
            used[name] = stop
        for key, (keys, need) in list(alive.items()):
            if sum(count[p] for p in keys) >= k * need:
                fills[key] = k
            else:
                del alive[key]
    out: list[DomainCoverage] = []
    for dom in domains:
        objectives = tuple(replace(o, forms=fills[(dom.id, o.id)]) for o in dom.objectives)
        out.append(replace(dom, forms=fills[dom.id], objectives=objectives))
    return out


def coverage(
    bank: Bank,
    blueprint: Blueprint | None = None,
    *,
    forms: int = 1,
    length: int | None = None,
    include_drafts: bool = False,
) -> CoverageReport:
    """Measure ``bank`` against ``blueprint`` (default: the bank's own blueprint).

    ``length`` is the full-length form size (default ``blueprint.exam.questions``); ``forms`` is
    the number of full-length forms the ``needed`` figures are computed for. Raises
    :class:`ValueError` when there is no blueprint or an argument is out of range.
    """
    blueprint = blueprint or bank.blueprint
    if blueprint is None:
        raise ValueError("no blueprint: coverage needs one")
    if forms < 1:
        raise ValueError(f"forms must be at least 1, got {forms}")
    if length is None and blueprint.exam is not None:
        length = blueprint.exam.questions
    if length is not None and length < 1:
        raise ValueError(f"length must be at least 1, got {length}")

    buckets: dict[tuple[str, str | None], list[Question]] = {}
    for dom in blueprint.domains:
        ids: list[str | None] = [o.id for o in dom.objectives] or [None]
        for obj_id in ids:
            buckets[(dom.id, obj_id)] = []
    excluded: Counter[str] = Counter()
    unplaced: list[Unplaced] = []
    placed: list[Question] = []
    taken: Counter[str] = Counter()
    members: dict[str, list[Bucket]] = defaultdict(list)
    """Where each pool's placed members sit, in bank order (for the forms the bank can fill)."""
    for question in bank.questions:
        if not drawable(question, include_drafts=include_drafts):
            excluded[question.status] += 1
            continue
        where = locate(question, blueprint)
        if isinstance(where, Misplaced):
            unplaced.append(Unplaced(question.id, where.message))
            continue
        bucket = (where.domain, where.objective)
        pool = bank.pools.get(question.pool) if question.pool is not None else None
        if pool is not None:
            members[question.pool or ""].append(bucket)
            # a pool yields `pick` questions per form: the others are alternatives, not supply
            if taken[question.pool or ""] >= pool.pick * forms:
                excluded["pool"] += 1
                continue
            taken[question.pool or ""] += 1
        buckets[bucket].append(question)
        placed.append(question)

    total = len(placed)
    domain_seats = apportion(length, {d.id: d.weight for d in blueprint.domains}) if length else {}
    unpooled = {k: len(qs) - sum(1 for q in qs if q.pool in members) for k, qs in buckets.items()}
    picks = {name: bank.pools[name].pick for name in members}
    all_seats: dict[Bucket, int] = {}
    domains: list[DomainCoverage] = []
    for dom in blueprint.domains:
        keys = [k for k in buckets if k[0] == dom.id]
        supply = {k: len(buckets[k]) for k in keys}
        d_seats = domain_seats.get(dom.id, 0)
        seats = objective_seats(d_seats, supply)
        all_seats.update(seats)
        titles = {o.id: o.title for o in dom.objectives}
        objectives = []
        for key in keys:
            qs = buckets[key]
            objectives.append(
                ObjectiveCoverage(
                    id=key[1],
                    title=titles.get(key[1] or "", dom.title),
                    domain=dom.id,
                    count=len(qs),
                    share=_percent(len(qs), total),
                    by_type=_types(qs),
                    by_difficulty=_difficulties(qs),
                    seats=seats[key],
                    forms=None,
                    needed=max(0, forms * seats[key] - len(qs)),
                )
            )
        in_domain = [q for k in keys for q in buckets[k]]
        share = _percent(len(in_domain), total)
        domains.append(
            DomainCoverage(
                id=dom.id,
                title=dom.title,
                weight=dom.weight,
                count=len(in_domain),
                share=share,
                drift=share - dom.weight,
                by_type=_types(in_domain),
                by_difficulty=_difficulties(in_domain),
                seats=d_seats,
                forms=None,
                needed=max(0, forms * d_seats - len(in_domain)),
                objectives=tuple(objectives),
            )
        )

    domains = _with_form_counts(domains, unpooled, members, picks, all_seats)
    full_forms = balanced = None
    if length:
        full_forms = min((d.forms for d in domains if d.forms is not None), default=0)
        balanced = min((o.forms for d in domains for o in d.objectives if o.forms is not None), default=0)
        balanced = min(balanced, full_forms)
    return CoverageReport(
        blueprint_id=blueprint.id,
        blueprint_title=blueprint.title,
        length=length,
        target_forms=forms,
        total=total,
        domains=tuple(domains),
        full_forms=full_forms,
        balanced_forms=balanced,
        unplaced=tuple(unplaced),
        excluded=dict(sorted(excluded.items())),
        by_type=_types(placed),
        by_difficulty=_difficulties(placed),
        include_drafts=include_drafts,
    )


# ---------------------------------------------------------------------------------------------- text


def _short_types(by_type: Mapping[str, int]) -> str:
    abbrev = {
        "single_choice": "sc",
        "multiple_response": "mr",
        "true_false": "tf",
        "short_answer": "sa",
        "numerical": "num",
        "matching": "match",
        "ordering": "order",
        "essay": "essay",
        "cloze": "cloze",
    }
    return " ".join(f"{abbrev.get(k, k)}:{v}" for k, v in by_type.items()) or "-"


def _difficulty_cell(by_difficulty: Mapping[str, int]) -> str:
    cells = [str(by_difficulty.get(k, 0)) for k in DIFFICULTIES]
    unset = by_difficulty.get(UNSET, 0)
    return "/".join(cells) + (f" (+{unset} unset)" if unset else "")


def coverage_table(report: CoverageReport) -> tuple[list[str], list[list[str]]]:
    """Column headers and rows of the coverage table (domains, each followed by its objectives);
    the text report and the terminal table both render these."""
    need = f"need for {report.target_forms}"
    headers = ["id", "title", "weight", "count", "share", "drift", "seats", need, "types", "e/m/h"]
    rows: list[list[str]] = []
    for dom in report.domains:
        rows.append(
            [
                dom.id,
                dom.title,
                f"{dom.weight:g}%",
                str(dom.count),
                f"{dom.share:.1f}%",
                f"{dom.drift:+.1f}",
                str(dom.seats) if report.length else "-",
                str(dom.needed) if report.length else "-",
                _short_types(dom.by_type),
                _difficulty_cell(dom.by_difficulty),
            ]
        )
        for obj in dom.objectives:
            if obj.id is None:
                continue
            rows.append(
                [
                    f"  {obj.id}",
                    f"  {obj.title}",
                    "",
                    str(obj.count),
                    f"{obj.share:.1f}%",
                    "",
                    str(obj.seats) if report.length else "-",
                    str(obj.needed) if report.length else "-",
                    _short_types(obj.by_type),
                    _difficulty_cell(obj.by_difficulty),
                ]
            )
    return headers, rows


def summary_lines(report: CoverageReport) -> list[str]:
    """The sentences printed under the table: forms supported, questions needed, what was left out."""
    lines = [f"{report.total} questions placed on blueprint {report.blueprint_id!r}."]
    if report.length:
        lines.append(
            f"Full-length forms ({report.length} questions) the bank can supply without reusing a "
            f"question: {report.full_forms} ({report.balanced_forms} with every objective at its share)."
        )
        plural = "s" if report.target_forms != 1 else ""
        lines.append(
            f"Questions needed for {report.target_forms} full-length form{plural} "
            f"with every objective at its share: {report.needed}."
        )
    else:
        lines.append("The blueprint gives no exam length: form figures are not computed.")
    if report.excluded:
        parts = ", ".join(
            f"{n} beyond their pool's pick" if status == "pool" else f"{n} {status}"
            for status, n in report.excluded.items()
        )
        hint = "" if report.include_drafts else " (drafts count with --include-drafts)"
        lines.append(f"Not counted: {parts}{hint}.")
    for item in report.unplaced:
        lines.append(f"Not placed: {item.question_id}: {item.problem}.")
    return lines


def render_text(report: CoverageReport) -> str:
    """The coverage report as a plain-text table followed by the summary lines."""
    headers, rows = coverage_table(report)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    title_width = min(widths[1], 48)
    widths[1] = title_width
    numeric = {2, 3, 4, 5, 6, 7}

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == 1 and len(cell) > title_width:
                cell = cell[: title_width - 1] + "…"
            out.append(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    text = [f"{report.blueprint_title} ({report.blueprint_id})", "", line(headers)]
    text.append("  ".join("-" * w for w in widths))
    text.extend(line(r) for r in rows)
    text.append("")
    text.extend(summary_lines(report))
    return "\n".join(text) + "\n"
