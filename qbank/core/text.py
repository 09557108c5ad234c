"""Text helpers shared by every layer: normalisation for comparisons, words, word stems, code masking,
and the learner-visible text fields of a question.

:func:`norm` and :func:`bare` are used for comparisons, never for output. Functions called many
times per question are cached, so callers may call them freely.

LaTeX formulas (:mod:`qbank.core.math`, read with the default ``dollars`` syntax) are not prose:
:func:`mask_code` blanks them like code, :func:`norm` and :func:`words` see each formula as one
word built from its tokens (``$\\bar{x} = 5$`` -> ``bar_x_eq_5``), and :func:`bare` as those tokens
(``bar x eq 5``), so operators count and ``\\left``/``\\right`` are never the words "left" and "right".
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from qbank.core.model import (
    ChoiceQuestion,
    Cloze,
    DropdownGap,
    Matching,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TextGap,
    gap_refs,
)
from qbank.core.wordlists import COMMAND_PROGRAMS, STOP_WORDS

__all__ = [
    "BLANK",
    "FieldPath",
    "OptionSet",
    "bare",
    "choice_fields",
    "fold",
    "mask_code",
    "mask_literals",
    "norm",
    "option_sets",
    "text_fields",
    "tokens",
    "word_re",
    "word_stem",
    "word_stems",
    "words",
]

FieldPath = tuple[str | int, ...]

_WS = re.compile(r"\s+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NON_WORD = re.compile(r"[^\w]+|_+")


def fold(text: str) -> str:
    """Case-folded with whitespace runs collapsed to one space: the identity of a text as written."""
    return _WS.sub(" ", text).strip().casefold()


def _formulas_as_words(text: str, joiner: str) -> str:
    """``text`` with each formula replaced by its tokens as words, joined by ``joiner``."""
    if "$" not in text and "\\" not in text:
        return text
    from qbank.core.math import find_math, formula_words  # the math module builds on this one

    spans = find_math(text)
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.append(text[pos : span.start])
        parts.append(f" {joiner.join(formula_words(span.latex))} ")
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)


@lru_cache(maxsize=200_000)
def bare(text: str) -> str:
    """NFKC, case-folded, Markdown links and images reduced to their text, every non-word character removed.

    A formula becomes its tokens as words (``$x < 3$`` -> ``x lt 3``).
    """
    text = _formulas_as_words(unicodedata.normalize("NFKC", text), " ").casefold()
    if "](" in text:
        text = _IMAGE.sub(r" \1 ", text)
        text = _LINK.sub(r" \1 ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


_PUNCT = string.punctuation + "“”‘’…«»–—·•\u00a0 "
_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")
_MARKUP = re.compile(r"[*`~]+|(?<!\w)_+|_+(?!\w)")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_POSSESSIVE_ENDS = ("'s", "’s")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_INLINE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_NOT_NEWLINE = re.compile(r"[^\n]")


@lru_cache(maxsize=200_000)
def norm(text: str) -> str:
    """NFKC, markup stripped, casefolded, whitespace collapsed, outer punctuation stripped.

    A formula becomes one word (``$\\bar{x} = 5$`` -> ``bar_x_eq_5``).
    """
    text = _formulas_as_words(unicodedata.normalize("NFKC", text), "_")
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "*" in text or "`" in text or "~" in text or "_" in text:
        text = _MARKUP.sub("", text)
    return " ".join(text.casefold().split()).strip(_PUNCT)


@lru_cache(maxsize=200_000)
def words(text: str) -> tuple[str, ...]:
    """The ``\\w+`` words of ``norm(text)`` (contractions kept whole, possessive 's dropped)."""
    return tuple(w[:-2] if w.endswith(_POSSESSIVE_ENDS) else w for w in _WORD.findall(norm(text)))


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Content words: :func:`words` minus stop words."""
    return tuple(w for w in words(text) if w not in STOP_WORDS)


@lru_cache(maxsize=100_000)
def word_stem(word: str) -> str:
    """Crude suffix stripping so that inflections compare equal (``queues`` -> ``queue``)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    # "instance"/"instances" -> "instanc", "queue"/"queues" -> "queu"
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@lru_cache(maxsize=200_000)
def word_stems(text: str) -> frozenset[str]:
    """The set of :func:`word_stem` forms of the content words of ``text``."""
    return frozenset(word_stem(w) for w in tokens(text))


def _blank(match: re.Match[str]) -> str:
    return _NOT_NEWLINE.sub(" ", match.group(0))


@lru_cache(maxsize=100_000)
def mask_code(text: str, *, math: bool = True) -> str:
    """``text`` with fenced code blocks, inline code spans and (with ``math``) LaTeX formulas replaced
    by spaces (same length): what is left is prose."""
    original = text
    if "`" in text or "~~~" in text:
        text = _FENCE.sub(_blank, text)
        if "`" in text:
            text = _INLINE.sub(_blank, text)
    if math and ("$" in text or "\\" in text):
        from qbank.core.math import find_math  # the math module builds on this one

        for span in find_math(original):
            text = text[: span.start] + _NOT_NEWLINE.sub(" ", text[span.start : span.end]) + text[span.end :]
    return text


_ARG = r"(?:--?[A-Za-z][\w-]*(?:=\S*)?|[a-z0-9*][\w.:/=@*~-]*|'[^'\n]*'|\"[^\"\n]*\")"
_STOP_ARG = "|".join(sorted(STOP_WORDS, key=len, reverse=True))
#: A program name followed by arguments; prose (a stop word such as "and", "the") ends the command.
_COMMAND = re.compile(
    r"(?<![\w./-])(?:"
    + "|".join(re.escape(p) for p in COMMAND_PROGRAMS)
    + rf")(?:[ \t]+(?!(?:{_STOP_ARG})(?![\w-])){_ARG})+"
)
#: Code-like tokens: IAM actions and ARNs (``dynamodb:GetItem``, ``dynamodb:*``), ``AWS::S3::Bucket``,
#: paths and URLs, ``key=value``, ``${var}``, snake_case, dotted names (``event.body``) and flags.
_LITERAL = re.compile(
    r"[^\s(\[{\"'“‘]*(?:::|\w:(?=[\w*/])|(?<=\S)/(?=\S)|\w=|\$\{|\$[A-Z_]|(?<=\w)_(?=\w)|[a-z0-9]\.(?=[a-z]))"
    r"[^\s)\]},;\"'”’]*"
    r"|(?<![\w-])--?[A-Za-z][\w-]*(?:=\S*)?"
)
#: What every match of ``_LITERAL`` contains (its middle part, or the dash of a flag), written so that
#: each alternative starts with its punctuation mark: a fast test that skips ``_LITERAL`` on prose.
_LITERAL_MARK = re.compile(
    r"::|:(?<=\w:)(?=[\w*/])|/(?<=\S/)(?=\S)|=(?<=\w=)|\$[{A-Z_]|_(?<=\w_)(?=\w)|\.(?<=[a-z0-9]\.)(?=[a-z])"
    r"|-(?<![\w-]-)-?[A-Za-z]"
)


@lru_cache(maxsize=100_000)
def mask_literals(text: str) -> str:
    """:func:`mask_code`, and also command lines (``aws cloudformation package``) and code-like tokens
    (``dynamodb:GetItem``, ``event.body``, ``--no-verify``) replaced by spaces (same length).

    Rules that look for words in prose use it, so that a product name written as a command or an
    identifier, or a flag such as ``--all``, is not read as a word of the sentence.
    """
    text = mask_code(text)
    if any(ch in text for ch in ":/=_$.-") or any(p in text for p in COMMAND_PROGRAMS):
        text = _COMMAND.sub(_blank, text)
        if _LITERAL_MARK.search(text):
            text = _LITERAL.sub(_blank, text)
    return text


@lru_cache(maxsize=512)
def word_re(entries: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``entries`` as whole words (phrases allowed)."""
    alternatives = sorted((re.escape(e).replace(r"\ ", r"\s+") for e in entries), key=len, reverse=True)
    return re.compile(r"(?<![\w'’])(?:" + "|".join(alternatives) + r")(?![\w'’])", re.I)


#: What a gap shows in a text read without its gaps (a cloze text as a lead-in, or as a stem to compare).
BLANK = "___"


@dataclass(frozen=True, slots=True)
class OptionSet:
    """Options a learner picks from: the choices of a choice question, or a drop-down gap's options.

    Option rules (QB3xx) and cue rules (QB4xx) judge each set the same way, wherever it sits.
    """

    where: FieldPath
    """Data path of the list: ``("choices",)`` or ``("gaps", name, "options")``."""
    texts: tuple[str, ...]
    keys: tuple[int, ...]
    """0-based indexes of the correct options."""
    single: bool
    """Exactly one key (single choice, drop-down)."""
    stem: str
    """The whole question the options answer (a cloze text with every gap blank)."""
    lead: str
    """The text the options complete: the stem, or a cloze text up to the gap."""
    gap: str | None = None
    """The gap's name for a drop-down."""

    def path(self, index: int) -> FieldPath:
        """Data path of option ``index``'s text."""
        return (*self.where, index, "text")

    def label(self, index: int) -> str:
        """How findings name option ``index`` (``choice 2``, ``option 2 of gap 'type'``)."""
        return f"choice {index + 1}" if self.gap is None else f"option {index + 1} of gap {self.gap!r}"


def option_sets(question: Question) -> Iterator[OptionSet]:
    """The option sets of a question: its choices, or each drop-down gap of a cloze text in text order."""
    if isinstance(question, ChoiceQuestion):
        yield OptionSet(
            ("choices",),
            tuple(c.text for c in question.choices),
            tuple(question.keys),
            isinstance(question, SingleChoice),
            question.stem,
            question.stem,
        )
    elif isinstance(question, Cloze):
        blank = question.filled(lambda name, gap: BLANK)
        for ref in gap_refs(question.stem):
            gap = question.gaps[ref.name]
            if isinstance(gap, DropdownGap):
                before = question.filled(lambda name, g: BLANK, upto=ref.start)
                yield OptionSet(
                    ("gaps", ref.name, "options"),
                    tuple(o.text for o in gap.options),
                    (gap.key,),
                    True,
                    blank,
                    before,
                    ref.name,
                )


def choice_fields(question: Question) -> Iterator[tuple[FieldPath, str]]:
    """(data path, text) of every option text: the choices of a choice question, the options of
    every drop-down gap of a cloze question."""
    for options in option_sets(question):
        for index, text in enumerate(options.texts):
            yield options.path(index), text


def text_fields(question: Question, *, feedback: bool = True) -> Iterator[tuple[FieldPath, str]]:
    """(data path, text) of every learner-visible text of a question, stem first."""
    yield ("stem",), question.stem
    if isinstance(question, ChoiceQuestion):
        for index, choice in enumerate(question.choices):
            yield ("choices", index, "text"), choice.text
            if feedback and choice.feedback is not None:
                yield ("choices", index, "feedback"), choice.feedback
    elif isinstance(question, ShortAnswer):
        for index, text in enumerate(question.accept):
            yield ("accept", index), text
    elif isinstance(question, Matching):
        for index, pair in enumerate(question.pairs):
            yield ("pairs", index, "prompt"), pair.prompt
            yield ("pairs", index, "match"), pair.match
        for index, text in enumerate(question.distractors):
            yield ("distractors", index), text
    elif isinstance(question, Ordering):
        for index, text in enumerate(question.order):
            yield ("order", index), text
    elif isinstance(question, Cloze):
        for name in question.gap_order:
            gap = question.gaps[name]
            if isinstance(gap, TextGap):
                for index, text in enumerate(gap.accept):
                    yield ("gaps", name, "accept", index), text
            elif isinstance(gap, DropdownGap):
                for index, option in enumerate(gap.options):
                    yield ("gaps", name, "options", index, "text"), option.text
                    if feedback and option.feedback is not None:
                        yield ("gaps", name, "options", index, "feedback"), option.feedback
            if feedback and gap.feedback is not None:
                yield ("gaps", name, "feedback"), gap.feedback
    if question.explanation is not None:
        yield ("explanation",), question.explanation
