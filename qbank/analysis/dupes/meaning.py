"""Reworded duplicates: questions written in other words that ask the same thing with the same key.

Each question's stem becomes a unit vector from the packaged static embedding model
(:mod:`qbank.analysis.dupes.embeddings`). The meaning score of a pair is the cosine of their stem
vectors, x 100: the keys must agree anyway, and adding the same key to both texts would only lift
every same-key pair alike.

A pair is ``reworded`` when the two questions are of the same type family and neither is an essay,
their stems have the same numbers and negation words and compatible inline code (as for ``near``),
the meaning score reaches the threshold (``SAME_KEY_ALLOWANCE`` points less when the keys are the
same text), and the keys agree:

* the keys are the same texts, ignoring case, spacing, backticks and end punctuation (``null`` and
  `` `null` `` agree; ``// a comment`` and ``# a comment`` do not); or
* for choice questions, each key maps onto a key of the other question's choices (the mapping that
  ``near`` uses); a key that maps onto a choice that is *not* a key there means different keys; or,
  when no key maps onto the other's choices (choice sets written differently),
* one key text (of at least two words of letters) is part of the other ("Secrets Manager" in "Use AWS Secrets
  Manager to store the credentials"), or the two key texts differ by a typo (``fuzz.ratio`` >= 95
  after normalisation). Key texts that are merely *similar in meaning* do not agree: on real banks
  "exactly one of the schemas" and "at least one of the schemas", or "a custom cost field" and "a
  custom resource field", have key vectors with a cosine above 0.95.

Keys that say nothing of their own are handled apart: a key that points at the other options ("All
of the above", "Both of these answers") never makes two questions reworded duplicates (template
siblings such as "How can you implement X in Django REST Framework?" all share it), and a yes/no or
true/false key needs a meaning score of at least 90. Stems with fenced code blocks must have the same
code: embeddings of code say little about what is asked of it.

Candidates: in a bank of up to 2,000 distinct questions every pair of one type family is
compared (one matrix product). In larger banks, questions whose normalised keys are the same are
compared with each other exactly, by matrix products of their meaning vectors (a block of ``k``
such questions costs ``k x k x 256`` multiply-adds), keeping each question's ``NEIGHBOURS`` most
similar partners at or above the threshold; pairs whose keys are written differently are judged
when the lexical MinHash search proposes them. Template siblings (the same scenario asking for another fact) have other keys and so
are never reworded duplicates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from qbank.analysis.dupes.embeddings import TextVectors, embed_texts, load_model, words_of
from qbank.analysis.dupes.items import DupItem, Keeper, Pairs, Prepared, compatible
from qbank.analysis.dupes.judge import SAME_KEY_MATCH, key_mapping, names_differ
from qbank.analysis.dupes.typos import TypoIndex, rescore, typo_index
from qbank.core.text import fold
from qbank.io.cache import Store

__all__ = ["KEY_TYPO", "NEIGHBOURS", "Meaning", "block_candidates", "embed_items", "reworded"]

#: Least ``fuzz.ratio`` of two normalised key texts that agree although no key maps.
KEY_TYPO = 95.0
#: Least meaning score of two questions keyed yes/no or true/false.
BINARY_MEANING = 90.0
#: Least ``fuzz.ratio`` of the fenced code of two stems.
SAME_CODE = 90.0
_OTHER_OPTIONS = re.compile(
    r"\b(?:all|none|both|neither|any)\b(?:\s+\w+){0,3}?\s+"
    r"(?:above|below|these|those|them|options|answers|choices|methods|statements|mentioned)\b"
)
_BINARY = frozenset({"true", "false", "yes", "no", "correct", "incorrect", "right", "wrong"})
#: Families whose keys agree only when they are the same (a true/false value, a number, an order).
_UNMAPPED = frozenset({"true_false", "numerical", "ordering"})
#: How far below the threshold two questions whose keys are the same text (not merely agreeing)
#: may score: on real banks such pairs at 80-85 are mostly the same question asked again.
SAME_KEY_ALLOWANCE = 5.0
#: How far below the threshold a pair with a typo may score before its typos are read as the words
#: they misspell (:mod:`.typos`).
TYPO_ALLOWANCE = 10.0
#: Most reworded partners kept per question from one block of same-key questions.
NEIGHBOURS = 8
_ROWS = 1024  # rows of a block multiplied at a time: bounds the similarity matrix
_CHUNK = 16_384  # pairs scored at a time: their gathered vectors (2 x 1 KB each) stay small


def item_text(item: DupItem) -> str:
    """What a question's meaning vector is made of: its stem."""
    return item.stem


