"""QB5xx: explanations and feedback."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pydantic import Field
from rapidfuzz import fuzz

from qbank.core.diagnostics import Severity
from qbank.core.model import ChoiceQuestion, Question
from qbank.core.text import mask_code, norm, tokens, word_stem, word_stems, words
from qbank.core.wordlists import ORDINALS, UBIQUITOUS_TERMS
from qbank.lint.rules.base import BankFacts, Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions

__all__ = [
    "DistractorRationaleMissing",
    "ExplanationContradictsKey",
    "ExplanationMissing",
    "ExplanationOmitsKey",
    "ExplanationPositionalReference",
]

_LETTERS = "ABCDEFGHIJ"


class ExplanationOptions(RuleOptions):
    """Minimum length of an explanation."""

    min_words: int = Field(default=15, ge=0)


class ExplanationMissing(Rule[ExplanationOptions]):
    """The question has no explanation, or a very short one.

    What it does
        Reports a question without ``explanation`` (at its ``id``) or with one shorter than
        ``min-words`` (15) words (at the explanation).

    Why it matters
        A practice bank is learning material: the explanation says why the key is right and the
        distractors wrong, and it is how reviewers verify the key.

    Example
        ```yaml
        - id: q1
          stem: Which service stores objects?
          choices: [...]
        ```

    Use instead
        ```yaml
          explanation: |
            Amazon S3 is object storage; EBS provides block volumes for one instance and EFS a
            shared file system, so neither stores objects by key.
        ```
    """

    code = "QB501"
    name = "explanation-missing"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[ExplanationOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        if question.explanation is None:
            yield Finding("the question has no explanation", question, ("id",))
            return
        count = len(words(question.explanation))
        if count < opts.min_words:
            yield Finding(
                f"the explanation has {count} words (at least {opts.min_words} expected)",
                question,
                ("explanation",),
            )


def _document_words(q: Question) -> tuple[str, ...]:
    """The distinct word stems of a question's stem and choices, sorted: what document frequency
    counts (a tuple, kept for every question of the bank, is a fifth of the size of a set)."""
    seen = set(word_stems(q.stem))
    if isinstance(q, ChoiceQuestion):
        for c in q.choices:
            seen |= word_stems(c.text)
    return tuple(sorted(seen))


def _letter_mentioned(explanation: str, index: int) -> bool:
    letter = _LETTERS[index] if index < len(_LETTERS) else None
    if letter is None:
        return False
    return bool(
        re.search(
            rf"(?i:\b(?:option|answer|choice))\s*\(?{letter}\b|(?<![\w'’]){letter}[).:](?:\s|$)", explanation
        )
    )


class OmitsKeyOptions(RuleOptions):
    """How closely the explanation must quote the key."""

    min_partial_ratio: float = Field(default=80.0, ge=0, le=100)
    salient_words: int = Field(default=2, ge=1)
    min_shared_share: float = Field(default=0.5, ge=0, le=1)
    """Share of the key's content words that, found in the explanation, count as a mention."""


