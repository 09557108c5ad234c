"""Practice-test assembly: forms drawn from a bank by blueprint weights.

:func:`assemble` is a pure function over models (randomness comes only from
``random.Random(seed)``; when no seed is given one is drawn and recorded in the form header, so
every form can be drawn again).

How a form of ``count`` questions is planned:

1. ``count`` is split across the chosen domains by weight, largest remainder first (so every
   domain's seats are within 1 of its weighted share; DVA-C02 at 65: 21/17/15/12).
2. Each domain's seats are split equally across its chosen objectives; the seats the division
   leaves go to the objectives with the most eligible questions. This is the *equal share*
   choice: the outline says what a domain covers, not how much of each task, and an equal split
   is what an author can plan for (``qbank coverage`` reports the same seats).
3. An objective that has fewer eligible questions than seats (or, on later forms, fewer unused
   ones) gives its missing seats to the other objectives of the same domain, to the one holding
   the fewest seats first. Domain weights are never bent: a domain that cannot fill its seats is a
   :class:`Shortfall` and no form is drawn.

Choosing questions: eligible questions are ``approved`` ones (``draft`` and ``review`` too with
``include_drafts``; ``retired`` never) that match the type and difficulty filters. Within an
objective the least-used questions come first (so ``forms=K`` gives forms with minimal overlap:
none while the bank has enough questions), in seeded random order; two *enemies* (questions that
must not appear together: by default every duplicate pair that ``qbank dupes`` reports with the
configuration's ``[tool.qbank.dupes]`` settings, and pairs where one question's stem or explanation
states the other's key; see :func:`qbank.analysis.dupes.enemy_pairs`) never share a form, and a pool
(``pool:``, every template's variants) puts at most its ``pick`` questions on a form; among equally used
candidates, a question whose choices are not shuffled (``shuffle: false``) is preferred when its
key sits at a position that is less common on the form so far, which spreads key positions.
The questions of a form are finally shuffled with the same generator.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Literal

from qbank.analysis.coverage import Misplaced, apportion, drawable, fill, locate, objective_seats
from qbank.core.config import Config
from qbank.core.model import QUESTION_TYPES, Bank, Blueprint, Form, Question, SingleChoice

__all__ = [
    "AssembledForm",
    "AssemblyError",
    "AssemblyResult",
    "BalanceReport",
    "Shortfall",
    "assemble",
    "balance_difficulty",
    "default_time_limit",
    "form_overlap",
]

Bucket = tuple[str, str | None]
"""(domain id, objective id); the objective is ``None`` for a domain without objectives."""

DIFFICULTIES = ("easy", "medium", "hard")


class AssemblyError(ValueError):
    """The request itself is invalid (unknown domain or objective, count below 1 ...)."""


@dataclass(frozen=True)
class Shortfall:
    """A domain (``objective=None``) or objective that cannot fill its seats."""

    domain: str
    objective: str | None
    needed: int
    """Seats to fill on one form."""
    available: int
    """Eligible questions (after the status, type and difficulty filters; a pool counts its ``pick``)."""
    reason: Literal["supply", "enemies"] = "supply"
    """``supply``: too few eligible questions; ``enemies``: too few that are not duplicates of
    questions already on the form."""
    held_back: int = 0
    """Eligible questions not counted because their pool's ``pick`` is reached on one form."""

    @property
    def short(self) -> int:
        """How many questions are missing."""
        return max(0, self.needed - self.available)

    def __str__(self) -> str:
        what = f"objective {self.objective}" if self.objective is not None else f"domain {self.domain}"
        if self.reason == "enemies":
            return (
                f"{what}: needs {self.needed}, only {self.available} can share a form "
                f"(the others duplicate questions already drawn, or their pool's pick is reached): "
                f"short by {self.short}"
            )
        held = f" ({self.held_back} more beyond their pool's pick)" if self.held_back else ""
        return f"{what}: needs {self.needed}, {self.available} eligible{held}: short by {self.short}"


