"""The comparable form of a question (:class:`DupItem`) and the per-item text derived from it once."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from qbank.core.model import (
    ChoiceQuestion,
    Cloze,
    Essay,
    Matching,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
    gap_key,
)
from qbank.core.text import BLANK, bare
from qbank.core.wordlists import NEGATION_WORDS

CHOICE = 0  # the family id of choice questions in ``Prepared.family_id``

#: Candidate pairs: positions of the left and right items.
Pairs = tuple[NDArray[np.int64], NDArray[np.int64]]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a question is: file as the user named it, 1-based line and column of its id."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class DupItem:
    """The comparable form of a question.

    ``family`` groups the types that can duplicate each other (``choice`` for single and multiple
    choice; otherwise the type name). ``keys`` are the key texts: correct choices, or the answer
    of a non-choice question rendered as text. Build one with :func:`item_from_question`, or
    directly for data that is not a qbank bank (the benchmarks do this).
    """

    id: str
    stem: str
    family: str = "choice"
    choices: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    location: Location | None = None
    ordered_key: bool = False
    """Whether the order of ``keys`` matters (``ordering`` questions)."""
    template: str | None = None
    """The template the question is a variant of: variants of one template are never paired."""


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def sorted_words(text: str) -> str:
    """The words of ``text`` in sorted order (what ``token_sort_ratio`` compares)."""
    return " ".join(sorted(text.split()))


Signature = tuple[tuple[str, ...], frozenset[str], frozenset[str], tuple[str, ...]]
"""Numbers, negation words, inline code spans and formulas of a stem."""


def signature(raw_stem: str, words: list[str]) -> Signature:
    """Numbers, negation words, inline code and formulas of a stem: the facts a template sibling
    changes (``$x^2$`` and ``$x^3$``, ``$\\sin t$`` and ``$\\cos t$`` are different facts)."""
    raw = unicodedata.normalize("NFKC", raw_stem)
    numbers = tuple(sorted(set(_NUMBER.findall(raw))))
    code = frozenset(bare(span) for span in _CODE_SPAN.findall(_FENCE.sub(" ", raw)))
    maths: tuple[str, ...] = ()
    if "$" in raw or "\\" in raw:
        from qbank.core.math import formulas  # math-core is loaded only for stems that may hold math

        maths = tuple(sorted(set(formulas(raw))))
    return numbers, frozenset(w for w in words if w in NEGATION_WORDS), code, maths


def fenced_code(raw_stem: str) -> str:
    """The normalised text of the fenced code blocks of a stem (empty when it has none)."""
    if "```" not in raw_stem:
        return ""
    return " ".join(bare(block) for block in _FENCE.findall(raw_stem))


def compatible(x: Signature, y: Signature) -> bool:
    """Same numbers, negations and formulas; inline code of one stem contains the other's (a stem that
    adds a code span specialises the question, one that replaces a span asks about something else)."""
    return x[0] == y[0] and x[1] == y[1] and x[3] == y[3] and (x[2] <= y[2] or y[2] <= x[2])


def _fmt_number(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() else repr(value)


def item_from_question(question: Question, location: Location | None = None) -> DupItem:
    """The comparable form of a qbank question (a template's variant carries the template's id)."""
    origin = question.origin
    template = origin.variant.template if origin is not None and origin.variant is not None else None
    return replace(_item(question, location), template=template) if template else _item(question, location)


def _item(question: Question, location: Location | None) -> DupItem:
    if isinstance(question, ChoiceQuestion):
        return DupItem(
            question.id,
            question.stem,
            "choice",
            tuple(c.text for c in question.choices),
            tuple(c.text for c in question.choices if c.correct),
            location,
        )
    if isinstance(question, Cloze):
        # the text with its gaps left blank is what is asked; the gaps' keys, in text order, are the
        # key, so the same text keyed differently in one gap is a key conflict
        gap_keys = tuple(gap_key(question.gaps[name]) for name in question.gap_order)
        blanked = question.filled(lambda name, gap: BLANK)
        return DupItem(question.id, blanked, "cloze", (), gap_keys, location, True)
    if isinstance(question, TrueFalse):
        keys: tuple[str, ...] = ("true" if question.answer else "false",)
    elif isinstance(question, Numerical):
        keys = (_fmt_number(question.answer),)
    elif isinstance(question, ShortAnswer):
        keys = tuple(question.accept)
    elif isinstance(question, Matching):
        keys = tuple(f"{p.prompt} = {p.match}" for p in question.pairs)
    elif isinstance(question, Ordering):
        return DupItem(question.id, question.stem, "ordering", (), tuple(question.order), location, True)
    else:
        assert isinstance(question, Essay)
        keys = ()
    return DupItem(question.id, question.stem, question.type, (), keys, location)


@dataclass(slots=True)
class Prepared:
    """Per-item derived text, computed once."""

    family: list[str]
    stem_norm: list[str]
    stem_sorted: list[str]
    key_sorted: list[str]
    choice_bag: list[str]
    choice_norms: list[tuple[str, ...]]
    key_norms: list[tuple[str, ...]]
    signature: list[Signature]
    idf: dict[str, float] = field(default_factory=dict)
    """Inverse document frequency of each stem word over everything searched."""
    family_id: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    """Each item's family as a number (``CHOICE`` for choice questions)."""
    keyed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    """Whether each item has a key (essays have none)."""
    facts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """A hash of each stem's numbers, negation words and formulas: :func:`compatible` stems have equal ones."""
    code: list[str] = field(default_factory=list)
    """The normalised text of each stem's fenced code blocks (empty: none)."""
    word_ids: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """Each stem's distinct words as vocabulary ids, item after item (see ``word_offsets``)."""
    word_offsets: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    """Where each item's words start in ``word_ids`` (one more entry than items)."""
    word_idf: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0, np.float64))
    """The IDF of each vocabulary id."""
    word_matrix: object = None
    """The items' word sets as a sparse matrix weighted by the square root of their IDF, and each
    row's total weight, built when first needed (:func:`qbank.analysis.dupes.lexical.content_overlaps`)."""


