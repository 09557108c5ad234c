"""QB3xx: the choices."""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import Field

from qbank.core.diagnostics import Severity
from qbank.core.model import ChoiceQuestion, Question
from qbank.core.text import OptionSet, mask_code, mask_literals, norm, words
from qbank.core.wordlists import IMPERATIVE_VERBS, NEGATORS, ORDINALS, STOP_WORDS, UBIQUITOUS_TERMS, UNITS
from qbank.lint.rules.base import Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions

__all__ = [
    "AOTA_RE",
    "NOTA_RE",
    "AllOfTheAbove",
    "ComplexCombinationOption",
    "NegativeOption",
    "NoneOfTheAbove",
    "NumericOptionsUnorderedOrInconsistent",
    "OptionLengthHeterogeneous",
    "OptionsNotParallel",
    "OverlappingRanges",
    "PositionalReferenceUnderShuffle",
    "RepeatedOptionLeadIn",
    "is_aota_or_nota",
]

_REF = r"(?:above|these|them|those|the\s+(?:above|previous|preceding|options|answers|choices|others))"
#: "All of the above", "Both of these", "All are correct" (on ``norm`` text).
AOTA_RE = re.compile(
    rf"^(?:(?:all|both)\s+of\s+{_REF}(?:\s+(?:are\s+)?(?:correct|true))?|all\s+(?:are|the\s+above\s+are)"
    rf"\s+(?:correct|true)|(?:the\s+)?above\s+all|all\s+(?:the\s+)?above)$"
)
#: "None of the above", "Neither", "None of these" (on ``norm`` text).
NOTA_RE = re.compile(
    rf"^(?:none\s+of\s+{_REF}(?:\s+(?:is|are)\s+(?:correct|true))?|neither(?:\s+of\s+{_REF})?"
    r"|none(?:\s+(?:is|are)\s+correct)?|no\s+correct\s+answer)$"
)
_POSITIONAL_WORD = re.compile(r"\b(?:above|previous|preceding)\b")


@lru_cache(maxsize=100_000)
def is_aota_or_nota(text: str) -> bool:
    """Whether a choice is "all/none of the above" (or a variant)."""
    n = norm(text)
    return bool(AOTA_RE.match(n) or NOTA_RE.match(n))


class AllOfTheAbove(Rule[NoOptions]):
    """A choice is "All of the above".

    What it does
        Reports a choice such as "All of the above", "Both of these" or "All are correct". With
        ``shuffle: true`` (the default) a choice that points "above" or at "previous" choices is an
        error, because after shuffling nothing is above it. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Learners who recognise two true options pick it without knowing the third; with
        shuffling the wording is meaningless (Haladyna et al. #26; NBME; Moodle's Aiken importer
        notes the same).

    Example
        ```yaml
        choices:
          - {text: Amazon S3}
          - {text: Amazon EBS}
          - {text: All of the above, correct: true}
        ```

    Use instead
        A ``multiple_response`` question whose keys are the true options.
    """

    code = "QB301"
    name = "all-of-the-above"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.choice_fields:
            n = norm(text)
            if AOTA_RE.match(n):
                positional = question.shuffle and bool(_POSITIONAL_WORD.search(n))
                yield Finding(
                    "'all of the above' choice"
                    + (" in a shuffled question: nothing is 'above' after shuffling" if positional else ""),
                    question,
                    where,
                    severity=Severity.ERROR if positional else None,
                )


class NotaOptions(RuleOptions):
    """Whether the bank accepts 'none of the above'."""

    allow: bool = False
    """``true`` lowers the severity to info (except for positional wording under shuffle)."""