@dataclass(frozen=True)
class AssembledForm:
    """One drawn form: its header and its questions in delivery order."""

    form: Form
    questions: tuple[Question, ...]
    by_domain: dict[str, int]
    by_objective: dict[str, int]
    """Questions per objective (domains without objectives are keyed by the domain id)."""
    key_positions: dict[int, int] = field(default_factory=dict)
    """0-based key position -> count, over single-choice questions with ``shuffle: false``."""


@dataclass(frozen=True)
class AssemblyResult:
    """What :func:`assemble` drew, or why it could not."""

    forms: tuple[AssembledForm, ...]
    shortfalls: tuple[Shortfall, ...]
    seed: int
    """The seed used (the one given, or the one drawn)."""
    plan: dict[str, int]
    """Seats per chosen domain on each form."""
    notes: tuple[str, ...] = ()
    """Seats moved between objectives because one ran short, and similar remarks."""
    reused: int = 0
    """Questions that appear on more than one form."""

    @property
    def ok(self) -> bool:
        """Whether every requested form was drawn."""
        return not self.shortfalls and bool(self.forms)


# ---------------------------------------------------------------------------------------------- helpers


def default_time_limit(blueprint: Blueprint, count: int) -> int | None:
    """The exam's minutes scaled to ``count`` questions, rounded up (``None``: no exam time)."""
    exam = blueprint.exam
    if exam is None or exam.minutes is None:
        return None
    return -(-exam.minutes * count // exam.questions)


def _fixed_key(question: Question) -> tuple[int, int] | None:
    """(key position, choice count) of a single-choice question whose choices stay in order."""
    if isinstance(question, SingleChoice) and not question.shuffle:
        return question.keys[0], len(question.choices)
    return None


def _choose(
    blueprint: Blueprint, domains: Sequence[str], objectives: Sequence[str]
) -> dict[str, list[Bucket]]:
    """The buckets to draw from, per domain in outline order.

    Listed objectives narrow their own domain; a listed domain none of whose objectives is listed
    is taken whole; with no filter every domain is taken whole.
    """
    known = {d.id: d for d in blueprint.domains}
    for dom_id in domains:
        if dom_id not in known:
            raise AssemblyError(f"unknown domain {dom_id!r}: blueprint has {', '.join(known)}")
    narrowed: dict[str, list[str]] = defaultdict(list)
    for obj_id in objectives:
        owner = blueprint.domain_of(obj_id)
        if owner is None:
            ids = ", ".join(o.id for _, o in blueprint.objectives())
            raise AssemblyError(f"unknown objective {obj_id!r}: blueprint has {ids}")
        if obj_id not in narrowed[owner.id]:
            narrowed[owner.id].append(obj_id)
    wanted = set(domains) | set(narrowed)
    chosen: dict[str, list[Bucket]] = {}
    for dom in blueprint.domains:
        if wanted and dom.id not in wanted:
            continue
        if dom.id in narrowed:
            picked = set(narrowed[dom.id])
            chosen[dom.id] = [(dom.id, o.id) for o in dom.objectives if o.id in picked]
        elif dom.objectives:
            chosen[dom.id] = [(dom.id, o.id) for o in dom.objectives]
        else:
            chosen[dom.id] = [(dom.id, None)]
    return chosen


def _validate(
    count: int, forms: int, types: Sequence[str], difficulties: Sequence[str], time_limit: object
) -> None:
    if count < 1:
        raise AssemblyError(f"count must be at least 1, got {count}")
    if forms < 1:
        raise AssemblyError(f"forms must be at least 1, got {forms}")
    for kind in types:
        if kind not in QUESTION_TYPES:
            raise AssemblyError(f"unknown question type {kind!r}: choose from {', '.join(QUESTION_TYPES)}")
    for level in difficulties:
        if level not in DIFFICULTIES:
            raise AssemblyError(f"unknown difficulty {level!r}: choose from {', '.join(DIFFICULTIES)}")
    if isinstance(time_limit, int) and time_limit < 1:
        raise AssemblyError(f"time limit must be at least 1 minute, got {time_limit}")


def _form_supply(questions: Iterable[Question], picks: dict[str, int]) -> int:
    """How many of ``questions`` one form can hold: a pool (``picks``: name -> pick) gives at most
    its ``pick``."""
    count = 0
    pooled: Counter[str] = Counter()
    for q in questions:
        if q.pool is not None and q.pool in picks:
            pooled[q.pool] += 1
        else:
            count += 1
    return count + sum(min(n, picks[name]) for name, n in pooled.items())


class _Drawer:
    """Draws one form at a time, remembering how often each question was used."""

    def __init__(
        self,
        pool: dict[Bucket, list[Question]],
        enemies: dict[str, set[str]],
        rng: random.Random,
        picks: dict[str, int] | None = None,
    ) -> None:
        self.pool = pool
        self.enemies = enemies
        self.rng = rng
        self.picks = picks or {}
        """Most questions of each pool on one form (the pool's ``pick``)."""
        self.uses: Counter[str] = Counter()

    def _pool_full(self, question: Question, on_form: dict[str, Question]) -> bool:
        name = question.pool
        if name is None or name not in self.picks:
            return False
        return sum(1 for q in on_form.values() if q.pool == name) >= self.picks[name]

    def _supply(self, bucket: Bucket, *, fresh: bool) -> int:
        questions = self.pool[bucket]
        return _form_supply([q for q in questions if not self.uses[q.id]] if fresh else questions, self.picks)

    def _candidates(self, bucket: Bucket) -> list[Question]:
        order = list(self.pool[bucket])
        self.rng.shuffle(order)
        # stable: random order within a use count; pooled questions first, since a form that
        # draws none of a pool's questions leaves its share of the pool unused for good
        order.sort(key=lambda q: (self.uses[q.id], q.pool not in self.picks))
        return order

    def _take(
        self,
        candidates: list[Question],
        wanted: int,
        on_form: dict[str, Question],
        positions: Counter[int],
    ) -> list[Question]:
        taken: list[Question] = []
        while len(taken) < wanted:
            free = [
                q
                for q in candidates
                if q.id not in on_form
                and not (self.enemies.get(q.id, set()) & on_form.keys())
                and not self._pool_full(q, on_form)
            ]
            if not free:
                break
            least = self.uses[free[0].id]
            tier = [q for q in free if self.uses[q.id] == least]
            best = min(tier, key=lambda q: self._position_cost(q, positions))
            on_form[best.id] = best
            fixed = _fixed_key(best)
            if fixed is not None:
                positions[fixed[0]] += 1
            taken.append(best)
        return taken

    @staticmethod
    def _position_cost(question: Question, positions: Counter[int]) -> int:
        fixed = _fixed_key(question)
        if fixed is None:
            return 0
        key, size = fixed
        return positions[key] - min(positions[p] for p in range(size))

    def draw(self, plan: dict[str, int], chosen: dict[str, list[Bucket]]) -> _Draw:
        """One form: each domain's seats split equally across its objectives (leftover seats to
        those with the most unused questions), then moved where unused questions run out."""
        on_form: dict[str, Question] = {}
        positions: Counter[int] = Counter()
        shortfalls: list[Shortfall] = []
        drawn: dict[Bucket, int] = {}
        targets: dict[Bucket, int] = {}
        for dom_id, buckets in chosen.items():
            seats = plan[dom_id]
            fresh = {b: self._supply(b, fresh=True) for b in buckets}
            supply = {b: self._supply(b, fresh=False) for b in buckets}
            scale = 1 + max(supply.values())
            target = objective_seats(seats, {b: fresh[b] + supply[b] / scale for b in buckets})
            targets.update(target)
            alloc = fill(seats, target, fresh)
            missing = seats - sum(alloc.values())
            if missing:
                rest = fill(missing, target, {b: supply[b] - alloc[b] for b in buckets}, base=alloc)
                alloc = {b: alloc[b] + rest[b] for b in buckets}
            candidates = {b: self._candidates(b) for b in buckets}
            got = {b: len(self._take(candidates[b], alloc[b], on_form, positions)) for b in buckets}
            missing = seats - sum(got.values())
            # enemies can leave an objective short: the rest of the domain covers for it
            for bucket in sorted(buckets, key=lambda b: got[b]):
                if not missing:
                    break
                extra = len(self._take(candidates[bucket], missing, on_form, positions))
                got[bucket] += extra
                missing -= extra
            drawn.update(got)
            if missing:
                shortfalls.append(Shortfall(dom_id, None, seats, seats - missing, reason="enemies"))
        for qid in on_form:
            self.uses[qid] += 1
        return _Draw(on_form, positions, shortfalls, drawn, targets)


@dataclass
class _Draw:
    on_form: dict[str, Question]
    positions: Counter[int]
    shortfalls: list[Shortfall]
    drawn: dict[Bucket, int]
    targets: dict[Bucket, int]

    def moved(self) -> str:
        """``2.2 -1, 2.3 +1``: objectives whose seats differ from their equal share."""
        return ", ".join(
            f"{b[1]} {n - self.targets[b]:+d}"
            for b, n in self.drawn.items()
            if b[1] is not None and n != self.targets[b]
        )


def _supply_shortfalls(
    chosen: dict[str, list[Bucket]],
    plan: dict[str, int],
    ideal: dict[Bucket, int],
    pool: dict[Bucket, list[Question]],
    picks: dict[str, int],
) -> list[Shortfall]:
    out: list[Shortfall] = []
    for dom_id, buckets in chosen.items():
        supply = {b: _form_supply(pool[b], picks) for b in buckets}
        held = {b: len(pool[b]) - supply[b] for b in buckets}
        available = sum(supply.values())
        if available >= plan[dom_id]:
            continue
        if len(buckets) == 1 and buckets[0][1] is not None:
            out.append(Shortfall(dom_id, buckets[0][1], plan[dom_id], available, held_back=held[buckets[0]]))
            continue
        out.append(Shortfall(dom_id, None, plan[dom_id], available, held_back=sum(held.values())))
        for bucket in buckets:
            if bucket[1] is not None and supply[bucket] < ideal[bucket]:
                out.append(
                    Shortfall(dom_id, bucket[1], ideal[bucket], supply[bucket], held_back=held[bucket])
                )
    return out


# ---------------------------------------------------------------------------------------------- assemble


def assemble(
    bank: Bank,
    blueprint: Blueprint | None = None,
    *,
    count: int,
    domains: Sequence[str] = (),
    objectives: Sequence[str] = (),
    types: Sequence[str] = (),
    difficulties: Sequence[str] = (),
    time_limit: int | Literal["unlimited"] | None = None,
    seed: int | None = None,
    forms: int = 1,
    enemies: Iterable[frozenset[str]] | None = None,
    title: str | None = None,
    include_drafts: bool = False,
    config: Config | None = None,
) -> AssemblyResult:
    """Draw ``forms`` practice forms of ``count`` questions from ``bank`` by ``blueprint`` weights.

    ``blueprint`` defaults to the bank's own. ``domains`` and ``objectives`` choose what to draw
    from (a listed objective narrows its domain; a listed domain without listed objectives is
    taken whole); ``types`` and ``difficulties`` filter the questions. ``time_limit`` is minutes,
    ``"unlimited"``, or ``None`` for the exam's minutes scaled to ``count`` (rounded up).
    ``enemies`` are id pairs never put on one form; by default the ones ``qbank assemble`` uses:
    :func:`qbank.analysis.dupes.enemy_pairs` with ``config``'s ``[tool.qbank.dupes]`` settings
    (default: :class:`Config` defaults), so the library and the command draw the same forms.
    The same ``seed`` (and arguments) always gives the same forms.

    Raises :class:`AssemblyError` for an invalid request. A valid request the bank cannot satisfy
    returns a result with no forms and the :class:`Shortfall` of each domain or objective.
    """
    blueprint = blueprint or bank.blueprint
    if blueprint is None:
        raise AssemblyError("no blueprint: assembly draws by blueprint weights")
    _validate(count, forms, types, difficulties, time_limit)
    chosen = _choose(blueprint, domains, objectives)
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)

    pool: dict[Bucket, list[Question]] = {b: [] for buckets in chosen.values() for b in buckets}
    for question in bank.questions:
        if not drawable(question, include_drafts=include_drafts):
            continue
        if types and question.kind not in types:
            continue
        if difficulties and question.difficulty not in difficulties:
            continue
        where = locate(question, blueprint)
        if isinstance(where, Misplaced):
            continue
        bucket = (where.domain, where.objective)
        if bucket in pool:
            pool[bucket].append(question)

    weights = {d.id: d.weight for d in blueprint.domains if d.id in chosen}
    plan = apportion(count, weights)
    picks = {name: p.pick for name, p in bank.pools.items()}
    ideal: dict[Bucket, int] = {}
    for dom_id, buckets in chosen.items():
        ideal.update(objective_seats(plan[dom_id], {b: _form_supply(pool[b], picks) for b in buckets}))

    shortfalls = _supply_shortfalls(chosen, plan, ideal, pool, picks)
    if shortfalls:
        return AssemblyResult((), tuple(shortfalls), seed, plan)

    if enemies is None:
        from qbank.analysis.dupes import enemy_pairs

        settings = (config or Config()).model.dupes
        pairs: Iterable[frozenset[str]] = enemy_pairs(bank.questions, settings)
    else:
        pairs = enemies
    enemy_map: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        members = sorted(pair)
        for a, b in combinations(members, 2):
            enemy_map[a].add(b)
            enemy_map[b].add(a)

    if time_limit is None:
        minutes = default_time_limit(blueprint, count)
    else:
        minutes = None if time_limit == "unlimited" else time_limit
    exam = blueprint.exam
    header_domains = list(chosen) if (domains or objectives) else []
    base_title = title or f"{blueprint.title} practice test"

    drawer = _Drawer(pool, enemy_map, rng, picks)
    drawn_forms: list[AssembledForm] = []
    notes: list[str] = []
    for index in range(1, forms + 1):
        result = drawer.draw(plan, chosen)
        if result.shortfalls:
            return AssemblyResult((), tuple(result.shortfalls), seed, plan, tuple(notes))
        moved = result.moved()
        if moved:
            notes.append(
                f"form {index}: seats moved between objectives of a domain ({moved}): "
                "too few eligible or unused questions for an equal share"
            )
        on_form, positions, drawn = result.on_form, result.positions, result.drawn
        questions = list(on_form.values())
        rng.shuffle(questions)
        header = Form(
            title=base_title if forms == 1 else f"{base_title} ({index} of {forms})",
            count=count,
            time_limit=minutes,
            seed=seed,
            blueprint=blueprint.id,
            passing_score=exam.passing_score if exam else None,
            domains=header_domains,
            objectives=list(dict.fromkeys(objectives)),
        )
        by_objective = {(b[1] if b[1] is not None else b[0]): n for b, n in drawn.items() if n}
        drawn_forms.append(
            AssembledForm(
                form=header,
                questions=tuple(questions),
                by_domain={d: plan[d] for d in chosen},
                by_objective=by_objective,
                key_positions=dict(sorted(positions.items())),
            )
        )
    reused = sum(1 for n in drawer.uses.values() if n > 1)
    return AssemblyResult(tuple(drawn_forms), (), seed, plan, tuple(notes), reused)


