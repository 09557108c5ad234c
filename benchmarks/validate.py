"""Validation speed and memory: ``qbank validate`` vs ``check-jsonschema`` on clean generated banks.

    python benchmarks/validate.py [--sizes 1000,10000,50000] [--per-file 100]

Each command runs in its own process; wall time and peak RSS (from ``wait4``) are printed as a
table with the machine's core count. check-jsonschema validates the same files against
``schemas/question.schema.json`` and gives no line numbers; qbank also validates the model
invariants and would place every error at line:col.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bankgen import write_bank

REPO = Path(__file__).resolve().parents[1]


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit code) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--per-file", type=int, default=100)
    args = parser.parse_args()
    qbank = shutil.which("qbank") or sys.exit("qbank is not installed")
    peer = shutil.which("check-jsonschema")
    schema = REPO / "schemas" / "question.schema.json"
    print(f"# validate: clean generated banks, {args.per_file} questions per file, {os.cpu_count()} cores")
    print(f"{'questions':>9} {'tool':<28} {'wall s':>8} {'us/question':>12} {'peak MiB':>9} {'exit':>4}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            files = write_bank(Path(tmp), size, per_file=args.per_file)
            runs = [
                ("qbank validate", [qbank, "validate", tmp, "--no-progress"]),
                ("qbank validate --jobs 0", [qbank, "validate", tmp, "--no-progress", "--jobs", "0"]),
            ]
            if peer:
                runs.append(("check-jsonschema", [peer, "--schemafile", str(schema), *map(str, files)]))
            for name, argv in runs:
                seconds, mib, code = measure(argv)
                print(
                    f"{size:>9} {name:<28} {seconds:>8.2f} {seconds / size * 1e6:>12.0f} {mib:>9.0f} {code:>4}"
                )
    if not peer:
        print("(check-jsonschema not installed: pip install check-jsonschema)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