class NoneOfTheAbove(Rule[NotaOptions]):
    """A choice is "None of the above".

    What it does
        Reports a choice such as "None of the above", "None of these" or "Neither". Positional
        wording ("above") in a shuffled question is an error; ``allow = true`` lowers the other
        cases to info. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        It rewards spotting wrong answers without knowing the right one, and when it is the key
        the item never shows the correct answer (Haladyna et al. #25; NBME irrelevant difficulty).

    Example
        ```yaml
        choices:
          - {text: "1"}
          - {text: "2"}
          - {text: None of the above, correct: true}
        ```

    Use instead
        Write the correct answer as a choice and a plausible distractor in place of NOTA.
    """

    code = "QB302"
    name = "none-of-the-above"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NotaOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for where, text in item.choice_fields:
            n = norm(text)
            if NOTA_RE.match(n):
                positional = question.shuffle and bool(_POSITIONAL_WORD.search(n))
                severity = Severity.ERROR if positional else (Severity.INFO if opts.allow else None)
                yield Finding(
                    "'none of the above' choice"
                    + (" in a shuffled question: nothing is 'above' after shuffling" if positional else ""),
                    question,
                    where,
                    severity=severity,
                )


_L = r"(?:[A-H]|[1-9]|[IVX]{1,4})"
_COMBINATION = re.compile(
    rf"^\s*(?:both\s+|only\s+|options?\s+|answers?\s+|choices?\s+|statements?\s+)*\(?{_L}\)?"
    rf"(?:\s*,\s*\(?{_L}\)?)*\s*,?\s*(?:and|or|&|\+)\s*\(?{_L}\)?(?![+#\w])"
    r"(?:\s+only)?(?:\s+(?:are|is)\s+(?:correct|true))?\s*[.!]?\s*$",
    re.I,
)


class ComplexCombinationOption(Rule[NoOptions]):
    """A choice combines other choices ("A and B", "I and III only").

    What it does
        Reports a short choice that consists of references to other choices: "A and B",
        "Both A and C", "1, 2 and 3 only", "I and III", "A, B, or C". The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        The complex multiple-choice ("Type K") format tests logic and partial knowledge rather
        than the content (Haladyna et al. #9), and references break when choices are shuffled.

    Example
        ```yaml
        choices:
          - {text: Amazon SQS}
          - {text: Amazon SNS}
          - {text: Both A and B, correct: true}
        ```

    Use instead
        A ``multiple_response`` question with keys SQS and SNS.
    """

    code = "QB303"
    name = "complex-combination-option"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.choice_fields:
            if _COMBINATION.match(text) and len(words(text)) <= 8:
                yield Finding(f"choice combines other choices ({text.strip()!r})", question, where)


_POSITIONAL = re.compile(
    r"\b(?:the\s+)?(?:above|below|previous|preceding)\s+(?:options?|answers?|choices?|statements?)\b"
    r"|\b(?:all|none|both|neither|any)\s+of\s+the\s+(?:above|previous|preceding)\b"
    r"|(?i:\b(?:option|answer|choice)s?)\s+\(?[A-H]\)?(?:\s*(?:,|and|or)\s*\(?[A-H]\)?)*(?![\w'’+#])"
    r"|\bthe\s+(?:" + "|".join(ORDINALS) + r")\s+(?:two\s+|three\s+)?(?:options?|answers?|choices?)\b",
)
_POSITIONAL_I = re.compile(_POSITIONAL.pattern.replace("(?i:", "(?:"), re.I)


#: Every positional reference holds one of these words (in any case).
_POSITIONAL_WORDS = ("above", "below", "previous", "preceding", "option", "answer", "choice")


@lru_cache(maxsize=100_000)
def _positional(text: str) -> re.Match[str] | None:
    if text.isascii():  # case-insensitive matching goes beyond lower() only outside ASCII
        folded = text.lower()
        if not any(word in folded for word in _POSITIONAL_WORDS):
            return None
    masked = mask_code(text)
    match = _POSITIONAL.search(masked)
    if match is None:
        lowered = _POSITIONAL_I.search(masked)
        if lowered and not re.search(r"(?i:option|answer|choice)s?\s+\(?[a-h]\)?", lowered.group(0)):
            return lowered
    return match


