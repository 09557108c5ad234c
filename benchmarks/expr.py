"""Template expressions: qbank's evaluator against maintained evaluator libraries.

Prints two tables: the cost of evaluating a typical template expression (compiled once, evaluated
per variant; and parsed every time), and what each evaluator does with hostile expressions, each
run in a child process capped at 1 GiB of memory and 10 s of CPU. The libraries (simpleeval,
asteval, evalidate) are measured only when installed; qbank does not depend on them.

    python benchmarks/expr.py
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from functools import partial
from typing import Any

EXPRESSION = "ceil(size / 4) * items * (1 if mode == 'strong' else 0.5)"
ENV: dict[str, Any] = {"size": 6.5, "items": 40, "mode": "strong"}
MATH = {"ceil": math.ceil, "factorial": math.factorial, "comb": math.comb, "round": round}

HOSTILE = {
    "power tower": "10**10**10",
    "big power": "9**999999",
    "factorial": "factorial(10**6)",
    "comb": "comb(10**7, 5*10**6)",
    "round digits": "round(1, -10**9)",
    "string repeat": "'a'*10**9",
    "f-string width": "f'{1:>999999999}'",
    "format width": "'{0:>999999999}'.format(1)",
    "shift": "1<<10**9",
    "deep unary": "-" * 5000 + "1",
    "long sum": "+".join(["1"] * 20000),
    "dunder walk": "().__class__.__bases__[0].__subclasses__()",
    "comprehension": "[1 for a in range(10**4) for b in range(10**4)]",
}


def _qbank() -> tuple[Callable[[str], Callable[[dict[str, Any]], Any]], Callable[[str, dict[str, Any]], Any]]:
    from qbank.core.expr import compile_expression

    def prepare(source: str) -> Callable[[dict[str, Any]], Any]:
        return compile_expression(source, list(ENV)).evaluate

    return prepare, lambda source, env: compile_expression(source, list(env)).evaluate(env)


def _simpleeval() -> tuple[
    Callable[[str], Callable[[dict[str, Any]], Any]], Callable[[str, dict[str, Any]], Any]
]:
    import simpleeval

    functions = {**simpleeval.DEFAULT_FUNCTIONS, **MATH}

    def prepare(source: str) -> Callable[[dict[str, Any]], Any]:
        evaluator = simpleeval.SimpleEval(functions=functions)
        parsed = evaluator.parse(source)

        def run(env: dict[str, Any]) -> Any:
            evaluator.names = env
            return evaluator.eval(source, previously_parsed=parsed)

        return run

    return prepare, lambda source, env: simpleeval.simple_eval(source, names=env, functions=functions)


def _asteval() -> tuple[
    Callable[[str], Callable[[dict[str, Any]], Any]], Callable[[str, dict[str, Any]], Any]
]:
    import asteval

    def interpreter(env: dict[str, Any]) -> Any:
        interp = asteval.Interpreter(use_numpy=False)
        interp.symtable.update(MATH)
        interp.symtable.update(env)
        return interp

    def prepare(source: str) -> Callable[[dict[str, Any]], Any]:
        interp = interpreter(ENV)
        node = interp.parse(source)

        def run(env: dict[str, Any]) -> Any:
            interp.symtable.update(env)
            return interp.run(node, with_raise=True)

        return run

    return prepare, lambda source, env: interpreter(env).eval(source, raise_errors=True)


def _evalidate() -> tuple[
    Callable[[str], Callable[[dict[str, Any]], Any]], Callable[[str, dict[str, Any]], Any]
]:
    import evalidate

    model = evalidate.base_eval_model.clone()
    model.nodes.extend(["Call", "Pow", "Mult", "Div", "IfExp", "LShift", "Attribute", "Subscript"])
    model.imported_functions = dict(MATH)

    def prepare(source: str) -> Callable[[dict[str, Any]], Any]:
        expr = evalidate.Expr(source, model=model)
        return lambda env: expr.eval(env)

    return prepare, lambda source, env: evalidate.Expr(source, model=model).eval(env)


EVALUATORS = {"qbank": _qbank, "simpleeval": _simpleeval, "asteval": _asteval, "evalidate": _evalidate}


def _per_call(func: Callable[[], Any], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat * 1e6


def speed() -> None:
    print(f"\nOne template expression: {EXPRESSION}")
    print("| evaluator | version | compiled once, per evaluation (us) | parsed each time (us) |")
    print("|---|---:|---:|---:|")
    for name, factory in EVALUATORS.items():
        try:
            prepare, once = factory()
        except ImportError:
            print(f"| {name} | not installed | | |")
            continue
        run = prepare(EXPRESSION)
        assert float(run(ENV)) == 80.0, (name, run(ENV))
        compiled = _per_call(partial(run, ENV), 20000)
        parsed = _per_call(partial(once, EXPRESSION, ENV), 2000)
        print(f"| {name} | {_version(name)} | {compiled:.1f} | {parsed:.1f} |")


def _version(name: str) -> str:
    if name == "qbank":
        return "-"
    from importlib.metadata import version

    return version(name)


CHILD = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
    sys.path.insert(0, {bench!r})
    import expr as bench
    _, once = bench.EVALUATORS[sys.argv[1]]()
    start = time.perf_counter()
    try:
        value = once(sys.argv[2], dict(bench.ENV))
        outcome = "evaluated"
    except MemoryError:
        outcome = "MemoryError"
    except RecursionError:
        outcome = "RecursionError"
    except Exception as exc:
        outcome = "refused"
    print(outcome, round(time.perf_counter() - start, 3))
    """
)


def hostile() -> None:
    names = []
    for name, factory in EVALUATORS.items():
        try:
            factory()
            names.append(name)
        except ImportError:
            continue
    print("\nHostile expressions (child process: 1 GiB, 10 s CPU). Cell: outcome and seconds.")
    print("| expression | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    script = CHILD.format(bench=os.path.dirname(os.path.abspath(__file__)))
    for label, source in HOSTILE.items():
        cells = []
        for name in names:
            done = subprocess.run(
                [sys.executable, "-c", script, name, source], capture_output=True, text=True, check=False
            )
            if done.returncode < 0 or done.returncode == 137:
                cells.append(
                    "killed (CPU limit)" if done.returncode in (-24, -9) else f"killed ({done.returncode})"
                )
            elif done.returncode != 0:
                cells.append("crashed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:40])
            else:
                outcome, seconds = done.stdout.split()
                cells.append(f"{outcome} {float(seconds):.2f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> None:
    print(f"Python {platform.python_version()}, os.cpu_count() = {os.cpu_count()}")
    speed()
    hostile()


if __name__ == "__main__":
    main()
