"""Exact and near-duplicate questions, judged on the whole item, sub-quadratic.

Two questions are compared on three components, each a 0-100 score that the report shows:

``stem``
    :func:`rapidfuzz.fuzz.ratio` of the normalised stems with their words sorted (the
    ``token_sort_ratio`` score; sorting once per question instead of once per pair is ~5x faster).
``key``
    the same score on the keyed answer(s): the correct choice texts, or ``answer``, ``accept``,
    ``pairs`` or ``order`` for the other question types.
``choices``
    the same score on all choice texts together, so shuffled choices score 100 (choice questions only).

The whole-item ``score`` is the weighted mean of the components present (stem 0.5, key 0.3,
choices 0.2; stem 0.6 and key 0.4 without choices; the stem alone for essays). A pair is

``exact``
    same type family, same normalised stem, same set of normalised choices and the same key;
``key-conflict`` (an error)
    the same question (stems equal or ``stem >= 95``, choice sets equal or ``choices >= 95``, the
    same numbers, negations and inline code in the stem) with a different key;
``near``
    ``score >= threshold``, ``stem >= max(threshold - 5, 2 * threshold - 100)``, the same key and the
    same set of numbers and negation words in the stem, and inline code spans of one stem contain
    the other's (``null`` vs ``null`` and ``ForeignKey`` is compatible, ``related_name`` vs
    ``related_query_name`` is not), and the stems share their distinctive words: a rarity-weighted
    (smoothed IDF over everything searched) Jaccard similarity of their word sets >= 65. Rewording
    changes common words; the same fact asked in another scenario changes distinctive ones.

"The same key" for choice questions maps each key of one item to the most similar choice of the
other: the key is the same when that choice is a key there too (so "Amazon SQS" and "Amazon SNS"
are different keys however similar the strings), and falls back to the key-text score (>= 80) when
the choice sets share nothing. Template siblings (the same wording asking for a different fact, or
the same wording with other numbers) therefore are not duplicates.

Candidate pairs come from weighted MinHash signatures (numpy, 128 rows) of each item's stem words,
each word weighted by the same IDF as the content check above, so two signatures agree on a row
with probability equal to that rarity-weighted Jaccard similarity, which a near duplicate has at
0.65 or more. Banded into 32 bands of 4 rows (LSH), such a pair shares a bucket with probability at
least 1 - (1 - 0.65**4)**32 = 0.998. A bucket over 300 items (one generic stem shared by many
questions) is split by a second signature of the items' choice and key words; a pair is taken from
the first band it collides in, and dropped when the signatures agree on fewer than half of the rows
(a near duplicate agrees on 65% of them in expectation). Survivors are verified with
:func:`rapidfuzz.process.cpdist`, band by band, so memory stays bounded. Banks up to 2,000
distinct items are compared exhaustively. ``benchmarks/dupes.py`` has the measurements.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Essay,
    Matching,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)
from qbank.core.text import bare

__all__ = [
    "DEFAULT_THRESHOLD",
    "Cluster",
    "Cue",
    "DupItem",
    "DuplicateKind",
    "DuplicateReport",
    "Location",
    "Pair",
    "Progress",
    "cross_item_cues",
    "describe_pair",
    "enemy_pairs",
    "find_duplicate_items",
    "find_duplicates",
    "item_from_question",
    "pair_data",
    "stem_floor",
]

DuplicateKind = Literal["exact", "near", "key-conflict"]
#: ``progress(done, total)``: called as the search advances (``total`` is fixed for one run).
Progress = Callable[[int, int], None]

DEFAULT_THRESHOLD = 85.0
CONFLICT_STEM = 95.0
CONFLICT_CHOICES = 95.0
SAME_KEY_MATCH = 80.0
SAME_KEY_TEXT = 80.0
SAME_ANSWER = 90.0
#: Least rarity-weighted word overlap of two near-duplicate stems (see ``_content``).
CONTENT_MIN = 65.0
#: Banks with at most this many distinct items are compared pair by pair (exact, and fast enough).
EXHAUSTIVE_LIMIT = 2000

# LSH parameters (see the module docstring; measured in benchmarks/dupes.py)
BANDS = 32
ROWS = 4
NUM_PERM = BANDS * ROWS  # a multiple of 8: agreement is counted eight rows at a time
MAX_BUCKET = 300
MIN_AGREEMENT = 0.5
_PROGRESS_TOTAL = 1000
_VERIFY_CHUNK = 200_000
_CHUNK = 100_000  # rows of numpy work at a time: bounds the temporary arrays

_CHOICE = 0  # the family id of choice questions in ``_Prepared.family_id``
_KIND_RANK: dict[str, int] = {"exact": 0, "near": 1, "key-conflict": 2}


# ---------------------------------------------------------------------------------------------- values


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


@dataclass(frozen=True, slots=True)
class Pair:
    """Two duplicate questions and the scores that judged them (0-100)."""

    a: str
    b: str
    kind: DuplicateKind
    score: float
    """The whole-item score (weighted mean of the components)."""
    stem: float
    key: float
    choices: float | None
    """``None`` when the questions have no choices."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (see ``docs/dupes.md``)."""
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind,
            "score": round(self.score, 1),
            "stem": round(self.stem, 1),
            "key": round(self.key, 1),
            "choices": None if self.choices is None else round(self.choices, 1),
        }


