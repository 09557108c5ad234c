"""Start-up time of the commands a user and a pre-commit hook run most: printed, not asserted.

    python benchmarks/startup.py [--runs 7] [--importtime]

Each command runs in a fresh process (the installed ``qbank`` script, as a user or pre-commit
runs it) ``--runs`` times after one warm-up run; the table shows the fastest and the median wall
time and the median CPU time (user + system, from ``wait4``) next to the goal. CPU time says
more than wall time on a busy machine. ``--importtime`` also lists the modules whose import costs
most for each command (``python -X importtime``), and which heavy dependencies it loads.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BANK = REPO / "questions"
ONE_FILE = BANK / "dva-c02" / "1-development.yaml"
HEAVY = ("numpy", "lxml", "rapidfuzz", "rich", "pydantic", "markdown_it", "jsonschema", "nh3", "ruamel")

#: (label, arguments after ``qbank``, goal in seconds on the reference machine)
COMMANDS = [
    ("qbank --version", ["--version"], 0.15),
    ("qbank validate (one file)", ["validate", str(ONE_FILE), "--no-progress"], 0.35),
    ("qbank check questions/", ["check", str(BANK), "--no-progress"], 0.6),
]


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def import_costs(args: list[str], top: int) -> tuple[list[tuple[float, str]], list[str]]:
    """The ``top`` modules with the largest own import time, and the heavy dependencies loaded."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qbank", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    rows: list[tuple[float, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        rows.append((int(own) / 1000, name.strip()))
    loaded = sorted({name.split(".")[0] for _, name in rows} & set(HEAVY))
    return sorted(rows, reverse=True)[:top], loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true", help="list the costliest imports per command")
    args = parser.parse_args()
    qbank = shutil.which("qbank") or str(Path(sys.executable).parent / "qbank")
    if not Path(qbank).is_file():
        sys.exit("qbank is not installed (python3 -m pip install -e .)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# start-up: {args.runs} runs after a warm-up, {os.cpu_count()} cores, load average {load:.1f}")
    print(
        f"{'command':<28} {'min wall s':>10} {'median wall s':>13} {'median CPU s':>12} {'goal s':>7} {'exit':>4}"
    )
    for label, argv, goal in COMMANDS:
        measure([qbank, *argv])  # warm the file cache and the .pyc files
        runs = [measure([qbank, *argv]) for _ in range(args.runs)]
        walls = [w for w, _, _ in runs]
        cpus = [c for _, c, _ in runs]
        code = runs[-1][2]
        print(
            f"{label:<28} {min(walls):>10.3f} {statistics.median(walls):>13.3f} "
            f"{statistics.median(cpus):>12.3f} {goal:>7.2f} {code:>4}"
        )
    if args.importtime:
        for label, argv, _ in COMMANDS:
            costs, loaded = import_costs(argv, top=8)
            print(f"\n# {label}: heavy dependencies loaded: {', '.join(loaded) or 'none'}")
            for ms, name in costs:
                print(f"  {ms:8.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
