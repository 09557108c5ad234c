"""Classical test theory item analysis of a :class:`~qbank.analysis.stats.table.ResponseTable`.

The formulas (also in ``docs/stats.md``), for question *i* with maximum points *m*, the set *S* of
the *n* respondents it was shown to, their item scores *x* (points) and totals *T* (points over
every question each of them was shown), and rest scores *R = T - x*:

* facility ``p = mean(x) / m``;
* discrimination: the corrected item-total correlation, Pearson ``r(x, R)`` over *S*;
* upper-lower index ``D = (mean x of the top 27 % by T - mean x of the bottom 27 %) / m``; the
  groups hold exactly ``0.27 n`` respondents, respondents tied at a group's boundary score count
  with equal fractional weight;
* per option: the share of *S* choosing it and its point-biserial correlation ``r(c, R)`` with
  ``c`` = 1 for a respondent who chose it;
* omissions: the share of *S* who were shown the question and left it unanswered;
* per form (the respondents given the same test): the questions shown to every respondent of the
  form, Cronbach's ``alpha = k/(k-1) (1 - sum var(x_i) / var(T))``, KR-20 on right/wrong
  scoring when every such question is scored right or wrong, and the standard error of
  measurement ``SEM = sd(T) sqrt(1 - alpha)`` (sample variances).

A figure that needs a spread that is not there (every respondent with the same score, fewer than
two respondents) is ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from qbank.analysis.stats.responses import key_mask, option_count, option_labels
from qbank.analysis.stats.table import ResponseTable
from qbank.core.model import FormStatistics, ItemStatistics, Question

__all__ = [
    "UPPER_LOWER_SHARE",
    "FormStats",
    "ItemStats",
    "OptionStats",
    "StatsResult",
    "analyse",
    "group_mean",
    "stored_form",
    "stored_item",
]

UPPER_LOWER_SHARE = 0.27
"""Size of the upper and lower groups of the upper-lower index (Kelley's 27 %)."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OptionStats:
    """One option of a choice or true/false question."""

    label: str
    """``A``, ``B`` ... in file order, or ``true`` / ``false``."""
    key: bool
    count: int
    """Respondents who chose it."""
    share: float
    """``count / n``."""
    pbis: float | None
    """Point-biserial correlation of choosing it with the rest score."""


@dataclass(frozen=True, slots=True)
class ItemStats:
    """The figures of one question."""

    id: str
    n: int
    """Respondents the question was shown to: the number behind every figure of the question."""
    points: float
    mean: float | None
    """Mean points earned."""
    p: float | None
    """Facility, 0..1."""
    sd: float | None
    """Standard deviation of the item score as a fraction of the points (population)."""
    discrimination: float | None
    """Corrected item-total correlation, -1..1."""
    upper_lower: float | None
    """Upper-lower 27 % index, -1..1."""
    omitted: float | None
    """Share shown the question who left it unanswered."""
    options: tuple[OptionStats, ...] = ()

    @property
    def key_pbis(self) -> float | None:
        """The lowest point-biserial of the keys (``None`` without option figures)."""
        values = [o.pbis for o in self.options if o.key and o.pbis is not None]
        return min(values) if values else None


@dataclass(frozen=True, slots=True)
class FormStats:
    """Reliability of one form."""

    form: str
    n: int
    """Respondents of the form."""
    k: int
    """Questions shown to every respondent of the form (the ones the reliability is about)."""
    mean: float | None
    """Mean total points over those questions."""
    sd: float | None
    """Sample standard deviation of those totals."""
    alpha: float | None
    """Cronbach's alpha."""
    kr20: float | None
    """KR-20 on right/wrong scoring (``None`` when a question has partial credit)."""
    sem: float | None
    """Standard error of measurement, in points."""
    items: tuple[str, ...] = ()


@dataclass
class StatsResult:
    """Item and form statistics of a set of responses."""

    items: list[ItemStats] = field(default_factory=list)
    forms: list[FormStats] = field(default_factory=list)
    respondents: int = 0
    rows: int = 0
    sources: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, ItemStats]:
        """Item statistics by question id."""
        return {s.id: s for s in self.items}


def _corr(a: FloatArray, b: FloatArray) -> float | None:
    """Pearson correlation, ``None`` when either side has no spread."""
    if len(a) < 2:
        return None
    ca = a - a.mean()
    cb = b - b.mean()
    # products are summed by numpy's pairwise sum, not BLAS dot: as exact and not slowed by threads
    saa = float((ca * ca).sum())
    sbb = float((cb * cb).sum())
    # a spread that is rounding noise only is no spread
    if saa <= 1e-24 * max(1.0, float((a * a).sum())) or sbb <= 1e-24 * max(1.0, float((b * b).sum())):
        return None
    value = float((ca * cb).sum()) / math.sqrt(saa * sbb)
    return max(-1.0, min(1.0, value))


def group_mean(totals: FloatArray, values: FloatArray, size: float, *, top: bool) -> float:
    """Mean of ``values`` over the ``size`` respondents with the lowest (or highest) ``totals``.

    ``size`` may be fractional; respondents tied at the boundary total share the remaining weight
    equally, so the result does not depend on the order of the rows.
    """
    if top:
        totals = -totals
    cut = min(len(totals), math.ceil(size - 1e-9)) - 1
    boundary = np.partition(totals, cut)[cut]
    below = totals < boundary
    tied = totals == boundary
    n_below = int(below.sum())
    weight = (size - n_below) / int(tied.sum())
    return float((values[below].sum() + weight * values[tied].sum()) / size)


