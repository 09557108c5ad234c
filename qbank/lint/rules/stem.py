"""QB2xx: the stem."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import Field

from qbank.core.diagnostics import Severity
from qbank.core.model import ChoiceQuestion, Cloze, MultipleResponse, Question
from qbank.core.text import mask_code, mask_literals, tokens, word_re, words
from qbank.core.wordlists import NEGATIVE_LEAD_WORDS, NEGATORS, VAGUE_TERMS
from qbank.lint.rules.base import Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.structure import SELECT_RE, select_count
from qbank.lint.rules.text import Item, RuleOptions, find_word, may_hold_words

__all__ = [
    "DoubleNegative",
    "MrMissingSelectInstruction",
    "MultipleQuestionsInStem",
    "NegativeStem",
    "NegativeStemNotEmphasized",
    "StemTerminalPunctuation",
    "StemTooLong",
    "UnfocusedStem",
    "VagueFrequencyTerms",
    "lead_in",
]

_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")
_NON_PROSE = re.compile(r"^\s*(?:\||!\[|<img|#{1,6}\s|>|[-*+]\s|\d+[.)]\s|$)")
_EMPHASIS = re.compile(
    r"\*\*(?!\s).+?\*\*|__(?!\s).+?__|(?<![*\w])\*(?![\s*]).+?\*|(?<![_\w])_(?![\s_]).+?_(?!\w)"
    r"|<(strong|b|em|i|u)\b[^>]*>.*?</\1>",
    re.S | re.I,
)


def _prose_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the non-empty prose lines of masked ``text``."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip() and not _NON_PROSE.match(line):
            yield start, end
        start = end + 1


@lru_cache(maxsize=100_000)
def lead_in(stem: str) -> tuple[int, int]:
    """Offsets of the lead-in: the last sentence of the last prose line, ignoring "(Select N.)"."""
    masked = mask_code(stem)
    lines = list(_prose_lines(masked))
    if not lines:
        return 0, len(stem)
    start, end = lines[-1]
    line = masked[start:end]
    select = SELECT_RE.search(line)
    if select and not line[select.end() :].strip() and line[: select.start()].strip():
        line = line[: select.start()]
    body = line.rstrip()
    cuts = [m.end() for m in _SENTENCE_END.finditer(body) if m.end() < len(body)]
    first = cuts[-1] if cuts else 0
    while first < len(body) and body[first].isspace():
        first += 1
    return start + first, start + len(body)


def _emphasized(stem: str) -> list[tuple[int, int]]:
    if "*" not in stem and "_" not in stem and "<" not in stem:
        return []
    return [m.span() for m in _EMPHASIS.finditer(stem)]


class NegativeOptions(RuleOptions):
    """Which negative words count and where."""

    words: tuple[str, ...] = NEGATIVE_LEAD_WORDS
    scope: Literal["lead-in", "stem"] = "lead-in"
    """``lead-in`` looks at the question sentence only; ``stem`` at the whole stem."""


def _negatives(question: Question, opts: NegativeOptions) -> tuple[tuple[int, str, bool], ...]:
    """(offset, word, emphasized) of every negative word in the stem's scope."""
    return _negative_words(question.stem, opts.words, opts.scope)


@lru_cache(maxsize=50_000)
def _negative_words(stem: str, words: tuple[str, ...], scope: str) -> tuple[tuple[int, str, bool], ...]:
    if not may_hold_words(words, stem):
        return ()
    masked = mask_literals(stem)
    low, high = lead_in(stem) if scope == "lead-in" else (0, len(stem))
    spans = _emphasized(stem)
    out = []
    for match in word_re(words).finditer(masked, low, high):
        word = match.group(0)
        at = match.start()
        emphasized = (word.isupper() and len(word) > 1) or any(a <= at < b for a, b in spans)
        out.append((at, word, emphasized))
    return tuple(out)


_DEFAULT_NEGATIVES = NegativeOptions()


