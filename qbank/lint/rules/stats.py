"""QB95x: item statistics from learner responses (the ``stats:`` blocks ``qbank stats --write`` keeps).

These rules judge figures, not wording: ``qbank check`` applies them to the statistics stored with
the questions (or in the sidecar file), and ``qbank stats`` applies the same rules to the figures
it has just computed. A question without statistics is never reported. Figures that rest on fewer
than ``min-n`` respondents (``[tool.qbank.stats] min-n``, 30) are reported at ``info`` severity
only, with QB956 saying why they are unreliable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

from pydantic import Field

from qbank.core.config import ConfigModel
from qbank.core.diagnostics import Severity
from qbank.core.model import Bank, ChoiceQuestion, ItemStatistics, Question, TrueFalse
from qbank.lint.rules.base import Finding, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions

__all__ = [
    "FewResponses",
    "LikelyMiskey",
    "LowDiscrimination",
    "LowReliability",
    "NonFunctioningDistractor",
    "StatsOptions",
    "TooEasy",
    "TooHard",
    "option_names",
]


class StatsOptions(RuleOptions):
    """Options every statistics rule has."""

    min_n: int = Field(default=30, ge=1)
    """Fewest respondents for a figure to be trusted (default: ``[tool.qbank.stats] min-n``)."""


StatsOptionsT = TypeVar("StatsOptionsT", bound=StatsOptions)


class _StatsRule(Rule[StatsOptionsT], Generic[StatsOptionsT]):
    """Shared behaviour: only questions with statistics; weak evidence is only info."""

    Options = StatsOptions

    @classmethod
    def option_defaults(cls, config: ConfigModel) -> dict[str, Any]:
        """``min-n`` comes from ``[tool.qbank.stats]``."""
        return {"min-n": config.stats.min_n}

    def item_findings(self, item: Item, ctx: RuleContext[StatsOptionsT]) -> Iterable[Finding]:
        question = item.question
        stats = question.stats
        options = ctx.options
        if stats is None or not stats.n:
            return
        for finding in self.judge_stats(question, stats, options):
            if stats.n < options.min_n:
                yield Finding(
                    f"{finding.message} (only {stats.n} respondents: unreliable)",
                    question,
                    finding.where,
                    severity=Severity.INFO,
                    data=finding.data,
                )
            else:
                yield finding

    def judge_stats(self, question: Question, stats: ItemStatistics, options: Any) -> Iterator[Finding]:
        """Findings for one question's statistics (before the small-sample downgrade)."""
        return iter(())


def option_names(question: Question) -> list[str]:
    """How the option figures are named in messages: ``A``, ``B`` ... or ``true`` / ``false``."""
    if isinstance(question, TrueFalse):
        return ["true", "false"]
    if isinstance(question, ChoiceQuestion):
        return [chr(ord("A") + i) for i in range(len(question.choices))]
    return []


def _keys(question: Question) -> list[int]:
    if isinstance(question, ChoiceQuestion):
        return question.keys
    if isinstance(question, TrueFalse):
        return [0 if question.answer else 1]
    return []


def _option_figures(question: Question, stats: ItemStatistics) -> bool:
    """Whether the stored option figures fit the question's options (stale ones are ignored)."""
    names = option_names(question)
    return (
        bool(names)
        and stats.shares is not None
        and stats.pbis is not None
        and (len(stats.shares) == len(stats.pbis) == len(names))
    )


def _where(question: Question) -> tuple[str | int, ...]:
    return ("stats",) if question.stats is not None else ()


class MiskeyOptions(StatsOptions):
    """Options of QB951."""

    margin: float = Field(default=0.0, ge=0, le=1)
    """How far a distractor's point-biserial must exceed the key's to be reported."""


