"""Typos in reworded questions: a misspelt word read as the word it misspells, pair by pair.

A static model splits a misspelt word ("devleoper") into rare sub-word tokens whose vectors say
little, so a reworded copy with two typos can lose ten points of meaning score. Correcting words
against a dictionary is unsafe on real question banks: the model's vocabulary is not a dictionary,
and "pants" and "plants", "widow" and "window", "curse" and "course" are all real words one typing
slip apart. So a word is corrected only *within a pair*: when one stem has a word that the other
lacks and the other has a word one typing slip away from it (two adjacent letters swapped, a letter
doubled or added, a letter dropped), and the word is not a single token of the model (a common word
is not a typo). The two "pants" and "plants" questions may therefore be compared as if both said
"plants", but only with each other, and only when they are already within ten points of the
threshold with the same key. The pair's meaning score is then computed with the word replaced.

A bank's distinct words are indexed once (:func:`typo_index`): a word is indexed as a possible typo
of a neighbour that is in at least as many stems (typos are rare, the words they misspell common);
only pairs with an indexed word are scored again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from qbank.analysis.dupes.embeddings import StaticModel, _embed_uncached, words_of

__all__ = ["MIN_LENGTH", "TypoIndex", "rescore", "slips", "typo_index"]

#: Least number of letters of a word that may be a typo (short words have too many neighbours).
MIN_LENGTH = 5
_CORE = re.compile(r"^(\W*)([^\W\d_]+)(\W*)$")

#: Each word of a bank that is one typing slip from another word of the bank: the words it may
#: stand for.
TypoIndex = dict[str, frozenset[str]]


def slips(core: str) -> set[str]:
    """The words one typing slip away from ``core`` that are shorter or as long: two adjacent
    letters swapped, or one letter dropped (a dropped letter seen from the longer word; a doubled
    letter is a dropped letter seen from the shorter one)."""
    out = {core[:i] + core[i + 1 : i + 2] + core[i] + core[i + 2 :] for i in range(len(core) - 1)}
    out |= {core[:i] + core[i + 1 :] for i in range(len(core))}
    out.discard(core)
    return out


def typo_index(texts: Sequence[str], model: StaticModel) -> TypoIndex:
    """The words of ``texts`` that may be typos of other words of ``texts`` (see the module)."""
    stems_with: Counter[str] = Counter()
    for text in texts:
        stems_with.update(set(words_of(text)))
    cores: dict[str, set[str]] = {}
    texts_with: dict[str, int] = {}
    for word, count in stems_with.items():
        found = _CORE.match(word)
        if found is not None and len(found.group(2)) >= MIN_LENGTH:
            core = found.group(2)
            cores.setdefault(core, set()).add(word)
            texts_with[core] = texts_with.get(core, 0) + count
    # a typo is the rarer of the two words (a word as common as its neighbour may be either)
    near: dict[str, set[str]] = {}
    for core in cores:
        for other in slips(core):
            if other in cores and len(other) >= MIN_LENGTH:
                if texts_with[core] <= texts_with[other]:
                    near.setdefault(core, set()).add(other)
                if texts_with[other] <= texts_with[core]:
                    near.setdefault(other, set()).add(core)
    if not near:
        return {}
    # a word that is one token of the model is a word the model knows, not a typo
    suspects = list(near)
    pieces = model.tokenizer.encode_batch(suspects, add_special_tokens=False)
    typos = {core for core, enc in zip(suspects, pieces, strict=True) if len(enc.ids) > 1}
    out: TypoIndex = {}
    for core in typos:
        for word in cores[core]:
            found = _CORE.match(word)
            assert found is not None
            head, tail = found.group(1), found.group(3)
            out[word] = frozenset(head + other + tail for other in near[core])
    return out


def _corrected(words: list[str], mine: set[str], theirs: set[str], index: TypoIndex) -> list[str] | None:
    """``words`` with each word that only this text has replaced by the word it misspells in the
    other text (``None`` when no word is replaced)."""
    fixes: dict[str, str] = {}
    for word in mine - theirs:
        meant = index.get(word)
        if meant:
            chosen = sorted(w for w in meant if w in theirs)
            if chosen:
                fixes[word] = chosen[0]
    if not fixes:
        return None
    return [fixes.get(w, w) for w in words]


def rescore(
    model: StaticModel,
    texts: Sequence[str],
    left: NDArray[np.int64],
    right: NDArray[np.int64],
    index: TypoIndex,
) -> NDArray[np.float64]:
    """Meaning scores (0-100) of the pairs with their typos read as the words they misspell; NaN
    for a pair with no typo to correct."""
    out = np.full(len(left), np.nan)
    todo: list[int] = []
    fixed: list[str] = []
    for k, (a, b) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        words_a, words_b = words_of(texts[a]), words_of(texts[b])
        set_a, set_b = set(words_a), set(words_b)
        new_a = _corrected(words_a, set_a, set_b, index)
        new_b = _corrected(words_b, set_b, set_a, index)
        if new_a is None and new_b is None:
            continue
        todo.append(k)
        fixed.append(" ".join(words_a if new_a is None else new_a))
        fixed.append(" ".join(words_b if new_b is None else new_b))
    if todo:
        vectors = _embed_uncached(model, fixed)
        out[todo] = 100.0 * np.einsum("ij,ij->i", vectors[0::2], vectors[1::2])
    return out
