"""Question templates: drawing variable values and expanding a template into concrete variants.

A template is a question mapping with ``variables`` (and optionally ``constraints``, ``variants``
and ``seed``). :func:`expand` works on the raw mapping (after ``defaults`` are merged) and returns
plain question mappings, one per variant, that validate like any question; every problem is a
:class:`Problem` located by a data path inside the template (and a character offset inside a
string), so that validation can report it at the template's line and column.

Drawing is deterministic: a SplitMix64 generator seeded with ``seed`` (default: a hash of the id)
picks each drawn variable's value; derived variables are computed in declaration order; a draw
whose values break a constraint, or repeat an earlier draw, is discarded. When the drawn variables
have at most :data:`MAX_DRAWS` combinations, every combination is tried once in a seeded random
order (so "too few variants" is exact); otherwise at most :data:`MAX_DRAWS` draws are made.

``{{ expression }}`` is evaluated in the text fields (stem, explanation, choice text and feedback,
accepted answers, matching prompts and matches, distractors, ordering items, follow-ups) and, as a
whole value, in ``answer``, ``tolerance`` and a choice's ``correct``, where the result keeps its
type (a number, a boolean). Write ``{{ '{{' }}`` for literal braces.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from qbank.core.diagnostics import Diagnostic
from qbank.core.expr import ExprError, Expression, Value, compile_expression, render
from qbank.core.model import TEMPLATE_FIELDS, Bank, Question, Variant, string_gap_names
from qbank.io.serialize import dump_questions, pool_to_data, question_to_data

__all__ = [
    "MAX_DRAWS",
    "Expanded",
    "Problem",
    "collapse_items",
    "collapse_variants",
    "expand",
    "expanded_files",
    "variant_id",
]

#: Most draws (or, for small value spaces, combinations tried) per template.
MAX_DRAWS = 10_000

DataPath = tuple[str | int, ...]
_MASK = (1 << 64) - 1

#: Fields whose strings are Markdown or text: ``{{ }}`` is rendered into them.
_TEXT_LISTS = ("accept", "distractors", "order", "followups")
_TEXT_ITEMS = {"choices": ("text", "feedback"), "pairs": ("prompt", "match")}
_VALUE_FIELDS = ("answer", "tolerance")


@dataclass(frozen=True, slots=True)
class Problem:
    """A template problem at ``path`` inside the question (``offset`` into a string value)."""

    path: DataPath
    message: str
    offset: int | None = None
    key: bool = False


@dataclass
class Expanded:
    """The variants of one template (``(variant, question mapping)`` pairs) or its problems."""

    variants: list[tuple[Variant, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def variant_id(template_id: str, number: int) -> str:
    """The id of a template's variant: ``<template id>.<number>`` (1-based)."""
    return f"{template_id}.{number}"


# ---------------------------------------------------------------------------------------------- drawing


class _SplitMix64:
    """A small, fully specified generator: the same seed gives the same draws on every platform
    and Python version."""

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (rejection sampling, no modulo bias)."""
        if n <= 1:
            return 0
        bits = (n - 1).bit_length()
        words = -(-bits // 64)
        while True:
            x = 0
            for _ in range(words):
                x = (x << 64) | self.next()
            x >>= words * 64 - bits
            if x < n:
                return x


def default_seed(template_id: str) -> int:
    """The seed of a template that sets none: 64 bits of a BLAKE2b hash of its id."""
    return int.from_bytes(hashlib.blake2b(template_id.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class _Drawn:
    """A drawn variable: ``count`` values, the k-th computed on demand."""

    name: str
    count: int
    values: Sequence[Value] | None = None
    start: Decimal = Decimal(0)
    step: Decimal = Decimal(1)
    integer: bool = True

    def at(self, k: int) -> Value:
        if self.values is not None:
            return self.values[k]
        value = self.start + self.step * k
        return int(value) if self.integer else float(value)


def _range(name: str, spec: Mapping[str, Any]) -> _Drawn:
    low, high, step = spec["min"], spec.get("max"), spec.get("step", 1)
    integer = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high, step))
    start, stop, stride = (Decimal(repr(v)) for v in (low, high, step))
    count = int((stop - start) // stride) + 1
    return _Drawn(name, count, None, start, stride, integer)


@dataclass
class _Compiled:
    drawn: list[_Drawn]
    derived: list[tuple[str, Expression]]
    order: list[str]
    constraints: list[tuple[int, Expression]]
    fields: list[tuple[DataPath, list[tuple[int, str | Expression]], bool]]
    """(path, pieces, whole value): pieces are (offset in the template string, literal text or
    expression); an expression's offset is that of its ``{{``."""