class LikelyMiskey(_StatsRule[MiskeyOptions]):
    """Learners who do well on the rest of the test avoid the key: the question is likely miskeyed.

    What it does
        Reads the question's statistics and reports it when its discrimination (the correlation
        of its score with the rest of the test) is negative, or when a distractor's point-biserial
        correlation with the rest score is higher than the key's (by more than ``margin``, 0).

    Why it matters
        A wrong key is the costliest flaw a question can have: every learner who knows the answer
        loses the point. Responses show it when the wording hides it: the strong learners cluster
        on one "wrong" option (Haladyna & Rodriguez 2013, ch. 17; Moodle's and Canvas's item
        analyses flag negative discrimination for the same reason).

    Example
        ```yaml
        - id: s3-durability
          choices:
            - {text: 99.99%, correct: true}
            - text: 99.999999999%
          stats: {n: 212, p: 0.31, discrimination: -0.22, shares: [0.31, 0.66], pbis: [-0.22, 0.25]}
        ```

    Use instead
        Check the key against the source. If it is right, rewrite the option the strong learners
        pick (it is defensible as written); if it is wrong, fix the key and collect new responses.
    """

    code = "QB951"
    name = "likely-miskey"
    severity = Severity.ERROR

    def judge_stats(self, question: Question, stats: ItemStatistics, options: Any) -> Iterator[Finding]:
        margin = options.margin if isinstance(options, MiskeyOptions) else 0.0
        if _option_figures(question, stats):
            assert stats.pbis is not None
            assert stats.shares is not None
            names = option_names(question)
            keys = _keys(question)
            key_values = [(value, k) for k in keys if (value := stats.pbis[k]) is not None]
            if key_values:
                weakest_key, key_at = min(key_values)
                rivals = [
                    (value, k)
                    for k, value in enumerate(stats.pbis)
                    if k not in keys and value is not None and value > weakest_key + margin
                ]
                if rivals:
                    value, k = max(rivals)
                    yield Finding(
                        f"likely miskey: choice {names[k]} (chosen by {stats.shares[k]:.0%}) goes with "
                        f"the rest of the test more than the key {names[key_at]} does (point-biserial "
                        f"{value:.2f} > {weakest_key:.2f})",
                        question,
                        _where(question),
                        data=(
                            ("option", names[k]),
                            ("pbis", f"{value:.3f}"),
                            ("key_pbis", f"{weakest_key:.3f}"),
                        ),
                    )
                    return
        if stats.discrimination is not None and stats.discrimination < 0:
            yield Finding(
                f"likely miskey: negative discrimination ({stats.discrimination:.2f}): learners who do "
                "well on the rest of the test get this question wrong more often",
                question,
                _where(question),
                data=(("discrimination", f"{stats.discrimination:.3f}"),),
            )


class DistractorOptions(StatsOptions):
    """Options of QB952."""

    min_share: float = Field(default=0.05, ge=0, le=1)
    """A distractor chosen by fewer than this share of the respondents does not work."""


class NonFunctioningDistractor(_StatsRule[DistractorOptions]):
    """A distractor almost nobody chooses does not work.

    What it does
        Reports each distractor of a choice question that fewer than ``min-share`` (5 %) of the
        respondents chose, at the distractor.

    Why it matters
        A distractor that attracts nobody is not plausible, so the question has effectively one
        option fewer and is easier to guess (Haladyna & Downing 1993 define a functioning
        distractor as one chosen by at least 5 % of examinees; Rodriguez 2005).

    Example
        ```yaml
        choices:
          - {text: Amazon DynamoDB, correct: true}
          - text: Amazon RDS
          - text: A spreadsheet on the desktop
        stats: {n: 180, p: 0.7, shares: [0.7, 0.29, 0.01]}
        ```

    Use instead
        Replace it with a misconception learners actually hold (wrong answers to an open version
        of the question are a good source), or drop it: three good options beat four weak ones.
    """

    code = "QB952"
    name = "non-functioning-distractor"
    severity = Severity.WARNING

    def judge_stats(self, question: Question, stats: ItemStatistics, options: Any) -> Iterator[Finding]:
        if not isinstance(question, ChoiceQuestion) or not _option_figures(question, stats):
            return
        assert stats.shares is not None
        limit = options.min_share if isinstance(options, DistractorOptions) else 0.05
        names = option_names(question)
        for k, share in enumerate(stats.shares):
            if k not in question.keys and share < limit:
                yield Finding(
                    f"distractor {names[k]} was chosen by {share:.1%} of {stats.n} respondents "
                    f"(under {limit:.0%}): it does not distract",
                    question,
                    ("choices", k),
                    data=(("option", names[k]), ("share", f"{share:.4f}")),
                )


