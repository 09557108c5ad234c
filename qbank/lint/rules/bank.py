"""QB7xx: bank-level checks (key position, key length, runs, NOTA/AOTA as key).

They need enough items to mean something: groups smaller than ``min-items`` are not judged.
Duplicate detection (QB704, QB705) lives in ``qbank.lint.rules.duplicates``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import Field

from qbank.core.diagnostics import Severity
from qbank.core.model import SingleChoice
from qbank.core.text import norm
from qbank.lint.rules.base import BankFacts, Finding, Rule, RuleContext
from qbank.lint.rules.options import is_aota_or_nota
from qbank.lint.rules.text import Item, RuleOptions

__all__ = ["KeyLengthBias", "KeyPositionBias", "KeyRunLength", "NotaAotaKeyRate", "binomial_tail"]

#: Chi-square critical values at alpha = 0.01 by degrees of freedom.
CHI2_CRITICAL_01 = {
    1: 6.635,
    2: 9.210,
    3: 11.345,
    4: 13.277,
    5: 15.086,
    6: 16.812,
    7: 18.475,
    8: 20.090,
    9: 21.666,
}
_LETTERS = "ABCDEFGHIJ"


def binomial_tail(successes: int, trials: int, p: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, p), computed in log space."""
    if successes <= 0:
        return 1.0
    if successes > trials:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for i in range(successes, trials + 1):
        log_term = (
            math.lgamma(trials + 1)
            - math.lgamma(i + 1)
            - math.lgamma(trials - i + 1)
            + i * log_p
            + (trials - i) * log_q
        )
        term = math.exp(log_term)
        total += term
        if term < 1e-18 * max(total, 1e-300) and i > successes + 10:
            break
    return min(total, 1.0)


class OrderOptions(RuleOptions):
    """Which items count and how many are needed."""

    min_items: int = Field(default=20, ge=1)
    include_shuffled: bool = False
    """``true`` also counts items with ``shuffle: true`` (for targets that keep the authored order)."""


def _authored_key(item: Item, include_shuffled: bool) -> tuple[int, int] | None:
    """(number of choices, key position) of a single_choice question delivered in authored order."""
    q = item.question
    if isinstance(q, SingleChoice) and (include_shuffled or not q.shuffle):
        return len(q.choices), q.keys[0]
    return None


class KeyPositionBias(Rule[OrderOptions]):
    """Key positions are not spread evenly over the bank.

    What it does
        Groups ``single_choice`` questions whose order is authored (``shuffle: false``; option
        ``include-shuffled`` counts all) by their number of choices k. For each group of at least
        ``min-items`` (20) it runs a chi-square goodness-of-fit test against a uniform key position
        (alpha 0.01) and also flags any position holding more than 1/k + 0.15 of the keys.

    Why it matters
        "Vary the location of the right answer" (Haladyna et al. #20; Penn State: avoid "C" being
        right in most questions): a learner who notices the bias scores without knowing anything.

    Example
        Thirty 4-choice questions with ``shuffle: false`` and the key first in 24 of them.

    Use instead
        Spread keys evenly (reorder the choices) or let the front end shuffle them.
    """

    code = "QB701"
    name = "key-position-bias"
    severity = Severity.WARNING
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[OrderOptions]) -> Any:
        return _authored_key(item, ctx.options.include_shuffled)

    def judge(self, facts: BankFacts, ctx: RuleContext[OrderOptions]) -> Iterable[Finding]:
        opts = ctx.options
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for ordinal, fact in enumerate(facts.values):
            if fact is not None:
                groups[fact[0]].append((ordinal, fact[1]))
        for k, items in sorted(groups.items()):
            n = len(items)
            if n < opts.min_items or k < 2:
                continue
            counts = [0] * k
            for _, key in items:
                counts[key] += 1
            expected = n / k
            chi2 = sum((c - expected) ** 2 / expected for c in counts)
            critical = CHI2_CRITICAL_01.get(k - 1, 21.666 + 1.6 * (k - 10))
            top = max(range(k), key=lambda i: counts[i])
            share = counts[top] / n
            if chi2 > critical or share > 1 / k + 0.15:
                spread = " ".join(
                    f"{_LETTERS[i] if i < len(_LETTERS) else i + 1}={c}" for i, c in enumerate(counts)
                )
                yield Finding(
                    f"key positions of {n} {k}-choice questions are uneven ({spread}; chi-square "
                    f"{chi2:.1f} > {critical:g} or {share:.0%} at one position)",
                    ordinal=items[0][0],
                )


