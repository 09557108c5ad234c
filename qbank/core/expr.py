"""Safe arithmetic expressions for question templates.

An expression is parsed with :mod:`ast` and checked against a small whitelist before anything is
evaluated; the checked tree is then turned into nested closures, so evaluating it for another set
of variable values costs no parsing. What the language has:

* literals: integers, decimals, strings, ``True``, ``False``; the constants ``pi``, ``e``, ``tau``;
* arithmetic ``+ - * / // % **``, comparisons (chained) including ``in`` / ``not in`` against a
  literal tuple or list (``mode in ("a", "b")``) or a string, ``and``, ``or``, ``not``, and
  ``a if condition else b``;
* calls of the functions in :data:`FUNCTIONS` only: ``abs min max round int float``, the
  functions of :mod:`math` that take and return numbers, and number formatting (``fixed(x, 2)``
  decimals, ``sig(x, 3)`` significant figures, ``thousands(x, 0)`` thousands separators).

Nothing else parses: no attribute access, subscripts, comprehensions, lambdas, f-strings, keyword
arguments, ``*args``, assignments or imports. Size and work are bounded before they are spent:
the source is at most :data:`MAX_SOURCE` characters, :data:`MAX_NODES` syntax nodes and
:data:`MAX_DEPTH` levels deep; integers stay within ``10**MAX_INT_DIGITS`` (``**`` is checked
before it is computed, ``factorial``/``comb``/``perm`` arguments are capped), strings within
:data:`MAX_STRING` characters, and every decimal result must be finite. Every refusal is an
:class:`ExprError` with the character offset of the offending part of the expression.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TypeAlias

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "MAX_SOURCE",
    "MAX_STRING",
    "ExprError",
    "Expression",
    "Value",
    "compile_expression",
    "render",
]

Value: TypeAlias = bool | int | float | str
Env: TypeAlias = Mapping[str, Value]

MAX_SOURCE = 1000
"""Longest expression, in characters."""
MAX_NODES = 300
"""Most syntax nodes in one expression."""
MAX_DEPTH = 40
"""Deepest nesting of syntax nodes."""
MAX_INT_DIGITS = 30
"""Integers stay below ``10**MAX_INT_DIGITS`` in magnitude."""
MAX_STRING = 10_000
"""Longest string a step may produce."""
MAX_DECIMALS = 20
"""Most decimals or significant figures the formatting functions and ``round`` accept."""
MAX_FACTORIAL = 100
MAX_COMB = 1000

_INT_LIMIT = 10**MAX_INT_DIGITS

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


class ExprError(ValueError):
    """An expression that is refused or fails; ``offset`` is 0-based into its source."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Fail(Exception):
    """Raised by a function of the language; the caller adds the position."""


# ---------------------------------------------------------------------------------------------- values


def _check(value: object) -> Value:
    """A value a step may produce, or :class:`_Fail`."""
    if isinstance(value, bool | str):
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise _Fail(f"string longer than {MAX_STRING} characters")
        return value
    if isinstance(value, int):
        if -_INT_LIMIT < value < _INT_LIMIT:
            return value
        raise _Fail(f"integer too large (limit 10**{MAX_INT_DIGITS})")
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _Fail("result is not a finite number (overflow or undefined)")
    raise _Fail(f"unsupported value of type {type(value).__name__}")


