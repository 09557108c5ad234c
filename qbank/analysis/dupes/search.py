"""The search: exact groups, candidate pairs (exhaustive or MinHash/LSH), verification, clusters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import numpy as np
from rapidfuzz import fuzz

from qbank.analysis.dupes.items import DupItem, Prepared, item_from_question, prepare
from qbank.analysis.dupes.judge import verify
from qbank.analysis.dupes.lexical import component_weights, exhaustive_candidates, stem_floor
from qbank.analysis.dupes.locate import Locator
from qbank.analysis.dupes.minhash import BANDS, lsh_candidates
from qbank.analysis.dupes.report import (
    DEFAULT_THRESHOLD,
    KIND_RANK,
    PROGRESS_TOTAL,
    Cluster,
    DuplicateReport,
    Pair,
    Progress,
    Progressor,
)
from qbank.core.model import Bank, Question

#: Banks with at most this many distinct items are compared pair by pair (exact, and fast enough).
EXHAUSTIVE_LIMIT = 2000


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
    locate = Locator()
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
    report = Progressor(progress)
    prep = prepare(everything)
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
    reps = exact_groups(everything, prep, keep, found)
    report.at(150)
    method_used = method
    if method == "auto":
        method_used = "exhaustive" if len(reps) <= EXHAUSTIVE_LIMIT else "lsh"
    rep_array = np.asarray(reps, dtype=np.int64)
    verified = 0
    if method_used == "exhaustive":
        candidates = exhaustive_candidates(prep, rep_array, stem_floor(threshold), workers, report)
        verified = verify(prep, candidates, threshold, workers, keep, found)
    else:
        for band, chunk in enumerate(lsh_candidates(prep, rep_array, report)):
            verified += verify(prep, chunk, threshold, workers, keep, found)
            report.at(300 + int(700 * (band + 1) / BANDS))
    clusters = clusters_of(everything, found)
    report.at(PROGRESS_TOTAL)
    locations = {
        everything[k].id: loc
        for k in sorted({k for pair in found for k in pair})
        if (loc := everything[k].location) is not None
    }
    return DuplicateReport(clusters, threshold, n_new, len(against), verified, str(method_used), locations)


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
        kind = max((p.kind for p in pairs), key=KIND_RANK.__getitem__)
        out.append(Cluster(tuple(items[k].id for k in members[r]), kind, tuple(pairs)))
    return out