@dataclass(frozen=True, slots=True)
class Cluster:
    """Questions connected by duplicate pairs.

    ``kind`` is the most serious kind among the pairs (``key-conflict`` > ``near`` > ``exact``).
    """

    ids: tuple[str, ...]
    kind: DuplicateKind
    pairs: tuple[Pair, ...]

    @property
    def severity(self) -> Severity:
        """``error`` for key conflicts, ``warning`` otherwise."""
        return Severity.ERROR if self.kind == "key-conflict" else Severity.WARNING


@dataclass
class DuplicateReport:
    """What :func:`find_duplicates` found."""

    clusters: list[Cluster]
    threshold: float
    questions: int
    """Questions searched (the new ones with ``against``)."""
    against: int = 0
    """Questions of the published bank given as ``against``."""
    candidates: int = 0
    """Candidate pairs verified with rapidfuzz (after exact grouping and LSH)."""
    method: str = "lsh"
    """``lsh`` or ``exhaustive``."""
    locations: dict[str, Location] = field(default_factory=dict)
    """Where each reported question is (questions built in code have none)."""

    @property
    def pairs(self) -> list[Pair]:
        """Every reported pair, cluster by cluster."""
        return [p for c in self.clusters for p in c.pairs]

    @property
    def failed(self) -> bool:
        """Whether a key conflict (an error) was found."""
        return any(c.kind == "key-conflict" for c in self.clusters)

    def counts(self) -> dict[str, int]:
        """Number of clusters of each kind."""
        out = {"exact": 0, "near": 0, "key-conflict": 0}
        for c in self.clusters:
            out[c.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON object (``qbank dupes --format json``; see ``docs/dupes.md``)."""

        def loc(qid: str) -> dict[str, Any]:
            where = self.locations.get(qid)
            if where is None:
                return {"id": qid, "path": None, "line": None, "col": None}
            return {"id": qid, "path": where.path, "line": where.line, "col": where.col}

        return {
            "version": 1,
            "threshold": self.threshold,
            "summary": {
                "questions": self.questions,
                "against": self.against,
                "candidates": self.candidates,
                "method": self.method,
                "clusters": len(self.clusters),
                **self.counts(),
                "failed": self.failed,
            },
            "clusters": [
                {
                    "ids": list(c.ids),
                    "kind": c.kind,
                    "severity": c.severity.value,
                    "locations": [loc(i) for i in c.ids],
                    "pairs": [p.as_dict() for p in c.pairs],
                }
                for c in self.clusters
            ],
        }

    def diagnostics(self, code: str = "QB704") -> list[Diagnostic]:
        """One located diagnostic per question that duplicates an earlier one in its cluster."""
        out: list[Diagnostic] = []
        for cluster in self.clusters:
            for pair in cluster.pairs:
                where = self.locations.get(pair.b) or Location("<memory>", 1, 1)
                other = self.locations.get(pair.a)
                severity = Severity.ERROR if pair.kind == "key-conflict" else Severity.WARNING
                out.append(
                    Diagnostic(
                        code,
                        severity,
                        describe_pair(pair, other),
                        where.path,
                        where.line,
                        where.col,
                        question_id=pair.b,
                        data=pair_data(pair),
                    )
                )
        return out


def describe_pair(pair: Pair, other: Location | None = None) -> str:
    """A one-line message about ``pair.b`` duplicating ``pair.a``."""
    what = {
        "exact": "exact duplicate of",
        "near": "near duplicate of",
        "key-conflict": "same question as",
    }[pair.kind]
    at = f" at {other}" if other is not None else ""
    choices = "" if pair.choices is None else f", choices {pair.choices:.0f}"
    tail = " but with a different key" if pair.kind == "key-conflict" else ""
    return (
        f"{what} {pair.a!r}{at}{tail} (score {pair.score:.0f}: stem {pair.stem:.0f}, "
        f"key {pair.key:.0f}{choices})"
    )


def pair_data(pair: Pair) -> tuple[tuple[str, str], ...]:
    """Machine-readable evidence of a pair for :attr:`Diagnostic.data`."""
    data = [
        ("duplicate_of", pair.a),
        ("kind", pair.kind),
        ("score", f"{pair.score:.1f}"),
        ("stem", f"{pair.stem:.1f}"),
        ("key", f"{pair.key:.1f}"),
    ]
    if pair.choices is not None:
        data.append(("choices", f"{pair.choices:.1f}"))
    return tuple(data)


# ---------------------------------------------------------------------------------------------- text


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_NEGATIONS = frozenset(
    "not no never none except least incorrect false untrue cannot isn aren don doesn didn won shouldn wouldn couldn wasn weren without".split()  # noqa: SIM905 -- a word list reads best as one string
)
_STOP = frozenset(
    "a an the of to in on for and or is are be by with as at from that this which what it its can should will do does how when who why where your you their they these those into than then there has have was were use uses used using".split()  # noqa: SIM905 -- a word list reads best as one string
)


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


Signature = tuple[tuple[str, ...], frozenset[str], frozenset[str]]


def _signature(raw_stem: str, words: list[str]) -> Signature:
    """Numbers, negation words and inline code of a stem: the facts a template sibling changes."""
    raw = unicodedata.normalize("NFKC", raw_stem)
    numbers = tuple(sorted(set(_NUMBER.findall(raw))))
    code = frozenset(bare(span) for span in _CODE_SPAN.findall(_FENCE.sub(" ", raw)))
    return numbers, frozenset(w for w in words if w in _NEGATIONS), code


def _compatible(x: Signature, y: Signature) -> bool:
    """Same numbers and negations; inline code of one stem contains the other's (a stem that adds a
    code span specialises the question, one that replaces a span asks about something else)."""
    return x[0] == y[0] and x[1] == y[1] and (x[2] <= y[2] or y[2] <= x[2])


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


# ---------------------------------------------------------------------------------------------- prepared


@dataclass(slots=True)
class _Prepared:
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
    """Each item's family as a number (``_CHOICE`` for choice questions)."""
    keyed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    """Whether each item has a key (essays have none)."""
    facts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """A hash of each stem's numbers and negation words: :func:`_compatible` stems have equal ones."""