def _compile(raw: Mapping[str, Any], problems: list[Problem]) -> _Compiled | None:
    variables: Mapping[str, Any] = raw["variables"]
    drawn: list[_Drawn] = []
    derived: list[tuple[str, Expression]] = []
    known: list[str] = []
    for name, spec in variables.items():
        if "expr" in spec:
            try:
                derived.append((name, compile_expression(spec["expr"], known)))
            except ExprError as exc:
                problems.append(Problem(("variables", name, "expr"), exc.message, exc.offset))
        elif "choice" in spec:
            drawn.append(_Drawn(name, len(spec["choice"]), tuple(spec["choice"])))
        else:
            drawn.append(_range(name, spec))
        known.append(name)
    constraints: list[tuple[int, Expression]] = []
    for index, source in enumerate(raw.get("constraints") or []):
        try:
            constraints.append((index, compile_expression(source, known)))
        except ExprError as exc:
            problems.append(Problem(("constraints", index), exc.message, exc.offset))
    fields: list[tuple[DataPath, list[tuple[int, str | Expression]], bool]] = []
    for path, text, whole in _strings(raw, problems):
        pieces = _pieces(text, path, known, problems)
        if pieces is not None and any(not isinstance(p, str) for _, p in pieces):
            fields.append((path, pieces, whole))
    if problems:
        return None
    return _Compiled(drawn, derived, known, constraints, fields)


def _strings(raw: Mapping[str, Any], problems: list[Problem]) -> Iterator[tuple[DataPath, str, bool]]:
    """Every string a template may compute, with its path and whether it is a whole value."""
    for key, value in raw.items():
        if key in TEMPLATE_FIELDS:
            continue
        if key in ("stem", "explanation") and isinstance(value, str):
            yield (key,), value, False
        elif key in _VALUE_FIELDS and isinstance(value, str):
            yield (key,), value, True
        elif key in _TEXT_LISTS and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (key, i), item, False
        elif key == "gaps" and isinstance(value, dict):
            for name, gap in value.items():
                if isinstance(gap, dict):
                    yield from _gap_strings((key, str(name)), gap, problems)
                else:
                    _no_expressions(gap, (key, str(name)), problems)
        elif key in _TEXT_ITEMS and isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                for name, sub in item.items():
                    if name in _TEXT_ITEMS[key] and isinstance(sub, str):
                        yield (key, i, name), sub, False
                    elif key == "choices" and name == "correct" and isinstance(sub, str):
                        yield (key, i, name), sub, True
                    else:
                        _no_expressions(sub, (key, i, name), problems)
        else:
            _no_expressions(value, (key,), problems)


def _gap_strings(
    base: DataPath, gap: Mapping[str, Any], problems: list[Problem]
) -> Iterator[tuple[DataPath, str, bool]]:
    """The strings of a cloze gap a template may compute: accepted answers, feedback and option texts
    (text), a number gap's answer and tolerance and an option's ``correct`` (whole values)."""
    for name, value in gap.items():
        path = (*base, name)
        if name == "accept" and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*path, i), item, False
        elif name == "feedback" and isinstance(value, str):
            yield path, value, False
        elif name in _VALUE_FIELDS and isinstance(value, str):
            yield path, value, True
        elif name == "options" and isinstance(value, list):
            for i, option in enumerate(value):
                if not isinstance(option, dict):
                    continue
                for field, sub in option.items():
                    if field in ("text", "feedback") and isinstance(sub, str):
                        yield (*path, i, field), sub, False
                    elif field == "correct" and isinstance(sub, str):
                        yield (*path, i, field), sub, True
                    else:
                        _no_expressions(sub, (*path, i, field), problems)
        else:
            _no_expressions(value, path, problems)