def _option_stats(
    question: Question, chosen: npt.NDArray[np.uint16], rest: FloatArray, n: int
) -> tuple[OptionStats, ...]:
    keys = key_mask(question)
    out = []
    for k, label in enumerate(option_labels(question)):
        picked = ((chosen >> k) & 1).astype(np.float64)
        count = int(picked.sum())
        out.append(
            OptionStats(
                label=label,
                key=bool(keys >> k & 1),
                count=count,
                share=count / n,
                pbis=_corr(picked, rest) if 0 < count < n else None,
            )
        )
    return tuple(out)


def analyse(table: ResponseTable, questions: Mapping[str, Question]) -> StatsResult:
    """Item statistics of every question in ``table`` (ids missing from ``questions`` are skipped)
    and the reliability of every form."""
    n_resp = table.n_respondents
    totals = np.zeros(n_resp, dtype=np.float64)
    for i in range(len(table.item_ids)):
        part = table.rows(i)
        totals += np.bincount(table.respondent[part], weights=table.score[part], minlength=n_resp)
    result = StatsResult(respondents=n_resp, rows=table.n_rows, sources=list(table.sources))
    n_forms = len(table.forms)
    form_size = np.bincount(table.respondent_form, minlength=n_forms)
    # per form: the questions every respondent of the form was shown
    form_items: list[list[int]] = [[] for _ in range(n_forms)]
    for i, qid in enumerate(table.item_ids):
        question = questions.get(qid)
        part = table.rows(i)
        x = table.score[part].astype(np.float64)
        n = len(x)
        if question is None or n == 0:
            continue
        who = table.respondent[part]
        rest = totals[who] - x
        m = question.points
        mean = float(x.mean())
        upper_lower: float | None = None
        if n >= 2:
            size = UPPER_LOWER_SHARE * n
            t = totals[who]
            upper_lower = (group_mean(t, x, size, top=True) - group_mean(t, x, size, top=False)) / m
        options = _option_stats(question, table.chosen[part], rest, n) if option_count(question) else ()
        result.items.append(
            ItemStats(
                id=qid,
                n=n,
                points=m,
                mean=mean,
                p=mean / m,
                sd=float((x / m).std()),
                discrimination=_corr(x, rest),
                upper_lower=upper_lower,
                omitted=float(table.omitted[part].mean()),
                options=options,
            )
        )
        per_form = np.bincount(table.respondent_form[who], minlength=n_forms)
        for complete in np.nonzero((per_form == form_size) & (form_size > 0))[0].tolist():
            form_items[complete].append(i)
    rank = {qid: k for k, qid in enumerate(questions)}
    result.items.sort(key=lambda s: rank[s.id])
    for number, name in enumerate(table.forms):
        size = int(form_size[number])
        result.forms.append(_form_stats(table, name, number, form_items[number], size, questions))
    return result


def _form_stats(
    table: ResponseTable, name: str, form: int, items: list[int], n: int, questions: Mapping[str, Question]
) -> FormStats:
    members = table.respondent_form == form
    total = np.zeros(table.n_respondents, dtype=np.float64)
    right = np.zeros(table.n_respondents, dtype=np.float64)
    variances: list[float] = []
    pq: list[float] = []
    dichotomous = True
    for i in items:
        part = table.rows(i)
        who = table.respondent[part]
        mine = members[who]
        x = table.score[part][mine].astype(np.float64)
        points = questions[table.item_ids[i]].points
        total[who[mine]] += x
        variances.append(float(x.var(ddof=1)) if len(x) > 1 else 0.0)
        if dichotomous and np.all((x == 0) | (x == points)):
            share = float((x == points).mean())
            pq.append(share * (1 - share))
            right[who[mine]] += x / points
        else:
            dichotomous = False
    k = len(items)
    ids = tuple(table.item_ids[i] for i in items)
    if n == 0 or k == 0:
        return FormStats(name, n, k, None, None, None, None, None, ids)
    form_totals = total[members]
    mean = float(form_totals.mean())
    if n < 2:
        return FormStats(name, n, k, mean, None, None, None, None, ids)
    var_total = float(form_totals.var(ddof=1))
    sd = math.sqrt(var_total)
    alpha = kr20 = sem = None
    if k >= 2 and var_total > 1e-12:
        alpha = k / (k - 1) * (1 - sum(variances) / var_total)
        sem = sd * math.sqrt(max(0.0, 1 - alpha))
        if dichotomous:
            var_right = float(right[members].var())
            if var_right > 1e-12:
                kr20 = k / (k - 1) * (1 - sum(pq) / var_right)
    return FormStats(name, n, k, mean, sd, alpha, kr20, sem, ids)


def _r(value: float | None) -> float | None:
    """A figure as stored: three decimals, no negative zero."""
    if value is None:
        return None
    out = round(value, 3)
    return 0.0 if out == 0 else out


def stored_item(stats: ItemStats, *, source: str | None = None, date: str | None = None) -> ItemStatistics:
    """The compact block kept with a question (figures rounded to three decimals)."""
    return ItemStatistics(
        n=stats.n,
        p=_r(stats.p),
        discrimination=_r(stats.discrimination),
        omitted=_r(stats.omitted),
        shares=[round(o.share, 3) for o in stats.options] if stats.options else None,
        pbis=[_r(o.pbis) for o in stats.options] if stats.options else None,
        source=source,
        date=date,
    )


def stored_form(stats: FormStats, *, source: str | None = None, date: str | None = None) -> FormStatistics:
    """The block kept in a form's header."""
    return FormStatistics(
        n=stats.n, k=stats.k, alpha=_r(stats.alpha), sem=_r(stats.sem), source=source, date=date
    )