def _prepare(items: Sequence[DupItem]) -> _Prepared:
    p = _Prepared([], [], [], [], [], [], [], [])
    df: dict[str, int] = defaultdict(int)
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
        p.key_sorted.append(key_text if item.ordered_key else _sorted_words(key_text))
        p.choice_bag.append(_sorted_words(" ".join(choices)))
        p.choice_norms.append(choices)
        p.key_norms.append(keys)
        p.signature.append(_signature(item.stem, words))
        for word in set(words):
            df[word] += 1
    # smoothed with a prior of 20 documents: in a small bank every word weighs about the same
    total = len(items) + 20
    p.idf = {w: math.log1p(total / (count + 20)) for w, count in df.items()}
    ids: dict[str, int] = {"choice": _CHOICE}
    p.family_id = np.fromiter((ids.setdefault(f, len(ids)) for f in p.family), np.int32, len(p.family))
    p.keyed = np.fromiter((bool(k) for k in p.key_norms), bool, len(p.key_norms))
    p.facts = np.fromiter((hash(s[:2]) for s in p.signature), np.int64, len(p.signature))
    return p


# ---------------------------------------------------------------------------------------------- judging


def _component_weights(has_choices: bool, has_key: bool) -> tuple[float, float, float]:
    if has_choices:
        return 0.5, 0.3, 0.2
    if has_key:
        return 0.6, 0.4, 0.0
    return 1.0, 0.0, 0.0


def stem_floor(threshold: float) -> float:
    """The least stem score a near duplicate can have at ``threshold``."""
    return max(threshold - 5.0, 2.0 * threshold - 100.0)


def _same_choice_key(p: _Prepared, i: int, j: int, key_score: float) -> bool:
    """Whether the keys of two choice questions are the same options (see the module docstring)."""
    mapped = False
    for x, y in ((i, j), (j, i)):
        keys_y = set(p.key_norms[y])
        for key in p.key_norms[x]:
            best = process.extractOne(key, p.choice_norms[y], scorer=fuzz.ratio)
            if best is not None and best[1] >= SAME_KEY_MATCH:
                mapped = True
                if best[0] not in keys_y:
                    return False
    if len(p.key_norms[i]) != len(p.key_norms[j]):
        return False
    return mapped or key_score >= SAME_KEY_TEXT


def _content(p: _Prepared, i: int, j: int) -> float:
    """Rarity-weighted Jaccard similarity (0-100) of the two stems' word sets.

    Rewording changes common words; a question about another scenario changes distinctive ones.
    """
    a, b = set(p.stem_norm[i].split()), set(p.stem_norm[j].split())
    union = sum(p.idf.get(w, 0.0) for w in a | b)
    if union <= 0.0:
        return 100.0
    return 100.0 * sum(p.idf.get(w, 0.0) for w in a & b) / union