@dataclass(frozen=True)
class KeySets:
    """What :func:`_keys_may_agree` needs of each key set (family and normalised keys), by key set number."""

    count: NDArray[np.int64]
    """How many keys."""
    mapped: NDArray[np.bool_]
    """Whether keys of this family can agree without being the same (not true/false, numerical, ordering)."""
    choice: NDArray[np.bool_]
    """Whether the family is ``choice`` (keys map onto the other question's choices)."""
    text: NDArray[np.object_]
    """The first key's text (the only one that :func:`_keys_may_agree` reads on arrays)."""
    length: NDArray[np.int64]
    """Its length."""
    wordy: NDArray[np.bool_]
    """Whether it has two words of letters (:func:`_wordy`)."""

    @classmethod
    def of(cls, prep: Prepared, first_items: NDArray[np.int64]) -> KeySets:
        """The key sets whose first items are ``first_items``."""
        first = first_items.tolist()
        n = len(first)
        norms = [prep.key_norms[i] for i in first]
        families = [prep.family[i] for i in first]
        text = np.empty(n, object)
        text[:] = [keys[0] if keys else "" for keys in norms]
        return cls(
            np.fromiter((len(keys) for keys in norms), np.int64, n),
            np.fromiter((f not in _UNMAPPED for f in families), bool, n),
            np.fromiter((f == "choice" for f in families), bool, n),
            text,
            np.fromiter((len(t) for t in text.tolist()), np.int64, n),
            np.fromiter((_wordy(t) for t in text.tolist()), bool, n),
        )


@dataclass(frozen=True)
class Meaning:
    """The meaning vectors and key forms of every item searched."""

    items: NDArray[np.float32]
    key_forms: list[tuple[str, ...]]
    """Each item's key texts as compared (:func:`key_form`), sorted unless the order matters."""
    group: NDArray[np.int64]
    """Each item's key group (family and key forms) as a number; -1: the item cannot be reworded."""
    binary: NDArray[np.bool_]
    """Whether each item is keyed yes/no or true/false."""
    plain: NDArray[np.bool_]
    """Whether each item's stem has neither inline nor fenced code (nothing more to compare)."""
    keyset: NDArray[np.int64]
    """Each item's family and normalised keys as a number."""
    keyset_first: NDArray[np.int64]
    """The first item of each ``keyset``."""
    key_sets: KeySets
    """What the key agreement test reads of each ``keyset``."""
    texts: Sequence[str] = ()
    """What each item's vector was made of (:func:`item_text`)."""
    typos: TypoIndex = field(default_factory=dict)
    """Words of the bank that may be typos of other words of the bank (:mod:`.typos`)."""
    typo: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    """Whether each item's text has such a word."""
    cached: int = 0
    """Items whose meaning vector came from the cache."""

    def scores(self, left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.float64]:
        """Meaning scores (0-100) of the pairs."""
        return _rowwise(self.items, left, right)


def _rowwise(
    vectors: NDArray[np.float32], left: NDArray[np.int64], right: NDArray[np.int64]
) -> NDArray[np.float64]:
    out = np.empty(len(left), np.float64)
    for start in range(0, len(left), _CHUNK):
        a = vectors[left[start : start + _CHUNK]]
        b = vectors[right[start : start + _CHUNK]]
        out[start : start + _CHUNK] = 100.0 * np.einsum("ij,ij->i", a, b)
    return out


def key_form(text: str) -> str:
    """A key text as compared for reworded duplicates: case and spacing folded, backticks and
    surrounding punctuation removed, inner punctuation kept (it tells code answers apart)."""
    return fold(text.replace("`", "")).strip(" .,;:!?\"'")


