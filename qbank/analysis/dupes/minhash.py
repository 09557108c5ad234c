"""Candidate pairs from weighted MinHash signatures of the stems' words, banded for LSH."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import numpy as np
from numpy.typing import NDArray

from qbank.analysis.dupes.items import Pairs, Prepared
from qbank.analysis.dupes.report import Progressor

# LSH parameters (see the package docstring; measured in benchmarks/dupes.py)
BANDS = 32
ROWS = 4
NUM_PERM = BANDS * ROWS  # a multiple of 8: agreement is counted eight rows at a time
MAX_BUCKET = 300
MIN_AGREEMENT = 0.5
_CHUNK = 100_000  # rows of numpy work at a time: bounds the temporary arrays
_PAIRS = 8192  # pairs compared at a time: the gathered signatures stay in cache


def word_sets(
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


def minhash(
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
    similarity that :func:`content_overlap` computes. The float32 draws are kept as their uint32 bit
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
    step = 256  # items at a time: their gathered draws stay in cache (measured 2.5x faster than 4,096)
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


def lsh_candidates(prep: Prepared, reps: NDArray[np.int64], report: Progressor) -> Iterator[Pairs]:
    """Candidate pairs of representatives from weighted MinHash LSH, one band at a time.

    A pair is yielded by the first band it collides in (in a bucket small enough to be used) only, so
    no global set of pairs is kept; pairs whose signatures agree on too few rows are dropped.
    """
    n = len(reps)
    if n < 2:
        return
    idf = prep.idf
    flat, offsets, weights = word_sets((prep.stem_norm[k].split() for k in reps), lambda word, _df: idf[word])
    sig = minhash(flat, offsets, weights, NUM_PERM, 0x5EED)
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
        # drop the pairs an earlier band yielded (or dropped), shrinking the arrays band by band:
        # stems that collide everywhere (copies, template siblings) are gone after the first look
        for earlier in range(band):
            if not len(left):
                break
            fresh = (keys[earlier, left] != keys[earlier, right]) | ~small[earlier, left]
            left, right = left[fresh], right[fresh]
        ok = agreement(prints, left, right) >= MIN_AGREEMENT
        yield reps[left[ok]], reps[right[ok]]


def _split_crowded(
    prep: Prepared, reps: NDArray[np.int64], keys: NDArray[np.uint64], crowded: NDArray[np.bool_]
) -> None:
    """Re-bucket items of crowded buckets by a second signature, of their choice and key words.

    Many questions share one generic stem ("Which statement is true?"); their stems collide in every
    band, so they are told apart by what they offer and what they key, two more signature rows per
    band.
    """
    who = np.flatnonzero(crowded.any(axis=0))
    n = len(reps) + 20
    flat, offsets, weights = word_sets(
        (
            [w for text in (*prep.choice_norms[k], *prep.key_norms[k]) for w in text.split()]
            for k in reps[who]
        ),
        lambda _word, df: math.log1p(n / (df + 20)),
    )
    second = _band_keys(
        minhash(flat, offsets, weights, 2 * BANDS, 0x5EC0), BANDS, 2, offsets[1:] == offsets[:-1]
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


def agreement(
    prints: NDArray[np.uint64], left: NDArray[np.int64], right: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Share of signature rows on which each pair agrees; ``prints`` packs one byte per row."""
    low7 = np.uint64(0x7F7F7F7F7F7F7F7F)
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), _PAIRS):
        x = prints[left[start : start + _PAIRS]] ^ prints[right[start : start + _PAIRS]]
        # the high bit of each byte of ``zero`` is set exactly where that byte of ``x`` is 0
        zero = ~(((x & low7) + low7) | x | low7)
        out[start : start + _PAIRS] = np.bitwise_count(zero).sum(axis=1) / (8 * prints.shape[1])
    return out