def _no_expressions(value: Any, path: DataPath, problems: list[Problem]) -> None:
    if isinstance(value, str):
        at = value.find("{{")
        if at >= 0:
            problems.append(
                Problem(
                    path,
                    f"`{{{{ }}}}` is not evaluated in `{path[-1] if isinstance(path[-1], str) else path[0]}`: "
                    "only text fields, answers, tolerances and `correct` can be computed",
                    at,
                )
            )
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_expressions(item, (*path, i), problems)
    elif isinstance(value, dict):
        for name, item in value.items():
            _no_expressions(item, (*path, str(name)), problems)


def _closing(text: str, start: int) -> int:
    """Index of the ``}}`` that closes an expression starting at ``start`` (quotes respected), or -1."""
    quote: str | None = None
    i = start
    while i < len(text):
        ch = text[i]
        if quote is not None:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif text.startswith("}}", i):
            return i
        i += 1
    return -1


def _pieces(
    text: str, path: DataPath, names: Sequence[str], problems: list[Problem]
) -> list[tuple[int, str | Expression]] | None:
    pieces: list[tuple[int, str | Expression]] = []
    at = 0
    ok = True
    while True:
        start = text.find("{{", at)
        if start < 0:
            pieces.append((at, text[at:]))
            break
        end = _closing(text, start + 2)
        if end < 0:
            problems.append(Problem(path, "`{{` is not closed by `}}`", start))
            return None
        pieces.append((at, text[at:start]))
        source = text[start + 2 : end]
        try:
            pieces.append((start, compile_expression(source, names)))
        except ExprError as exc:
            problems.append(Problem(path, exc.message, start + 2 + exc.offset))
            ok = False
        at = end + 2
    return pieces if ok else None