def form_overlap(forms: Sequence[AssembledForm]) -> int:
    """The largest number of questions any two forms share."""
    ids = [{q.id for q in f.questions} for f in forms]
    return max((len(a & b) for a, b in combinations(ids, 2)), default=0)


# ---------------------------------------------------------------------------------------------- difficulty balance


@dataclass(frozen=True)
class BalanceReport:
    """How :func:`balance_difficulty` left the forms."""

    means: tuple[float | None, ...]
    """Mean facility (``stats.p``) of each form, over its questions that have statistics."""
    missing: tuple[int, ...]
    """Questions without statistics on each form (left out of its mean)."""
    moves: int
    """Swaps and replacements made."""
    tolerance: float

    @property
    def spread(self) -> float | None:
        """The largest difference between two forms' mean facilities."""
        known = [m for m in self.means if m is not None]
        return max(known) - min(known) if len(known) >= 2 else None

    @property
    def ok(self) -> bool:
        """Whether the forms' means are within the tolerance."""
        spread = self.spread
        return spread is not None and spread <= self.tolerance + 1e-12


@dataclass(frozen=True)
class _Move:
    """Take ``out`` off form ``source`` and put ``into`` there; with a ``target`` form, ``out``
    goes there in place of ``into`` (a swap); ``-1`` means no such form (a replacement)."""

    spread: float
    out: Question
    into: Question
    source: int
    target: int

    def key(self) -> tuple[float, str, str]:
        return (self.spread, self.out.id, self.into.id)