class PositionalReferenceUnderShuffle(Rule[NoOptions]):
    """The stem or a choice refers to choice positions in a shuffled question.

    What it does
        With ``shuffle: true`` (the default) reports "the above options", "option A", "answers B
        and C", "the first two choices" and similar references in the stem or a choice. Whole
        "all/none of the above" choices are left to QB301/QB302. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Moodle (``shuffleanswers``), Canvas and QTI (``shuffle="true"``) reorder choices, so the
        reference points at the wrong choice for most learners.

    Example
        ```yaml
        choices:
          - {text: Amazon SQS}
          - {text: The same as option A but with FIFO, correct: true}
        ```

    Use instead
        Refer to the content ("an SQS FIFO queue"), or set ``shuffle: false`` if order matters.
    """

    code = "QB304"
    name = "positional-reference-under-shuffle"
    severity = Severity.ERROR

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if not question.shuffle:
            return
        stem = [(("stem",), question.stem)] if isinstance(question, ChoiceQuestion) else []
        for where, text in (*stem, *item.choice_fields):
            match = _positional(text)
            if match is None or (
                where[0] != "stem"
                and (is_aota_or_nota(text) or (_COMBINATION.match(text) and len(words(text)) <= 8))
            ):
                continue
            yield Finding(
                f"positional reference {match.group(0)!r} in a shuffled question",
                question,
                where,
                offset=match.start(),
            )


class LengthOptions(RuleOptions):
    """Thresholds on choice lengths."""

    max_median_ratio: float = Field(default=2.0, gt=1)
    max_cv: float = Field(default=0.5, gt=0)
    min_words: int = Field(default=4, ge=1)
    """Questions whose choices all have fewer words are skipped."""


