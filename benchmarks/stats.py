"""Item statistics at scale: time and peak memory of ``qbank stats`` on the long CSV, and of the
ingest engines it was chosen against.

    python benchmarks/stats.py                      # 1M and 20M rows (5,000 and 100,000 learners x 200 questions)
    python benchmarks/stats.py --sizes 1M           # the small one only
    python benchmarks/stats.py --engines qbank      # only the pipeline qbank ships

Rows are simulated from a 2PL IRT model (``benchmarks/responsegen.py``) and written once to a
temporary folder (``--keep DIR`` reuses them). Every measurement runs in a fresh process, so the
peak resident memory is that run's own. Engines:

* ``qbank``: the whole ``qbank stats`` pipeline (read with polars in streaming batches, numpy
  statistics), as the command runs it;
* ``duckdb``: DuckDB reading the same CSV into the same columns (respondent numbers, question
  numbers, scores) - without pyarrow DuckDB hands results to numpy only whole (``fetchnumpy``);
* ``python-csv``: the standard library's csv reader with per-row dictionary look-ups, streamed
  into numpy arrays in chunks (no dependency at all).

The two alternatives only ingest (no statistics), so they get a head start; each is skipped when
its package is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SIZES = {"1M": 5_000, "20M": 100_000}
QUESTIONS = 200

_BANK = """
import sys
sys.path.insert(0, {here!r})
from responsegen import make_items
from qbank.core.model import Bank
items = make_items({questions}, seed=7)
bank = Bank(questions=[s.question() for s in items])
"""

_QBANK = """
from qbank.analysis.stats import analyse
from qbank.importers.responses import read_responses
read = read_responses([{path!r}], bank)
result = analyse(read.table, bank.by_id())
rows = read.table.n_rows
check = round(result.forms[0].alpha, 6)
"""

_DUCKDB = """
import duckdb
con = duckdb.connect()
con.execute("SET threads=2")
con.execute("SET enable_progress_bar=false")
con.execute("SET preserve_insertion_order=false")
con.execute('''CREATE TEMP TABLE qs AS SELECT * FROM (VALUES {ids}) t(question_id, j)''')
cur = con.execute('''
    SELECT dense_rank() OVER (ORDER BY respondent) - 1 AS i, qs.j AS j,
           coalesce(TRY_CAST(score AS DOUBLE), 0) AS x
    FROM read_csv({path!r}, header=true, all_varchar=true) r JOIN qs USING (question_id)''')
arrays = cur.fetchnumpy()
rows = len(arrays["i"])
check = int(arrays["i"].max()) + 1
"""

_PYCSV = """
import csv
import numpy as np
ids = {{q.id: k for k, q in enumerate(bank.questions)}}
who, item, score = [], [], []
parts = []
respondents = {{}}
with open({path!r}, newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    next(reader)
    get = respondents.setdefault
    for row in reader:
        who.append(get(row[0], len(respondents)))
        item.append(ids[row[1]])
        score.append(float(row[3]) if row[3] else 0.0)
        if len(who) == 1_000_000:
            parts.append((np.array(who, np.int32), np.array(item, np.int32), np.array(score)))
            who, item, score = [], [], []
parts.append((np.array(who, np.int32), np.array(item, np.int32), np.array(score)))
rows = sum(len(p[0]) for p in parts)
check = len(respondents)
"""

# VmHWM is this process's own peak resident set (ru_maxrss would carry the parent's over exec)
_MEASURE = """
import json, time
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
with open("/proc/self/status", encoding="ascii") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "rows": rows, "check": check}}))
"""

ENGINES = {"qbank": ("polars", _QBANK), "duckdb": ("duckdb", _DUCKDB), "python-csv": ("csv", _PYCSV)}


def _available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _write(path: Path, learners: int) -> int:
    from responsegen import make_items, simulate, write_long_csv

    items = make_items(QUESTIONS, seed=7)
    return write_long_csv(simulate(items, learners, seed=11, omit=0.01), path)


def _run(engine: str, path: Path) -> dict[str, float]:
    _, body = ENGINES[engine]
    ids = ", ".join(f"('sim-{k:04d}', {k})" for k in range(QUESTIONS))
    code = _BANK.format(here=str(HERE), questions=QUESTIONS) + _MEASURE.format(
        body=body.format(path=str(path), ids=ids)
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1M,20M", help="comma-separated: 1M, 20M")
    parser.add_argument("--engines", default="qbank,duckdb,python-csv")
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the generated CSV files in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qbank-stats-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    engines = [e for e in args.engines.split(",") if e]
    load = os.getloadavg()
    print(f"cpu_count={os.cpu_count()}  load average={load[0]:.1f}  python={sys.version.split()[0]}")
    print(
        f"{QUESTIONS} questions; 2PL responses with 1% omissions; long CSV respondent,question_id,response,score"
    )
    print()
    header = f"{'rows':>5}  {'learners':>8}  {'file MB':>7}  {'engine':<11} {'seconds':>8}  {'peak MB':>8}  {'rows/s':>10}  note"
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        learners = SIZES[size]
        path = folder / f"responses-{size}.csv"
        if not path.exists():
            started = time.perf_counter()
            _write(path, learners)
            print(f"(wrote {path} in {time.perf_counter() - started:.0f} s)")
        mb = path.stat().st_size / 1e6
        for engine in engines:
            module, _ = ENGINES[engine]
            if not _available(module):
                print(
                    f"{size:>5}  {learners:>8}  {mb:>7.0f}  {engine:<11} {'-':>8}  {'-':>8}  {'-':>10}  {module} not installed"
                )
                continue
            try:
                r = _run(engine, path)
            except RuntimeError as exc:
                print(
                    f"{size:>5}  {learners:>8}  {mb:>7.0f}  {engine:<11} failed: {str(exc).splitlines()[-1]}"
                )
                continue
            note = "full pipeline" if engine == "qbank" else "ingest only"
            print(
                f"{size:>5}  {learners:>8}  {mb:>7.0f}  {engine:<11} {r['seconds']:>8.1f}  {r['peak_mb']:>8.0f}  "
                f"{r['rows'] / r['seconds']:>10,.0f}  {note}"
            )
    if not args.keep:
        for file in folder.glob("*.csv"):
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