class _Failed(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _evaluate(expr: Expression, env: Mapping[str, Value], path: DataPath, base: int) -> Value:
    try:
        return expr.evaluate(env)
    except ExprError as exc:
        raise _Failed(Problem(path, f"{exc.message} (with {_values(env)})", base + exc.offset)) from None


def _values(env: Mapping[str, Value]) -> str:
    return Variant("", 0, tuple(env.items())).describe().split(": ", 1)[1]


def _assignments(compiled: _Compiled, seed: int) -> Iterator[tuple[int, ...]]:
    counts = [d.count for d in compiled.drawn]
    space = 1
    for c in counts:
        space *= c
    rng = _SplitMix64(seed)
    if space <= MAX_DRAWS:
        # a Fisher-Yates shuffle done lazily: only the combinations actually tried are drawn
        swapped: dict[int, int] = {}
        for i in range(space):
            j = i + rng.below(space - i)
            index = swapped.get(j, j)
            swapped[j] = swapped.get(i, i)
            picks = []
            for c in reversed(counts):
                index, k = divmod(index, c)
                picks.append(k)
            yield tuple(reversed(picks))
        return
    for _ in range(MAX_DRAWS):
        yield tuple(rng.below(c) for c in counts)


def _environment(compiled: _Compiled, picks: tuple[int, ...]) -> dict[str, Value]:
    env: dict[str, Value] = {d.name: d.at(k) for d, k in zip(compiled.drawn, picks, strict=True)}
    for name, expr in compiled.derived:
        env[name] = _evaluate(expr, env, ("variables", name, "expr"), 0)
    return {name: env[name] for name in compiled.order}


Spans = tuple[tuple[DataPath, tuple[tuple[int, int, bool], ...]], ...]


def _render(
    compiled: _Compiled, raw: Mapping[str, Any], env: Mapping[str, Value]
) -> tuple[dict[str, Any], Spans]:
    data = {k: copy.deepcopy(v) for k, v in raw.items() if k not in TEMPLATE_FIELDS}
    if "gaps" in data:
        data["gaps"] = string_gap_names(data["gaps"])  # the paths name numbered gaps as strings
    spans: list[tuple[DataPath, tuple[tuple[int, int, bool], ...]]] = []
    for path, pieces, whole in compiled.fields:
        if whole and _alone(pieces):
            at, expr = pieces[1]
            assert not isinstance(expr, str)
            value: Any = _evaluate(expr, env, path, at + 2)
        else:
            parts: list[str] = []
            segments: list[tuple[int, int, bool]] = []
            length = 0
            for at, piece in pieces:
                literal = isinstance(piece, str)
                text = piece if isinstance(piece, str) else render(_evaluate(piece, env, path, at + 2))
                segments.append((length, at, literal))
                parts.append(text)
                length += len(text)
            value = "".join(parts)
            spans.append((path, tuple(segments)))
        _put(data, path, value)
    return data, tuple(spans)


def _alone(pieces: list[tuple[int, str | Expression]]) -> bool:
    """Whether a whole-value field is one expression with nothing but spaces around it."""
    return (
        len(pieces) == 3
        and not isinstance(pieces[1][1], str)
        and not str(pieces[0][1]).strip()
        and not str(pieces[2][1]).strip()
    )


def _put(data: Any, path: DataPath, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def expand(raw: Mapping[str, Any], *, variants: int, seed: int | None) -> Expanded:
    """Expand a template's raw mapping into ``variants`` question mappings (or its problems).

    ``raw`` must already be valid against its template model (so ``variables`` is well formed).
    Each variant gets the id ``<id>.<n>`` and the template's pool (its ``pool``, else its id).
    """
    out = Expanded()
    compiled = _compile(raw, out.problems)
    if compiled is None:
        return out
    template_id = str(raw["id"])
    seed = default_seed(template_id) if seed is None else seed
    kept: list[dict[str, Value]] = []
    seen: set[tuple[int, ...]] = set()
    tried = 0
    try:
        for picks in _assignments(compiled, seed):
            tried += 1
            if picks in seen:
                continue
            seen.add(picks)
            env = _environment(compiled, picks)
            if all(_evaluate(e, env, ("constraints", i), 0) for i, e in compiled.constraints):
                kept.append(env)
                if len(kept) == variants:
                    break
        if len(kept) < variants:
            problem = _too_few(compiled, len(kept), variants, tried, len(seen))
            if "variants" not in raw:
                problem = replace(problem, path=("variables",))
            out.problems.append(problem)
            return out
        pool = raw.get("pool") or template_id
        rendered: dict[str, int] = {}
        for number, env in enumerate(kept, start=1):
            data, spans = _render(compiled, raw, env)
            data["id"] = variant_id(template_id, number)
            data["pool"] = pool
            variant = Variant(template_id, number, tuple(env.items()), spans)
            key = repr(sorted((k, v) for k, v in data.items() if k != "id"))
            if key in rendered:
                first = out.variants[rendered[key] - 1][0]
                out.problems.append(
                    Problem(
                        ("variables",),
                        f"variants {rendered[key]} and {number} are identical ({_values(dict(first.values))} "
                        f"/ {_values(env)}): use every drawn variable in the question, or add a constraint",
                        key=True,
                    )
                )
                return Expanded(problems=out.problems)
            rendered[key] = number
            out.variants.append((variant, data))
    except _Failed as failed:
        out.problems.append(failed.problem)
        out.variants = []
    return out


def _too_few(compiled: _Compiled, found: int, wanted: int, tried: int, distinct: int) -> Problem:
    space = 1
    for d in compiled.drawn:
        space *= d.count
    if space <= MAX_DRAWS:
        reason = (
            f"only {found} of the {space} combinations of the drawn variables meet the constraints"
            if compiled.constraints
            else f"the drawn variables have only {space} combinations"
        )
    else:
        reason = f"{tried} draws ({distinct} distinct) found only {found} that meet the constraints"
    return Problem(("variants",), f"{wanted} variants asked for, but {reason}", key=True)


# ---------------------------------------------------------------------------------------------- reporting


def collapse_variants(items: Iterable[tuple[Variant | None, Diagnostic]]) -> list[Diagnostic]:
    """One diagnostic per finding of a template, however many of its variants share it.

    Findings of variants at the same place with the same code become one diagnostic: the first
    variant's message, its values, and how many other variants have it too. Findings of ordinary
    questions pass through.
    """
    return collapse_items(items, lambda d: d, lambda d, message: replace(d, message=message))


T = TypeVar("T")


def collapse_items(
    items: Iterable[tuple[Variant | None, T]],
    diagnostic: Callable[[T], Diagnostic],
    rebuild: Callable[[T, str], T],
) -> list[T]:
    """:func:`collapse_variants` for any item that carries a diagnostic (``rebuild(item, message)``
    returns the item with the collapsed message)."""
    groups: dict[tuple[str, str, int, int, str], list[tuple[Variant, T]]] = {}
    out: list[T] = []
    for variant, item in items:
        if variant is None:
            out.append(item)
            continue
        diag = diagnostic(item)
        key = (diag.code, diag.path, diag.line, diag.col, variant.template)
        groups.setdefault(key, []).append((variant, item))
    for members in groups.values():
        variant, item = min(members, key=lambda m: m[0].number)
        others = len({m[0].number for m in members}) - 1
        also = f"; also in {others} other variant{'s' if others != 1 else ''}" if others else ""
        out.append(rebuild(item, f"{diagnostic(item).message} [{variant.describe()}{also}]"))
    return out


# ---------------------------------------------------------------------------------------------- writing


def expanded_files(bank: Bank) -> list[tuple[Any, str]]:
    """Every question file of ``bank`` with its templates replaced by their variants, as
    ``(source file, text)``: YAML for YAML sources, JSON for JSON ones.

    Inherited ``defaults`` are written into each question, and every pool the file's questions
    use without a declaration elsewhere (a template's own pool) is declared, so the files load
    as an equivalent bank without templates.
    """
    declared: set[str] = set()
    for sf in bank.files:
        data = sf.data if sf.kind == "questions" else None
        if isinstance(data, dict) and isinstance(data.get("pools"), dict):
            declared.update(str(name) for name in data["pools"])
    by_file: dict[int, list[Question]] = {}
    for question in bank.questions:
        if question.origin is not None:
            by_file.setdefault(id(question.origin.source), []).append(question)
    out: list[tuple[Any, str]] = []
    for sf in bank.files:
        if sf.kind != "questions":
            continue
        questions = by_file.get(id(sf), [])
        data = sf.data
        own = [str(n) for n in data.get("pools") or {}] if isinstance(data, dict) else []
        names = own + [
            q.pool for q in questions if q.pool is not None and q.pool not in declared and q.pool not in own
        ]
        pools = {name: bank.pools[name] for name in dict.fromkeys(names) if name in bank.pools}
        header = f"Expanded from {sf.display} by qbank expand: edit the templates there, not this file."
        if sf.is_json:
            document: dict[str, Any] = {}
            if pools:
                document["pools"] = {n: pool_to_data(p) for n, p in pools.items()}
            document["questions"] = [question_to_data(q) for q in questions]
            out.append((sf, json.dumps(document, indent=2, ensure_ascii=False) + "\n"))
        else:
            out.append((sf, dump_questions(questions, pools=pools, header=header)))
    return out
