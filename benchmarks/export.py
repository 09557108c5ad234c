"""Export a generated bank to every registered format; print wall time and peak memory per format.

Usage: ``python benchmarks/export.py [--n 10000] [--formats qti21,canvas]``

Each format runs in a fresh subprocess (so memory figures do not mix): the child builds the bank
in memory (all eight question types, four blueprint domains), then times ``exporter.export(bank)``.
Reported: export wall time, peak RSS of the child (``ru_maxrss``), RSS growth during the export,
output size and the number of diagnostics.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bankgen import generate_questions

from qbank.core.model import Bank, Blueprint, question_adapter
from qbank.exporters import EXPORTERS

KINDS = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "ordering",
    "essay",
)

BLUEPRINT: dict[str, Any] = {
    "id": "bench",
    "title": "Benchmark exam",
    "exam": {"questions": 65, "minutes": 130},
    "domains": [
        {"id": "1", "title": "Development", "weight": 32},
        {"id": "2", "title": "Security", "weight": 26},
        {"id": "3", "title": "Deployment", "weight": 24},
        {"id": "4", "title": "Troubleshooting", "weight": 18},
    ],
}


def _retype(raw: dict[str, Any], kind: str, i: int) -> dict[str, Any]:
    """Turn a generated choice question into another type, keeping its stem and id."""
    q = {k: v for k, v in raw.items() if k not in {"type", "choices", "objective"}}
    q["domain"] = str(i % 4 + 1)
    q["explanation"] = f"Explanation of question {i}: see the **documentation** for details."
    texts = [c["text"] for c in raw["choices"]]
    if kind in {"single_choice", "multiple_response"}:
        q["type"] = raw.get("type", "single_choice")
        q["choices"] = raw["choices"]
    elif kind == "true_false":
        q.update(type="true_false", answer=i % 2 == 0)
    elif kind == "short_answer":
        q.update(type="short_answer", accept=[f"answer-{i}", f"alt-{i}"])
    elif kind == "numerical":
        q.update(type="numerical", answer=float(i % 97), tolerance=0.5)
    elif kind == "matching":
        q.update(
            type="matching",
            pairs=[{"prompt": f"Need {j}: {t}", "match": f"M{j}"} for j, t in enumerate(texts)],
        )
    elif kind == "ordering":
        q.update(type="ordering", order=texts)
    else:
        q["type"] = "essay"
    return q


def build_bank(n: int) -> Bank:
    """``n`` questions cycling through the eight types, spread over four domains."""
    adapter = question_adapter()
    questions = [
        adapter.validate_python(_retype(raw, KINDS[i % 8], i)) for i, raw in enumerate(generate_questions(n))
    ]
    return Bank(questions=questions, blueprint=Blueprint.model_validate(BLUEPRINT))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_one(fmt: str, n: int) -> dict[str, Any]:
    """Build the bank, export it once in ``fmt`` and measure (runs in the child process)."""
    bank = build_bank(n)
    before = _rss_mib()
    start = time.perf_counter()
    out = EXPORTERS[fmt].export(bank)
    wall = time.perf_counter() - start
    peak = _rss_mib()
    return {
        "format": fmt,
        "wall_s": wall,
        "peak_rss_mib": peak,
        "rss_growth_mib": peak - before,
        "bytes": len(out.data),
        "exported": out.exported,
        "diagnostics": len(out.diagnostics),
    }


def main() -> int:
    """Run every format in its own subprocess and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="questions in the generated bank")
    ap.add_argument("--formats", default="", help="comma-separated subset of the registered formats")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.n)))
        return 0
    formats = [f for f in args.formats.split(",") if f] or sorted(EXPORTERS)
    print(
        f"export benchmark: {args.n} questions, cpu_count={os.cpu_count()}, python {sys.version.split()[0]}"
    )
    header = f"{'format':<12}{'wall s':>9}{'peak RSS MiB':>14}{'RSS +MiB':>10}{'output KiB':>12}{'exported':>10}{'diags':>7}"
    print(header)
    print("-" * len(header))
    for fmt in formats:
        child = subprocess.run(
            [sys.executable, __file__, "--one", fmt, "--n", str(args.n)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(f"{fmt:<12} failed: {child.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{fmt:<12}{r['wall_s']:>9.2f}{r['peak_rss_mib']:>14.0f}{r['rss_growth_mib']:>10.0f}"
            f"{r['bytes'] / 1024:>12.0f}{r['exported']:>10}{r['diagnostics']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
