"""The search: exact groups, candidate pairs (exhaustive or MinHash/LSH, same-key blocks by meaning), verification, clusters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz

from qbank.analysis.dupes.cues import cross_item_cues
from qbank.analysis.dupes.embeddings import model_folder
from qbank.analysis.dupes.items import CHOICE, DupItem, Keeper, Pairs, Prepared, item_from_question, prepare
from qbank.analysis.dupes.judge import verify
from qbank.analysis.dupes.lexical import component_weights, exhaustive_candidates, pair_scores, stem_floor
from qbank.analysis.dupes.locate import Locator
from qbank.analysis.dupes.meaning import Meaning, block_candidates, embed_items, reworded
from qbank.analysis.dupes.minhash import BANDS, lsh_candidates
from qbank.analysis.dupes.report import (
    DEFAULT_MEANING_THRESHOLD,
    DEFAULT_THRESHOLD,
    KIND_RANK,
    PROGRESS_TOTAL,
    Cluster,
    DuplicateReport,
    Pair,
    Progress,
    Progressor,
)
from qbank.analysis.dupes.results import (
    FoundArrays,
    as_arrays,
    kind_name,
    load_found,
    merge_found,
    results_store,
    save_found,
    search_key,
)
from qbank.core.config import DupesConfig
from qbank.core.gcpolicy import bulk_work
from qbank.core.model import Bank, Question
from qbank.io.cache import Store

#: Banks with at most this many distinct items are compared pair by pair (exact, and fast enough).
EXHAUSTIVE_LIMIT = 2000


def find_duplicates(
    bank: Bank | Iterable[Question],
    *,
    threshold: float | None = None,
    against: Bank | Iterable[Question] | None = None,
    allow: Iterable[Iterable[str]] = (),
    meaning: bool = True,
    meaning_threshold: float | None = None,
    cache: Store | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> DuplicateReport:
    """Exact, near and reworded duplicates and key conflicts among the questions of ``bank``.

    ``threshold`` is the whole-item score (0-100) at which two questions are near duplicates
    (default 85). ``meaning`` turns the search for reworded duplicates (same key, same meaning in
    other words) on or off; ``meaning_threshold`` is the meaning score (0-100, default 85) at which
    they are reported. With ``against`` (a published bank), pairs inside ``against`` are not
    reported: only pairs among the new questions and between a new and a published question.
    ``allow`` lists groups of ids that are intentional variants: no pair inside one group is
    reported. ``cache`` keeps the embeddings on disk between runs (:mod:`qbank.io.cache`). ``jobs``
    is the number of threads rapidfuzz uses (0 = one per core). ``progress(done, total)`` is
    called as the search advances. Retired questions are compared too (a retired copy is still a
    copy).

    Reads no files but the packaged model (and ``cache``) and prints nothing; locations come from
    where the questions were loaded.
    """
    new = list(bank)
    old = list(against) if against is not None else []
    items = [item_from_question(q) for q in new]
    against_items = [item_from_question(q) for q in old]
    report = find_duplicate_items(
        items,
        against=against_items,
        threshold=threshold,
        allow=allow,
        meaning=meaning,
        meaning_threshold=meaning_threshold,
        cache=cache,
        jobs=jobs,
        progress=progress,
    )
    # only reported questions are located (finding a position can mean parsing a file again)
    reported = {qid for cluster in report.clusters for qid in cluster.ids}
    locate = Locator()
    for question in (*new, *old):
        if question.id in reported and question.id not in report.locations:
            where = locate(question)
            if where is not None:
                report.locations[question.id] = where
    return report


def enemy_pairs(
    questions: Iterable[Question], settings: DupesConfig | None = None, *, cache: Store | None = None
) -> set[frozenset[str]]:
    """Pairs of question ids that must not appear on one form.

    Every pair that :func:`find_duplicates` reports with ``settings`` (``[tool.qbank.dupes]``:
    thresholds, the meaning check, ``allow``), and every pair where one question's stem or
    explanation states the other's key (:func:`cross_item_cues`, the QB705 signal). Ids of one
    ``allow`` group may share a form.
    """
    settings = settings or DupesConfig()
    qs = list(questions)
    report = find_duplicates(
        qs,
        threshold=settings.threshold,
        allow=settings.allow,
        meaning=settings.meaning,
        meaning_threshold=settings.threshold_meaning,
        cache=cache,
    )
    pairs = {frozenset((p.a, p.b)) for p in report.pairs if p.a != p.b}
    pairs |= {frozenset((c.key_id, c.other_id)) for c in cross_item_cues(qs) if c.key_id != c.other_id}
    allowed = {frozenset(pair) for pair in _allowed_pairs_of_ids({q.id for q in qs}, settings.allow)}
    return pairs - allowed


@bulk_work()
def find_duplicate_items(
    items: Sequence[DupItem],
    *,
    against: Sequence[DupItem] = (),
    threshold: float | None = None,
    allow: Iterable[Iterable[str]] = (),
    meaning: bool = True,
    meaning_threshold: float | None = None,
    cache: Store | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    method: Literal["auto", "lsh", "exhaustive"] = "auto",
) -> DuplicateReport:
    """:func:`find_duplicates` on prepared items (for data that is not a qbank bank).

    ``method="exhaustive"`` verifies every pair lexically (the brute-force reference, quadratic);
    ``"lsh"`` always uses MinHash/LSH candidates; ``"auto"`` picks by size.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 100.0:
        raise ValueError(f"threshold must be between 0 and 100, got {threshold}")
    cut = DEFAULT_MEANING_THRESHOLD if meaning_threshold is None else float(meaning_threshold)
    if not 0.0 <= cut <= 100.0:
        raise ValueError(f"meaning threshold must be between 0 and 100, got {cut}")
    everything = [*items, *against]
    n_new = len(items)
    report = Progressor(progress)
    workers = -1 if jobs == 0 else max(1, jobs)
    allowed = _allowed_pairs(everything, allow)

    keep = Keeper.of(everything, n_new, allowed)

    results = results_store(cache) if cache is not None else None
    key = ""
    if results is not None:
        settings = (threshold, cut if meaning else None, method)
        key = search_key(everything, n_new, settings, allowed)
        if meaning:
            model_folder()  # the same error as a run that embeds, when the model is not installed
        hit = load_found(results, key)
        if hit is not None:
            known, checked, how, over = hit
            report.at(PROGRESS_TOTAL)
            embedded = meaning and bool(everything)
            return _report(
                everything,
                known,
                threshold,
                n_new,
                len(against),
                checked,
                how,
                cut if embedded else None,
                len(everything) if embedded else 0,
                over,
            )
    prep = prepare(everything)
    report.at(100)
    found: dict[tuple[int, int], Pair] = {}
    rewordings = _Reworded(len(everything))
    reps = exact_groups(everything, prep, keep, found)
    report.at(150)
    vectors = embed_items(everything, prep, cache) if meaning and everything else None
    report.at(200)
    method_used = method
    if method == "auto":
        method_used = "exhaustive" if len(reps) <= EXHAUSTIVE_LIMIT else "lsh"
    rep_array = np.asarray(reps, dtype=np.int64)
    verified = 0
    capped = 0

    def check(chunk: Pairs) -> int:
        done = verify(prep, chunk, threshold, workers, keep, found)
        if vectors is not None:
            _record_reworded(prep, vectors, chunk, cut, workers, keep, found, rewordings)
        return done

    if method_used == "exhaustive":
        verified = check(exhaustive_candidates(prep, rep_array, stem_floor(threshold), workers, report))
    else:
        for band, chunk in enumerate(lsh_candidates(prep, rep_array, report)):
            verified += check(chunk)
            report.at(300 + int(600 * (band + 1) / BANDS))
    if vectors is not None:
        blocks, capped = block_candidates(
            prep, reps, vectors, cut, keep, exhaustive=method_used == "exhaustive"
        )
        verified += len(blocks[0])
        _record_reworded(prep, vectors, blocks, cut, workers, keep, found, rewordings)
        _add_meaning(vectors, found)
    arrays = merge_found(as_arrays(found), rewordings.arrays())
    found.clear()  # the arrays hold it all now: the clusters are built without both in memory
    if results is not None:
        save_found(results, key, arrays, verified, str(method_used), capped)
    report.at(PROGRESS_TOTAL)
    return _report(
        everything,
        arrays,
        threshold,
        n_new,
        len(against),
        verified,
        str(method_used),
        cut if vectors is not None else None,
        vectors.cached if vectors is not None else 0,
        capped,
    )


