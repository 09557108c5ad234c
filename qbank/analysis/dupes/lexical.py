"""Lexical scores of a pair: the stem, key and choice components (rapidfuzz) and the stems' rarity-weighted word overlap."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from qbank.analysis.dupes.items import Pairs, Prepared
from qbank.analysis.dupes.report import Progressor


def component_weights(has_choices: bool, has_key: bool) -> tuple[float, float, float]:
    """Weights of the stem, key and choice scores in the whole-item score."""
    if has_choices:
        return 0.5, 0.3, 0.2
    if has_key:
        return 0.6, 0.4, 0.0
    return 1.0, 0.0, 0.0


def stem_floor(threshold: float) -> float:
    """The least stem score a near duplicate can have at ``threshold``."""
    return max(threshold - 5.0, 2.0 * threshold - 100.0)


def content_overlap(p: Prepared, i: int, j: int) -> float:
    """Rarity-weighted Jaccard similarity (0-100) of the two stems' word sets.

    Rewording changes common words; a question about another scenario changes distinctive ones.
    """
    a, b = set(p.stem_norm[i].split()), set(p.stem_norm[j].split())
    union = sum(p.idf.get(w, 0.0) for w in a | b)
    if union <= 0.0:
        return 100.0
    return 100.0 * sum(p.idf.get(w, 0.0) for w in a & b) / union


def content_overlaps(p: Prepared, left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.float64]:
    """:func:`content_overlap` of each pair, on arrays: the intersection weight of two word sets is
    the dot product of their rows weighted by the square root of the IDF."""
    from scipy.sparse import csr_matrix

    if not len(left):
        return np.zeros(0, np.float64)
    if p.word_matrix is None:
        n = len(p.word_offsets) - 1
        data = np.sqrt(p.word_idf[p.word_ids])
        matrix = csr_matrix((data, p.word_ids, p.word_offsets), shape=(n, len(p.word_idf)))
        p.word_matrix = matrix, np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    built: Any = p.word_matrix
    matrix, totals = built
    out = np.empty(len(left), np.float64)
    step = 100_000
    for start in range(0, len(left), step):
        a, b = left[start : start + step], right[start : start + step]
        inter = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
        union = totals[a] + totals[b] - inter
        out[start : start + step] = np.where(
            union > 0, 100.0 * inter / np.where(union > 0, union, 1.0), 100.0
        )
    return out


def pair_scores(
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


def exhaustive_candidates(
    prep: Prepared, reps: NDArray[np.int64], floor: float, workers: int, report: Progressor
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