def _better(best: _Move | None, move: _Move) -> _Move:
    return move if best is None or move.key() < best.key() else best


def _facility(question: Question) -> float | None:
    stats = question.stats
    return stats.p if stats is not None else None


def _mean_p(questions: Sequence[Question]) -> float | None:
    known = [p for q in questions if (p := _facility(q)) is not None]
    return sum(known) / len(known) if known else None


def balance_difficulty(
    result: AssemblyResult,
    bank: Bank,
    blueprint: Blueprint | None = None,
    *,
    tolerance: float,
    types: Sequence[str] = (),
    difficulties: Sequence[str] = (),
    enemies: Iterable[frozenset[str]] | None = None,
    include_drafts: bool = False,
    max_moves: int = 10_000,
    config: Config | None = None,
) -> tuple[AssemblyResult, BalanceReport]:
    """Parallel forms: move questions so that the forms' mean facilities (the ``p`` of each
    question's stored statistics) differ by at most ``tolerance``.

    A move swaps two questions of the same objective between the form with the highest mean and
    the one with the lowest, or replaces a question by an unused eligible question of the same
    objective; the move that shrinks the spread most is made, until the spread is within the
    tolerance or no move shrinks it. Seats per domain and objective, enemies (never two on one
    form) and the questions' use count (an unused question is taken before one on another form)
    are kept. Deterministic: ties are broken by question id. ``enemies`` default to those of
    :func:`assemble` (``config``'s ``[tool.qbank.dupes]`` settings).
    """
    blueprint = blueprint or bank.blueprint
    if blueprint is None:
        raise AssemblyError("no blueprint: assembly draws by blueprint weights")
    forms = [list(f.questions) for f in result.forms]
    bucket: dict[str, Bucket] = {}
    pool: dict[Bucket, list[Question]] = defaultdict(list)
    for question in bank.questions:
        where = locate(question, blueprint)
        if isinstance(where, Misplaced):
            continue
        bucket[question.id] = (where.domain, where.objective)
        eligible = drawable(question, include_drafts=include_drafts)
        if (
            eligible
            and (not types or question.kind in types)
            and (not difficulties or question.difficulty in difficulties)
        ):
            pool[bucket[question.id]].append(question)
    if enemies is None:
        from qbank.analysis.dupes import enemy_pairs

        pairs: Iterable[frozenset[str]] = enemy_pairs(bank.questions, (config or Config()).model.dupes)
    else:
        pairs = enemies
    enemy: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        for one, other in combinations(sorted(pair), 2):
            enemy[one].add(other)
            enemy[other].add(one)

    def fits(question: Question, form: list[Question], leaving: Question) -> bool:
        ids = {q.id for q in form if q.id != leaving.id}
        return question.id not in ids and not (enemy.get(question.id, set()) & ids)

    def spread(means: list[float | None]) -> float:
        known = [m for m in means if m is not None]
        return max(known) - min(known) if len(known) >= 2 else 0.0

    moves = 0
    while len(forms) >= 2 and moves < max_moves:
        means = [_mean_p(f) for f in forms]
        current = spread(means)
        if current <= tolerance + 1e-12:
            break
        known = [i for i, m in enumerate(means) if m is not None]
        hi = max(known, key=lambda i: (means[i], -i))
        lo = min(known, key=lambda i: (means[i], i))
        used = {q.id for f in forms for q in f}
        best: _Move | None = None
        for a in sorted(forms[hi], key=lambda q: q.id):
            pa = _facility(a)
            if pa is None:
                continue
            same = bucket.get(a.id)
            # swap it with an easier question of the same objective on the lowest-mean form
            for b in sorted(forms[lo], key=lambda q: q.id):
                pb = _facility(b)
                if pb is None or pb >= pa or bucket.get(b.id) != same:
                    continue
                if not (fits(b, forms[hi], a) and fits(a, forms[lo], b)):
                    continue
                trial = list(means)
                trial[hi] = _mean_p([b if q.id == a.id else q for q in forms[hi]])
                trial[lo] = _mean_p([a if q.id == b.id else q for q in forms[lo]])
                best = _better(best, _Move(spread(trial), a, b, hi, lo))
            # or replace it by an unused, harder question of the same objective
            for u in sorted(pool.get(same, []), key=lambda q: q.id) if same is not None else []:
                pu = _facility(u)
                if u.id in used or pu is None or pu >= pa or not fits(u, forms[hi], a):
                    continue
                trial = list(means)
                trial[hi] = _mean_p([u if q.id == a.id else q for q in forms[hi]])
                best = _better(best, _Move(spread(trial), a, u, hi, -1))
        for b in sorted(forms[lo], key=lambda q: q.id):
            pb = _facility(b)
            same = bucket.get(b.id)
            if pb is None or same is None:
                continue
            for u in sorted(pool.get(same, []), key=lambda q: q.id):
                pu = _facility(u)
                if u.id in used or pu is None or pu <= pb or not fits(u, forms[lo], b):
                    continue
                trial = list(means)
                trial[lo] = _mean_p([u if q.id == b.id else q for q in forms[lo]])
                best = _better(best, _Move(spread(trial), b, u, -1, lo))
        if best is None or best.spread >= current - 1e-12:
            break
        from_form, to_form, out, into = best.source, best.target, best.out, best.into
        if from_form >= 0 and to_form >= 0:  # a swap between the two forms
            forms[from_form] = [into if q.id == out.id else q for q in forms[from_form]]
            forms[to_form] = [out if q.id == into.id else q for q in forms[to_form]]
        else:  # a replacement by an unused question
            target = from_form if from_form >= 0 else to_form
            forms[target] = [into if q.id == out.id else q for q in forms[target]]
        moves += 1
    rebuilt = tuple(
        replace(old, questions=tuple(new), key_positions=_key_positions(new))
        for old, new in zip(result.forms, forms, strict=True)
    )
    uses = Counter(q.id for f in forms for q in f)
    report = BalanceReport(
        means=tuple(_mean_p(f) for f in forms),
        missing=tuple(sum(1 for q in f if _facility(q) is None) for f in forms),
        moves=moves,
        tolerance=tolerance,
    )
    reused = sum(1 for n in uses.values() if n > 1)
    return replace(result, forms=rebuilt, reused=reused), report


def _key_positions(questions: Sequence[Question]) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for question in questions:
        fixed = _fixed_key(question)
        if fixed is not None:
            counts[fixed[0]] += 1
    return dict(sorted(counts.items()))