class LengthBiasOptions(RuleOptions):
    """Group size and significance."""

    min_items: int = Field(default=20, ge=1)
    alpha: float = Field(default=0.01, gt=0, lt=1)
    margin: float = Field(default=0.2, ge=0, le=1)


class KeyLengthBias(Rule[LengthBiasOptions]):
    """The key is the longest choice more often than chance.

    What it does
        For ``single_choice`` questions grouped by number of choices k (groups of at least
        ``min-items``, 20), counts the questions whose key is strictly the longest choice (ties
        left out) and reports a group where that share is significantly above 1/k (one-sided
        exact binomial test, ``alpha`` 0.01) or above 1/k + ``margin`` (0.2).

    Why it matters
        The bank-level form of QB401: "the longest answer is right" is a strategy testwise
        learners use, and generated banks often reward it (NBME long correct answer).

    Example
        Forty 4-choice questions where the key is the longest choice in 25 of them (62 %, chance 25 %).

    Use instead
        Write distractors as long and specific as the keys; shorten keys that carry extra detail.
    """

    code = "QB702"
    name = "key-length-bias"
    severity = Severity.WARNING
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[LengthBiasOptions]) -> Any:
        q = item.question
        if not isinstance(q, SingleChoice):
            return None
        lengths = [len(norm(c.text)) for c in q.choices]
        longest = max(lengths)
        if lengths.count(longest) > 1:
            return None
        return len(lengths), lengths[q.keys[0]] == longest

    def judge(self, facts: BankFacts, ctx: RuleContext[LengthBiasOptions]) -> Iterable[Finding]:
        opts = ctx.options
        groups: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for ordinal, fact in enumerate(facts.values):
            if fact is not None:
                groups[fact[0]].append((ordinal, fact[1]))
        for k, items in sorted(groups.items()):
            n = len(items)
            if n < opts.min_items:
                continue
            hits = sum(1 for _, hit in items if hit)
            share = hits / n
            p_value = binomial_tail(hits, n, 1 / k)
            if share > 1 / k and (p_value < opts.alpha or share > 1 / k + opts.margin):
                yield Finding(
                    f"the key is the longest choice in {hits} of {n} {k}-choice questions ({share:.0%}, "
                    f"chance {1 / k:.0%}, p = {p_value:.2g})",
                    ordinal=items[0][0],
                )


class RunOptions(RuleOptions):
    """Run length and group size."""

    max_run: int = Field(default=3, ge=1)
    """Runs longer than this are reported."""
    min_cycle_length: int = Field(default=8, ge=4)
    min_items: int = Field(default=20, ge=1)
    include_shuffled: bool = False