class NegativeStemNotEmphasized(Rule[NegativeOptions]):
    """A negative word in the lead-in is not emphasized.

    What it does
        Finds negative words (``not``, ``except``, ``least``, ``false``, ``incorrect``, ``never``,
        ``cannot`` and contractions; option ``words``) in the question sentence of the stem
        (option ``scope = "stem"`` looks at the whole stem) and reports each one that is neither
        written in capitals nor inside ``**bold**``, ``_emphasis_``, ``<strong>``, ``<b>`` or ``<em>``.
        Code, command lines and identifiers (``--no-verify``) are ignored.

    Why it matters
        A reader skims over "not" and answers the opposite question. Item-writing guides ask for
        positive stems and, when a negative is needed, for capitals and bold (Haladyna et al. #17);
        negative wording is among the flaws that most affect item statistics (Schmucker & Moore 2025).

    Example
        ```yaml
        stem: Which service is not serverless?
        ```

    Use instead
        ```yaml
        stem: Which service is **NOT** serverless?
        ```
        or a positive question: "Which service requires you to manage servers?"
    """

    code = "QB201"
    name = "negative-stem-not-emphasized"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NegativeOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for at, word, emphasized in _negatives(question, opts):
            if not emphasized:
                yield Finding(
                    f"negative word {word!r} is not emphasized (write **{word.upper()}**)",
                    question,
                    ("stem",),
                    offset=at,
                )


class NegativeStem(Rule[NegativeOptions]):
    """The lead-in is negatively worded (even when emphasized).

    What it does
        Reports emphasized negative words in the question sentence (same word list and scope as
        QB201). Unemphasized ones are reported by QB201, so QB201 plus QB202 count every negative
        stem once.

    Why it matters
        Positive stems are preferred (Haladyna et al. #17); counting negatively worded items
        per bank shows whether the style is creeping in.

    Example
        ```yaml
        stem: Which service is **NOT** serverless?
        ```

    Use instead
        A positive question: "Which service requires you to manage servers?"
    """

    code = "QB202"
    name = "negative-stem"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NegativeOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        for at, word, emphasized in _negatives(question, opts):
            if emphasized:
                yield Finding(f"negatively worded stem ({word!r})", question, ("stem",), offset=at)


_TERMINATOR = re.compile(r"(?:\?|:|_{3,}|…|\.\.\.)[\s*_)\]\"'”’]*$")
_QUESTION_WORD = re.compile(
    r"^(?:which|what|who|whom|whose|when|where|why|how|is|are|does|do|can|should|would|will)\b", re.I
)


_BLANK = re.compile(r"_{3,}|\\_|\[\.\.\.\]|…")


def _true_false_choices(question: Question) -> bool:
    """A statement answered by True/False choices (a true_false item written as a choice question)."""
    if not isinstance(question, ChoiceQuestion) or len(question.choices) != 2:
        return False
    return {c.text.strip().strip(".").casefold() for c in question.choices} == {"true", "false"}


class StemTerminalPunctuation(Rule[NoOptions]):
    """The stem ends with a question mark, a colon or a blank.

    What it does
        Looks at the last prose line of the stem (code blocks, lists, tables and a trailing
        "(Select N.)" are skipped) and reports it when it ends with neither ``?`` (question format)
        nor ``:``, ``___`` or ``...`` (completion format); a sentence starting with a question word
        that ends with ``.`` is reported too. Stems with a blank anywhere (``___``, ``\\_``,
        ``[...]``), cloze texts (their gaps are the blanks) and statements answered by True/False
        choices are not judged.

    Why it matters
        The lead-in should be a clear question that can be answered with the options covered
        (NBME "cover the options"; Haladyna et al. #12, #14). A missing terminator is also a common
        copy-paste artifact.

    Example
        ```yaml
        stem: Which AWS service should the developer use to store session state
        ```

    Use instead
        ```yaml
        stem: Which AWS service should the developer use to store session state?
        ```
    """

    code = "QB203"
    name = "stem-terminal-punctuation"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        stem = question.stem
        if isinstance(question, Cloze):
            return
        start, end = lead_in(stem)
        sentence = stem[start:end].rstrip()
        if (
            not sentence
            or _TERMINATOR.search(sentence)
            or _BLANK.search(stem)
            or _true_false_choices(question)
        ):
            return
        offset = start + len(sentence)
        if _QUESTION_WORD.match(sentence) and sentence.endswith("."):
            message = "the question ends with '.'; end it with '?'"
        else:
            message = "the stem does not end with '?', ':' or a blank ('___')"
        yield Finding(message, question, ("stem",), offset=offset)


