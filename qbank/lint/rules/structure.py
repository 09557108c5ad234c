"""QB1xx: key and structure integrity (plus QB804, which the loader enforces)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import ClassVar

from pydantic import Field
from rapidfuzz import fuzz

from qbank.core.diagnostics import Severity
from qbank.core.model import ChoiceQuestion, MultipleResponse, Question, SingleChoice
from qbank.core.text import OptionSet, mask_code, norm, word_stem
from qbank.core.wordlists import NUMBER_WORDS
from qbank.lint.rules.base import Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions

__all__ = [
    "SELECT_RE",
    "ClozeGapsMatch",
    "DuplicateId",
    "DuplicateOption",
    "EmptyText",
    "MultipleKeyCount",
    "NearDuplicateOptions",
    "OptionCountRange",
    "SelectCountMismatch",
    "SingleExactlyOneKey",
    "TrueFalseShape",
    "select_count",
]

#: "(Select TWO.)", "(Choose 2)", "Select three." - the instruction of a multiple-response stem.
SELECT_RE = re.compile(
    r"\(?\b(?:select|choose|pick)\s+(?:the\s+)?(\d{1,2}|"
    + "|".join(NUMBER_WORDS)
    + r")\b(?:\s+(?:answers|options|choices|responses))?\s*\.?\s*\)?",
    re.I,
)


@lru_cache(maxsize=100_000)
def select_count(stem: str) -> tuple[int, int] | None:
    """The number an instruction like "(Select TWO.)" asks for and its offset, or ``None``."""
    for match in SELECT_RE.finditer(mask_code(stem)):
        raw = match.group(1).lower()
        return (int(raw) if raw.isdigit() else NUMBER_WORDS[raw]), match.start()
    return None


class SingleExactlyOneKey(Rule[NoOptions]):
    """A single_choice question (or a drop-down gap) has exactly one correct choice.

    What it does
        Reports a ``single_choice`` question with no choice marked ``correct: true`` or with more
        than one, and the same for the options of a drop-down gap of a ``cloze`` question. The check
        is part of validation: such a question is rejected while loading, with this code, and never
        reaches the other rules.

    Why it matters
        A question without a key cannot be scored; a question with two keys is miskeyed, and a
        learner who picks the "other" right answer is marked wrong (Haladyna et al. 2002, #19).

    Example
        ```yaml
        - id: q1
          stem: Which service stores objects?
          choices:
            - {text: Amazon S3, correct: true}
            - {text: Amazon S3 Glacier, correct: true}
            - {text: Amazon EBS}
        ```

    Use instead
        Keep exactly one key. If two answers are defensible, make the question
        ``type: multiple_response`` and say how many to select.
    """

    code = "QB101"
    name = "single-exactly-one-key"
    severity = Severity.ERROR
    enforced_by = "validation"


class MultipleKeyCount(Rule[NoOptions]):
    """A multiple_response question has at least two keys and one distractor.

    What it does
        Reports a ``multiple_response`` question with fewer than two correct choices or with no
        incorrect one. This is enforced by validation while loading. With the ``aws`` profile the
        lint rule also requires at least five choices, as on the AWS exams.

    Why it matters
        A multiple-response question with one key is a single-choice question in disguise; with
        no distractor every choice is right and the question tells nothing about the learner.

    Example
        ```yaml
        - id: q2
          type: multiple_response
          stem: Which services are serverless? (Select TWO.)
          choices:
            - {text: AWS Lambda, correct: true}
            - {text: Amazon EC2}
            - {text: Amazon EBS}
        ```

    Use instead
        Mark at least two keys and keep at least one distractor (``aws`` profile: two or more keys
        out of five or more choices).
    """

    code = "QB102"
    name = "multiple-key-count"
    severity = Severity.ERROR
    enforced_by = "validation"

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if ctx.profile == "aws" and isinstance(question, MultipleResponse) and len(question.choices) < 5:
            yield Finding(
                f"aws profile: a multiple_response question needs at least 5 choices, "
                f"found {len(question.choices)}",
                question,
                ("choices",),
            )


class SelectCountMismatch(Rule[NoOptions]):
    """The number in "(Select N.)" equals the number of keys.

    What it does
        Reads an instruction such as "(Select TWO.)", "(Choose 3)" or "Select three." in the stem
        (number words one to ten are understood) and reports it when the count differs from the
        number of correct choices.

    Why it matters
        The learner is told to pick N answers and the scoring expects another number: the item
        is unanswerable as written. It usually happens when a key is added or removed later.

    Example
        ```yaml
        - id: q3
          type: multiple_response
          stem: Which services are serverless? (Select TWO.)
          choices:
            - {text: AWS Lambda, correct: true}
            - {text: AWS Fargate, correct: true}
            - {text: Amazon DynamoDB, correct: true}
            - {text: Amazon EC2}
        ```

    Use instead
        "(Select THREE.)", or drop one key.
    """

    code = "QB103"
    name = "select-count-mismatch"
    severity = Severity.ERROR

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if not isinstance(question, ChoiceQuestion):
            return
        found = select_count(question.stem)
        if found is None:
            return
        wanted, offset = found
        keys = len(question.keys)
        if wanted != keys:
            yield Finding(
                f"the stem asks to select {wanted} but the question has {keys} correct choice"
                + ("s" if keys != 1 else ""),
                question,
                ("stem",),
                offset=offset,
            )


class ClozeGapsMatch(Rule[NoOptions]):
    """Every gap of a cloze text is defined once and used once.

    What it does
        Reports a ``[[name]]`` marker in a ``cloze`` stem that has no entry in ``gaps`` (at the
        marker), a marker used twice (at the second one), and an entry of ``gaps`` that the stem
        never uses (at its key). The check is part of validation: such a question is rejected while
        loading, with this code.

    Why it matters
        A marker without a definition cannot be shown or scored, and a defined gap that the text
        never shows can never be answered: the learner could not reach full marks. Both usually
        mean a gap was renamed in one place only.

    Example
        ```yaml
        - id: q5
          type: cloze
          stem: Amazon SQS keeps a message hidden for the [[timeout]] after a consumer receives it.
          gaps:
            visibility:
              options:
                - {text: visibility timeout, correct: true}
                - {text: retention period}
        ```

    Use instead
        Use the same name in the text and in ``gaps`` (``[[visibility]]``), once each; write
        ``\\[[`` for literal double brackets in a cloze text.
    """

    code = "QB109"
    name = "cloze-gaps-match"
    severity = Severity.ERROR
    enforced_by = "validation"


class OptionCountOptions(RuleOptions):
    """Bounds on the number of choices."""

    single_min: int = Field(default=3, ge=2)
    single_max: int = Field(default=5, ge=2)
    multiple_min: int = Field(default=4, ge=3)
    multiple_max: int = Field(default=8, ge=3)


class OptionCountRange(Rule[OptionCountOptions]):
    """The number of choices is within the configured range.

    What it does
        Reports a choice question whose number of choices is outside ``single-min``..``single-max``
        (default 3..5) for ``single_choice`` or ``multiple-min``..``multiple-max`` (default 4..8)
        for ``multiple_response``. The ``aws`` profile requires exactly 4 choices for
        ``single_choice`` (the minimum of 5 for ``multiple_response`` is reported as QB102) and
        raises the severity to error.

    Why it matters
        Three good options are psychometrically as good as more (Rodriguez 2005); beyond five,
        extra distractors are rarely functional and only add reading time. Two options make
        guessing pay. Exams such as AWS fix the count, and a practice bank should match.

    Example
        ```yaml
        - id: q4
          stem: Which service is a managed NoSQL database?
          choices:
            - {text: Amazon DynamoDB, correct: true}
            - {text: Amazon EC2}
        ```

    Use instead
        Write plausible distractors until the count is in range (AWS: 1 key and 3 distractors).
    """

    code = "QB104"
    name = "option-count-range"
    severity = Severity.WARNING
    profile_severity: ClassVar[dict[str, Severity]] = {"aws": Severity.ERROR}

    def item_findings(self, item: Item, ctx: RuleContext[OptionCountOptions]) -> Iterable[Finding]:
        question = item.question
        if not isinstance(question, ChoiceQuestion):
            return
        opts = ctx.options
        n = len(question.choices)
        if ctx.profile == "aws":
            if isinstance(question, SingleChoice) and n != 4:
                yield Finding(
                    f"aws profile: a single_choice question has exactly 4 choices, found {n}",
                    question,
                    ("choices",),
                )
            return
        low, high = (
            (opts.single_min, opts.single_max)
            if isinstance(question, SingleChoice)
            else (opts.multiple_min, opts.multiple_max)
        )
        if n < low or n > high:
            bound = f"at least {low}" if n < low else f"at most {high}"
            yield Finding(
                f"{question.kind} question has {n} choices; {bound} expected ({low}..{high})",
                question,
                ("choices",),
            )


class DuplicateOption(Rule[NoOptions]):
    """Two choices are the same.

    What it does
        Reports two choices (or two ordering items, matching prompts or accepted answers) that
        are equal once case and spacing are ignored. Validation enforces it while loading.

    Why it matters
        A repeated distractor is a wasted option; a repeated key is a miskey, and some LMS
        importers reject the question outright (Haladyna et al. 2002, #22).

    Example
        ```yaml
        choices:
          - {text: Amazon SQS, correct: true}
          - {text: amazon  SQS}
        ```

    Use instead
        Remove one of them and write a new plausible distractor.
    """

    code = "QB105"
    name = "duplicate-option"
    severity = Severity.ERROR
    enforced_by = "validation"


class NearDuplicateOptionsOptions(RuleOptions):
    """How alike two choices must be."""

    ratio: float = Field(default=100.0, ge=0, le=100)
    """Similarity (0-100) of the normalised choices; 100 means the same words and symbols."""
    reordered_items: bool = False
    """Also report lists of the same items in another order ("a; b; c" and "c; a; b"); off by default
    because most such choices belong to questions where the order is what is asked."""


_NUMERIC = re.compile(r"^[<>~≈]?\s*-?\d[\d,]*(?:\.\d+)?\s*[a-z%]*$")
_PIECES = re.compile(r"\w+|[^\w\s]")
_SEPARATORS = re.compile(r"\s*[;,]\s*")


@lru_cache(maxsize=100_000)
def _shape(text: str) -> str:
    """Words and symbols of a choice, case removed; in prose of three or more words also plurals and
    other inflections ("EC2 instances." -> "ec2 instanc"). Symbols stay: "++i" is not "--i", and
    code-like text keeps its inflections ("substr(" is not "substring(")."""
    flat = " ".join(unicodedata.normalize("NFKC", text).casefold().split()).removesuffix(".")
    pieces = _PIECES.findall(flat)
    prose = all(p[0].isalnum() or p in ",.'’-:" for p in pieces)
    if not prose or sum(p[0].isalnum() for p in pieces) < 3:
        return " ".join(pieces)
    return " ".join(word_stem(p) if p[0].isalnum() or p[0] == "_" else p for p in pieces)


@lru_cache(maxsize=100_000)
def _compared_shape(text: str) -> str | None:
    """The :func:`_shape` QB106 compares, ``None`` for a choice written as code, empty or numeric."""
    if "`" in text:
        return None
    shape = _shape(text)
    return shape if shape and not _NUMERIC.match(shape) else None


def _items(text: str) -> tuple[str, ...] | None:
    """The sorted items of a list-like choice ("a; b, c"), or ``None`` when it is not a list of words."""
    parts = [p for p in _SEPARATORS.split(norm(text)) if p]
    if len(parts) < 3 or any(not re.search(r"[^\W\d]", p) for p in parts):
        return None
    return tuple(sorted(_shape(p) for p in parts))


class NearDuplicateOptions(Rule[NearDuplicateOptionsOptions]):
    """Two choices are the same apart from case, punctuation at the ends, inflection or item order.

    What it does
        Compares every pair of choices as sequences of word stems and symbols (case, surrounding
        punctuation, markup and inflections such as plurals removed) and reports a pair whose
        ``rapidfuzz`` ``ratio`` reaches ``ratio`` (default 100: nothing else differs). With
        ``reordered-items`` (default off) it also reports two lists of three or more word items that
        hold the same items in another order. Choices that differ in one real word or symbol
        ("supervised" and "unsupervised", "==" and "===") are deliberate minimal pairs and pass:
        on the linkedin bank, a looser ``ratio`` of 90 made about 2 of 20 findings real. Purely
        numeric choices are left to QB307, and choices written as code (backticks) are skipped. The options of each
        drop-down gap of a cloze question are judged the same way.

    Why it matters
        Such options are copy-paste slips or a pair that cues the key: the testwise learner
        discards the two that say the same thing (Haladyna et al. #22-23).

    Example
        ```yaml
        choices:
          - {text: Use an IAM role for the EC2 instance, correct: true}
          - {text: Use an IAM role for the EC2 instances}
        ```

    Use instead
        Options that differ in the concept being tested.
    """

    code = "QB106"
    name = "near-duplicate-options"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NearDuplicateOptionsOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for options in item.option_sets:
            yield from self._check(question, options, opts)

    @staticmethod
    def _check(
        question: Question, options: OptionSet, opts: NearDuplicateOptionsOptions
    ) -> Iterable[Finding]:
        shapes = [_compared_shape(t) for t in options.texts]
        items = [None if "`" in t else _items(t) for t in options.texts] if opts.reordered_items else []
        # at the default ratio of 100 only equal shapes are reported: a quick test for the usual case
        exact = opts.ratio >= 100
        if exact and not opts.reordered_items:
            seen = [s for s in shapes if s is not None]
            if len(set(seen)) == len(seen):
                return
        for j in range(1, len(shapes)):
            b = shapes[j]
            if b is None:
                continue
            for i in range(j):
                a = shapes[i]
                if a is None:
                    continue
                score = (100.0 if a == b else 0.0) if exact else fuzz.ratio(a, b, score_cutoff=opts.ratio)
                if score:
                    message = f"{options.label(j)} is nearly identical to {options.label(i)} (similarity {score:.0f})"
                elif opts.reordered_items and items[i] is not None and items[i] == items[j]:
                    message = (
                        f"{options.label(j)} lists the same items as {options.label(i)} in another order"
                    )
                else:
                    continue
                yield Finding(message, question, options.path(j))
                break


_LABEL_ONLY = re.compile(r"\(?[A-Za-z][.)]")
_ALNUM = re.compile(r"[^\W_]")
"""A letter or digit (``str.isalnum``): ``\\w`` is exactly those and the underscore."""


class EmptyText(Rule[NoOptions]):
    """A text is empty, only punctuation or markup, or only an option label.

    What it does
        Reports a stem, choice, feedback, explanation or other text that is empty once markup,
        punctuation and spaces are removed, and a choice whose whole text is a label such as "A."
        or "b)".

    Why it matters
        Validation only requires a non-empty string; a choice of "**" or "A." shows nothing useful
        to the learner and usually means content was lost in an import or a copy-paste.

    Example
        ```yaml
        choices:
          - {text: Amazon S3, correct: true}
          - {text: "B."}
        ```

    Use instead
        Write the text, or remove the field (``explanation``, ``feedback`` are optional).
    """

    code = "QB107"
    name = "empty-text"
    severity = Severity.ERROR

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        for where, text in item.fields:
            if not _ALNUM.search(text) and not norm(text):
                yield Finding("the text is empty once markup and punctuation are removed", question, where)
            elif where[0] == "choices" and where[-1] == "text" and _LABEL_ONLY.fullmatch(text.strip()):
                yield Finding(f"the choice is only a label ({text.strip()!r})", question, where)


class TrueFalseShape(Rule[NoOptions]):
    """A true_false question is a statement with a boolean answer.

    What it does
        Documents the shape of ``type: true_false``: an ``answer: true|false`` and no ``choices``.
        The schema enforces it while loading (a ``choices`` list or a non-boolean answer is
        reported as an unknown field or an invalid value).

    Why it matters
        Exporters map the type to Moodle ``truefalse``, GIFT ``{T}``/``{F}`` and Canvas
        ``true_false_question``; a true/false item written as a two-choice question loses that
        mapping and its key can drift.

    Example
        ```yaml
        - id: q5
          type: true_false
          stem: Amazon S3 is a block store.
          choices: [{text: "True"}, {text: "False", correct: true}]
        ```

    Use instead
        ```yaml
        - id: q5
          type: true_false
          stem: Amazon S3 is a block store.
          answer: false
        ```
    """

    code = "QB108"
    name = "truefalse-shape"
    severity = Severity.ERROR
    enforced_by = "validation"


class DuplicateId(Rule[NoOptions]):
    """Question ids are unique across the bank.

    What it does
        Reports a question whose ``id`` an earlier question of the bank (in any file) already
        uses. The loader performs the check for every bank it reads.

    Why it matters
        The id is the identity used by every export (QTI identifier, Moodle idnumber) and by
        imports that update questions in place; Moodle silently drops a repeated idnumber.

    Example
        ```yaml
        - id: s3-basics
          stem: ...
        - id: s3-basics
          stem: ...
        ```

    Use instead
        Give every question its own stable id, e.g. ``s3-basics`` and ``s3-storage-classes``.
    """

    code = "QB804"
    name = "duplicate-id"
    severity = Severity.ERROR
    scope = "bank"
    enforced_by = "loader"
