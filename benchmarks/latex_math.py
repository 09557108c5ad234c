"""LaTeX math: conversion speed and quality of math-core against the pure-Python alternatives.

    python benchmarks/latex_math.py [--repeat 200]

Prints, with the machine's core count:

1. LaTeX -> MathML per formula and import time: math-core (qbank's converter) and, when installed,
   latex2mathml; whether each reports the broken formulas of :data:`BROKEN` (QB609 needs that);
2. LaTeX -> Unicode text: qbank's own reading of math-core's MathML against pylatexenc and
   flatlatex, when installed (output side by side: the numbers alone do not show a wrong reading);
3. what math costs in rendering: :func:`qbank.core.markup.render` on texts with and without math.

The peers are not dependencies: ``pip install latex2mathml pylatexenc flatlatex`` to compare.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable

FORMULAS = [
    r"\frac{1}{2}",
    r"\sqrt{x^2+1}",
    r"\bar{x} = \frac{1}{n}\sum_{i=1}^{n} x_i",
    r"\hat\mu \pm 1.96 \cdot \frac{\sigma}{\sqrt{n}}",
    r"\binom{n}{k} p^k (1-p)^{n-k}",
    r"P(X \le 3)",
    r"e^{-\lambda}",
    r"\int_0^1 f(x)\,dx",
    r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
    r"\operatorname{Var}(X) = E[X^2] - E[X]^2",
    r"\chi^2_{3}",
    r"\sqrt[3]{8}",
]
BROKEN = [r"\frac{1}{2", r"\foo{x}", r"\begin{matrix} 1", r"x}"]


def per_call(fn: Callable[[str], object], items: list[str], repeat: int) -> float:
    """Microseconds per call of ``fn`` over ``items``, ``repeat`` times (caches bypassed by the caller)."""
    start = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            fn(item)
    return (time.perf_counter() - start) / (repeat * len(items)) * 1e6


def import_ms(module: str) -> float:
    """Milliseconds to import ``module`` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout) * 1000


def raises(fn: Callable[[str], object], latex: str) -> bool:
    try:
        fn(latex)
    except Exception:
        return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    from math_core import LatexToMathML

    from qbank.core import math as qmath
    from qbank.core.markup import math_output, render

    print(f"# LaTeX -> MathML, {len(FORMULAS)} formulas x {args.repeat}, {os.cpu_count()} cores")
    print(f"{'converter':<14} {'us/formula':>10} {'import ms':>9} {'broken formulas reported':>25}")
    core = LatexToMathML(xml_namespace=True, annotation=True, fancy_error=False)
    rows: list[tuple[str, Callable[[str], object], str]] = [
        ("math-core", lambda s: core.convert_with_local_state(s, displaystyle=False), "math_core"),
    ]
    try:
        l2m = importlib.import_module("latex2mathml.converter")
        rows.append(("latex2mathml", l2m.convert, "latex2mathml.converter"))
    except ImportError:
        print("(latex2mathml not installed)")
    for name, fn, module in rows:
        us = per_call(fn, FORMULAS, args.repeat)
        caught = sum(raises(fn, b) for b in BROKEN)
        print(f"{name:<14} {us:>10.1f} {import_ms(module):>9.1f} {f'{caught} of {len(BROKEN)}':>25}")
    qmath._convert.cache_clear()
    start = time.perf_counter()
    for latex in FORMULAS:
        qmath.to_mathml(latex)
    cold = (time.perf_counter() - start) / len(FORMULAS) * 1e6
    print(f"{'qbank to_mathml':<14} {cold:>10.1f} {'':>9} {'(first call: + schema fixes)':>25}")

    print(f"\n# LaTeX -> Unicode text, {os.cpu_count()} cores")
    readers: list[tuple[str, Callable[[str], str]]] = [("qbank", lambda s: qmath.to_text(s)[0])]
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        pyl = LatexNodes2Text(math_mode="text")
        readers.append(("pylatexenc", pyl.latex_to_text))
    except ImportError:
        print("(pylatexenc not installed)")
    try:
        flat = importlib.import_module("flatlatex").converter()
        readers.append(("flatlatex", flat.convert))
    except ImportError:
        print("(flatlatex not installed)")
    for name, fn in readers:
        if name == "qbank":
            qmath.to_text.cache_clear()
            qmath._convert.cache_clear()
            start = time.perf_counter()
            for latex in FORMULAS:
                fn(latex)
            us = (time.perf_counter() - start) / len(FORMULAS) * 1e6
        else:
            us = per_call(fn, FORMULAS, max(1, args.repeat // 10))
        print(f"{name:<12} {us:>8.1f} us/formula (first call, no cache)")
    width = max(len(f) for f in FORMULAS)
    print(f"\n{'LaTeX':<{width}} " + " | ".join(f"{n:<24}" for n, _ in readers))
    for latex in FORMULAS:
        outs = []
        for _, fn in readers:
            try:
                outs.append(repr(fn(latex))[:24])
            except Exception as exc:
                outs.append(f"error: {type(exc).__name__}"[:24])
        print(f"{latex:<{width}} " + " | ".join(f"{o:<24}" for o in outs))

    print(f"\n# render(): Markdown with and without math, {args.repeat} texts each, {os.cpu_count()} cores")
    plain = [f"Question {i}: which value of the sample mean is {i} per cent off?" for i in range(args.repeat)]
    maths = [
        f"Question {i}: which value of $\\bar{{x}}_{{{i}}}$ is $\\frac{{{i}}}{{100}}$ off?"
        for i in range(args.repeat)
    ]
    for target in qmath.MathTarget:
        with math_output(target):
            for label, texts in (("no math", plain), ("2 formulas", maths)):
                start = time.perf_counter()
                for text in texts:
                    render(text)
                us = (time.perf_counter() - start) / len(texts) * 1e6
                print(f"{target.value:<20} {label:<11} {us:>8.1f} us/text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