class OptionLengthHeterogeneous(Rule[LengthOptions]):
    """Choice lengths differ a lot.

    What it does
        Computes the length (characters of the normalised text) of every choice and reports the
        longest when ``max / median`` exceeds ``max-median-ratio`` (2.0) or the coefficient of
        variation exceeds ``max-cv`` (0.5). Questions whose choices are all shorter than
        ``min-words`` (4) words are skipped. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Keep choices about equal in length (Haladyna et al. #24; NBME "lack of uniformity"): an
        outlier attracts attention whether or not it is the key (QB401 covers the key).

    Example
        ```yaml
        choices:
          - {text: Use SQS}
          - {text: Use SNS}
          - {text: Use an SQS FIFO queue with content-based deduplication and a DLQ}
        ```

    Use instead
        Choices of similar length and detail.
    """

    code = "QB305"
    name = "option-length-heterogeneous"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[LengthOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for options in item.option_sets:
            texts = options.texts
            if len(texts) < 3 or all(len(words(t)) < opts.min_words for t in texts):
                continue
            lengths = [len(norm(t)) for t in texts]
            # statistics.median and statistics.fmean, written out
            n = len(lengths)
            ordered = sorted(lengths)
            half = n // 2
            median = ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2
            mean = math.fsum(lengths) / n
            if median <= 0 or mean <= 0:
                continue
            ratio = max(lengths) / median
            # a float estimate first: the exact population deviation (statistics.pstdev) only when it
            # can matter, since it works in fractions and dominates the rule's time otherwise
            rough = math.sqrt(max(sum(x * x for x in lengths) / n - mean * mean, 0.0)) / mean
            if ratio <= opts.max_median_ratio and rough < opts.max_cv - 1e-6:
                continue
            cv = statistics.pstdev(lengths) / mean
            if ratio > opts.max_median_ratio or cv > opts.max_cv:
                longest = lengths.index(max(lengths))
                noun = "choice" if options.gap is None else f"option (gap {options.gap!r})"
                yield Finding(
                    f"{noun} lengths vary (longest/median {ratio:.1f}, variation {cv:.2f})",
                    question,
                    options.path(longest),
                )


@dataclass(frozen=True, slots=True)
class _Form:
    period: bool
    upper: bool | None
    verb: bool | None
    """``None``: the first word may or may not be a verb (only known verbs and known non-verbs count)."""


_FIRST_TOKEN = re.compile(r"[^\W_][\w'’-]*")
#: Function words and domain nouns that never open an imperative ("an Amazon Kinesis stream");
#: "Have the service call ...", "Do ...", "Be ..." can.
_NOT_VERBS = (STOP_WORDS | UBIQUITOUS_TERMS) - IMPERATIVE_VERBS - {"have", "do", "be"}


def _starts_with_verb(masked: str) -> bool | None:
    """Whether a choice opens with an imperative verb: ``True`` for a verb of the list, ``False`` for
    a word that is never one (function words, domain nouns, gerunds, numbers, acronyms and names
    with inner capitals), ``None`` for any other word, which may be a verb the list lacks."""
    match = _FIRST_TOKEN.search(masked)
    if match is None:
        return None
    token = match.group(0)
    word = token.lower()
    if word in IMPERATIVE_VERBS:
        return True
    if (
        word in _NOT_VERBS
        or token[0].isdigit()
        or any(ch.isupper() or ch.isdigit() for ch in token[1:])
        or (word.endswith("ing") and len(word) > 5)
    ):
        return False
    return None


@lru_cache(maxsize=100_000)
def _form(text: str) -> _Form:
    masked = mask_code(text)
    stripped = masked.strip().rstrip("*_")
    first = next((ch for ch in stripped if ch.isalpha() or ch.isdigit() or ch == "`"), "")
    return _Form(
        period=stripped.endswith("."),
        upper=first.isupper() if first.isalpha() else None,
        verb=_starts_with_verb(masked),
    )


class OptionsNotParallel(Rule[NoOptions]):
    """One choice differs in form from all the others.

    What it does
        Compares simple form features of the choices: ends with a period, starts with a capital,
        starts with an imperative verb ("Use", "Configure" ...). When a feature splits three or more
        choices so that exactly one differs from the rest, that choice is reported. A choice counts
        as verb-first when its first word is on the list of imperative verbs and as not verb-first
        when that word cannot be one (an article, a pronoun, a gerund, a number, an acronym);
        any other first word ("Raise", "Have") is left out of the comparison, since the list
        cannot hold every verb. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Choices should be homogeneous in grammar and form (Haladyna et al. #23; NBME "language
        not parallel"); the odd one out draws the eye and is often the key.

    Example
        ```yaml
        choices:
          - {text: Use Amazon SQS.}
          - {text: Use Amazon SNS.}
          - {text: Use Amazon MQ.}
          - {text: an Amazon Kinesis stream}
        ```

    Use instead
        Write every choice in the same form ("Use Amazon Kinesis Data Streams.").
    """

    code = "QB306"
    name = "options-not-parallel"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for options in item.option_sets:
            if len(options.texts) >= 3:
                yield from self._check(question, options)

    @staticmethod
    def _check(question: Question, options: OptionSet) -> Iterable[Finding]:
        forms = [_form(t) for t in options.texts]
        for feature, (yes, no) in (
            ("period", ("ends with a period", "does not end with a period")),
            ("upper", ("starts with a capital", "does not start with a capital")),
            ("verb", ("starts with a verb", "does not start with a verb")),
        ):
            values = [getattr(f, feature) for f in forms]
            known = [v for v in values if v is not None]
            if len(known) < 3:
                continue
            for value in (True, False):
                if known.count(value) == 1 and known.count(not value) >= 2:
                    odd = values.index(value)
                    yield Finding(
                        f"{options.label(odd)} is the only one that {yes if value else no}",
                        question,
                        options.path(odd),
                    )
                    return


_NUMBER = re.compile(r"^\s*([<>~≈]?)\s*(-?\d[\d,]*(?:\.(\d+))?)\s*([A-Za-z%]+)?\s*\.?\s*$")


@lru_cache(maxsize=100_000)
def _parse_number(text: str) -> tuple[float, int, str | None] | None:
    match = _NUMBER.match(text.replace("`", ""))
    if match is None:
        return None
    raw = match.group(2).replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    unit = match.group(4)
    canon = UNITS.get(unit.lower(), unit) if unit else None
    return value, len(match.group(3) or ""), canon


class NumericOptionsUnorderedOrInconsistent(Rule[NoOptions]):
    """Numeric choices are out of order, or mix units or decimals.

    What it does
        When every choice is a number (optionally with a unit or %), reports choices that use a
        different unit or number of decimals than the first, and, for ``shuffle: false``, choices
        that are neither ascending nor descending. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Numbers belong in numeric order, stated consistently (Haladyna et al. #21; NBME "numeric
        data not stated consistently"); a mixed list turns the item into unit conversion.

    Example
        ```yaml
        choices:
          - {text: 15 minutes}
          - {text: 900 seconds}
          - {text: 5 minutes, correct: true}
        ```

    Use instead
        "5 minutes / 15 minutes / 30 minutes / 60 minutes", in order.
    """

    code = "QB307"
    name = "numeric-options-unordered-or-inconsistent"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for options in item.option_sets:
            yield from self._check(question, options)

    @staticmethod
    def _check(question: Question, options: OptionSet) -> Iterable[Finding]:
        parsed = [_parse_number(t) for t in options.texts]
        if any(p is None for p in parsed):
            return
        numbers = [p for p in parsed if p is not None]
        units = {p[2] for p in numbers}
        if len(units) > 1:
            first = numbers[0][2]
            odd = next(i for i, p in enumerate(numbers) if p[2] != first)
            yield Finding(
                "numeric choices mix units (" + ", ".join(sorted(u or "none" for u in units)) + ")",
                question,
                options.path(odd),
            )
            return
        decimals = [p[1] for p in numbers]
        if len(set(decimals)) > 1:
            odd = next(i for i, d in enumerate(decimals) if d != decimals[0])
            yield Finding("numeric choices use different numbers of decimals", question, options.path(odd))
        values = [p[0] for p in numbers]
        if not question.shuffle and values != sorted(values) and values != sorted(values, reverse=True):
            steps = [b - a for a, b in itertools.pairwise(values)]
            direction = next(d for d in steps if d)
            odd = next(i + 1 for i, d in enumerate(steps) if d * direction < 0)
            yield Finding(
                "numeric choices are not in ascending or descending order",
                question,
                options.path(odd),
            )


_NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
_RANGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^(?:between\s+|from\s+)?{_NUM}\s*(?:-|–|to|and)\s*{_NUM}\b"), "closed"),
    (re.compile(rf"^(?:more\s+than|greater\s+than|over|above|>)\s*{_NUM}\b"), "gt"),
    (re.compile(rf"^(?:at\s+least|>=|≥|{_NUM}\s+or\s+more)\s*{_NUM}?\b"), "ge"),
    (re.compile(rf"^(?:less\s+than|fewer\s+than|under|below|<)\s*{_NUM}\b"), "lt"),
    (re.compile(rf"^(?:at\s+most|up\s+to|<=|≤|{_NUM}\s+or\s+(?:less|fewer))\s*{_NUM}?\b"), "le"),
)