def embed_items(items: Sequence[DupItem], prep: Prepared, cache: Store | None = None) -> Meaning:
    """The meaning vectors and key groups of ``items`` (vectors from the cache where possible)."""
    meaning: TextVectors = embed_texts([item_text(it) for it in items], cache=cache)
    forms = [
        tuple(key_form(k) for k in it.keys) if it.ordered_key else tuple(sorted(key_form(k) for k in it.keys))
        for it in items
    ]
    ids: dict[tuple[str, tuple[str, ...]], int] = {}
    pointing: dict[str, bool] = {}

    def group(k: int) -> int:
        family, keys = prep.family[k], forms[k]
        if family == "essay" or not keys or not all(keys):
            return -1
        for key in prep.key_norms[k]:
            if key not in pointing:
                pointing[key] = _OTHER_OPTIONS.search(key) is not None
            if pointing[key]:
                return -1
        return ids.setdefault((family, keys), len(ids))

    n = len(items)
    groups = np.fromiter((group(k) for k in range(n)), np.int64, n)
    binary = np.fromiter(
        (
            prep.family[k] == "true_false" or all(key in _BINARY for key in prep.key_norms[k])
            for k in range(n)
        ),
        bool,
        n,
    )
    plain = np.fromiter((not prep.code[k] and not prep.signature[k][2] for k in range(n)), bool, n)
    sets: dict[tuple[str, tuple[str, ...]], int] = {}
    keyset = np.fromiter(
        (sets.setdefault((prep.family[k], tuple(sorted(prep.key_norms[k]))), len(sets)) for k in range(n)),
        np.int64,
        n,
    )
    _, first = np.unique(keyset, return_index=True)
    texts = [item_text(it) for it in items]
    typos = typo_index(texts, load_model())
    typo = (
        np.fromiter((any(w in typos for w in words_of(t)) for t in texts), bool, n)
        if typos
        else np.zeros(n, bool)
    )
    return Meaning(
        meaning.vectors,
        forms,
        groups,
        binary,
        plain,
        keyset,
        first.astype(np.int64),
        KeySets.of(prep, first.astype(np.int64)),
        texts,
        typos,
        typo,
        meaning.cached,
    )