def _number(value: Value, what: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Fail(f"{what} needs a number, got {_kind(value)}")
    return value


def _integer(value: Value, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Fail(f"{what} needs an integer, got {_kind(value)}")
    return value


def _kind(value: Value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    return "an integer" if isinstance(value, int) else "a decimal"


def render(value: Value) -> str:
    """The text of a value inside a template string.

    Integral numbers print without a decimal point (``12``), other decimals with up to 12
    significant digits (``0.1 + 0.2`` prints ``0.3``), booleans as ``true``/``false``. Use
    ``fixed``, ``sig`` or ``thousands`` for any other layout.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".12g")
    return str(value)


# ---------------------------------------------------------------------------------------------- functions


def _digits(value: Value, what: str, low: int, high: int) -> int:
    n = _integer(value, what)
    if not low <= n <= high:
        raise _Fail(f"{what} must be between {low} and {high}, got {n}")
    return n


def _fixed(x: Value, decimals: Value = 2) -> str:
    """``x`` with exactly ``decimals`` decimals (``fixed(2.5, 2)`` -> ``2.50``)."""
    n = _digits(decimals, "the number of decimals", 0, MAX_DECIMALS)
    return f"{_number(x, 'fixed()'):.{n}f}"


def _sig(x: Value, figures: Value = 3) -> str:
    """``x`` to ``figures`` significant figures, never in exponent form (``sig(1234, 2)`` -> ``1200``,
    ``sig(0.012345, 3)`` -> ``0.0123``, ``sig(2, 3)`` -> ``2.00``)."""
    n = _digits(figures, "the number of significant figures", 1, MAX_DECIMALS)
    number = Decimal(repr(float(_number(x, "sig()"))))
    if number == 0:
        return "0" if n == 1 else "0." + "0" * (n - 1)
    exponent = number.adjusted()  # position of the leading digit
    rounded = number.quantize(Decimal(1).scaleb(exponent - n + 1), rounding=ROUND_HALF_EVEN)
    if rounded.adjusted() != exponent:  # 9.99 -> 10.0: one more digit before the point
        exponent += 1
        rounded = number.quantize(Decimal(1).scaleb(exponent - n + 1), rounding=ROUND_HALF_EVEN)
    decimals = max(0, n - 1 - exponent)
    return f"{rounded:.{decimals}f}"


def _thousands(x: Value, decimals: Value = 0) -> str:
    """``x`` with thousands separators and ``decimals`` decimals (``thousands(1234567)`` -> ``1,234,567``)."""
    n = _digits(decimals, "the number of decimals", 0, MAX_DECIMALS)
    return f"{_number(x, 'thousands()'):,.{n}f}"


def _round(x: Value, ndigits: Value | None = None) -> Value:
    number = _number(x, "round()")
    if ndigits is None:
        return round(number)
    return round(number, _digits(ndigits, "round()'s digits", -MAX_INT_DIGITS, MAX_DECIMALS))


def _factorial(n: Value) -> int:
    return math.factorial(_digits(n, "factorial()", 0, MAX_FACTORIAL))


def _comb(n: Value, k: Value) -> int:
    return math.comb(_digits(n, "comb()", 0, MAX_COMB), _digits(k, "comb()", 0, MAX_COMB))


def _perm(n: Value, k: Value) -> int:
    return math.perm(_digits(n, "perm()", 0, MAX_COMB), _digits(k, "perm()", 0, MAX_COMB))


def _int(x: Value) -> int:
    return int(_number(x, "int()"))


def _float(x: Value) -> float:
    return float(_number(x, "float()"))


def _extreme(pick: Callable[..., Value], name: str) -> Callable[..., Value]:
    def call(*args: Value) -> Value:
        if len(args) < 2:
            raise _Fail(f"{name}() needs at least two values")
        kinds = {isinstance(a, str) for a in args}
        if len(kinds) > 1:
            raise _Fail(f"{name}() cannot compare strings with numbers")
        return pick(*args)

    return call


def _numeric(func: Callable[..., object], name: str) -> Callable[..., Value]:
    def call(*args: Value) -> Value:
        numbers = [_number(a, f"{name}()") for a in args]
        return _check(func(*numbers))

    return call


_MATH_NAMES = (
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign", "cos",
    "cosh", "degrees", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "floor", "fmod", "gamma", "gcd",
    "hypot", "isclose", "isfinite", "isqrt", "lcm", "lgamma", "log", "log10", "log1p", "log2", "pow",
    "radians", "remainder", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
)  # fmt: skip

FUNCTIONS: dict[str, Callable[..., Value]] = {
    "abs": _numeric(abs, "abs"),
    "min": _extreme(min, "min"),
    "max": _extreme(max, "max"),
    "round": _round,
    "int": _int,
    "float": _float,
    "factorial": _factorial,
    "comb": _comb,
    "perm": _perm,
    "fixed": _fixed,
    "sig": _sig,
    "thousands": _thousands,
    **{name: _numeric(getattr(math, name), name) for name in _MATH_NAMES if hasattr(math, name)},
}
"""Every function an expression may call (nothing else is callable)."""


# ---------------------------------------------------------------------------------------------- compiling

Step: TypeAlias = Callable[[Env], Value]


@dataclass(frozen=True)
class Expression:
    """A checked, compiled expression: call :meth:`evaluate` with a value for each name."""

    source: str
    names: frozenset[str]
    """The variable names the expression reads."""
    _run: Step

    def evaluate(self, env: Env) -> Value:
        """The value of the expression (:class:`ExprError` with an offset when a step fails)."""
        try:
            return self._run(env)
        except ExprError:
            raise
        except RecursionError:  # pragma: no cover - the depth limit keeps this away
            raise ExprError("expression is nested too deeply", 0) from None


def compile_expression(source: str, names: Collection[str] = ()) -> Expression:
    """Parse and check ``source``; ``names`` are the variables it may read.

    Raises :class:`ExprError` (with the offset of the offending part) for anything outside the
    language, an unknown name, or a source over the size limits.
    """
    if len(source) > MAX_SOURCE:
        raise ExprError(f"expression longer than {MAX_SOURCE} characters", 0)
    text = source.strip()
    lead = len(source) - len(source.lstrip())
    if not text:
        raise ExprError("empty expression", 0)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        offset = max(0, (exc.offset or 1) - 1) if (exc.lineno or 1) == 1 else 0
        raise ExprError(f"syntax error: {exc.msg}", lead + offset) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ExprError(f"cannot parse the expression: {type(exc).__name__}", lead) from None
    compiler = _Compiler(text, lead, frozenset(names))
    compiler.check_size(tree.body)
    run = compiler.compile(tree.body)
    return Expression(source, frozenset(compiler.used), run)


_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Value, Value], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "a subscript",
        ast.Slice: "a slice",
        ast.Lambda: "a lambda",
        ast.ListComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.GeneratorExp: "a generator expression",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "an assignment (:=)",
        ast.Starred: "* unpacking",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.List: "a list (allowed only after `in`)",
        ast.Tuple: "a tuple (allowed only after `in`)",
        ast.Await: "await",
        ast.Yield: "yield",
        ast.YieldFrom: "yield",
    }
    return names.get(type(node), type(node).__name__)


def _power(a: Value, b: Value) -> Value:
    x, y = _number(a, "**"), _number(b, "**")
    whole = isinstance(x, int) and isinstance(y, int)
    if whole and y > 0 and abs(x) > 1 and y * math.log10(abs(x)) > MAX_INT_DIGITS:
        raise _Fail(f"{x} ** {y} is too large (limit 10**{MAX_INT_DIGITS})")
    if isinstance(x, float) or isinstance(y, float):
        if x < 0 and not float(y).is_integer():
            raise _Fail("a negative number to a fractional power is not a real number")
        if abs(x) > 1 and y * math.log10(abs(x)) > 308:
            raise _Fail("result is not a finite number (overflow)")
    return x**y


def _times(a: Value, b: Value) -> Value:
    if isinstance(a, str) or isinstance(b, str):
        text, count = (a, b) if isinstance(a, str) else (b, a)
        if isinstance(text, str) and isinstance(count, int) and not isinstance(count, bool):
            if len(text) * max(count, 0) > MAX_STRING:
                raise _Fail(f"string longer than {MAX_STRING} characters")
            return text * count
        raise _Fail("a string can only be repeated by an integer")
    return _number(a, "*") * _number(b, "*")


def _plus(a: Value, b: Value) -> Value:
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        raise _Fail("cannot add a string and a number (use fixed(), sig() or thousands() to format)")
    return _number(a, "+") + _number(b, "+")


def _arith(op: str) -> Callable[[Value, Value], Value]:
    def run(a: Value, b: Value) -> Value:
        x, y = _number(a, op), _number(b, op)
        if op == "-":
            return x - y
        if op == "/":
            return x / y
        if op == "//":
            return x // y
        return x % y

    return run


_OPERATIONS: dict[str, Callable[[Value, Value], Value]] = {
    "+": _plus,
    "-": _arith("-"),
    "*": _times,
    "/": _arith("/"),
    "//": _arith("//"),
    "%": _arith("%"),
    "**": _power,
}


class _Compiler:
    def __init__(self, text: str, lead: int, names: frozenset[str]) -> None:
        self.text = text
        self.lead = lead
        self.names = names
        self.used: set[str] = set()
        self._encoded = text.encode("utf-8")

    # ast offsets are in UTF-8 bytes of the line; report characters of the source
    def offset(self, node: ast.AST) -> int:
        col = getattr(node, "col_offset", 0)
        return self.lead + len(self._encoded[:col].decode("utf-8", errors="ignore"))

    def fail(self, message: str, node: ast.AST) -> ExprError:
        return ExprError(message, self.offset(node))

    def check_size(self, root: ast.AST) -> None:
        count = 0
        stack: list[tuple[ast.AST, int]] = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            if count > MAX_NODES:
                raise self.fail(f"expression too large (more than {MAX_NODES} parts)", root)
            if depth > MAX_DEPTH:
                raise self.fail(f"expression nested too deeply (more than {MAX_DEPTH} levels)", node)
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))

    def guarded(self, node: ast.AST, step: Callable[[Env], object]) -> Step:
        """A step whose failures become located :class:`ExprError`."""
        at = self.offset(node)

        def run(env: Env) -> Value:
            try:
                return _check(step(env))
            except ExprError:
                raise
            except _Fail as exc:
                raise ExprError(str(exc), at) from None
            except ZeroDivisionError:
                raise ExprError("division by zero", at) from None
            except OverflowError:
                raise ExprError("result is not a finite number (overflow)", at) from None
            except (ValueError, TypeError, ArithmeticError) as exc:
                raise ExprError(_clean(exc), at) from None

        return run

    def compile(self, node: ast.AST) -> Step:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(f"{_describe(node)} is not allowed in an expression", node)
        step: Step = method(node)
        return step

    def _Constant(self, node: ast.Constant) -> Step:
        value = node.value
        if isinstance(value, bool | int | float | str):
            try:
                checked = _check(value)
            except _Fail as exc:
                raise self.fail(str(exc), node) from None
            return lambda env: checked
        raise self.fail(f"{type(value).__name__} literals are not allowed", node)

    def _Name(self, node: ast.Name) -> Step:
        name = node.id
        if name in self.names:
            self.used.add(name)
            at = self.offset(node)

            def read(env: Env) -> Value:
                try:
                    return env[name]
                except KeyError:
                    raise ExprError(f"{name!r} has no value yet", at) from None

            return read
        if name in CONSTANTS:
            constant = CONSTANTS[name]
            return lambda env: constant
        if name in FUNCTIONS:
            raise self.fail(f"{name!r} is a function: call it, as in {name}(...)", node)
        known = ", ".join(sorted(self.names)) or "none"
        raise self.fail(f"unknown name {name!r} (variables: {known})", node)

    def _BinOp(self, node: ast.BinOp) -> Step:
        symbol = _BINOPS.get(type(node.op))
        if symbol is None:
            raise self.fail(f"operator {type(node.op).__name__} is not allowed", node)
        left, right = self.compile(node.left), self.compile(node.right)
        operation = _OPERATIONS[symbol]
        return self.guarded(node, lambda env: operation(left(env), right(env)))

    def _UnaryOp(self, node: ast.UnaryOp) -> Step:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda env: not operand(env)
        if isinstance(node.op, ast.USub):
            return self.guarded(node, lambda env: -_number(operand(env), "-"))
        if isinstance(node.op, ast.UAdd):
            return self.guarded(node, lambda env: +_number(operand(env), "+"))
        raise self.fail("bitwise operators are not allowed", node)

    def _BoolOp(self, node: ast.BoolOp) -> Step:
        parts = [self.compile(v) for v in node.values]
        if isinstance(node.op, ast.And):

            def both(env: Env) -> Value:
                value: Value = True
                for part in parts:
                    value = part(env)
                    if not value:
                        return value
                return value

            return both

        def either(env: Env) -> Value:
            value: Value = False
            for part in parts:
                value = part(env)
                if value:
                    return value
            return value

        return either

    def _IfExp(self, node: ast.IfExp) -> Step:
        test, body, orelse = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
        return lambda env: body(env) if test(env) else orelse(env)

    def _Compare(self, node: ast.Compare) -> Step:
        first = self.compile(node.left)
        steps: list[tuple[Callable[[object, object], bool], Callable[[Env], object]]] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                right = self._container(comparator)
                negate = isinstance(op, ast.NotIn)
                steps.append((_membership(negate), right))
            elif type(op) in _CMPOPS:
                steps.append((_comparison(_CMPOPS[type(op)]), self.compile(comparator)))
            else:
                raise self.fail("`is` comparisons are not allowed: use == or !=", node)

        def run(env: Env) -> bool:
            left: object = first(env)
            for compare, right in steps:
                value = right(env)
                if not compare(left, value):
                    return False
                left = value
            return True

        return self.guarded(node, run)

    def _container(self, node: ast.expr) -> Callable[[Env], object]:
        if isinstance(node, ast.Tuple | ast.List):
            items = [self.compile(e) for e in node.elts]
            return lambda env: tuple(item(env) for item in items)
        return self.compile(node)

    def _Call(self, node: ast.Call) -> Step:
        if not isinstance(node.func, ast.Name):
            what = _describe(node.func) if isinstance(node.func, ast.Attribute) else "a computed function"
            raise self.fail(
                f"{what} is not allowed: only the listed functions can be called by name", node.func
            )
        name = node.func.id
        func = FUNCTIONS.get(name)
        if func is None:
            raise self.fail(f"unknown function {name!r}; allowed: {_function_list()}", node.func)
        if node.keywords:
            raise self.fail("keyword arguments are not allowed", node.keywords[0])
        args = [self.compile(a) for a in node.args]
        return self.guarded(node, lambda env: func(*(a(env) for a in args)))


def _comparison(op: Callable[[Value, Value], bool]) -> Callable[[object, object], bool]:
    def run(a: object, b: object) -> bool:
        if not isinstance(a, bool | int | float | str) or not isinstance(b, bool | int | float | str):
            raise _Fail("only numbers and strings can be compared")
        if isinstance(a, str) != isinstance(b, str) and op not in (operator.eq, operator.ne):
            raise _Fail("cannot order a string against a number")
        return op(a, b)

    return run


def _membership(negate: bool) -> Callable[[object, object], bool]:
    def run(a: object, container: object) -> bool:
        if isinstance(container, str):
            if not isinstance(a, str):
                raise _Fail("`in` a string needs a string on the left")
            found = a in container
        elif isinstance(container, tuple):
            found = a in container
        else:
            raise _Fail("`in` needs a string or a literal list such as (1, 2, 3)")
        return found != negate

    return run


def _function_list() -> str:
    return ", ".join(sorted(FUNCTIONS))


def _clean(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.replace("math domain error", "outside the function's domain (math domain error)")