class ExplanationOmitsKey(Rule[OmitsKeyOptions]):
    """The explanation never mentions the key.

    What it does
        For each key, reports the explanation when it neither contains the key's text (fuzzy
        ``partial_ratio`` below ``min-partial-ratio``, 80) nor any of the key's ``salient-words``
        (2) rarest content words (by document frequency over the bank) nor at least
        ``min-shared-share`` (half) of the key's content words, nor the key's letter.

    Why it matters
        An explanation that does not talk about the key usually belongs to another question
        (copy-paste) or predates a change of key.

    Example
        ```yaml
        choices:
          - {text: Amazon DynamoDB, correct: true}
          - {text: Amazon RDS}
        explanation: Amazon S3 stores objects durably across Availability Zones.
        ```

    Use instead
        Explain why the key is right, naming it.
    """

    code = "QB502"
    name = "explanation-omits-key"
    severity = Severity.WARNING
    scope = "bank"
    on_facts = True

    def fact(self, item: Item, ctx: RuleContext[OmitsKeyOptions]) -> Any:
        """The question's words for document frequency, and the keys only the rarest words can clear:
        (key index, the key's content word stems, those of them the explanation holds)."""
        question = item.question
        words = _document_words(question)
        if not isinstance(question, ChoiceQuestion) or question.explanation is None:
            return words, None
        opts = ctx.options
        explanation = norm(question.explanation)
        explanation_stems = word_stems(question.explanation)
        undecided: list[tuple[int, tuple[str, ...], frozenset[str]]] = []
        for k in question.keys:
            key = norm(question.choices[k].text)
            if not key:
                continue
            if fuzz.partial_ratio(key, explanation, score_cutoff=opts.min_partial_ratio):
                continue
            key_stems = sorted(
                {word_stem(w) for w in tokens(question.choices[k].text) if w not in UBIQUITOUS_TERMS}
            )
            shared = sum(w in explanation_stems for w in key_stems)
            if key_stems and shared / len(key_stems) >= opts.min_shared_share:
                continue
            if _letter_mentioned(question.explanation, k):
                continue
            undecided.append((k, tuple(key_stems), frozenset(key_stems) & explanation_stems))
        return words, tuple(undecided)

    def judge(self, facts: BankFacts, ctx: RuleContext[OmitsKeyOptions]) -> Iterable[Finding]:
        """A key is missing when the explanation holds none of its ``salient-words`` rarest stems."""
        pending = [(i, fact[1]) for i, fact in enumerate(facts.values) if fact is not None and fact[1]]
        vocab = {w for _, keys in pending for _, stems, _ in keys for w in stems}
        df: Counter[str] = Counter()
        for fact in facts.values:
            if fact is not None:
                df.update(w for w in fact[0] if w in vocab)
        salient = ctx.options.salient_words
        for ordinal, keys in pending:
            missing = [
                k
                for k, stems, held in keys
                if not any(w in held for w in sorted(stems, key=lambda w: (df[w], w))[:salient])
            ]
            if missing:
                names = ", ".join(str(k + 1) for k in missing)
                yield Finding(
                    f"the explanation does not mention the key (choice {names})",
                    where=("explanation",),
                    ordinal=ordinal,
                )


_ANSWER_LETTER = re.compile(
    r"(?i:\b(?:correct|right|true)\s+(?:answer|option|choice|response)s?\s*(?:is|are|:|=|would\s+be)\s*"
    r"(?:option\s+|answer\s+|choice\s+)?)\(?([A-J])\b(?:\s*(?:,|and|&)\s*\(?([A-J])\b)?"
    r"|(?i:\banswer\s*:\s*)\(?([A-J])\b"
    r"|(?i:\b(?:option|answer|choice)\s+)\(?([A-J])\)?\s+(?i:is\s+(?:the\s+)?(?:correct|right))"
)
_ANSWER_TEXT = re.compile(
    r"\b(?:the\s+)?(?:correct|right)\s+answer\s+is\s*:?\s*[\"“']?([^.\n\"”]{2,120})", re.I
)
_KEY_WRONG = r"\s+(?:is|was)\s+(?:incorrect|wrong|false|not\s+correct)\b"


class ExplanationContradictsKey(Rule[NoOptions]):
    """The explanation names another answer as correct.

    What it does
        Reads explicit answer statements in the explanation: "the correct answer is B",
        "Answer: C", "option D is correct", "the correct answer is <text>". A letter (counted from
        A in file order) or a text (fuzzy-matched to the choices) that is not a key is reported,
        and so is a key's text followed by "is incorrect" / "is wrong".

    Why it matters
        Either the item is miskeyed or the explanation is stale after choices were edited or
        reordered; both teach the wrong answer.

    Example
        ```yaml
        choices:
          - {text: Amazon S3}
          - {text: Amazon EBS, correct: true}
        explanation: The correct answer is A. Amazon S3 stores objects.
        ```

    Use instead
        Fix the key or the explanation; refer to the answer by its content, not its letter.
    """

    code = "QB503"
    name = "explanation-contradicts-key"
    severity = Severity.ERROR

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if not isinstance(question, ChoiceQuestion) or question.explanation is None:
            return
        explanation = mask_code(question.explanation)
        keys = set(question.keys)
        n = len(question.choices)
        # every answer statement names an answer, option, choice or response (cheap test first)
        folded = explanation.lower()
        stated = any(word in folded for word in ("answer", "option", "choice", "response"))
        for match in _ANSWER_LETTER.finditer(explanation) if stated else ():
            for group in range(1, 5):
                letter = match.group(group)
                if letter is None:
                    continue
                index = _LETTERS.index(letter)
                if index < n and index not in keys:
                    yield Finding(
                        f"the explanation names choice {letter} as the answer, but it is not a key",
                        question,
                        ("explanation",),
                        offset=match.start(group),
                    )
                    return
        choices = [norm(c.text) for c in question.choices]
        for match in _ANSWER_TEXT.finditer(explanation) if "answer" in folded else ():
            named = norm(match.group(1))
            if len(named) < 2 or re.fullmatch(r"[a-j]", named):
                continue
            prefixed = [i for i, c in enumerate(choices) if c and re.match(re.escape(c) + r"\b", named)]
            if prefixed:
                best = max(prefixed, key=lambda i: len(choices[i]))
                score = 100.0
            else:
                scores = [fuzz.ratio(named, c) if c else 0.0 for c in choices]
                best = max(range(n), key=lambda i: scores[i])
                score = scores[best]
            if score >= 90 and best not in keys:
                yield Finding(
                    f"the explanation names choice {best + 1} as the answer, but it is not a key",
                    question,
                    ("explanation",),
                    offset=match.start(1),
                )
                return
        lowered = norm(question.explanation)
        if not any(word in lowered for word in ("incorrect", "wrong", "false", "not")):
            return
        for k in sorted(keys):
            key = choices[k]
            if len(key) >= 3:
                hit = re.search(re.escape(key) + _KEY_WRONG, lowered)
                if hit:
                    yield Finding(
                        f"the explanation calls key choice {k + 1} incorrect", question, ("explanation",)
                    )
                    return


