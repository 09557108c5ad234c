"""Judging candidate pairs: which kind of duplicate, if any, two questions are."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from rapidfuzz import fuzz, process

from qbank.analysis.dupes.items import CHOICE, Pairs, Prepared, compatible
from qbank.analysis.dupes.lexical import (
    component_weights,
    content_overlap,
    content_overlaps,
    pair_scores,
    stem_floor,
)
from qbank.analysis.dupes.report import Pair
from qbank.core.wordlists import INDEX_STOP_WORDS

CONFLICT_STEM = 95.0
CONFLICT_CHOICES = 95.0
SAME_KEY_MATCH = 80.0
SAME_KEY_TEXT = 80.0
SAME_ANSWER = 90.0
#: Least rarity-weighted word overlap of two near-duplicate stems (see ``content_overlap``).
CONTENT_MIN = 65.0
_VERIFY_CHUNK = 200_000


def names_differ(x: str, y: str) -> bool:
    """Whether two normalised answer texts are one text with a name swapped, however alike the strings.

    The texts differ in at most ``_SWAP`` words, and each has a word the other lacks that is a
    number or a short word of Latin letters (a name or an acronym: ``sqs``/``sns``, ``ec2``/``ecs``,
    ``5th``/``4th``, ``set``/``list``; stop words aside) and that is neither part of a word of the other
    nor a typo of one (``fuzz.ratio`` >= ``SAME_KEY_MATCH``), so ``dog``/``dogs`` and ``14``/``14th``
    still agree. Texts that differ in more words (a translation, a rewording) are left to the scores.
    """
    a, b = set(x.split()), set(y.split())
    only_a, only_b = a - b, b - a
    if len(only_a) + len(only_b) > _SWAP:
        return False
    return _lone_name(only_a, only_b) and _lone_name(only_b, only_a)


#: Most words two answer texts may differ in for :func:`names_differ` to read them as a swapped name.
_SWAP = 4
_LATIN = re.compile(r"[a-z0-9]")


def _lone_name(words: set[str], others: set[str]) -> bool:
    return any(
        w not in INDEX_STOP_WORDS
        and _LATIN.search(w) is not None
        and (len(w) <= 4 or any(c.isdigit() for c in w))
        and not any(w in o or o in w or fuzz.ratio(w, o) >= SAME_KEY_MATCH for o in others)
        for w in words
    )


def key_mapping(p: Prepared, i: int, j: int) -> bool | None:
    """Map each key of one choice question onto the most similar choice of the other (``fuzz.ratio``
    >= ``SAME_KEY_MATCH`` and no :func:`names_differ`): ``False`` when some key lands on a choice
    that is not a key there, ``True`` when at least one key landed and all landed on keys, ``None``
    when none landed."""
    mapped = False
    for x, y in ((i, j), (j, i)):
        keys_y = set(p.key_norms[y])
        for key in p.key_norms[x]:
            best = process.extractOne(key, p.choice_norms[y], scorer=fuzz.ratio)
            if best is not None and best[1] >= SAME_KEY_MATCH and not names_differ(key, best[0]):
                mapped = True
                if best[0] not in keys_y:
                    return False
    return True if mapped else None


def same_choice_key(p: Prepared, i: int, j: int, key_score: float) -> bool:
    """Whether the keys of two choice questions are the same options (see the package docstring)."""
    mapped = key_mapping(p, i, j)
    if mapped is False or len(p.key_norms[i]) != len(p.key_norms[j]):
        return False
    return mapped is True or (key_score >= SAME_KEY_TEXT and not _key_names_differ(p, i, j))


def _key_names_differ(p: Prepared, i: int, j: int) -> bool:
    return names_differ(" ".join(p.key_norms[i]), " ".join(p.key_norms[j]))


def judge(
    p: Prepared,
    i: int,
    j: int,
    stem: float,
    key: float,
    choices: float | None,
    threshold: float,
    overlap: float | None = None,
) -> Pair | None:
    """The pair's kind, or ``None`` when it is not a duplicate (``overlap``: the stems'
    :func:`content_overlap` when already known)."""
    family = p.family[i]
    if family != p.family[j] or not compatible(p.signature[i], p.signature[j]):
        return None
    has_choices = family == "choice"
    has_key = bool(p.key_norms[i] or p.key_norms[j])
    ws, wk, wc = component_weights(has_choices, has_key)
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
        same_key = same_choice_key(p, i, j, key)
    elif family in ("true_false", "numerical"):
        same_key = p.key_norms[i] == p.key_norms[j]
    elif family == "short_answer":
        accepted_i, accepted_j = set(p.key_norms[i]), set(p.key_norms[j])
        same_key = bool(accepted_i & accepted_j) or (key >= SAME_ANSWER and not _key_names_differ(p, i, j))
    else:
        same_key = key >= SAME_ANSWER and not _key_names_differ(p, i, j)
    if not same_key:
        return Pair("", "", "key-conflict", score, stem, key, choices) if maybe_conflict else None
    if maybe_near and (content_overlap(p, i, j) if overlap is None else overlap) >= CONTENT_MIN:
        return Pair("", "", "near", score, stem, key, choices)
    return None


def verify(
    prep: Prepared,
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
            component_weights(has_choices, has_key)
            for has_choices in (False, True)
            for has_key in (False, True)
        ]
    )
    for start in range(0, total, _VERIFY_CHUNK):
        part_l = left[start : start + _VERIFY_CHUNK]
        part_r = right[start : start + _VERIFY_CHUNK]
        # array tests first: only pairs of one family with the same facts get their stems scored
        alike = (prep.family_id[part_l] == prep.family_id[part_r]) & (
            prep.facts[part_l] == prep.facts[part_r]
        )
        part_l, part_r = part_l[alike], part_r[alike]
        stems = pair_scores(prep.stem_sorted, part_l, part_r, workers)
        hits = np.flatnonzero(stems >= floor)
        hit_l, hit_r, stems = part_l[hits], part_r[hits], stems[hits]
        keys = pair_scores(prep.key_sorted, hit_l, hit_r, workers)
        has_choices = prep.family_id[hit_l] == CHOICE
        choices = np.where(has_choices, pair_scores(prep.choice_bag, hit_l, hit_r, workers), 0.0)
        w = weights[2 * has_choices + (prep.keyed[hit_l] | prep.keyed[hit_r])]
        score = w[:, 0] * stems + w[:, 1] * keys + w[:, 2] * choices
        to_judge = np.flatnonzero(((score >= threshold) & (stems >= floor)) | (stems >= CONFLICT_STEM))
        overlaps = content_overlaps(prep, hit_l[to_judge], hit_r[to_judge]).tolist()
        for k, overlap in zip(to_judge.tolist(), overlaps, strict=True):
            a, b = sorted((int(hit_l[k]), int(hit_r[k])))
            if (a, b) in found or not keep(a, b):
                continue
            choice = float(choices[k]) if has_choices[k] else None
            pair = judge(prep, a, b, float(stems[k]), float(keys[k]), choice, threshold, overlap)
            if pair is not None:
                found[(a, b)] = pair
    return total