def prepare(items: Sequence[DupItem]) -> Prepared:
    """Derive every item's normalised texts, signature and the stem words' IDF."""
    p = Prepared([], [], [], [], [], [], [], [])
    df: dict[str, int] = defaultdict(int)
    vocab: dict[str, int] = {}
    flat: list[int] = []
    offsets = [0]
    # choice texts repeat across a bank ("True", service names), and keys are choice texts
    seen: dict[str, str] = {}

    def norm(text: str) -> str:
        out = seen.get(text)
        if out is None:
            out = seen[text] = bare(text)
        return out

    for item in items:
        stem = bare(item.stem)
        words = stem.split()
        choices = tuple(norm(c) for c in item.choices)
        keys = tuple(norm(k) for k in item.keys)
        key_text = " ".join(keys) if item.ordered_key else " ".join(sorted(keys))
        p.family.append(item.family)
        p.stem_norm.append(stem)
        p.stem_sorted.append(" ".join(sorted(words)))
        p.key_sorted.append(key_text if item.ordered_key else sorted_words(key_text))
        p.choice_bag.append(sorted_words(" ".join(choices)))
        p.choice_norms.append(choices)
        p.key_norms.append(keys)
        p.signature.append(signature(item.stem, words))
        p.code.append(fenced_code(item.stem))
        for word in set(words):
            df[word] += 1
            flat.append(vocab.setdefault(word, len(vocab)))
        offsets.append(len(flat))
    # smoothed with a prior of 20 documents: in a small bank every word weighs about the same
    total = len(items) + 20
    p.idf = {w: math.log1p(total / (count + 20)) for w, count in df.items()}
    p.word_ids = np.asarray(flat, dtype=np.int64)
    p.word_offsets = np.asarray(offsets, dtype=np.int64)
    p.word_idf = np.fromiter((p.idf[w] for w in vocab), np.float64, len(vocab))
    ids: dict[str, int] = {"choice": CHOICE}
    p.family_id = np.fromiter((ids.setdefault(f, len(ids)) for f in p.family), np.int32, len(p.family))
    p.keyed = np.fromiter((bool(k) for k in p.key_norms), bool, len(p.key_norms))
    p.facts = np.fromiter((hash((s[0], s[1], s[3])) for s in p.signature), np.int64, len(p.signature))
    return p


@dataclass(frozen=True)
class Keeper:
    """Which pairs may be reported: not both published (``against``), not variants of one template,
    not an allowed pair. Call it on one pair, or :meth:`mask` on arrays of pairs."""

    n_new: int
    """Items before this position are new; the rest are published."""
    template: NDArray[np.int64]
    """Each item's template as a number (-1: none)."""
    ids: Sequence[str]
    allowed: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, items: Sequence[DupItem], n_new: int, allowed: Iterable[tuple[str, str]]) -> Keeper:
        """The keeper of a search over ``items`` whose first ``n_new`` are new."""
        numbers: dict[str, int] = {}
        template = np.fromiter(
            (-1 if it.template is None else numbers.setdefault(it.template, len(numbers)) for it in items),
            np.int64,
            len(items),
        )
        return cls(n_new, template, [it.id for it in items], frozenset(allowed))

    def __call__(self, i: int, j: int) -> bool:
        if i >= self.n_new and j >= self.n_new:
            return False
        if self.template[i] >= 0 and self.template[i] == self.template[j]:
            return False
        return (self.ids[i], self.ids[j]) not in self.allowed

    def mask(self, left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.bool_]:
        """:meth:`__call__` for each pair of positions."""
        ok: NDArray[np.bool_] = ((left < self.n_new) | (right < self.n_new)) & (
            (self.template[left] < 0) | (self.template[left] != self.template[right])
        )
        if self.allowed:
            where = np.flatnonzero(ok)
            ok[where] = np.fromiter(
                (
                    (self.ids[a], self.ids[b]) not in self.allowed
                    for a, b in zip(left[where].tolist(), right[where].tolist(), strict=True)
                ),
                bool,
                len(where),
            )
        return ok