@dataclass(frozen=True, slots=True)
class _Interval:
    lo: float
    hi: float
    lo_open: bool
    hi_open: bool

    def overlaps(self, other: _Interval) -> bool:
        if self.hi < other.lo or other.hi < self.lo:
            return False
        if self.hi == other.lo:
            return not (self.hi_open or other.lo_open)
        if other.hi == self.lo:
            return not (other.hi_open or self.lo_open)
        return True


@lru_cache(maxsize=100_000)
def _interval(text: str) -> _Interval | None:
    n = norm(text)
    for pattern, kind in _RANGE_PATTERNS:
        match = pattern.match(n)
        if match is None:
            continue
        nums = [float(g.replace(",", "")) for g in match.groups() if g]
        if not nums:
            return None
        if kind == "closed" and len(nums) == 2:
            lo, hi = sorted(nums)
            return _Interval(lo, hi, False, False)
        value = nums[0]
        if kind == "gt":
            return _Interval(value, math.inf, True, True)
        if kind == "ge":
            return _Interval(value, math.inf, False, True)
        if kind == "lt":
            return _Interval(-math.inf, value, True, True)
        if kind == "le":
            return _Interval(-math.inf, value, True, False)
    return None


class OverlappingRanges(Rule[NoOptions]):
    """Numeric range choices overlap.

    What it does
        Parses choices such as "1-5", "between 5 and 10", "more than 10", "at least 10",
        "less than 5" into intervals (when at least two choices are ranges) and reports a choice
        whose interval overlaps or shares a closed endpoint with an earlier one. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Overlapping ranges make two choices correct for the boundary values (Haladyna et al. #22).

    Example
        ```yaml
        choices:
          - {text: 1-5 seconds}
          - {text: 5-10 seconds}
          - {text: more than 10 seconds}
        ```

    Use instead
        "1-4 seconds / 5-10 seconds / more than 10 seconds".
    """

    code = "QB308"
    name = "overlapping-ranges"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for options in item.option_sets:
            intervals = [_interval(t) for t in options.texts]
            if sum(i is not None for i in intervals) < 2:
                continue
            for j, b in enumerate(intervals):
                if b is None:
                    continue
                for i in range(j):
                    a = intervals[i]
                    if a is not None and a.overlaps(b):
                        yield Finding(
                            f"the range of {options.label(j)} overlaps {options.label(i)}",
                            question,
                            options.path(j),
                        )
                        break


