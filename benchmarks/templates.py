"""Template expansion: the cost of loading and checking templates against the same bank expanded.

Generates T templates (half numerical, half single choice with computed keys and distractors), each
asking for V variants, loads and checks them, then writes the expansion with ``qbank expand``'s
writer and loads and checks that. Prints a table with the machine's core count.

    python benchmarks/templates.py [--templates 200] [--variants 10 50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import qbank
from qbank.io.templates import expanded_files

NUMERICAL = """
  - id: rcu-{n}
    type: numerical
    variables:
      items: {{min: 10, max: 500, step: 10}}
      size: {{min: 0.5, max: 64, step: 0.5}}
      mode: {{choice: [strongly consistent, eventually consistent]}}
      units: {{expr: "ceil(size / 4) * items * (1 if mode == 'strongly consistent' else 0.5)"}}
    constraints: ["units == int(units)", "units > {n} % 7"]
    variants: {v}
    stem: Service {n} reads {{{{ items }}}} items of {{{{ size }}}} KB per second with {{{{ mode }}}} reads. How many read capacity units does it need?
    answer: "{{{{ units }}}}"
    explanation: Each read of up to 4 KB costs one unit, so {{{{ items }}}} reads of {{{{ size }}}} KB need {{{{ fixed(units, 0) }}}} units.
"""

CHOICE = """
  - id: wcu-{n}
    variables:
      writes: {{min: 5, max: 600, step: 5}}
      size: {{min: 4.5, max: 40.5, step: 1}}
      units: {{expr: ceil(size) * writes}}
    variants: {v}
    stem: Service {n} writes {{{{ writes }}}} items of {{{{ size }}}} KB per second. How many write capacity units does the table need?
    choices:
      - {{text: "{{{{ units }}}} WCUs", correct: true}}
      - {{text: "{{{{ ceil(size / 4) * writes }}}} WCUs"}}
      - {{text: "{{{{ units * 2 }}}} WCUs"}}
      - {{text: "{{{{ writes }}}} WCUs"}}
    explanation: A write unit is one write per second of up to 1 KB, so each item needs {{{{ ceil(size) }}}} units.
"""


def _bank(templates: int, variants: int) -> str:
    parts = ["questions:"]
    for n in range(templates):
        parts.append((NUMERICAL if n % 2 else CHOICE).format(n=n, v=variants))
    return "".join(parts)


def _measure(path: Path) -> tuple[float, float, float, int, int]:
    """Seconds to load, seconds to check (both untraced), and the peak MiB of a traced load."""
    start = time.perf_counter()
    loaded = qbank.load(path)
    loaded_at = time.perf_counter()
    checked = qbank.check(path)
    done = time.perf_counter()
    assert loaded.ok, [d.message for d in loaded.diagnostics if d.severity == "error"][:3]
    tracemalloc.start()
    qbank.load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return loaded_at - start, done - loaded_at, peak / 2**20, len(checked.bank), len(checked.diagnostics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--variants", type=int, nargs="+", default=[10, 50])
    args = parser.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; {args.templates} templates")
    with tempfile.TemporaryDirectory() as tmp:  # warm up: imports and compiled patterns of the rules
        warm = Path(tmp) / "warm.yaml"
        warm.write_text(_bank(2, 2))
        qbank.check(warm)
    print("| variants each | bank | questions | load (s) | check (s) | findings | peak of a load (MiB) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for variants in args.variants:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "templates" / "bank.yaml"
            source.parent.mkdir()
            source.write_text(_bank(args.templates, variants))
            load_s, check_s, peak, count, found = _measure(source.parent)
            print(
                f"| {variants} | templates | {count} | {load_s:.2f} | {check_s:.2f} | {found} | {peak:.0f} |"
            )
            expanded = Path(tmp) / "expanded" / "bank.yaml"
            expanded.parent.mkdir()
            [(_, text)] = expanded_files(qbank.load(source.parent).bank)
            expanded.write_text(text)
            load_s, check_s, peak, count, found = _measure(expanded.parent)
            print(
                f"| {variants} | expanded | {count} | {load_s:.2f} | {check_s:.2f} | {found} | {peak:.0f} |"
            )


if __name__ == "__main__":
    main()