_UNFOCUSED = re.compile(
    r"\bwhich\s+(?:one\s+)?of\s+the\s+(?:following|these|below)(?:\s+\w+){0,2}\s+(?:is|are)\s+"
    r"(?:not\s+)?(?:true|correct|false|incorrect|accurate|valid|right|wrong)\b"
    r"|\bwhich\s+(?:statement|statements)\s+(?:is|are)\s+(?:not\s+)?(?:true|correct|false|incorrect)\b"
    r"|\ball\s+of\s+the\s+following\b.*\bexcept\b",
    re.I | re.S,
)


@lru_cache(maxsize=100_000)
def _unfocused(stem: str) -> re.Match[str] | None:
    return _UNFOCUSED.search(mask_code(stem))


class UnfocusedOptions(RuleOptions):
    """Minimum number of content words of a focused stem."""

    min_content_words: int = Field(default=2, ge=0)


class UnfocusedStem(Rule[UnfocusedOptions]):
    """The stem is a true/false collection in disguise, or too short to pose a problem.

    What it does
        Reports lead-ins such as "Which of the following is true?", "Which statement is
        correct?" and "All of the following ... EXCEPT", and stems with fewer than
        ``min-content-words`` (default 2) content words (stop words excluded; code counts).
        The catalogue proposed 5; on real banks that mostly flagged short focused questions such
        as "What is an include guard?", so the default only catches near-empty stems.

    Why it matters
        Such an item cannot be answered with the options covered: each option is its own
        true/false question and the item tests reading more than the objective (NBME; Haladyna
        et al. #15 "include the central idea in the stem").

    Example
        ```yaml
        stem: Which of the following is true about AWS Lambda?
        ```

    Use instead
        ```yaml
        stem: >-
          A function times out after 3 seconds while calling a downstream API.
          Which setting should the developer change?
        ```
    """

    code = "QB204"
    name = "unfocused-stem"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[UnfocusedOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        match = _unfocused(question.stem)
        if match:
            yield Finding(
                "unfocused lead-in: the options are a set of true/false statements; "
                "put the problem in the stem",
                question,
                ("stem",),
                offset=match.start(),
            )
            return
        count = len(tokens(question.stem))
        if count < opts.min_content_words and not _true_false_choices(question):
            yield Finding(
                f"the stem has {count} content word{'s' if count != 1 else ''}; "
                f"at least {opts.min_content_words} expected to pose a problem",
                question,
                ("stem",),
            )


class StemLengthOptions(RuleOptions):
    """Maximum stem length."""

    max_words: int = Field(default=120, ge=1)


class StemTooLong(Rule[StemLengthOptions]):
    """The stem is longer than the configured number of words.

    What it does
        Counts the words of the stem (markup removed, code included) and reports stems longer
        than ``max-words`` (default 120).

    Why it matters
        Reading time is testing time: minimise reading and avoid window dressing (Haladyna et
        al. #13, #16). AWS scenario items are long by design, hence the info severity and the
        option.

    Example
        A 200-word stem that tells the company's history before asking which queue to use.

    Use instead
        Keep the facts needed to answer; move background to the explanation.
    """

    code = "QB205"
    name = "stem-too-long"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[StemLengthOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        count = len(words(question.stem))
        if count > opts.max_words:
            yield Finding(f"the stem has {count} words (more than {opts.max_words})", question, ("stem",))


_NEGATOR_RE = re.compile(r"(?<![\w'’])(?:" + "|".join(NEGATORS) + r")(?![\w'’])|\w+n['’]t\b", re.I)


class DoubleNegative(Rule[NoOptions]):
    """A negative stem meets a negative choice.

    What it does
        When the stem's question sentence holds a negative word (the QB201 list) and a choice
        holds an explicit negator (``not``, ``no``, ``never``, ``none``, ``cannot``, ``n't``), the
        choice is reported. Code, command lines and identifiers are ignored.

    Why it matters
        "Which is NOT a reason ..." answered by "The function does not need a VPC" is a double
        negative: the item tests logic instead of knowledge (Haladyna et al. #17, #27; NBME).

    Example
        ```yaml
        stem: Which is NOT a reason to put a Lambda function in a VPC?
        choices:
          - {text: The function does not need a VPC, correct: true}
        ```

    Use instead
        Rephrase the stem positively, or the choices without negation.
    """

    code = "QB206"
    name = "double-negative"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if not isinstance(question, ChoiceQuestion):
            return
        if not _negatives(question, _DEFAULT_NEGATIVES):
            return
        for where, text in item.choice_fields:
            match = _NEGATOR_RE.search(mask_literals(text))
            if match:
                yield Finding(
                    f"double negative: negative stem and {match.group(0)!r} in a choice",
                    question,
                    where,
                    offset=match.start(),
                )


class VagueOptions(RuleOptions):
    """The vague words and where the stem is searched."""

    words: tuple[str, ...] = VAGUE_TERMS
    scope: Literal["lead-in", "stem"] = "lead-in"
    """``lead-in`` searches the question sentence of the stem; ``stem`` the whole stem."""


class VagueFrequencyTerms(Rule[VagueOptions]):
    """Vague frequency words in the stem or a choice.

    What it does
        Reports the first vague frequency word (``usually``, ``often``, ``sometimes``, ``rarely``,
        ``generally``, ``typically``, ``may``, ``might`` ...; option ``words``) of the question
        sentence of the stem (option ``scope = "stem"``: of the whole stem) and of each choice.
        A scenario that says what happens "occasionally" describes a symptom, not the question,
        so it is not searched by default. Code, command lines and identifiers are ignored.

    Why it matters
        Learners read "often" differently, so an item whose question or options hinge on it
        becomes a matter of opinion; NBME lists vague terms in options as a flaw of irrelevant
        difficulty.

    Example
        ```yaml
        - {text: S3 is usually eventually consistent.}
        ```

    Use instead
        State the condition: "S3 provides strong read-after-write consistency for new objects."
    """

    code = "QB207"
    name = "vague-frequency-terms"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[VagueOptions]) -> Iterable[Finding]:
        question = item.question
        opts = ctx.options
        stem = question.stem
        if may_hold_words(opts.words, stem):
            low, high = lead_in(stem) if opts.scope == "lead-in" else (0, len(stem))
            match = word_re(opts.words).search(mask_literals(stem), low, high)
        else:
            match = None
        if match:
            yield Finding(f"vague term {match.group(0)!r}", question, ("stem",), offset=match.start())
        for where, text in item.choice_fields:
            match = find_word(opts.words, text)
            if match:
                yield Finding(f"vague term {match.group(0)!r}", question, where, offset=match.start())


_INTERROGATIVE = re.compile(r"\?(?=\s|$|[)\]\"'”’*_])")


@lru_cache(maxsize=100_000)
def _question_marks(stem: str) -> tuple[int, ...]:
    """Offsets of the question marks that end a sentence, outside code."""
    return tuple(m.start() for m in _INTERROGATIVE.finditer(mask_code(stem)))


class MultipleQuestionsInStem(Rule[NoOptions]):
    """The stem asks more than one question.

    What it does
        Reports the second question mark that ends a sentence in the stem (code blocks and
        inline code are ignored).

    Why it matters
        An item should present a single problem (Haladyna et al. #1; Brame 2013); with two
        questions it is unclear which one the options answer.

    Example
        ```yaml
        stem: What does Amazon SQS do? Which queue type keeps order?
        ```

    Use instead
        One question per item: split it in two.
    """

    code = "QB208"
    name = "multiple-questions-in-stem"
    severity = Severity.INFO

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        marks = _question_marks(question.stem)
        if len(marks) > 1:
            yield Finding(f"the stem asks {len(marks)} questions", question, ("stem",), offset=marks[1])


class MrMissingSelectInstruction(Rule[NoOptions]):
    """A multiple_response stem says how many choices to select.

    What it does
        Reports a ``multiple_response`` question whose stem has no "(Select N.)" / "Choose N"
        instruction. The ``aws`` profile raises the severity to error; the count itself is
        checked by QB103.

    Why it matters
        AWS exams state how many answers to choose; without it the learner must guess the
        scoring rule and partial knowledge is rewarded differently from the real exam.

    Example
        ```yaml
        - id: q6
          type: multiple_response
          stem: Which services are serverless?
        ```

    Use instead
        ```yaml
          stem: Which services are serverless? (Select TWO.)
        ```
    """

    code = "QB209"
    name = "mr-missing-select-instruction"
    severity = Severity.WARNING
    profile_severity: ClassVar[dict[str, Severity]] = {"aws": Severity.ERROR}

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        if isinstance(question, MultipleResponse) and select_count(question.stem) is None:
            keys = len(question.keys)
            yield Finding(
                f"no '(Select N.)' instruction in a multiple_response stem (it has {keys} keys)",
                question,
                ("stem",),
                offset=lead_in(question.stem)[1],
            )
