"""Benchmark of ``qbank.analysis.dupes``: speed, memory, recall against brute force, precision and recall.

Run ``python benchmarks/dupes.py`` (add ``--quick`` for 1k and 10k only). Every measurement runs in
its own subprocess so that peak memory (``ru_maxrss``) belongs to one size. Prints a table:

* generated banks (``benchmarks/planted.py``) of 1k, 10k, 50k and 100k questions: time and peak
  memory of the search, candidate pairs, pairs found, recall and precision on the planted duplicates,
  hard negatives reported, and recall of the LSH search against the exhaustive search at the same
  threshold (exhaustive up to 10k; beyond that 2,000 sampled questions are compared with every other
  question, an estimate; ``--full-brute`` runs the exhaustive search at every size: about 16
  minutes at 50k and an hour at 100k on two cores);
* the normalised third-party corpora in ``../shared/corpora/normalized`` (opentriviaqa, linkedin):
  time, memory, recall against the exhaustive search on the whole corpus, and for linkedin the
  precision and recall on the 60 hand-labelled pairs of ``labels/near_dups.jsonl``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SHARED = HERE.parent.parent / "shared" / "corpora"
NORMALIZED = SHARED / "normalized"
LABELS = SHARED / "labels" / "near_dups.jsonl"
BRUTE_LIMIT = 10_000
SAMPLE = 2_000


def corpus_items(name: str, limit: int | None = None) -> list[Any]:
    """Usable records of a normalised corpus as ``DupItem`` (id = ``file:line``)."""
    from qbank.analysis.dupes import DupItem

    out = []
    with (NORMALIZED / f"{name}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            choices = rec.get("choices") or []
            correct = [c for c in rec.get("correct") or [] if 0 <= c < len(choices)]
            if not rec.get("stem") or len(choices) < 2 or not correct:
                continue
            out.append(
                DupItem(
                    f"{rec['file']}:{rec['line']}",
                    rec["stem"],
                    "choice",
                    tuple(choices),
                    tuple(choices[c] for c in correct),
                )
            )
            if limit is not None and len(out) >= limit:
                break
    return out


def labelled_scores(found: set[frozenset[str]]) -> dict[str, float]:
    """Precision and recall of ``found`` on the labelled linkedin pairs (any kind counts as found)."""
    tp = fp = fn = 0
    with LABELS.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            pair = frozenset(
                (f"{rec['a']['file']}:{rec['a']['line']}", f"{rec['b']['file']}:{rec['b']['line']}")
            )
            hit = pair in found
            if rec["label"] == "dup":
                tp += hit
                fn += not hit
            else:
                fp += hit
    return {
        "labelled_precision": tp / (tp + fp) if tp + fp else 1.0,
        "labelled_recall": tp / (tp + fn) if tp + fn else 1.0,
        "labelled_tp": tp,
        "labelled_fp": fp,
        "labelled_fn": fn,
    }


def _pairs(report: Any) -> set[frozenset[str]]:
    return {frozenset((p.a, p.b)) for p in report.pairs}


def sampled_recall(items: list[Any], found: set[frozenset[str]], k: int = SAMPLE) -> tuple[float, int]:
    """Recall against brute force for ``k`` random questions compared with every other question.

    Every pair a sampled question forms at the threshold is found exhaustively (``k x n`` rapidfuzz
    comparisons, then the same verifier); the estimate is the share of those pairs the LSH search
    reported. Only distinct items (exact-group representatives) are sampled and compared.
    """
    import random

    import numpy as np
    from rapidfuzz import fuzz, process

    from qbank.analysis.dupes import DEFAULT_THRESHOLD, judge, lexical, search
    from qbank.analysis.dupes import items as I

    prep = I.prepare(items)
    reps = search.exact_groups(items, prep, lambda i, j: True, {})
    sample = random.Random(7).sample(reps, min(k, len(reps)))
    rep_array = np.asarray(reps, dtype=np.int64)
    stems = [prep.stem_sorted[r] for r in reps]
    floor = lexical.stem_floor(DEFAULT_THRESHOLD)
    left: list[int] = []
    right: list[int] = []
    for start in range(0, len(sample), 50):
        rows = sample[start : start + 50]
        block = process.cdist(
            [prep.stem_sorted[r] for r in rows],
            stems,
            scorer=fuzz.ratio,
            score_cutoff=floor,
            dtype=np.float32,
            workers=-1,
        )
        for row, col in zip(*np.nonzero(block >= floor), strict=True):
            a, b = rows[row], int(rep_array[col])
            if a != b:
                left.append(min(a, b))
                right.append(max(a, b))
    ref: dict[tuple[int, int], object] = {}
    judge.verify(
        prep,
        (np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)),
        DEFAULT_THRESHOLD,
        -1,
        lambda i, j: True,
        ref,
    )
    ids = {frozenset((items[a].id, items[b].id)) for a, b in ref}
    return (len(ids & found) / len(ids) if ids else 1.0), len(ids)


def one(kind: str, size: int, full_brute: bool = False) -> dict[str, object]:
    """One measurement (runs inside the subprocess)."""
    from qbank.analysis.dupes import find_duplicate_items

    row: dict[str, object] = {"bank": kind, "n": size}
    truth = hard = None
    if kind == "generated":
        from planted import generate

        bank = generate(size)
        items = bank.items
        row["n"] = len(items)
        truth, hard = bank.truth, bank.hard_negatives
    else:
        items = corpus_items(kind)
        row["n"] = len(items)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    report = find_duplicate_items(items, method="lsh", jobs=0)
    row["seconds"] = round(time.perf_counter() - start, 2)
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    row["rss_before_mb"] = round(rss_before / 1024)
    row["candidates"] = report.candidates
    found = _pairs(report)
    row["pairs"] = len(found)
    row["counts"] = report.counts()
    if truth is not None and hard is not None:
        tp = len(found & truth)
        row["planted_recall"] = round(tp / max(1, len(truth)), 3)
        row["planted_precision"] = round(tp / max(1, len(found)), 3)
        row["hard_negatives_reported"] = f"{len(found & hard)}/{len(hard)}"
        facts = bank.facts
        variants = sum(1 for p in found - truth if len({facts.get(i, (-1, i)) for i in p}) == 1)
        row["same_fact_variants"] = variants
        row["precision_variants_ok"] = round((tp + variants) / max(1, len(found)), 3)
    if kind == "linkedin-skill-assessments":
        row.update(labelled_scores(found))
    exhaustive = kind != "generated" or size <= BRUTE_LIMIT or full_brute
    if not exhaustive:
        start = time.perf_counter()
        recall, pairs = sampled_recall(items, found)
        row["sampled_recall_vs_brute"] = round(recall, 4)
        row["sampled_pairs"] = pairs
        row["sampled_seconds"] = round(time.perf_counter() - start, 1)
    else:
        start = time.perf_counter()
        ref = _pairs(find_duplicate_items(items, method="exhaustive", jobs=0))
        row["brute_seconds"] = round(time.perf_counter() - start, 1)
        row["recall_vs_brute"] = round(len(found & ref) / len(ref), 4) if ref else 1.0
        row["brute_pairs"] = len(ref)
        row["brute_extra"] = len(found - ref)
    return row


def main() -> None:
    """Run every measurement in a subprocess and print the table."""
    full_brute = "--full-brute" in sys.argv
    if len(sys.argv) >= 4 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], int(sys.argv[3]), full_brute)))
        return
    sizes = [1_000, 10_000] if "--quick" in sys.argv else [1_000, 10_000, 50_000, 100_000]
    runs: list[tuple[str, int]] = [("generated", n) for n in sizes]
    if NORMALIZED.is_dir() and "--quick" not in sys.argv:
        runs += [("opentriviaqa", 0), ("linkedin-skill-assessments", 0)]
    print(f"os.cpu_count() = {os.cpu_count()}; python {sys.version.split()[0]}", flush=True)
    rows = []
    for kind, size in runs:
        done = subprocess.run(
            [sys.executable, __file__, "--one", kind, str(size), *(["--full-brute"] if full_brute else [])],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{kind} {size}: failed\n{done.stderr}", flush=True)
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    header = (
        "| bank | n | time s | peak RSS MB | candidates | pairs | recall vs brute | planted R/P (P, variants ok) "
        "| hard neg. | labelled P/R |"
    )
    print()
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for r in rows:
        if "recall_vs_brute" in r:
            brute = f"{r['recall_vs_brute']} (all {r['brute_pairs']} pairs, {r['brute_seconds']} s)"
        elif "sampled_recall_vs_brute" in r:
            brute = f"{r['sampled_recall_vs_brute']} ({SAMPLE} sampled x all, {r['sampled_pairs']} pairs)"
        else:
            brute = "not measured"
        planted = (
            f"{r['planted_recall']}/{r['planted_precision']} ({r['precision_variants_ok']})"
            if "planted_recall" in r
            else "-"
        )
        labelled = (
            f"{r['labelled_precision']:.2f}/{r['labelled_recall']:.2f}" if "labelled_precision" in r else "-"
        )
        print(
            f"| {r['bank']} | {r['n']} | {r['seconds']} | {r['peak_rss_mb']} | {r['candidates']} | "
            f"{r['pairs']} | {brute} | {planted} | {r.get('hard_negatives_reported', '-')} | {labelled} |"
        )


if __name__ == "__main__":
    main()