_ARTICLES = frozenset({"a", "an", "the"})


class RepeatedOptionLeadIn(Rule[NoOptions]):
    """Every choice starts with the same words.

    What it does
        Reports the choices when all of them start with the same two or more words (a shared
        prefix made only of articles does not count). The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Words repeated in every option belong in the stem: the learner reads less and the
        difference between the options stands out (Penn State; Haladyna et al. #13, #15).

    Example
        ```yaml
        choices:
          - {text: Use Amazon SQS}
          - {text: Use Amazon SNS}
          - {text: Use Amazon MQ}
        ```

    Use instead
        Stem "... Which Amazon service should the developer use?" and choices "SQS", "SNS", "MQ".
    """

    code = "QB309"
    name = "repeated-option-lead-in"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for options in item.option_sets:
            lists = [words(t) for t in options.texts]
            shortest = min(len(ws) for ws in lists)
            prefix = 0
            while prefix < shortest and all(ws[prefix] == lists[0][prefix] for ws in lists):
                prefix += 1
            if prefix == shortest:
                prefix -= 1  # an option that is entirely the shared prefix leaves nothing to move
            shared = lists[0][:prefix]
            if len(shared) >= 2 and any(w not in _ARTICLES for w in shared):
                noun, home = (
                    ("choice", "stem") if options.gap is None else (f"option of gap {options.gap!r}", "text")
                )
                yield Finding(
                    f"every {noun} starts with {' '.join(shared)!r}; move it to the {home}",
                    question,
                    options.where,
                )


_NEGATOR = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(n for n in NEGATORS if n != "no")
    + r")(?![\w'’])|\b\w+n['’]t\b|^\W*no\b(?=\W*$|[,.;:!]|\s+longer\b)|\bno\s+longer\b",
    re.I,
)


class NegativeOption(Rule[NoOptions]):
    """A choice is negatively phrased.

    What it does
        Reports a choice containing a negator (``not``, ``never``, ``none``, ``nothing``,
        ``cannot``, ``n't``, ``no longer``) or answering "No". Inside a sentence "no" counts a
        quantity ("a key with no expiry", "when no query string is present") rather than turning
        the statement around, so it is not reported. "None of the above" is left to QB302; code,
        command lines and identifiers (``--no-cache``) are ignored. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Choices should be phrased positively (Haladyna et al. #27); negatives add reading load,
        and combined with a negative stem they form a double negative (QB206).

    Example
        ```yaml
        - {text: The function does not need more memory.}
        ```

    Use instead
        ```yaml
        - {text: The function has enough memory.}
        ```
    """

    code = "QB310"
    name = "negative-option"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.choice_fields:
            match = _negation(text)
            if match:
                yield Finding(
                    f"negatively phrased choice ({match.group(0)!r})", question, where, offset=match.start()
                )


@lru_cache(maxsize=100_000)
def _negation(text: str) -> re.Match[str] | None:
    """The negator of a choice (in its prose), ``None`` for "none of the above" and the like."""
    return None if is_aota_or_nota(text) else _NEGATOR.search(mask_literals(text))
