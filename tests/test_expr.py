"""The template expression language: what it computes, and what it refuses (hostile input)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import pytest

from qbank.core.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_SOURCE,
    ExprError,
    Value,
    compile_expression,
    render,
)

ENV: dict[str, Value] = {"x": 5, "size": 6.5, "items": 10, "mode": "strong", "flag": True}


def ev(source: str, env: dict[str, Value] | None = None) -> Value:
    env = ENV if env is None else env
    return compile_expression(source, env).evaluate(env)


def refused(source: str) -> ExprError:
    with pytest.raises(ExprError) as info:
        ev(source)
    return info.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 10", 1024),
        ("2 ** -1", 0.5),
        ("-x + +3", -2),
        ("ceil(size / 4) * items", 20),
        ("x if x > 3 else -x", 5),
        ("1 < x <= 5", True),
        ("1 < x < 5", False),
        ("mode in ('strong', 'eventual')", True),
        ("mode not in ['strong']", False),
        ("'ron' in mode", True),
        ("flag and x", 5),
        ("not flag or 0", 0),
        ("min(3, x, 4)", 3),
        ("max(size, x)", 6.5),
        ("abs(-2.5)", 2.5),
        ("round(2.675, 2)", 2.67),
        ("round(1234, -2)", 1200),
        ("round(2.5)", 2),
        ("int(7.9)", 7),
        ("float(3)", 3.0),
        ("sqrt(16)", 4.0),
        ("log(8, 2)", 3.0),
        ("log10(1000)", 3.0),
        ("factorial(5)", 120),
        ("comb(5, 2)", 10),
        ("perm(5, 2)", 20),
        ("gcd(12, 18)", 6),
        ("floor(-0.5)", -1),
        ("pi > 3.14 and e < 2.72 and tau == 2 * pi", True),
        ("'a' + 'b' * 3", "abbb"),
        ("fixed(2.5, 2)", "2.50"),
        ("fixed(2 / 3, 3)", "0.667"),
        ("sig(1234, 2)", "1200"),
        ("sig(0.012345, 3)", "0.0123"),
        ("sig(2, 3)", "2.00"),
        ("sig(9.99, 2)", "10"),
        ("sig(0, 2)", "0.0"),
        ("sig(-1234.5, 5)", "-1234.5"),
        ("thousands(1234567)", "1,234,567"),
        ("thousands(1234.5, 2)", "1,234.50"),
    ],
)
def test_expressions_compute_what_python_would(source: str, expected: Value) -> None:
    value = ev(source)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("value", "text"),
    [(12, "12"), (12.0, "12"), (0.1 + 0.2, "0.3"), (2.5, "2.5"), (True, "true"), ("x", "x"), (1e20, "1e+20")],
)
def test_render_prints_numbers_the_way_a_question_shows_them(value: Value, text: str) -> None:
    assert render(value) == text


def test_compile_reports_the_names_an_expression_reads() -> None:
    expr = compile_expression("ceil(size / 4) * items + pi", ["size", "items", "unused"])
    assert expr.names == {"size", "items"}


def test_unknown_names_are_refused_at_compile_time_with_their_offset() -> None:
    with pytest.raises(ExprError) as info:
        compile_expression("x + itmes", ["x", "items"])
    assert "unknown name 'itmes'" in info.value.message
    assert info.value.offset == 4


def test_offsets_count_characters_not_utf8_bytes() -> None:
    with pytest.raises(ExprError) as info:
        compile_expression("'é' + nope", [])
    assert info.value.offset == 6


def test_leading_spaces_are_part_of_the_offset() -> None:
    with pytest.raises(ExprError) as err:
        compile_expression("  1 / 0", []).evaluate({})
    assert err.value.offset == 2
    assert err.value.message == "division by zero"


def test_every_function_in_the_list_is_callable_and_nothing_else() -> None:
    assert {"abs", "min", "max", "round", "sqrt", "ceil", "floor", "fixed", "sig", "thousands"} <= set(
        FUNCTIONS
    )
    assert not {"open", "eval", "exec", "getattr", "__import__", "print", "type", "pow_mod"} & set(FUNCTIONS)


# ---------------------------------------------------------------------------------------------- hostile

HOSTILE = {
    # sandbox escapes
    "().__class__.__bases__[0].__subclasses__()": "attribute access",
    "x.__class__": "attribute access",
    "'{0.__class__}'.format(x)": "attribute access",
    "'%s' % x": "needs a number",
    "__import__('os').system('true')": "attribute access",
    "__import__('os')": "unknown function '__import__'",
    "open('/etc/passwd')": "unknown function 'open'",
    "eval('1')": "unknown function 'eval'",
    "getattr(x, 'real')": "unknown function 'getattr'",
    "(lambda: 1)()": "a computed function",
    "[c for c in 'ab']": "a comprehension",
    "{'a': 1}": "a dict",
    "x[0]": "a subscript",
    "f'{x}'": "an f-string",
    "(y := 1)": "an assignment",
    "max(*[1, 2])": "* unpacking",
    "round(x, ndigits=2)": "keyword arguments",
    "x is 5": "`is` comparisons",
    "sqrt": "is a function",
    "b'abc'": "bytes literals",
    "1j * 2": "complex literals",
    "None": "NoneType literals",
    "x; 1": "syntax error",
    "import os": "syntax error",
    # unbounded numbers and work
    "10 ** 10 ** 10": "too large",
    "9 ** 999999": "too large",
    "2 ** 200": "too large",
    "1 << 10 ** 9": "operator LShift",
    "~x": "bitwise",
    "10.0 ** 400": "not a finite number",
    "1e308 * 10": "not a finite number",
    "exp(1000)": "not a finite number",
    "pow(10, 400)": "not a finite number",
    "factorial(10 ** 6)": "between 0 and 100",
    "factorial(100)": "integer too large",
    "comb(10 ** 7, 5 * 10 ** 6)": "between 0 and 1000",
    "perm(1000, 900)": "integer too large",
    "round(1, -10 ** 9)": "between -30 and 20",
    "fixed(1, 10 ** 9)": "between 0 and 20",
    "sig(1, 10 ** 9)": "between 1 and 20",
    "int(1e300)": "integer too large",
    "ceil(1e300)": "integer too large",
    "99999999999999999999999999999999": "integer too large",
    "'a' * 10 ** 9": "string longer than",
    "'a' * 9000 + 'a' * 9000": "string longer than",
    "(-8) ** 0.5": "not a real number",
    "sqrt(-1)": "domain",
    "1 / 0": "division by zero",
    "x % 0": "division by zero",
    "0 ** -1": "division by zero",
    "'abc' < 3": "cannot order",
    "min(1)": "at least two values",
    "x in 5": "`in` needs",
    "True + 1": "needs a number",
    "'a' + 1": "cannot add a string",
}


@pytest.mark.parametrize(("source", "reason"), list(HOSTILE.items()))
def test_hostile_expressions_are_refused_with_a_reason(source: str, reason: str) -> None:
    error = refused(source)
    assert reason in error.message
    assert 0 <= error.offset <= len(source)


@pytest.mark.parametrize(
    "source",
    [
        "-" * 900 + "1",
        "+".join(["1"] * 400),
        "(" * 150 + "1" + ")" * 150 + " + " + "abs(" * 45 + "1" + ")" * 45,
        "not " * 100 + "x",
    ],
)
def test_deep_nesting_is_refused_before_evaluation(source: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expression(source, ["x"])
    assert "nested too deeply" in info.value.message or "too large" in info.value.message


@pytest.mark.parametrize(
    "source",
    ["1" * (MAX_SOURCE + 1), "(" * 300 + "1" + ")" * 300, "1 +" * 2000 + "1", "x\0"],
)
def test_oversized_or_unparsable_sources_are_refused(source: str) -> None:
    with pytest.raises(ExprError):
        compile_expression(source, ["x"])


def test_the_depth_limit_leaves_room_for_real_expressions() -> None:
    nested = "abs(" * (MAX_DEPTH // 2 - 2) + "x" + ")" * (MAX_DEPTH // 2 - 2)
    assert ev(nested) == 5


def test_hostile_inputs_cannot_exhaust_cpu_or_memory() -> None:
    """Every hostile expression runs in one child process capped at 1 GiB and 60 s of CPU: a hang
    or an allocation bomb would kill the child, and the test fails on its exit status."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        from qbank.core.expr import ExprError, compile_expression
        sources = json.loads(sys.stdin.read())
        refused = 0
        for source in sources:
            try:
                compile_expression(source, ["x"]).evaluate({"x": 5})
            except ExprError:
                refused += 1
        print(refused)
        """
    )
    sources = [
        *HOSTILE,
        "-" * 999 + "1",
        "'a' * 9999 * 9999",
        "lcm(" + ", ".join(["10 ** 29 + 1"] * 60) + ")",
    ]
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(sources), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(sources)


def test_math_functions_keep_their_meaning() -> None:
    assert ev("atan2(1, 1)") == math.atan2(1, 1)
    assert ev("hypot(3, 4)") == 5.0
    assert ev("isclose(0.1 + 0.2, 0.3)") is True