def block_candidates(
    prep: Prepared,
    reps: Sequence[int],
    meaning: Meaning,
    threshold: float,
    keep: Keeper,
    *,
    exhaustive: bool = False,
) -> tuple[Pairs, int]:
    """Pairs whose meaning score reaches ``threshold``, as positions with left < right, and the
    number of questions that had more such same-key partners than are kept.

    Questions with the same key are compared in blocks, each keeping its ``NEIGHBOURS`` best
    partners; with ``exhaustive`` every question that can be reworded is compared with every other
    one and every pair over the threshold is kept (small banks).
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for k in reps:
        group = int(meaning.group[k])
        if group >= 0:
            groups[int(prep.family_id[k]) if exhaustive else group].append(k)
    # a block's questions have the same key text, or (exhaustive) pairs are judged again in reworded()
    cut = np.float32((threshold - SAME_KEY_ALLOWANCE) / 100.0)
    low = np.float32((threshold - SAME_KEY_ALLOWANCE - TYPO_ALLOWANCE) / 100.0)
    left: list[NDArray[np.int64]] = []
    right: list[NDArray[np.int64]] = []
    capped = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        ids = np.asarray(members, dtype=np.int64)
        block = meaning.items[ids]
        want = len(members) - 1 if exhaustive else min(NEIGHBOURS, len(members) - 1)
        for start in range(0, len(members), _ROWS):
            sims = block[start : start + _ROWS] @ block.T
            rows = np.arange(sims.shape[0])
            sims[rows, rows + start] = -1.0  # not itself
            if want < len(members) - 1:
                top = np.argpartition(-sims, want - 1, axis=1)[:, :want]
                best = np.take_along_axis(sims, top, axis=1)
                floor = np.where(meaning.typo[ids[start : start + _ROWS]], low, cut)
                r, c = np.nonzero(best >= floor[:, None])
                other = top[r, c]
                capped += int(np.count_nonzero((sims >= cut).sum(axis=1) > want))
            else:
                floor = np.where(meaning.typo[ids[start : start + _ROWS]], low, cut)
                r, other = np.nonzero(sims >= floor[:, None])
            a = ids[r + start]
            b = ids[other]
            left.append(np.minimum(a, b))
            right.append(np.maximum(a, b))
    if not left:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64)), capped
    n = np.int64(len(prep.family))
    code = np.unique(np.concatenate(left) * n + np.concatenate(right))
    lo, hi = code // n, code % n
    wanted = keep.mask(lo, hi)
    return (lo[wanted], hi[wanted]), capped


def keys_agree(prep: Prepared, meaning: Meaning, i: int, j: int) -> bool:
    """Whether two questions of one family have the same key (see the module docstring)."""
    ki, kj = prep.key_norms[i], prep.key_norms[j]
    if not ki or not kj or len(ki) != len(kj):
        return False
    if meaning.group[i] == meaning.group[j]:
        return True
    family = prep.family[i]
    if family == "choice":
        mapped = key_mapping(prep, i, j)
        if mapped is not None:
            return mapped
    elif family in _UNMAPPED:
        return False
    return _texts_agree(ki, kj)


def _texts_agree(ki: tuple[str, ...], kj: tuple[str, ...]) -> bool:
    """One key text (of two or more words) is part of the other, or they differ by a typo."""
    text_i, text_j = " ".join(sorted(ki)), " ".join(sorted(kj))
    return _contained(text_i, text_j) or _typo(text_i, text_j)


def _typo(one: str, two: str) -> bool:
    """Two key texts differ by a typo: ``fuzz.ratio`` >= ``KEY_TYPO`` and no :func:`names_differ`."""
    return fuzz.ratio(one, two) >= KEY_TYPO and not names_differ(one, two)


def _contained(one: str, two: str) -> bool:
    """The shorter text, of at least two words of letters, is part of the longer one."""
    short, long = sorted((one, two), key=len)
    return _wordy(short) and f" {short} " in f" {long} "


def _wordy(text: str) -> bool:
    """Whether a key text has at least two words of letters (long enough to be found inside another)."""
    return sum(w.isalpha() and len(w) > 1 for w in text.split()) >= 2


def _may_agree(prep: Prepared, i: int, j: int) -> bool:
    """Whether :func:`keys_agree` can hold for questions keyed like ``i`` and ``j`` (of one family, in
    different key groups): a necessary condition that depends on the key texts only."""
    ki, kj = prep.key_norms[i], prep.key_norms[j]
    if not ki or not kj or len(ki) != len(kj) or prep.family[i] in _UNMAPPED:
        return False
    if _texts_agree(ki, kj):
        return True
    # the mapping agrees only when a key lands on a choice that is a key there: two keys alike
    return prep.family[i] == "choice" and any(fuzz.ratio(x, y) >= SAME_KEY_MATCH for x in ki for y in kj)


def _keys_may_agree(
    prep: Prepared, meaning: Meaning, left: NDArray[np.int64], right: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """:func:`_may_agree` for each pair, decided once per pair of distinct key sets.

    The common case, one key on each side, is decided on arrays (the key texts' ``fuzz.ratio``
    for all such pairs at once with :func:`rapidfuzz.process.cpdist`); only a short key that may be
    part of a longer one, and questions with several keys, are looked at one by one.
    """
    keyset = meaning.keyset
    size = np.int64(len(meaning.keyset_first))
    a, b = keyset[left], keyset[right]
    codes, inverse = np.unique(np.minimum(a, b) * size + np.maximum(a, b), return_inverse=True)
    sets = meaning.key_sets
    x, y = codes // size, codes % size
    verdict = (sets.count[x] == sets.count[y]) & (sets.count[x] > 0) & sets.mapped[x]
    single = np.flatnonzero(verdict & (sets.count[x] == 1))
    if len(single):
        sx, sy = x[single], y[single]
        ratio = process.cpdist(
            sets.text[sx].tolist(), sets.text[sy].tolist(), scorer=fuzz.ratio, dtype=np.float64, workers=-1
        )
        verdict[single] = ratio >= np.where(sets.choice[sx], SAME_KEY_MATCH, KEY_TYPO)
        texts = sets.text.tolist()
        typos = single[verdict[single] & ~sets.choice[sx]].tolist()  # a typo must not change a name
        verdict[typos] = np.fromiter(
            (not names_differ(texts[x[k]], texts[y[k]]) for k in typos), bool, len(typos)
        )
        # a key can be part of another only if it is shorter and has two words of letters
        rest = ~verdict[single]
        sx, sy = sx[rest], sy[rest]
        length = sets.length[sx] - sets.length[sy]
        maybe = np.flatnonzero((length != 0) & sets.wordy[np.where(length < 0, sx, sy)])
        verdict[single[rest][maybe]] = np.fromiter(
            (
                f" {texts[s]} " in f" {texts[t]} "
                for s, t in zip(
                    np.where(length < 0, sx, sy)[maybe].tolist(),
                    np.where(length < 0, sy, sx)[maybe].tolist(),
                    strict=True,
                )
            ),
            bool,
            len(maybe),
        )
    first = meaning.keyset_first
    one, two = first[x].tolist(), first[y].tolist()
    several = np.flatnonzero(verdict & (sets.count[x] > 1)).tolist()
    verdict[several] = np.fromiter((_may_agree(prep, one[k], two[k]) for k in several), bool, len(several))
    out: NDArray[np.bool_] = verdict[inverse.ravel()]
    return out


def reworded(
    prep: Prepared,
    meaning: Meaning,
    candidates: Pairs,
    threshold: float,
) -> tuple[Pairs, NDArray[np.float64]]:
    """The candidate pairs that are reworded duplicates, and their meaning scores.

    Everything that can be decided on arrays is (family, facts, key groups, the meaning score and
    the yes/no rule); only pairs with code in a stem or with keys written differently are looked at
    one by one.
    """
    left, right = candidates
    if not len(left):
        return (left, right), np.zeros(0, np.float64)
    group = meaning.group
    ok = (
        (prep.family_id[left] == prep.family_id[right])
        & (prep.facts[left] == prep.facts[right])
        & (group[left] >= 0)
        & (group[right] >= 0)
    )
    left, right = left[ok], right[ok]
    other = np.flatnonzero(group[left] != group[right])
    if len(other):
        ok = np.ones(len(left), bool)
        ok[other] = _keys_may_agree(prep, meaning, left[other], right[other])
        left, right = left[ok], right[ok]
    scores = meaning.scores(left, right)
    needed = np.where(group[left] == group[right], threshold - SAME_KEY_ALLOWANCE, threshold)
    retry = np.flatnonzero(
        (scores < needed) & (scores >= needed - TYPO_ALLOWANCE) & (meaning.typo[left] | meaning.typo[right])
    )
    if len(retry):
        again = rescore(load_model(), meaning.texts, left[retry], right[retry], meaning.typos)
        scores[retry] = np.fmax(scores[retry], again)
    ok = (scores >= needed) & ((scores >= BINARY_MEANING) | ~(meaning.binary[left] | meaning.binary[right]))
    left, right, scores = left[ok], right[ok], scores[ok]
    easy = (group[left] == group[right]) & meaning.plain[left] & meaning.plain[right]
    hard = np.flatnonzero(~easy)
    easy[hard] = np.fromiter(
        (_admissible(prep, meaning, int(left[k]), int(right[k])) for k in hard.tolist()), bool, len(hard)
    )
    return (left[easy], right[easy]), scores[easy]


def _admissible(prep: Prepared, meaning: Meaning, a: int, b: int) -> bool:
    if not compatible(prep.signature[a], prep.signature[b]):
        return False
    if (prep.code[a] or prep.code[b]) and fuzz.ratio(prep.code[a], prep.code[b]) < SAME_CODE:
        return False
    return keys_agree(prep, meaning, a, b)