class KeyRunLength(Rule[RunOptions]):
    """Consecutive questions share the key position, or key positions cycle.

    What it does
        Within each file, in authored order, looks at ``single_choice`` questions with
        ``shuffle: false`` (``include-shuffled`` counts all) and reports a run of more than
        ``max-run`` (3) questions with the key in the same position, and a repeating cycle of
        period 2-4 ("ABCDABCD") covering ``min-cycle-length`` (8) questions. Files with fewer than
        ``min-items`` (20) such questions are skipped.

    Why it matters
        Patterns in key positions are picked up by learners (Haladyna et al. #20; Penn State);
        they only matter when choices are delivered in authored order.

    Example
        Questions 5 to 9 of a file all have their key at position B.

    Use instead
        Reorder choices to break the run, or let the front end shuffle.
    """

    code = "QB703"
    name = "key-run-length"
    severity = Severity.INFO
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[RunOptions]) -> Any:
        found = _authored_key(item, ctx.options.include_shuffled)
        return None if found is None else found[1]

    def judge(self, facts: BankFacts, ctx: RuleContext[RunOptions]) -> Iterable[Finding]:
        opts = ctx.options
        files: dict[int, list[int]] = defaultdict(list)
        for ordinal, fact in enumerate(facts.values):
            if fact is not None:
                files[facts.files[ordinal]].append(ordinal)
        for items in files.values():
            if len(items) < opts.min_items:
                continue
            keys = [facts.values[i] for i in items]
            yield from self._runs(items, keys, opts)
            yield from self._cycles(items, keys, opts)

    def _runs(self, items: list[int], keys: list[int], opts: RunOptions) -> Iterator[Finding]:
        start = 0
        for i in range(1, len(keys) + 1):
            if i == len(keys) or keys[i] != keys[start]:
                length = i - start
                if length > opts.max_run:
                    letter = _LETTERS[keys[start]] if keys[start] < len(_LETTERS) else str(keys[start] + 1)
                    yield Finding(
                        f"{length} consecutive questions have the key at position {letter}",
                        ordinal=items[start],
                    )
                start = i

    def _cycles(self, items: list[int], keys: list[int], opts: RunOptions) -> Iterator[Finding]:
        i = 0
        n = len(keys)
        while i < n:
            found = False
            for period in (2, 3, 4):
                if len(set(keys[i : i + period])) < 2:
                    continue
                end = i + period
                while end < n and keys[end] == keys[end - period]:
                    end += 1
                if end - i >= opts.min_cycle_length:
                    pattern = "".join(_LETTERS[k] if k < len(_LETTERS) else "?" for k in keys[i : i + period])
                    yield Finding(
                        f"key positions repeat the cycle {pattern} over {end - i} questions", ordinal=items[i]
                    )
                    i = end
                    found = True
                    break
            if not found:
                i += 1


class NotaOptions(RuleOptions):
    """Group size and significance."""

    min_items: int = Field(default=10, ge=1)
    alpha: float = Field(default=0.01, gt=0, lt=1)


class NotaAotaKeyRate(Rule[NotaOptions]):
    """ "None/all of the above" is the key far more often than chance.

    What it does
        Among ``single_choice`` questions with a "none/all of the above" choice (at least
        ``min-items``, 10), counts how often that choice is the key and reports when the rate is
        significantly above the chance rate (mean 1/k; one-sided binomial test, ``alpha`` 0.01).

    Why it matters
        When NOTA/AOTA is mostly the key, picking it becomes a winning strategy (Haladyna et al.
        #25-26).

    Example
        Twelve questions have "All of the above" and it is the key in ten.

    Use instead
        Use such choices rarely and as a key about 1/k of the time, or better not at all.
    """

    code = "QB706"
    name = "nota-aota-key-rate"
    severity = Severity.INFO
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[NotaOptions]) -> Any:
        q = item.question
        if not isinstance(q, SingleChoice):
            return None
        marked = [i for i, c in enumerate(q.choices) if is_aota_or_nota(c.text)]
        return (q.keys[0] in marked, len(q.choices)) if marked else None

    def judge(self, facts: BankFacts, ctx: RuleContext[NotaOptions]) -> Iterable[Finding]:
        opts = ctx.options
        items = [(ordinal, *fact) for ordinal, fact in enumerate(facts.values) if fact is not None]
        n = len(items)
        if n < opts.min_items:
            return
        hits = sum(1 for _, hit, _ in items if hit)
        chance = sum(1 / k for _, _, k in items) / n
        p_value = binomial_tail(hits, n, chance)
        if p_value < opts.alpha:
            yield Finding(
                f"'none/all of the above' is the key in {hits} of {n} questions that offer it "
                f"({hits / n:.0%}, chance {chance:.0%})",
                ordinal=items[0][0],
            )