def _judge(
    p: _Prepared, i: int, j: int, stem: float, key: float, choices: float | None, threshold: float
) -> Pair | None:
    """The pair's kind, or ``None`` when it is not a duplicate."""
    family = p.family[i]
    if family != p.family[j] or not _compatible(p.signature[i], p.signature[j]):
        return None
    has_choices = family == "choice"
    has_key = bool(p.key_norms[i] or p.key_norms[j])
    ws, wk, wc = _component_weights(has_choices, has_key)
    score = ws * stem + wk * key + wc * (choices or 0.0)
    same_question = (stem >= CONFLICT_STEM or p.stem_norm[i] == p.stem_norm[j]) and (
        not has_choices
        or (choices is not None and choices >= CONFLICT_CHOICES)
        or sorted(p.choice_norms[i]) == sorted(p.choice_norms[j])
    )
    maybe_conflict = same_question and has_key
    maybe_near = score >= threshold and stem >= stem_floor(threshold)
    if not maybe_conflict and not maybe_near:
        return None  # cheap exits first: the key comparison below is the costly part
    if has_choices:
        same_key = _same_choice_key(p, i, j, key)
    elif family in ("true_false", "numerical"):
        same_key = p.key_norms[i] == p.key_norms[j]
    elif family == "short_answer":
        accepted_i, accepted_j = set(p.key_norms[i]), set(p.key_norms[j])
        same_key = bool(accepted_i & accepted_j) or key >= SAME_ANSWER
    else:
        same_key = key >= SAME_ANSWER
    if not same_key:
        return Pair("", "", "key-conflict", score, stem, key, choices) if maybe_conflict else None
    if maybe_near and _content(p, i, j) >= CONTENT_MIN:
        return Pair("", "", "near", score, stem, key, choices)
    return None


# ---------------------------------------------------------------------------------------------- search


def find_duplicates(
    bank: Bank | Iterable[Question],
    *,
    threshold: float | None = None,
    against: Bank | Iterable[Question] | None = None,
    allow: Iterable[Iterable[str]] = (),
    jobs: int = 1,
    progress: Progress | None = None,
) -> DuplicateReport:
    """Exact duplicates, near duplicates and key conflicts among the questions of ``bank``.

    ``threshold`` is the whole-item score (0-100) at which two questions are near duplicates
    (default 85). With ``against`` (a published bank), pairs inside ``against`` are not reported:
    only pairs among the new questions and between a new and a published question. ``allow`` lists
    groups of ids that are intentional variants: no pair inside one group is reported. ``jobs`` is
    the number of threads rapidfuzz uses (0 = one per core). ``progress(done, total)`` is called
    as the search advances. Retired questions are compared too (a retired copy is still a copy).

    Pure: reads no files and prints nothing; locations come from where the questions were loaded.
    """
    new = list(bank)
    old = list(against) if against is not None else []
    locate = _Locator()
    items = [item_from_question(q, locate(q)) for q in new]
    against_items = [item_from_question(q, locate(q)) for q in old]
    return find_duplicate_items(
        items, against=against_items, threshold=threshold, allow=allow, jobs=jobs, progress=progress
    )


def enemy_pairs(
    questions: Iterable[Question], threshold: float | None = None, allow: Iterable[Iterable[str]] = ()
) -> set[frozenset[str]]:
    """Pairs of question ids that must not appear on one form: exact, near and key-conflict duplicates.

    ``allow`` lists groups of ids that are intentional variants (``[tool.qbank.dupes] allow``).
    """
    report = find_duplicates(list(questions), threshold=threshold, allow=allow)
    return {frozenset((p.a, p.b)) for p in report.pairs if p.a != p.b}


