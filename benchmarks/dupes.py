"""Benchmark of ``qbank.analysis.dupes``: speed, memory, planted and labelled recall, old and new.

Run ``python benchmarks/dupes.py`` (``--quick``: 1k and 10k only; ``--sizes 10000,100000``: those
generated sizes; ``--brute``: also the recall of
the lexical LSH search against the exhaustive search, slow; ``--embed``: also the embedding step
against WordLlama's own ``embed()``). Every measurement runs in its own subprocess so that peak
memory (``ru_maxrss``) belongs to one run. For each bank three runs:

* ``old``: the lexical search alone (``meaning=False``: exact, near, key conflicts), which is what
  ``qbank dupes`` did before reworded duplicates;
* ``cold``: with the meaning check and an empty embedding cache (the model is loaded, every stem
  embedded);
* ``warm``: the same again in a new process, with the cache the cold run wrote.

Banks: generated ones (``benchmarks/planted.py``) of 1k, 10k, 50k and 100k questions, and the
normalised third-party corpora in ``../shared/corpora/normalized`` (opentriviaqa, linkedin). On
generated banks the planted copies are split by how many mutations made them (light: one of
rewording, synonyms, reordered sentences, typos, shuffled choices; medium: two; heavy: three) and
the share of (base, copy) pairs reported is printed per class, with the hard negatives (template
siblings with another key or other numbers) reported and the same-fact variants reported (two bases
of one requirement in different scenarios: same key, same fact). On linkedin, precision and recall on
the 60 hand-labelled pairs of ``labels/near_dups.jsonl``. ``--stages`` adds the CPU seconds of each
stage of the search; ``--cap`` (banks up to 10,000) compares the reworded pairs with those of the
same search without a cap on same-key neighbours. Times are wall clock and CPU seconds
(``time.process_time``, all threads): on a shared machine the wall clock also measures the
neighbours.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
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
SEVERITY = {1: "light", 2: "medium", 3: "heavy"}


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
    """Recall of the lexical search against brute force for ``k`` random questions compared with
    every other question (``k x n`` rapidfuzz comparisons, then the same verifier)."""
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


def _items(kind: str, size: int) -> tuple[list[Any], Any]:
    if kind == "generated":
        from planted import generate

        bank = generate(size)
        return bank.items, bank
    return corpus_items(kind), None


#: Stages of a search timed by ``--stages``: (module, function, label).
STAGES = [
    ("search", "prepare", "prepare (normalise, signatures, IDF)"),
    ("search", "exact_groups", "exact groups"),
    ("search", "embed_items", "embeddings (and typo index)"),
    ("minhash", "minhash", "MinHash signatures"),
    ("minhash", "_bucket_pairs", "LSH buckets"),
    ("minhash", "agreement", "LSH agreement filter"),
    ("search", "verify", "lexical verification (near, key conflicts)"),
    ("search", "block_candidates", "same-key blocks by meaning"),
    ("search", "_record_reworded", "reworded judging (incl. lexical candidates)"),
    ("search", "clusters_from", "clusters and report"),
]


def _time_stages() -> dict[str, float]:
    """Wrap the stages of a search so that their CPU seconds add up in the returned dict, with the
    peak RSS (MB) of the process after each stage under ``"<stage> [peak MB after]"``."""
    import functools
    import importlib

    spent: dict[str, float] = {}
    for module, name, label in STAGES:
        mod = importlib.import_module(f"qbank.analysis.dupes.{module}")
        inner = getattr(mod, name)

        def timed(*args: Any, _inner: Any = inner, _label: str = label, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return _inner(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.process_time() - start
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                spent[f"{_label} [peak MB after]"] = max(spent.get(f"{_label} [peak MB after]", 0.0), peak)

        setattr(mod, name, functools.wraps(inner)(timed))
    return spent


def cap_recall(items: list[Any], report: Any, bank: Any) -> dict[str, object]:
    """The reworded pairs of a search against the same search with no cap on same-key neighbours
    (every same-key pair over the threshold: the brute-force reference for the meaning check)."""
    from qbank.analysis.dupes import find_duplicate_items, meaning

    capped = {frozenset((p.a, p.b)) for p in report.pairs if p.kind == "reworded"}
    cluster_of = {qid: k for k, c in enumerate(report.clusters) for qid in c.ids}
    saved = meaning.NEIGHBOURS
    meaning.NEIGHBOURS = 10**9
    try:
        full = find_duplicate_items(items, method="lsh", jobs=0)
    finally:
        meaning.NEIGHBOURS = saved
    ref = {frozenset((p.a, p.b)) for p in full.pairs if p.kind == "reworded"}
    together = sum(1 for pair in ref if len({cluster_of.get(q, q) for q in pair}) == 1)
    out: dict[str, object] = {
        "cap_reference_pairs": len(ref),
        "cap_pair_recall": round(len(ref & capped) / max(1, len(ref)), 4),
        "cap_same_cluster": round(together / max(1, len(ref)), 4),
    }
    if bank is not None:
        truth = ref & bank.truth
        out["cap_planted_recall"] = f"{len(truth & capped)}/{len(truth)}"
    return out


def one(kind: str, size: int, mode: str, cache_dir: str, brute: bool) -> dict[str, object]:
    """One measurement (runs inside the subprocess)."""
    from qbank.io.cache import Store

    spent = _time_stages() if "--stages" in sys.argv else None
    from qbank.analysis.dupes import find_duplicate_items

    items, bank = _items(kind, size)
    row: dict[str, object] = {"bank": kind, "n": len(items), "mode": mode}
    cache = Store(Path(cache_dir), "embeddings") if mode != "old" else None
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    report = find_duplicate_items(items, method="lsh", jobs=0, meaning=mode != "old", cache=cache)
    row["seconds"] = round(time.perf_counter() - wall, 2)
    row["cpu_seconds"] = round(time.process_time() - cpu, 2)
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    row["rss_before_mb"] = round(rss_before / 1024)
    row["cached"] = report.cached
    row["capped"] = report.capped
    row["candidates"] = report.candidates
    found = _pairs(report)
    row["pairs"] = len(found)
    row["reworded_pairs"] = sum(p.kind == "reworded" for p in report.pairs)
    row["counts"] = report.counts()
    if bank is not None:
        for level, name in SEVERITY.items():
            copies = [c for c, muts in bank.mutations.items() if len(muts) == level]
            hit = sum(frozenset((c.split("-dup")[0], c)) in found for c in copies)
            row[f"planted_{name}"] = round(hit / max(1, len(copies)), 3)
        hard = bank.hard_negatives
        row["hard_negatives_reported"] = f"{len(found & hard)}/{len(hard)}"
        row["hard_share"] = round(len(found & hard) / max(1, len(hard)), 4)
        facts = bank.facts
        row["same_fact_variants"] = sum(
            1 for p in found - bank.truth if len({facts.get(i, (-1, i)) for i in p}) == 1
        )
    if kind == "linkedin-skill-assessments":
        row.update(labelled_scores(found))
    if spent is not None:
        row["stages"] = {label: round(seconds, 2) for label, seconds in spent.items()}
    if "--cap" in sys.argv and mode == "cold" and size <= BRUTE_LIMIT:
        row.update(cap_recall(items, report, bank))
    if brute and mode == "old":
        start = time.perf_counter()
        if kind == "generated" and len(items) > BRUTE_LIMIT:
            recall, pairs = sampled_recall(items, found)
            row["recall_vs_brute"] = f"{recall:.4f} ({SAMPLE} sampled, {pairs} pairs)"
        else:
            ref = _pairs(find_duplicate_items(items, method="exhaustive", jobs=0, meaning=False))
            row["recall_vs_brute"] = f"{len(found & ref) / max(1, len(ref)):.4f} (all {len(ref)} pairs)"
        row["brute_seconds"] = round(time.perf_counter() - start, 1)
    return row


def embed_compare(size: int) -> dict[str, object]:
    """The stems of a generated bank embedded by WordLlama's ``embed()`` and by qbank (cold)."""
    import numpy as np
    from planted import generate
    from wordllama import WordLlama

    from qbank.analysis.dupes.embeddings import _embed_uncached, load_model, model_folder

    texts = [it.stem for it in generate(size).items]
    start = time.perf_counter()
    theirs = WordLlama.load(cache_dir=model_folder(), disable_download=True)
    load_theirs = time.perf_counter() - start
    start = time.perf_counter()
    ref = theirs.embed(texts, norm=True)
    t_theirs = time.perf_counter() - start
    start = time.perf_counter()
    model = load_model()
    load_ours = time.perf_counter() - start
    start = time.perf_counter()
    ours = _embed_uncached(model, texts)
    t_ours = time.perf_counter() - start
    agree = np.einsum("ij,ij->i", ref, ours)
    return {
        "n": len(texts),
        "wordllama_load_s": round(load_theirs, 2),
        "wordllama_embed_s": round(t_theirs, 2),
        "qbank_load_s": round(load_ours, 2),
        "qbank_embed_s": round(t_ours, 2),
        "cosine_min": round(float(agree.min()), 4),
        "cosine_mean": round(float(agree.mean()), 5),
    }