_POSITION_REF = re.compile(
    r"(?i:\b(?:option|answer|choice|response)s?)\s+(?:(?i:is\s+))?\(?[A-H]\)?(?![\w'’+#])"
    r"|(?<![\w(])(?<!\w )[A-H]\)\s"
    r"|(?i:\bthe\s+(?:" + "|".join(ORDINALS) + r")\s+(?:options?|answers?|choices?))\b"
)


@lru_cache(maxsize=100_000)
def _position_ref(text: str) -> re.Match[str] | None:
    return _POSITION_REF.search(mask_code(text))


class ExplanationPositionalReference(Rule[NoOptions]):
    """The explanation or feedback refers to choices by letter or position under shuffling.

    What it does
        With ``shuffle: true`` (the default) reports "option B", "answer is C", "B) ..." and
        "the first answer" in the explanation and in choice feedback.

    Why it matters
        Moodle, Canvas and QTI shuffle choices, so the letters the learner saw differ from the
        letters in the file; the explanation then points at the wrong choice.

    Example
        ```yaml
        explanation: Option B is correct because S3 is object storage.
        ```

    Use instead
        ```yaml
        explanation: Amazon S3 is correct because it is object storage.
        ```
    """

    code = "QB504"
    name = "explanation-positional-reference"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if not question.shuffle or not isinstance(question, ChoiceQuestion):
            return
        fields: list[tuple[tuple[str | int, ...], str]] = []
        if question.explanation is not None:
            fields.append((("explanation",), question.explanation))
        for i, c in enumerate(question.choices):
            if c.feedback is not None:
                fields.append((("choices", i, "feedback"), c.feedback))
        for where, text in fields:
            match = _position_ref(text)
            if match:
                yield Finding(
                    f"positional reference {match.group(0).strip()!r} in a shuffled question",
                    question,
                    where,
                    offset=match.start(),
                )


class RationaleOptions(RuleOptions):
    """When distractor feedback is expected."""

    require: bool = False
    """``true``: every distractor of every choice question needs ``feedback``; ``false`` (default):
    only questions that already give feedback on some choice are checked."""


class DistractorRationaleMissing(Rule[RationaleOptions]):
    """A distractor has no feedback.

    What it does
        Reports distractors without ``feedback``. By default only questions that give feedback
        on at least one choice are checked (a partial set is usually an oversight); with
        ``require = true`` every choice question is.

    Why it matters
        Per-choice feedback tells a learner why the picked answer is wrong; it is exported to
        Moodle ``<answer><feedback>``, GIFT ``#``, Canvas item feedback and QTI ``feedbackInline``.

    Example
        ```yaml
        choices:
          - {text: Amazon S3, correct: true, feedback: S3 is object storage.}
          - {text: Amazon EBS}
        ```

    Use instead
        ```yaml
          - {text: Amazon EBS, feedback: EBS volumes are block storage for one instance.}
        ```
    """

    code = "QB505"
    name = "distractor-rationale-missing"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[RationaleOptions]) -> Iterable[Finding]:
        question = item.question
        if not isinstance(question, ChoiceQuestion):
            return
        opts = ctx.options
        if not opts.require and all(c.feedback is None for c in question.choices):
            return
        for i, c in enumerate(question.choices):
            if not c.correct and c.feedback is None:
                yield Finding(f"distractor {i + 1} has no feedback", question, ("choices", i))