class EasyOptions(StatsOptions):
    """Options of QB953."""

    max_p: float = Field(default=0.9, ge=0, le=1)
    """Facility above which a question is too easy."""


class TooEasy(_StatsRule[EasyOptions]):
    """Nearly everyone gets the question right.

    What it does
        Reports a question whose facility (mean score as a fraction of its points) is above
        ``max-p`` (0.90).

    Why it matters
        A question almost everyone answers tells learners apart no better than a free point, and
        on a practice test it gives false comfort. Moodle's guidance reads 90-95 % as "very easy"
        and above 95 % as "extremely easy".

    Example
        ```yaml
        stats: {n: 300, p: 0.97, discrimination: 0.08}
        ```

    Use instead
        Make the distractors more plausible, ask about a harder aspect of the objective, or keep it
        deliberately as a warm-up question.
    """

    code = "QB953"
    name = "too-easy"
    severity = Severity.INFO

    def judge_stats(self, question: Question, stats: ItemStatistics, options: Any) -> Iterator[Finding]:
        limit = options.max_p if isinstance(options, EasyOptions) else 0.9
        if stats.p is not None and stats.p > limit:
            yield Finding(f"too easy: facility {stats.p:.2f} (above {limit:.2f})", question, _where(question))


class HardOptions(StatsOptions):
    """Options of QB954."""

    min_p: float = Field(default=0.3, ge=0, le=1)
    """Facility below which a question is too hard."""


class TooHard(_StatsRule[HardOptions]):
    """Few learners get the question right.

    What it does
        Reports a question whose facility (mean score as a fraction of its points) is below
        ``min-p`` (0.30): for four choices that is close to what guessing alone scores.

    Why it matters
        A question that almost nobody answers is often flawed rather than hard: ambiguous wording,
        a trick, content the course does not cover, or a wrong key (then QB951 fires too).

    Example
        ```yaml
        stats: {n: 250, p: 0.18, discrimination: 0.05}
        ```

    Use instead
        Check the key and the wording; make sure the objective is taught; split a two-step question
        into two.
    """

    code = "QB954"
    name = "too-hard"
    severity = Severity.INFO

    def judge_stats(self, question: Question, stats: ItemStatistics, options: Any) -> Iterator[Finding]:
        limit = options.min_p if isinstance(options, HardOptions) else 0.3
        if stats.p is not None and stats.p < limit:
            yield Finding(f"too hard: facility {stats.p:.2f} (below {limit:.2f})", question, _where(question))


class DiscriminationOptions(StatsOptions):
    """Options of QB955."""

    min_discrimination: float = Field(default=0.2, ge=0, le=1)
    """Corrected item-total correlation below which a question discriminates weakly."""


class LowDiscrimination(_StatsRule[DiscriminationOptions]):
    """The question hardly separates learners who know the material from those who do not.

    What it does
        Reports a question whose discrimination (the correlation of its score with the rest of the
        test) is between 0 and ``min-discrimination`` (0.20). Negative values are QB951.

    Why it matters
        The score of such a question is mostly noise, and it lowers the reliability of every form
        it is on. Common practice reads 0.2-0.3 as marginal and below 0.2 as poor (Ebel 1965;
        Moodle's statistics report flags values below 20 % in its own scale).

    Example
        ```yaml
        stats: {n: 400, p: 0.55, discrimination: 0.06}
        ```

    Use instead
        Look for ambiguity or a second defensible answer; review what the strong learners chose.
    """

    code = "QB955"
    name = "low-discrimination"
    severity = Severity.INFO

    def judge_stats(self, question: Question, stats: ItemStatistics, options: Any) -> Iterator[Finding]:
        limit = options.min_discrimination if isinstance(options, DiscriminationOptions) else 0.2
        value = stats.discrimination
        if value is not None and 0 <= value < limit:
            yield Finding(f"low discrimination: {value:.2f} (below {limit:.2f})", question, _where(question))


