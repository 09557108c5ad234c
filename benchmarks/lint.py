"""Lint the shared corpora and print findings per rule, time per 10,000 questions and core count.

Usage: ``python benchmarks/lint.py [--samples CODE ...]`` (run from the repository; the corpora are
read from ``../shared/corpora/normalized``). Bank rules that need authored order (QB701, QB703)
count every question here (``include-shuffled``), since the sources show choices in a fixed order.
``--samples`` prints 20 random findings (seed 7) of each given rule for precision review.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import CORPORA, load_corpus

from qbank.core.config import Config, ConfigModel
from qbank.core.model import Bank
from qbank.lint.engine import run_rules
from qbank.lint.rules import registry

SETS = (
    ("linkedin (en)", "linkedin-skill-assessments", "en"),
    ("opentriviaqa", "opentriviaqa", None),
    ("kananinirav-aws", "kananinirav-aws-ccp", None),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", nargs="*", default=[], help="rule codes to sample findings of")
    parser.add_argument("--ignore", nargs="*", default=[], help="rule codes or prefixes not to run")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"corpora not found at {CORPORA}", file=sys.stderr)
        return 2
    config = Config(
        ConfigModel(
            ignore=args.ignore,
            rules={"QB701": {"include-shuffled": True}, "QB703": {"include-shuffled": True}},
        )
    )
    counts: dict[str, Counter[str]] = {}
    sizes: dict[str, int] = {}
    timings: dict[str, float] = {}
    samples: dict[str, list[str]] = {}
    for label, name, lang in SETS:
        questions, rejected = load_corpus(name, lang=lang)
        bank = Bank(questions=questions)
        start = time.perf_counter()
        located, _ = run_rules(bank, config)
        timings[label] = time.perf_counter() - start
        sizes[label] = len(questions)
        counts[label] = Counter(x.rule.code for x in located)
        print(f"{label}: {len(questions)} questions ({rejected} rejected by the models)", file=sys.stderr)
        for code in args.samples:
            hits = [x for x in located if x.rule.code == code]
            random.Random(7).shuffle(hits)
            samples.setdefault(code, []).extend(
                f"[{label}] {x.finding.message}\n    stem: {x.finding.question.stem[:300]!r}\n    choices: "
                + repr([c.text[:80] for c in getattr(x.finding.question, "choices", [])])
                for x in hits[:20]
                if x.finding.question is not None
            )
    labels = [label for label, _, _ in SETS]
    print(f"cores: {os.cpu_count()}")
    print("| rule | name | " + " | ".join(labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for code, rule in registry().items():
        row = [f"{counts[lb][code]} ({100 * counts[lb][code] / max(sizes[lb], 1):.1f}%)" for lb in labels]
        print(f"| {code} | {rule.name} | " + " | ".join(row) + " |")
    print("| questions | | " + " | ".join(str(sizes[lb]) for lb in labels) + " |")
    print(
        "| lint s / 10k questions | | "
        + " | ".join(f"{10_000 * timings[lb] / max(sizes[lb], 1):.2f}" for lb in labels)
        + " |"
    )
    for code, lines in samples.items():
        print(f"\n## {code} samples")
        for line in lines:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
