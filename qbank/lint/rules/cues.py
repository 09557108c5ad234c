"""QB4xx: cues to the testwise examinee. The engine skips them for questions whose structure fails."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import Field

from qbank.core.diagnostics import Severity
from qbank.core.model import Question, SingleChoice
from qbank.core.text import (
    OptionSet,
    mask_code,
    norm,
    word_stem,
    word_stems,
    words,
)
from qbank.core.wordlists import (
    A_WORDS,
    ABSOLUTE_TERMS,
    AN_WORDS,
    ANTONYM_PAIRS,
    NUMBER_WORDS,
    QUALIFIERS,
    UBIQUITOUS_TERMS,
    VOWEL_SOUND_LETTERS,
)
from qbank.lint.rules.base import Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.options import is_aota_or_nota
from qbank.lint.rules.stem import lead_in
from qbank.lint.rules.text import Item, RuleOptions, find_word

__all__ = [
    "AbsoluteTermsInDistractors",
    "ConvergenceCue",
    "GrammaticalCueArticle",
    "HedgedKeyCue",
    "LongestOptionIsKey",
    "OppositePairCue",
    "StemKeyWordRepeat",
]


class LongestOptions(RuleOptions):
    """How much longer the key must be."""

    ratio: float = Field(default=1.25, ge=1)
    min_words: int = Field(default=4, ge=1)
    """Questions whose choices all have fewer words are skipped."""


class LongestOptionIsKey(Rule[LongestOptions]):
    """The key is conspicuously the longest choice.

    What it does
        ``single_choice``: reports the key when it is strictly the longest choice and at least
        ``ratio`` (1.25) times as long as the longest distractor (characters of the normalised
        text). ``multiple_response``: reports when every key is longer than every distractor.
        Questions whose choices all have fewer than ``min-words`` (4) words are skipped. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        "The correct answer is longer, more specific, or more complete" is the classic cue of
        the testwise examinee (NBME; Haladyna et al. #24, #28). Generated banks show it heavily;
        QB702 measures it over the whole bank.

    Example
        ```yaml
        choices:
          - {text: Use Amazon SNS}
          - {text: Use Amazon SQS with a dead-letter queue and maxReceiveCount 5 so failures are isolated,
             correct: true}
          - {text: Use Amazon Kinesis}
        ```

    Use instead
        Distractors of similar length and detail: "Use Amazon SNS with a retry policy and a
        subscription filter".
    """

    code = "QB401"
    name = "longest-option-is-key"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[LongestOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for options in item.option_sets:
            texts = options.texts
            if all(len(words(t)) < opts.min_words for t in texts):
                continue
            lengths = [len(norm(t)) for t in texts]
            keys = set(options.keys)
            distractor_max = max(n for i, n in enumerate(lengths) if i not in keys)
            if options.single:
                (key,) = keys
                if lengths[key] > distractor_max and lengths[key] >= opts.ratio * max(distractor_max, 1):
                    noun = "choice" if options.gap is None else "option"
                    yield Finding(
                        f"the key is the longest {noun} ({lengths[key]} characters, longest distractor "
                        f"{distractor_max})",
                        question,
                        options.path(key),
                    )
            elif all(lengths[k] > distractor_max for k in keys):
                yield Finding("every key is longer than every distractor", question, options.path(min(keys)))


_ARTICLE_END = re.compile(r"(?<![\w'’])(a|an)\s*(?:_{2,}|\.\.\.|…)?\s*[:.]?\s*$", re.I)
_FIRST_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_PLURAL_ASK = re.compile(r"\bwhich\s+(" + "|".join(w for w in NUMBER_WORDS if w != "one") + r")\b", re.I)


def vowel_sound(word: str) -> bool:
    """Whether ``word`` starts with a vowel sound (crude English rules plus the exception lists)."""
    if word[0].isdigit():
        return word.startswith(("8", "11", "18"))
    letters = word.replace("-", "")
    if (len(letters) > 1 and letters.isupper()) or len(letters) == 1:
        return letters[0].upper() in VOWEL_SOUND_LETTERS
    lower = word.lower()
    if lower.startswith(AN_WORDS):
        return True
    if lower.startswith(A_WORDS):
        return False
    return lower[0] in "aeiou"


class GrammaticalCueArticle(Rule[NoOptions]):
    """The stem's final article or number agrees with only some choices.

    What it does
        For a completion stem ending in "a" or "an" (optionally followed by a blank), reports the
        choices whose first word does not fit the article ("a" + vowel sound, "an" + consonant
        sound; acronyms are read letter by letter, so "an SQS queue", "an EC2 instance"), when at
        least one choice does fit. Also reports a ``single_choice`` stem that asks "Which two ...". The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        A distractor that does not follow grammatically from the stem is eliminated without any
        knowledge (NBME grammatical cues; Haladyna et al. #28; Penn State).

    Example
        ```yaml
        stem: To decouple producers from consumers, the developer should add an
        choices:
          - {text: queue, correct: true}
          - {text: Elastic IP}
        ```

    Use instead
        End the stem before the article ("... should add:") and put the article in each choice.
    """

    code = "QB402"
    name = "grammatical-cue-article"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if isinstance(question, SingleChoice):
            plural = _PLURAL_ASK.search(mask_code(question.stem))
            if plural:
                yield Finding(
                    f"the stem asks for {plural.group(1)} answers but the question has one key",
                    question,
                    ("stem",),
                    offset=plural.start(),
                )
        for options in item.option_sets:
            yield from self._article(question, options)

    @staticmethod
    def _article(question: Question, options: OptionSet) -> Iterable[Finding]:
        if options.gap is None:
            start, end = lead_in(options.lead)
        else:
            start, end = 0, len(options.lead)  # the words right before the gap
        match = _ARTICLE_END.search(mask_code(options.lead)[start:end])
        if match is None:
            return
        article = match.group(1).lower()
        fits: list[bool | None] = []
        for text in options.texts:
            first = _FIRST_WORD.search(text.lstrip("*_`\"' "))
            if first is None or first.group(0).lower() in ("a", "an", "the"):
                fits.append(None)
                continue
            fits.append(vowel_sound(first.group(0)) == (article == "an"))
        if True not in fits:
            return
        where = "stem" if options.gap is None else "text"
        for index, fit in enumerate(fits):
            if fit is False:
                yield Finding(
                    f"{options.label(index)} does not follow the {where}'s article {article!r}",
                    question,
                    options.path(index),
                )


class ClangOptions(RuleOptions):
    """Words that never count as a clue."""

    ignore_words: tuple[str, ...] = tuple(sorted(UBIQUITOUS_TERMS))
    min_length: int = Field(default=4, ge=1)


class StemKeyWordRepeat(Rule[ClangOptions]):
    """A content word of the stem reappears in the key and in no distractor.

    What it does
        Compares the content words of the stem and of each key (stop words, words shorter than
        ``min-length`` and the ``ignore-words`` list such as "AWS", "service" are left out;
        inflections are merged) and reports the key when they share a word that no distractor
        contains. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        "Clang association": the learner matches the stem's wording instead of knowing the answer
        (NBME word repeats; Haladyna et al. #28).

    Example
        ```yaml
        stem: A mobile app needs temporary credentials. What should the developer use?
        choices:
          - {text: Cognito identity pools that issue temporary credentials, correct: true}
          - {text: IAM users with access keys}
        ```

    Use instead
        Paraphrase in the key, or let a distractor share the phrase too.
    """

    code = "QB403"
    name = "stem-key-word-repeat"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[ClangOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        ignore = _stems_of(opts.ignore_words)
        for options in item.option_sets:
            stem_words = _clue_words(options.stem, opts.min_length, ignore)
            if not stem_words:
                continue
            keys = set(options.keys)
            distractor_words: set[str] = set()
            for i, text in enumerate(options.texts):
                if i not in keys:
                    distractor_words |= word_stems(text)
            for k in sorted(keys):
                shared = (stem_words & word_stems(options.texts[k])) - distractor_words
                if shared:
                    yield Finding(
                        "the key repeats "
                        + ("stem" if options.gap is None else "text")
                        + " word"
                        + ("s " if len(shared) > 1 else " ")
                        + ", ".join(repr(w) for w in sorted(shared))
                        + " that no distractor uses",
                        question,
                        options.path(k),
                    )


@lru_cache(maxsize=16)
def _stems_of(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word_stem(w) for w in words)


@lru_cache(maxsize=100_000)
def _clue_words(stem: str, min_length: int, ignore: frozenset[str]) -> frozenset[str]:
    """The word stems of ``stem`` that QB403 looks for in the keys."""
    return frozenset(w for w in word_stems(stem) if len(w) >= min_length) - ignore


class AbsoluteOptions(RuleOptions):
    """The absolute words."""

    words: tuple[str, ...] = ABSOLUTE_TERMS


class AbsoluteTermsInDistractors(Rule[AbsoluteOptions]):
    """Distractors use absolute words the key avoids.

    What it does
        Reports each distractor containing an absolute determiner (``always``, ``never``, ``all``,
        ``none``, ``only``, ``every``, ``must``, ``guaranteed`` ...; option ``words``) when the key
        has none. If a key uses one too, the finding is only info (symmetric use is no cue).
        "All/none of the above" choices are left to QB301/QB302; code, command lines and
        identifiers (``git add --all``) are ignored. The options of each drop-down gap of a cloze
        question are judged the same way.

    Why it matters
        Testwise learners eliminate absolutes ("specific determiners": NBME; Haladyna et al. #28).

    Example
        ```yaml
        choices:
          - {text: DynamoDB always returns strongly consistent reads}
          - {text: DynamoDB reads are eventually consistent by default, correct: true}
        ```

    Use instead
        State the specific condition instead of an absolute.
    """

    code = "QB404"
    name = "absolute-terms-in-distractors"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[AbsoluteOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        entries = opts.words
        for options in item.option_sets:
            keys = set(options.keys)
            key_absolute = any(find_word(entries, options.texts[k]) for k in keys)
            for i, text in enumerate(options.texts):
                if i in keys or is_aota_or_nota(text):
                    continue
                match = find_word(entries, text)
                if match:
                    yield Finding(
                        f"absolute term {match.group(0)!r} in a distractor"
                        + (" (a key uses one too)" if key_absolute else ""),
                        question,
                        options.path(i),
                        offset=match.start(),
                        severity=Severity.INFO if key_absolute else None,
                    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _mean_overlaps(texts: tuple[str, ...]) -> list[float] | None:
    """Each option's mean Jaccard similarity (of content word stems) to the others; ``None`` when fewer
    than three options have two or more content words."""
    sets = [word_stems(t) for t in texts]
    if sum(1 for s in sets if len(s) >= 2) < 3:
        return None
    n = len(sets)
    similar = [[0.0] * n for _ in range(n)]  # symmetric: each pair once
    for j in range(1, n):
        b = sets[j]
        for i in range(j):
            similar[i][j] = similar[j][i] = _jaccard(sets[i], b)
    return [sum(similar[i][j] for j in range(n) if j != i) / (n - 1) for i in range(n)]


class ConvergenceOptions(RuleOptions):
    """Margin by which the key must be the centroid."""

    margin: float = Field(default=0.1, ge=0)


class ConvergenceCue(Rule[ConvergenceOptions]):
    """The key shares the most words with the other choices.

    What it does
        ``single_choice`` with three or more choices: computes for every choice the mean Jaccard
        similarity of its content words to the other choices, and reports the key when its mean
        exceeds every distractor's by at least ``margin`` (0.1). The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        "Convergence strategy": distractors are often built by varying parts of the key, so the
        choice with the most elements in common with the others is the key (NBME).

    Example
        ```yaml
        choices:
          - {text: SQS FIFO queue with Lambda, correct: true}
          - {text: SQS FIFO queue with EC2}
          - {text: SQS standard queue with Lambda}
          - {text: SNS topic with Lambda}
        ```

    Use instead
        Vary distractors independently of the key, so no choice sits at the centre.
    """

    code = "QB405"
    name = "convergence-cue"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[ConvergenceOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for options in item.option_sets:
            if not options.single or len(options.texts) < 3:
                continue
            means = _mean_overlaps(options.texts)
            if means is None:
                continue
            (key,) = options.keys
            others = max(m for i, m in enumerate(means) if i != key)
            if means[key] > 0 and means[key] - others >= opts.margin:
                noun = "choices" if options.gap is None else "options"
                yield Finding(
                    f"the key shares the most words with the other {noun} (mean overlap {means[key]:.2f} "
                    f"vs {others:.2f})",
                    question,
                    options.path(key),
                )


_ANTONYMS: dict[str, str] = {}
for _a, _b in ANTONYM_PAIRS:
    _ANTONYMS[_a] = _b
    _ANTONYMS[_b] = _a


def _opposite(a: tuple[str, ...], b: tuple[str, ...], sa: frozenset[str], sb: frozenset[str]) -> bool:
    """Whether two word lists (``sa``, ``sb``: their sets) differ only by one antonym swap or by one
    word (3+ words each)."""
    if len(a) == len(b) and len(a) >= 3:
        diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        if len(diffs) == 1:
            return True
    only_a = sa - sb
    if len(only_a) > 1:
        return False
    only_b = sb - sa
    if len(only_a) == 1 and len(only_b) == 1:
        (x,), (y,) = only_a, only_b
        return _ANTONYMS.get(x) == y
    if not only_a and len(only_b) == 1:
        (y,) = only_b
        return y in ("not", "no", "non") or y.endswith(("n't", "n’t"))
    if not only_b and len(only_a) == 1:
        (x,) = only_a
        return x in ("not", "no", "non") or x.endswith(("n't", "n’t"))
    return False


def _opposite_pairs(texts: tuple[str, ...]) -> list[tuple[int, int]]:
    """(i, j) with i < j of every pair of options that are opposites (:func:`_opposite`)."""
    lists = [words(t) for t in texts]
    sets = [frozenset(ws) for ws in lists]
    return [
        (i, j)
        for j in range(len(lists))
        for i in range(j)
        if lists[i] and lists[j] and _opposite(lists[i], lists[j], sets[i], sets[j])
    ]


class OppositePairCue(Rule[NoOptions]):
    """Exactly one pair of choices are opposites, and the key is one of them.

    What it does
        ``single_choice``: finds pairs of choices that differ by one antonym (synchronous /
        asynchronous, allow / deny ...), by a negation, or by a single word in the same position;
        when there is exactly one such pair and the key is in it, the key is reported. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        "Logical cue": a learner guesses that one of the two opposites must be right and ignores
        the other choices (NBME; Haladyna et al. #28).

    Example
        ```yaml
        choices:
          - {text: Invoke the function synchronously, correct: true}
          - {text: Invoke the function asynchronously}
          - {text: Use a larger instance}
          - {text: Add a read replica}
        ```

    Use instead
        Make the other distractors pairs too, or replace the opposite with an unrelated plausible
        distractor.
    """

    code = "QB406"
    name = "opposite-pair-cue"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for options in item.option_sets:
            if not options.single or len(options.texts) < 3:
                continue
            pairs = _opposite_pairs(options.texts)
            if len(pairs) != 1:
                continue
            (key,) = options.keys
            i, j = pairs[0]
            if key in (i, j):
                other = j if key == i else i
                yield Finding(
                    f"the key and {options.label(other)} form the only opposite pair",
                    question,
                    options.path(key),
                )


class HedgeOptions(RuleOptions):
    """The qualifier words and phrases."""

    words: tuple[str, ...] = QUALIFIERS


class HedgedKeyCue(Rule[HedgeOptions]):
    """The key is hedged while the distractors are not.

    What it does
        Reports a key that contains a qualifier (``usually``, ``in most cases``, ``can``, ``may``,
        ``typically`` ...; option ``words``) when no distractor contains one. Code, command lines
        and identifiers are ignored. The options of each drop-down gap of a cloze question are
        judged the same way.

    Why it matters
        The careful, qualified statement is more likely to be true, and testwise learners know
        it (NBME: the key is "more specific or more complete"; Haladyna et al. #28).

    Example
        ```yaml
        choices:
          - {text: Lambda functions can run for up to 15 minutes, correct: true}
          - {text: Lambda functions run for 5 minutes}
          - {text: Lambda functions run forever}
        ```

    Use instead
        Qualify distractors as carefully as the key, or state the key without the hedge.
    """

    code = "QB407"
    name = "hedged-key-cue"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[HedgeOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        entries = opts.words
        for options in item.option_sets:
            keys = set(options.keys)
            if any(find_word(entries, t) for i, t in enumerate(options.texts) if i not in keys):
                continue
            for k in sorted(keys):
                match = find_word(entries, options.texts[k])
                if match:
                    yield Finding(
                        f"the key is hedged ({match.group(0)!r}) and no distractor is",
                        question,
                        options.path(k),
                        offset=match.start(),
                    )