def _report(
    everything: Sequence[DupItem],
    found: FoundArrays,
    threshold: float,
    n_new: int,
    n_against: int,
    verified: int,
    method: str,
    cut: float | None,
    cached: int,
    capped: int,
) -> DuplicateReport:
    clusters = clusters_from(everything, found)
    locations = {
        everything[k].id: loc
        for k in np.unique(found.ends).tolist()
        if (loc := everything[k].location) is not None
    }
    return DuplicateReport(
        clusters, threshold, n_new, n_against, verified, method, locations, cut, cached, capped
    )


@dataclass
class _Reworded:
    """The reworded pairs found so far, as arrays: a large bank has a million of them, too many to
    keep as objects."""

    n: int
    """The number of items searched (pairs are coded as ``left * n + right``)."""
    codes: list[NDArray[np.int64]] = field(default_factory=list)
    rows: list[NDArray[np.float64]] = field(default_factory=list)
    """Score, stem, key, choices (NaN without choices) and meaning of each pair (pairs x 5)."""

    def known(self, codes: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which of ``codes`` were recorded before."""
        if not self.codes:
            return np.zeros(len(codes), bool)
        out: NDArray[np.bool_] = np.isin(codes, np.concatenate(self.codes))
        return out

    def arrays(self) -> FoundArrays:
        """The recorded pairs as :class:`FoundArrays`."""
        codes = np.concatenate(self.codes) if self.codes else np.zeros(0, np.int64)
        ends = np.stack((codes // self.n, codes % self.n), axis=1).astype(np.int64)
        rows = np.concatenate(self.rows) if self.rows else np.zeros((0, 5), np.float64)
        kinds = np.full(len(codes), KIND_RANK["reworded"], np.uint8)
        return FoundArrays(ends, kinds, rows)


def _record_reworded(
    prep: Prepared,
    vectors: Meaning,
    candidates: Pairs,
    cut: float,
    workers: int,
    keep: Keeper,
    found: dict[tuple[int, int], Pair],
    rewordings: _Reworded,
) -> None:
    """Judge candidate pairs not found otherwise as reworded duplicates, and record them with
    their lexical components."""
    left, right = candidates
    if not len(left):
        return
    (lo, hi), scores = reworded(prep, vectors, (np.minimum(left, right), np.maximum(left, right)), cut)
    codes, first = np.unique(lo * np.int64(rewordings.n) + hi, return_index=True)
    lo, hi, scores = lo[first], hi[first], scores[first]
    fresh = keep.mask(lo, hi) & ~rewordings.known(codes)
    fresh[fresh] = np.fromiter(
        ((a, b) not in found for a, b in zip(lo[fresh].tolist(), hi[fresh].tolist(), strict=True)),
        bool,
        int(fresh.sum()),
    )
    lo, hi, scores, codes = lo[fresh], hi[fresh], scores[fresh], codes[fresh]
    if not len(lo):
        return
    stems = pair_scores(prep.stem_sorted, lo, hi, workers)
    keys = pair_scores(prep.key_sorted, lo, hi, workers)
    has_choices = prep.family_id[lo] == CHOICE
    choices = np.where(has_choices, pair_scores(prep.choice_bag, lo, hi, workers), 0.0)
    weights = np.asarray([component_weights(False, True), component_weights(True, True)])[
        has_choices.astype(int)
    ]
    whole = weights[:, 0] * stems + weights[:, 1] * keys + weights[:, 2] * choices
    rewordings.codes.append(codes)
    rewordings.rows.append(
        np.stack((whole, stems, keys, np.where(has_choices, choices, np.nan), scores), axis=1).astype(
            np.float64
        )
    )


def _add_meaning(vectors: Meaning, found: dict[tuple[int, int], Pair]) -> None:
    """Every found pair shows its meaning score."""
    todo = [pair for pair, judged in found.items() if judged.meaning is None]
    if not todo:
        return
    left = np.asarray([a for a, _ in todo], dtype=np.int64)
    right = np.asarray([b for _, b in todo], dtype=np.int64)
    for pair, score in zip(todo, vectors.scores(left, right).tolist(), strict=True):
        p = found[pair]
        found[pair] = Pair(p.a, p.b, p.kind, p.score, p.stem, p.key, p.choices, score)


def _allowed_pairs_of_ids(present: set[str], allow: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in allow:
        ids = [i for i in dict.fromkeys(group) if i in present]
        for a in ids:
            for b in ids:
                if a != b:
                    out.add((a, b))
    return out


def _allowed_pairs(items: Sequence[DupItem], allow: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    return _allowed_pairs_of_ids({it.id for it in items}, allow)


def exact_groups(
    items: Sequence[DupItem],
    prep: Prepared,
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
                    ws, wk, wc = component_weights(has_choices, True)
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


def _choices_100(prep: Prepared, k: int) -> float | None:
    return 100.0 if prep.family[k] == "choice" else None


def clusters_of(items: Sequence[DupItem], found: dict[tuple[int, int], Pair]) -> list[Cluster]:
    """The connected groups of found pairs, ordered by their first question; members in bank order and
    pairs sorted by position within each cluster."""
    return clusters_from(items, as_arrays(found))


def clusters_from(items: Sequence[DupItem], found: FoundArrays) -> list[Cluster]:
    """:func:`clusters_of` on found pairs kept as arrays (sorted by position)."""
    if not len(found):
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ends = found.ends
    edges = ends.tolist()
    members, inverse = np.unique(ends, return_inverse=True)
    inverse = inverse.reshape(ends.shape)
    m = len(members)
    graph = coo_matrix((np.ones(len(edges), np.int8), (inverse[:, 0], inverse[:, 1])), shape=(m, m))
    _, label = connected_components(graph, directed=False)
    # number the components by their first member (members are sorted, so that is their first appearance)
    _, first = np.unique(label, return_index=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    component = rank[label]
    by_member = np.argsort(component, kind="stable")
    member_bounds = np.searchsorted(component[by_member], np.arange(len(first) + 1))
    edge_component = component[inverse[:, 0]]
    by_edge = np.argsort(edge_component, kind="stable")
    edge_bounds = np.searchsorted(edge_component[by_edge], np.arange(len(first) + 1))
    ids = [it.id for it in items]
    out: list[Cluster] = []
    member_list = members[by_member].tolist()
    edge_list = by_edge.tolist()
    kinds = found.kinds.tolist()
    scores = found.scores.tolist()
    for c in range(len(first)):
        pairs = []
        for e in edge_list[edge_bounds[c] : edge_bounds[c + 1]]:
            a, b = edges[e]
            score, stem, key, choices, meaning = scores[e]
            pairs.append(
                Pair(
                    ids[a],
                    ids[b],
                    kind_name(kinds[e]),
                    score,
                    stem,
                    key,
                    None if choices != choices else choices,
                    None if meaning != meaning else meaning,
                )
            )
        kind = max((p.kind for p in pairs), key=KIND_RANK.__getitem__)
        group = tuple(ids[k] for k in member_list[member_bounds[c] : member_bounds[c + 1]])
        out.append(Cluster(group, kind, tuple(pairs)))
    return out