def find_duplicate_items(
    items: Sequence[DupItem],
    *,
    against: Sequence[DupItem] = (),
    threshold: float | None = None,
    allow: Iterable[Iterable[str]] = (),
    jobs: int = 1,
    progress: Progress | None = None,
    method: Literal["auto", "lsh", "exhaustive"] = "auto",
) -> DuplicateReport:
    """:func:`find_duplicates` on prepared items (for data that is not a qbank bank).

    ``method="exhaustive"`` verifies every pair (the brute-force reference, quadratic);
    ``"lsh"`` always uses MinHash/LSH candidates; ``"auto"`` picks by size.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 100.0:
        raise ValueError(f"threshold must be between 0 and 100, got {threshold}")
    everything = [*items, *against]
    n_new = len(items)
    report = _Progressor(progress)
    prep = _prepare(everything)
    report.at(100)
    workers = -1 if jobs == 0 else max(1, jobs)
    allowed = _allowed_pairs(everything, allow)

    def keep(i: int, j: int) -> bool:
        if i >= n_new and j >= n_new:
            return False
        template = everything[i].template
        if template is not None and template == everything[j].template:
            return False
        return (everything[i].id, everything[j].id) not in allowed

    found: dict[tuple[int, int], Pair] = {}
    reps = _exact_groups(everything, prep, keep, found)
    report.at(150)
    method_used = method
    if method == "auto":
        method_used = "exhaustive" if len(reps) <= EXHAUSTIVE_LIMIT else "lsh"
    rep_array = np.asarray(reps, dtype=np.int64)
    verified = 0
    if method_used == "exhaustive":
        candidates = _exhaustive_candidates(prep, rep_array, stem_floor(threshold), workers, report)
        verified = _verify(prep, candidates, threshold, workers, keep, found)
    else:
        for band, chunk in enumerate(_lsh_candidates(prep, rep_array, report)):
            verified += _verify(prep, chunk, threshold, workers, keep, found)
            report.at(300 + int(700 * (band + 1) / BANDS))
    clusters = _clusters(everything, found)
    report.at(_PROGRESS_TOTAL)
    locations = {
        everything[k].id: loc
        for k in sorted({k for pair in found for k in pair})
        if (loc := everything[k].location) is not None
    }
    return DuplicateReport(clusters, threshold, n_new, len(against), verified, str(method_used), locations)


class _Progressor:
    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback

    def at(self, done: int) -> None:
        if self.callback is not None:
            self.callback(min(done, _PROGRESS_TOTAL), _PROGRESS_TOTAL)


def _allowed_pairs(items: Sequence[DupItem], allow: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    present = {it.id for it in items}
    out: set[tuple[str, str]] = set()
    for group in allow:
        ids = [i for i in dict.fromkeys(group) if i in present]
        for a in ids:
            for b in ids:
                if a != b:
                    out.add((a, b))
    return out


def _exact_groups(
    items: Sequence[DupItem],
    prep: _Prepared,
    keep: Callable[[int, int], bool],
    found: dict[tuple[int, int], Pair],
) -> list[int]:
    """Record exact duplicates and exact key conflicts; return one representative per distinct item."""
    groups: dict[tuple[str, str, tuple[str, ...]], dict[tuple[str, ...], list[int]]] = defaultdict(dict)
    for k in range(len(items)):
        keys = prep.key_norms[k] if items[k].ordered_key else tuple(sorted(prep.key_norms[k]))
        question = (prep.family[k], prep.stem_norm[k], tuple(sorted(prep.choice_norms[k])))
        groups[question].setdefault(keys, []).append(k)
    reps: list[int] = []
    for by_key in groups.values():
        firsts = []
        for members in by_key.values():
            first = members[0]
            firsts.append(first)
            reps.append(first)
            for other in members[1:]:
                # the earliest member it may be paired with (an allow-list can forbid the first)
                partner = next((m for m in members if m != other and keep(m, other)), None)
                if partner is not None:
                    found[(min(partner, other), max(partner, other))] = Pair(
                        "", "", "exact", 100.0, 100.0, 100.0, _choices_100(prep, first)
                    )
        if len(firsts) > 1 and items[firsts[0]].family != "essay":
            for other in firsts[1:]:
                if keep(firsts[0], other):
                    key = fuzz.ratio(prep.key_sorted[firsts[0]], prep.key_sorted[other])
                    has_choices = prep.family[other] == "choice"
                    ws, wk, wc = _component_weights(has_choices, True)
                    found[(firsts[0], other)] = Pair(
                        "",
                        "",
                        "key-conflict",
                        ws * 100 + wk * key + wc * 100,
                        100.0,
                        key,
                        100.0 if has_choices else None,
                    )
    reps.sort()
    return reps


def _choices_100(prep: _Prepared, k: int) -> float | None:
    return 100.0 if prep.family[k] == "choice" else None


Pairs = tuple[NDArray[np.int64], NDArray[np.int64]]


def _exhaustive_candidates(
    prep: _Prepared, reps: NDArray[np.int64], floor: float, workers: int, report: _Progressor
) -> Pairs:
    """Every pair of representatives whose stem score reaches the floor (the brute-force reference)."""
    stems = [prep.stem_sorted[k] for k in reps]
    n = len(stems)
    left: list[NDArray[np.int64]] = []
    right: list[NDArray[np.int64]] = []
    step = 500
    for start in range(0, n, step):
        block = process.cdist(
            stems[start : start + step],
            stems[start:],
            scorer=fuzz.ratio,
            score_cutoff=floor,
            dtype=np.float32,
            workers=workers,
        )
        rows, cols = np.nonzero(block >= floor)
        rows = rows + start
        cols = cols + start
        upper = cols > rows
        left.append(reps[rows[upper]])
        right.append(reps[cols[upper]])
        report.at(150 + int(850 * min(n, start + step) / max(n, 1)))
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def _word_sets(
    words: Iterable[Iterable[str]], weight: Callable[[str, int], float]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Each item's set of words as vocabulary ids (flat, with per-item offsets) and each word's
    weight, ``weight(word, number of items that have it)``."""
    vocab: dict[str, int] = {}
    flat: list[int] = []
    offsets = [0]
    for item in words:
        flat.extend({vocab.setdefault(w, len(vocab)) for w in item})
        offsets.append(len(flat))
    ids = np.asarray(flat, dtype=np.int64)
    df = np.bincount(ids, minlength=len(vocab))
    weights = np.fromiter((weight(w, int(df[k])) for w, k in vocab.items()), np.float64, len(vocab))
    return ids, np.asarray(offsets, dtype=np.int64), weights