def _load() -> str:
    """The load averages (1, 5, 15 minutes) of the machine: the wall clock depends on them."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _run(args: list[str]) -> dict[str, Any] | None:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"{' '.join(args)}: failed\n{done.stderr}", flush=True)
        return None
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    """Run every measurement in a subprocess and print the table."""
    if len(sys.argv) >= 6 and sys.argv[1] == "--one":
        kind, size, mode, cache_dir = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
        print(json.dumps(one(kind, size, mode, cache_dir, "--brute" in sys.argv)))
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "--embed-one":
        print(json.dumps(embed_compare(int(sys.argv[2]))))
        return
    quick = "--quick" in sys.argv
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 50_000, 100_000]
    if "--sizes" in sys.argv:  # e.g. --sizes 10000,100000
        sizes = [int(n) for n in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    runs: list[tuple[str, int]] = [("generated", n) for n in sizes]
    if NORMALIZED.is_dir() and not quick:
        runs += [("opentriviaqa", 0), ("linkedin-skill-assessments", 0)]
    print(f"os.cpu_count() = {os.cpu_count()}; python {sys.version.split()[0]}", flush=True)
    print(f"load before: {_load()}", flush=True)
    if "--embed" in sys.argv:
        embeds = [r for n in (10_000, 100_000) if (r := _run(["--embed-one", str(n)]))]
        print(
            "\n| stems | WordLlama load s | WordLlama embed() s | qbank load s | qbank embed s | cosine min / mean |"
        )
        print("|---|---|---|---|---|---|")
        for e in embeds:
            print(
                f"| {e['n']} | {e['wordllama_load_s']} | {e['wordllama_embed_s']} | {e['qbank_load_s']} | "
                f"{e['qbank_embed_s']} | {e['cosine_min']} / {e['cosine_mean']} |"
            )
    table: list[tuple[dict[str, Any], ...]] = []
    extra = [flag for flag in ("--brute", "--stages", "--cap") if flag in sys.argv]
    for kind, size in runs:
        with tempfile.TemporaryDirectory(prefix="qbank-bench-cache-") as cache_dir:
            rows = [
                _run(["--one", kind, str(size), mode, cache_dir, *extra]) for mode in ("old", "cold", "warm")
            ]
        if all(rows):
            table.append(tuple(r for r in rows if r is not None))
    print()
    print(
        "| bank | n | old s (cpu) | new cold s (cpu) | new warm s (cpu) | peak MB old/cold/warm | "
        "light old/new | medium old/new | heavy old/new | hard neg. old/new | reworded pairs | "
        "variants old/new | labelled P/R old/new |"
    )
    print("|---" * 13 + "|")
    for old, cold, warm in table:

        def pair(key: str, a: dict[str, Any] = old, b: dict[str, Any] = cold) -> str:
            return f"{a[key]}/{b[key]}" if key in a else "-"

        labelled = (
            f"{old['labelled_precision']:.2f}/{old['labelled_recall']:.2f} -> "
            f"{cold['labelled_precision']:.2f}/{cold['labelled_recall']:.2f}"
            if "labelled_precision" in old
            else "-"
        )
        print(
            f"| {old['bank']} | {old['n']} | {old['seconds']} ({old['cpu_seconds']}) | "
            f"{cold['seconds']} ({cold['cpu_seconds']}) | {warm['seconds']} ({warm['cpu_seconds']}) | "
            f"{old['peak_rss_mb']}/{cold['peak_rss_mb']}/{warm['peak_rss_mb']} | "
            f"{pair('planted_light')} | {pair('planted_medium')} | {pair('planted_heavy')} | "
            f"{pair('hard_share')} | {cold['reworded_pairs']} | {pair('same_fact_variants')} | {labelled} |"
        )
    print(f"load after: {_load()}")
    for old, cold, warm in table:
        if "stages" in cold:
            print(f"\nCPU seconds by stage, {cold['bank']} {cold['n']} (old / cold / warm):")
            for label in dict.fromkeys([*old["stages"], *cold["stages"], *warm["stages"]]):
                cells = " / ".join(str(r["stages"].get(label, "-")) for r in (old, cold, warm))
                print(f"  {label}: {cells}")
        if "cap_pair_recall" in cold:
            print(
                f"same-key neighbour cap, {cold['bank']} {cold['n']}: {cold['cap_reference_pairs']} reworded "
                f"pairs without the cap; listed with it {cold['cap_pair_recall']}, in one reported cluster "
                f"{cold['cap_same_cluster']}, planted pairs listed {cold.get('cap_planted_recall', '-')}"
            )
    brute = [old for old, _, _ in table if "recall_vs_brute" in old]
    for old in brute:
        print(f"lexical LSH recall vs brute force, {old['bank']} {old['n']}: {old['recall_vs_brute']}")


if __name__ == "__main__":
    main()
