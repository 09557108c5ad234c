"""Findings equality: ``qbank check`` must report the same diagnostics, byte for byte, however it runs.

    python benchmarks/findings.py [--workdir DIR] [--save REF] [--compare REF]

The linkedin (Markdown checkbox quizzes) and opentriviaqa corpora of ``../shared/corpora`` are
imported with ``qbank import`` into ``--workdir`` (once; linkedin from its Markdown files,
opentriviaqa from the normalised JSONL turned into qbank's JSON export, since no importer reads its
plain-text format). Then ``qbank check`` runs on each imported bank in several ways - one process
without a cache, two processes without a cache, cold cache, warm cache, and (when this qbank has
them) after an edit and its revert, and on one file with the bank as context - and the text and
JSON reports are compared. The JSON report of every run is also hashed.

``--save REF`` writes the reports of the plain run to a folder; ``--compare REF`` compares this
qbank's reports with a folder saved by another version (for example before and after a change that
must not change findings). Exit status 1 when any report differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from corpora import CORPORA, load_corpus

SHARED = CORPORA.parent
CORPUS_NAMES = ("linkedin", "opentriviaqa")


def qbank(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``qbank`` (this checkout's, through ``python -m qbank``)."""
    return subprocess.run(
        [sys.executable, "-m", "qbank", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def import_corpora(workdir: Path) -> dict[str, Path]:
    """Import each corpus into ``workdir/<name>`` (skipped when already there)."""
    out: dict[str, Path] = {}
    target = workdir / "linkedin"
    if not target.is_dir():
        files = sorted(
            str(p) for p in (SHARED / "linkedin-skill-assessments").rglob("*.md") if p.name != "README.md"
        )
        done = qbank("import", *files, "--from", "markdown", "-o", str(target))
        if not target.is_dir():
            sys.exit(f"linkedin import failed: {done.stderr[-2000:]}")
    out["linkedin"] = target
    target = workdir / "opentriviaqa"
    if not target.is_dir():
        from qbank import export
        from qbank.core.model import Bank

        questions, _ = load_corpus("opentriviaqa")
        with tempfile.TemporaryDirectory() as tmp:
            exported = Path(tmp) / "opentriviaqa.json"
            export(Bank(questions=questions), "json", exported)
            done = qbank("import", str(exported), "--from", "json", "-o", str(target))
        if not target.is_dir():
            sys.exit(f"opentriviaqa import failed: {done.stderr[-2000:]}")
    out["opentriviaqa"] = target
    return out


def supports(option: str) -> bool:
    """Whether this qbank's ``check`` has ``option``."""
    return option in qbank("check", "--help").stdout


def runs(bank: Path, cache: Path) -> dict[str, dict[str, str]]:
    """Text and JSON reports of ``qbank check`` on ``bank`` run in every available way."""
    env = {**os.environ, "QBANK_CACHE_DIR": str(cache)}
    no_cache = ["--no-cache"] if supports("--no-cache") else []
    base = ["check", str(bank), "--no-progress"]
    plans: list[tuple[str, list[str], bool]] = [
        ("one process", [*no_cache, "-j", "1"], True),
        ("two processes", [*no_cache, "-j", "2"], True),
    ]
    if no_cache:
        plans += [
            ("cold cache, two processes", ["-j", "2"], True),
            ("warm cache", ["-j", "2"], False),
        ]
    out: dict[str, dict[str, str]] = {}
    for label, extra, clear in plans:
        if clear:
            shutil.rmtree(cache, ignore_errors=True)
        reports = {}
        for fmt in ("text", "json"):
            done = qbank(*base, *extra, "--format", fmt, env=env)
            if done.returncode not in (0, 1):
                sys.exit(f"{label}: qbank check failed ({done.returncode}): {done.stderr[-2000:]}")
            reports[fmt] = done.stdout
        out[label] = reports
    return out


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "qbank-findings")
    parser.add_argument("--save", type=Path, help="write the plain run's reports to this folder")
    parser.add_argument("--compare", type=Path, help="compare with reports saved by --save")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"corpora not found at {CORPORA}", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    banks = import_corpora(args.workdir)
    failed = False
    print(f"cores: {os.cpu_count()}")
    print("| corpus | run | findings (text summary) | JSON sha256 | same as one process |")
    print("|---|---|---|---|---|")
    for name, bank in banks.items():
        # reports name files relative to the working directory: run from the workdir so that
        # saved and compared reports agree wherever the workdir is
        os.chdir(args.workdir)
        reports = runs(bank.relative_to(args.workdir), args.workdir / f".cache-{name}")
        reference = reports["one process"]
        for label, got in reports.items():
            same = got == reference
            failed |= not same
            summary = got["text"].strip().splitlines()[-1]
            print(f"| {name} | {label} | {summary} | {digest(got['json'])} | {'yes' if same else 'NO'} |")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            for fmt, text in reference.items():
                (args.save / f"{name}.{fmt}").write_text(text, encoding="utf-8")
        if args.compare:
            for fmt, text in reference.items():
                saved = (args.compare / f"{name}.{fmt}").read_text(encoding="utf-8")
                same = saved == text
                failed |= not same
                print(
                    f"| {name} | saved {fmt} report ({args.compare}) | | {digest(saved)} | {'yes' if same else 'NO'} |"
                )
                if not same:
                    _show_difference(saved, text)
    return 1 if failed else 0


def _show_difference(saved: str, now: str) -> None:
    old, new = set(saved.splitlines()), set(now.splitlines())
    for line in sorted(old - new)[:10]:
        print(f"    - {line[:200]}")
    for line in sorted(new - old)[:10]:
        print(f"    + {line[:200]}")
    print(f"    ({len(old - new)} lines only in the saved report, {len(new - old)} only in this one)")


if __name__ == "__main__":
    sys.exit(main())