def _minhash(
    flat: NDArray[np.int64],
    offsets: NDArray[np.int64],
    weights: NDArray[np.float64],
    num_perm: int,
    seed: int,
) -> NDArray[np.uint32]:
    """Weighted MinHash signatures (items x ``num_perm``) of weighted word sets.

    Each word draws, per permutation, an exponential variable of rate its weight (``-log(u) / w``
    with ``u`` from a hash of its id and the permutation); the signature holds the smallest draw of the
    item's words. Two items agree on a permutation exactly when their smallest draws come from the
    same word, which happens with probability ``w(A & B) / w(A | B)``: the weighted Jaccard
    similarity that :func:`_content` computes. The float32 draws are kept as their uint32 bit
    patterns, which order positive floats the same way.
    """
    salts = np.random.default_rng(seed).integers(0, 2**63, size=num_perm, dtype=np.uint64)
    draws = np.empty((len(weights), num_perm), dtype=np.uint32)
    for start in range(0, len(weights), _CHUNK // 4):
        words = np.arange(start, min(len(weights), start + _CHUNK // 4), dtype=np.uint64)
        # the top 53 bits of a well-mixed hash, as a uniform variable in (0, 1)
        bits = _mix64(words[:, None] * np.uint64(0x9E3779B97F4A7C15) + salts) >> np.uint64(11)
        u = (bits.astype(np.float64) + 0.5) * 2.0**-53
        rate = weights[start : start + len(words), None]
        draws[start : start + len(words)] = (-np.log(u) / rate).astype(np.float32).view(np.uint32)
    n = len(offsets) - 1
    sig = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    step = 4096
    for start in range(0, n, step):
        stop = min(n, start + step)
        lo, hi = int(offsets[start]), int(offsets[stop])
        if hi == lo:
            continue
        starts = offsets[start:stop] - lo
        nonempty = offsets[start + 1 : stop + 1] > offsets[start:stop]
        sig[start:stop][nonempty] = np.minimum.reduceat(draws[flat[lo:hi]], starts[nonempty], axis=0)
    return sig


def _mix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """The splitmix64 finaliser: every input bit affects every output bit."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _band_keys(
    sig: NDArray[np.uint32], bands: int, rows: int, empty: NDArray[np.bool_]
) -> NDArray[np.uint64]:
    """One hash per band and item of its ``rows`` signature values (bands x items)."""
    mix = np.uint64(0x9E3779B97F4A7C15)
    keys = np.zeros((bands, sig.shape[0]), dtype=np.uint64)
    for band in range(bands):
        for col in range(band * rows, (band + 1) * rows):
            keys[band] = keys[band] * mix + sig[:, col].astype(np.uint64)
    # an item without words collides with nothing
    keys[:, empty] = np.arange(int(empty.sum()), dtype=np.uint64) + np.uint64(2**63)
    return keys


def _bucket_sizes(key: NDArray[np.uint64]) -> NDArray[np.int64]:
    """For each item, the number of items with its key."""
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]


def _lsh_candidates(prep: _Prepared, reps: NDArray[np.int64], report: _Progressor) -> Iterator[Pairs]:
    """Candidate pairs of representatives from weighted MinHash LSH, one band at a time.

    A pair is yielded by the first band it collides in (in a bucket small enough to be used) only, so
    no global set of pairs is kept; pairs whose signatures agree on too few rows are dropped.
    """
    n = len(reps)
    if n < 2:
        return
    idf = prep.idf
    flat, offsets, weights = _word_sets(
        (prep.stem_norm[k].split() for k in reps), lambda word, _df: idf[word]
    )
    sig = _minhash(flat, offsets, weights, NUM_PERM, 0x5EED)
    report.at(250)
    keys = _band_keys(sig, BANDS, ROWS, offsets[1:] == offsets[:-1])
    crowded = np.stack([_bucket_sizes(keys[band]) > MAX_BUCKET for band in range(BANDS)])
    if crowded.any():
        _split_crowded(prep, reps, keys, crowded)
    report.at(300)
    # one byte of each signature value is enough to estimate agreement (1/256 of false matches)
    prints = (sig * np.uint32(0x9E3779B1) >> np.uint32(24)).astype(np.uint8).view(np.uint64)
    small = np.empty((BANDS, n), dtype=bool)
    for band in range(BANDS):
        left, right, small[band] = _bucket_pairs(keys[band])
        ok = _agreement(prints, left, right) >= MIN_AGREEMENT
        left, right = left[ok], right[ok]
        seen = np.zeros(len(left), dtype=bool)
        for earlier in range(band):
            seen |= (keys[earlier, left] == keys[earlier, right]) & small[earlier, left]
        yield reps[left[~seen]], reps[right[~seen]]


def _split_crowded(
    prep: _Prepared, reps: NDArray[np.int64], keys: NDArray[np.uint64], crowded: NDArray[np.bool_]
) -> None:
    """Re-bucket items of crowded buckets by a second signature, of their choice and key words.

    Many questions share one generic stem ("Which statement is true?"); their stems collide in every
    band, so they are told apart by what they offer and what they key, two more signature rows per
    band.
    """
    who = np.flatnonzero(crowded.any(axis=0))
    n = len(reps) + 20
    flat, offsets, weights = _word_sets(
        (
            [w for text in (*prep.choice_norms[k], *prep.key_norms[k]) for w in text.split()]
            for k in reps[who]
        ),
        lambda _word, df: math.log1p(n / (df + 20)),
    )
    second = _band_keys(
        _minhash(flat, offsets, weights, 2 * BANDS, 0x5EC0), BANDS, 2, offsets[1:] == offsets[:-1]
    )
    mix = np.uint64(0xC2B2AE3D27D4EB4F)
    for band in range(BANDS):
        mine = crowded[band, who]
        keys[band, who[mine]] = keys[band, who[mine]] * mix + second[band, mine]


def _bucket_pairs(key: NDArray[np.uint64]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """All pairs (positions, left < right) inside buckets of equal keys of size 2..MAX_BUCKET, and
    for each item whether its bucket is small enough to be used."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    bounds = np.flatnonzero(np.diff(sorted_key)) + 1
    starts = np.concatenate(([0], bounds))
    sizes = np.diff(np.concatenate((starts, [len(key)])))
    small = np.empty(len(key), dtype=bool)
    small[order] = np.repeat(sizes <= MAX_BUCKET, sizes)
    left: list[NDArray[np.int64]] = []
    right: list[NDArray[np.int64]] = []
    for size in np.unique(sizes):
        if size < 2 or size > MAX_BUCKET:
            continue
        group_starts = starts[sizes == size]
        p, q = np.triu_indices(int(size), 1)
        a = order[(group_starts[:, None] + p[None, :]).ravel()]
        b = order[(group_starts[:, None] + q[None, :]).ravel()]
        left.append(np.minimum(a, b))
        right.append(np.maximum(a, b))
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), small
    return np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64), small


def _agreement(
    prints: NDArray[np.uint64], left: NDArray[np.int64], right: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Share of signature rows on which each pair agrees; ``prints`` packs one byte per row."""
    low7 = np.uint64(0x7F7F7F7F7F7F7F7F)
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), _CHUNK):
        x = prints[left[start : start + _CHUNK]] ^ prints[right[start : start + _CHUNK]]
        # the high bit of each byte of ``zero`` is set exactly where that byte of ``x`` is 0
        zero = ~(((x & low7) + low7) | x | low7)
        out[start : start + _CHUNK] = np.bitwise_count(zero).sum(axis=1) / (8 * prints.shape[1])
    return out


def _verify(
    prep: _Prepared,
    candidates: Pairs,
    threshold: float,
    workers: int,
    keep: Callable[[int, int], bool],
    found: dict[tuple[int, int], Pair],
) -> int:
    """Score candidate pairs with rapidfuzz and record the duplicates; returns the number verified.

    The component scores and the whole-item score are computed for a chunk of pairs at a time;
    only pairs that can be a near duplicate or a key conflict by their scores are judged one by one.
    """
    left, right = candidates
    total = len(left)
    floor = stem_floor(threshold)
    weights = np.asarray(
        [
            _component_weights(has_choices, has_key)
            for has_choices in (False, True)
            for has_key in (False, True)
        ]
    )
    for start in range(0, total, _VERIFY_CHUNK):
        part_l = left[start : start + _VERIFY_CHUNK]
        part_r = right[start : start + _VERIFY_CHUNK]
        stems = _pair_scores(prep.stem_sorted, part_l, part_r, workers)
        hits = np.flatnonzero(
            (stems >= floor)
            & (prep.family_id[part_l] == prep.family_id[part_r])
            & (prep.facts[part_l] == prep.facts[part_r])
        )
        hit_l, hit_r, stems = part_l[hits], part_r[hits], stems[hits]
        keys = _pair_scores(prep.key_sorted, hit_l, hit_r, workers)
        has_choices = prep.family_id[hit_l] == _CHOICE
        choices = np.where(has_choices, _pair_scores(prep.choice_bag, hit_l, hit_r, workers), 0.0)
        w = weights[2 * has_choices + (prep.keyed[hit_l] | prep.keyed[hit_r])]
        score = w[:, 0] * stems + w[:, 1] * keys + w[:, 2] * choices
        judge = ((score >= threshold) & (stems >= floor)) | (stems >= CONFLICT_STEM)
        for k in np.flatnonzero(judge).tolist():
            a, b = sorted((int(hit_l[k]), int(hit_r[k])))
            if (a, b) in found or not keep(a, b):
                continue
            choice = float(choices[k]) if has_choices[k] else None
            pair = _judge(prep, a, b, float(stems[k]), float(keys[k]), choice, threshold)
            if pair is not None:
                found[(a, b)] = pair
    return total


def _pair_scores(
    texts: list[str], left: NDArray[np.int64], right: NDArray[np.int64], workers: int
) -> NDArray[np.float64]:
    """:func:`rapidfuzz.fuzz.ratio` of ``texts`` at each pair of positions."""
    return process.cpdist(
        [texts[i] for i in left.tolist()],
        [texts[j] for j in right.tolist()],
        scorer=fuzz.ratio,
        dtype=np.float32,
        workers=workers,
    ).astype(np.float64)


def _clusters(items: Sequence[DupItem], found: dict[tuple[int, int], Pair]) -> list[Cluster]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in found:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    edges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in sorted(found):
        edges[root(a)].append((a, b))
    for k in sorted(parent):
        members[root(k)].append(k)
    out: list[Cluster] = []
    for r in sorted(members):
        pairs = []
        for a, b in edges[r]:
            judged = found[(a, b)]
            pairs.append(
                Pair(
                    items[a].id,
                    items[b].id,
                    judged.kind,
                    judged.score,
                    judged.stem,
                    judged.key,
                    judged.choices,
                )
            )
        kind = max((p.kind for p in pairs), key=_KIND_RANK.__getitem__)
        out.append(Cluster(tuple(items[k].id for k in members[r]), kind, tuple(pairs)))
    return out


# ---------------------------------------------------------------------------------------------- locations


_ID_LINE = re.compile(r"""^[ \t]*(?:-[ \t]+)?["']?id["']?[ \t]*:[ \t]*["']?([a-z0-9][a-z0-9._-]*)""", re.M)


class _Locator:
    """Locations of question ids, found by one scan of each already-read file's text.

    Composing every file in round-trip mode (what :meth:`SourceFile.position` does) costs about a
    millisecond per question; a bank with duplicates spread over every file would pay it all.
    """

    def __init__(self) -> None:
        self._by_file: dict[int, dict[str, tuple[int, int]]] = {}

    def __call__(self, question: Question) -> Location | None:
        origin = question.origin
        if origin is None:
            return None
        source = origin.source
        found = self._scan(source).get(question.id)
        if found is None:
            line, col = source.position(("questions", origin.index, "id"))
        else:
            line, col = found
        return Location(str(source.display), line, col)

    def _scan(self, source: Any) -> dict[str, tuple[int, int]]:
        key = id(source)
        cached = self._by_file.get(key)
        if cached is not None:
            return cached
        text: str = getattr(source, "text", "") or ""
        out: dict[str, tuple[int, int]] = {}
        counts: dict[str, int] = defaultdict(int)
        for match in _ID_LINE.finditer(text):
            qid = match.group(1)
            counts[qid] += 1
            out.setdefault(qid, source.line_col(match.start(1)))
        # an id written twice in one file is ambiguous here: let the exact locator place it
        self._by_file[key] = {k: v for k, v in out.items() if counts[k] == 1}
        return self._by_file[key]


# ---------------------------------------------------------------------------------------------- cueing


@dataclass(frozen=True, slots=True)
class Cue:
    """The key text of question ``key_id`` appears in the ``field`` of question ``other_id``."""

    key_id: str
    key: str
    other_id: str
    field: Literal["stem", "explanation"]
    score: float
    """:func:`rapidfuzz.fuzz.partial_ratio` of the key in that text (0-100)."""


def cross_item_cues(
    questions: Iterable[Question], *, min_score: float = 90.0, min_words: int = 4
) -> list[Cue]:
    """Keys that appear (``partial_ratio >= min_score``) in another question's stem or explanation.

    Only keys of at least ``min_words`` words are searched: short keys such as a service name are
    mentioned everywhere without giving anything away. Candidate texts come from an inverted index
    on the key's two rarest words, so the cost grows with the number of questions, not its square.
    """
    qs = list(questions)
    docs: list[tuple[int, Literal["stem", "explanation"], str]] = []
    for k, q in enumerate(qs):
        docs.append((k, "stem", bare(q.stem)))
        if q.explanation:
            docs.append((k, "explanation", bare(q.explanation)))
    keys: list[tuple[int, str, str]] = []
    for k, q in enumerate(qs):
        texts: list[str] = []
        if isinstance(q, ChoiceQuestion):
            texts = [c.text for c in q.choices if c.correct]
        elif isinstance(q, ShortAnswer):
            texts = list(q.accept)
        for text in texts:
            norm = bare(text)
            if len(norm.split()) >= min_words:
                keys.append((k, text, norm))
    if not keys:
        return []
    vocab = {w for _, _, norm in keys for w in norm.split() if w not in _STOP}
    postings: dict[str, set[int]] = defaultdict(set)
    for d, (_, _, text) in enumerate(docs):
        for w in set(text.split()) & vocab:
            postings[w].add(d)
    out: list[Cue] = []
    seen: set[tuple[int, int, str]] = set()
    for k, raw, norm in keys:
        words = sorted({w for w in norm.split() if w in postings}, key=lambda w: len(postings[w]))
        if not words:
            continue
        candidates = postings[words[0]]
        if len(words) > 1:
            candidates = candidates & postings[words[1]]
        for d in sorted(candidates):
            owner, where, text = docs[d]
            if owner == k or (k, owner, where) in seen:
                continue
            score = fuzz.partial_ratio(norm, text, score_cutoff=min_score)
            if score >= min_score:
                seen.add((k, owner, where))
                out.append(Cue(qs[k].id, raw, qs[owner].id, where, score))
    return out