class FewResponses(_StatsRule[StatsOptions]):
    """The statistics rest on too few respondents to be trusted.

    What it does
        Reports a question whose statistics come from fewer than ``min-n`` respondents
        (``[tool.qbank.stats] min-n``, 30). The other statistics rules still run on it, at
        ``info`` severity only.

    Why it matters
        With a handful of respondents one lucky or careless answer moves the facility by tens of
        points and a correlation can take any sign; acting on such figures rewrites good questions.

    Example
        ```yaml
        stats: {n: 9, p: 0.44, discrimination: -0.1}
        ```

    Use instead
        Collect more responses (merge several classes or terms) before judging the question.
    """

    code = "QB956"
    name = "few-responses"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[StatsOptions]) -> Iterable[Finding]:
        question = item.question
        stats = question.stats
        limit = ctx.options.min_n
        if stats is not None and stats.n < limit:
            yield Finding(
                f"statistics from only {stats.n} respondents (fewer than {limit}): treat them as unreliable",
                question,
                _where(question),
            )


class ReliabilityOptions(StatsOptions):
    """Options of QB957."""

    min_alpha: float = Field(default=0.7, ge=-1, le=1)
    """Cronbach's alpha below which a form is not reliable enough."""


def low_reliability(
    form: str, alpha: float | None, n: int, options: ReliabilityOptions
) -> tuple[str, Severity] | None:
    """The QB957 message and severity for a form's alpha from ``n`` respondents, or ``None``."""
    if alpha is None or alpha >= options.min_alpha:
        return None
    message = (
        f"low reliability of form {form!r}: Cronbach's alpha {alpha:.2f} (below {options.min_alpha:.2f})"
    )
    if n < options.min_n:
        return f"{message} (only {n} respondents: unreliable)", Severity.INFO
    return message, LowReliability.severity


class LowReliability(Rule[ReliabilityOptions]):
    """The form's total score is not reliable.

    What it does
        Reports an assembled form whose stored statistics (``form: stats:``) give a Cronbach's
        alpha below ``min-alpha`` (0.70); ``qbank stats`` reports it for every form it analyses.

    Why it matters
        With a low alpha the total score is mostly measurement error: a pass or fail on the form
        says little, and the standard error of measurement is large next to the passing margin.
        0.70 is the usual floor for low-stakes tests, 0.80-0.90 for decisions that matter.

    Example
        ```yaml
        form:
          title: Practice test
          count: 20
          stats: {n: 140, k: 20, alpha: 0.52, sem: 2.9}
        ```

    Use instead
        Replace the questions with low or negative discrimination (QB951, QB955), or lengthen the
        form with questions of the same objectives.
    """

    code = "QB957"
    name = "low-reliability"
    severity = Severity.WARNING
    scope = "bank"

    @classmethod
    def option_defaults(cls, config: ConfigModel) -> dict[str, Any]:
        """``min-n`` comes from ``[tool.qbank.stats]``."""
        return {"min-n": config.stats.min_n}

    def bank_findings(self, bank: Bank, ctx: RuleContext[ReliabilityOptions]) -> Iterable[Finding]:
        form = bank.form
        options = ctx.options
        if form is None or form.stats is None:
            return
        verdict = low_reliability(form.title, form.stats.alpha, form.stats.n, options)
        if verdict is None:
            return
        message, severity = verdict
        yield Finding(message, _form_anchor(bank), severity=severity)


def _form_anchor(bank: Bank) -> Question | None:
    """The first question of the form file, so the finding is placed in that file."""
    for question in bank.questions:
        origin = question.origin
        data = getattr(origin.source, "data", None) if origin is not None else None
        if isinstance(data, dict) and "form" in data:
            return question
    return None
