"""Validation of parsed documents against the models.

The pydantic models in :mod:`qbank.core.model` are the single source of truth: the JSON Schemas in
``schemas/`` are generated from them (``qbank schemas --write schemas/``, drift-tested), and a
document is validated by the models, which enforce everything the schema says plus the
invariants a schema cannot express. Each error becomes a :class:`~qbank.core.diagnostics.Diagnostic`
at the line and column of the offending key or value.
"""

from __future__ import annotations

import difflib
import json
import reprlib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from qbank.core.diagnostics import Diagnostic
from qbank.core.model import (
    DEFAULTABLE_FIELDS,
    QUESTION_TYPES,
    TEMPLATE_TYPES,
    Blueprint,
    BlueprintFile,
    Cloze,
    Defaults,
    DropdownGap,
    Form,
    NumberGap,
    Origin,
    Pool,
    PoolsOnly,
    Question,
    TextGap,
    Variant,
    is_template,
    question_adapter,
)
from qbank.io.source import DataPath, SourceFile
from qbank.io.templates import collapse_variants, expand

__all__ = [
    "build_validators",
    "validate_blueprint_file",
    "validate_form",
    "validate_pools",
    "validate_question_file",
]

_TOP_LEVEL = ("$schema", "form", "defaults", "pools", "questions")
_GAP_FIELDS = {
    kind: tuple(model.model_fields)
    for kind, model in (("text", TextGap), ("number", NumberGap), ("dropdown", DropdownGap))
}
_ALL_FIELDS = sorted(
    {name for model in TEMPLATE_TYPES.values() for name in model.model_fields}
    | {
        "text",
        "correct",
        "feedback",
        "prompt",
        "match",
        "ignore",
        "reason",
        "min",
        "max",
        "step",
        "choice",
        "expr",
    }
    | {name for fields in _GAP_FIELDS.values() for name in fields}
)
_VARIABLE_TAGS = ("range", "choice", "expr")


def build_validators() -> None:
    """Build now the validators every question file needs (the models build theirs on first use):
    worker processes forked afterwards share them instead of each building its own."""
    question_adapter()
    Defaults.model_rebuild()


def validate_form(sf: SourceFile) -> tuple[Form | None, list[Diagnostic]]:
    """Validate the ``form:`` header of a question file, if it has one."""
    raw = sf.data.get("form")
    if raw is None:
        return None, []
    try:
        return Form.model_validate(raw), []
    except ValidationError as exc:
        return None, _errors(sf, exc, ("form",), None, set(), model="form")


def validate_question_file(sf: SourceFile) -> tuple[list[Question], list[Diagnostic]]:
    """Validate a parsed question file; return its valid questions and every problem found.

    The ``form:`` header, if any, is validated separately by :func:`validate_form`.
    """
    data: Mapping[str, Any] = sf.data
    problems: list[Diagnostic] = []
    for name in data:
        if name not in _TOP_LEVEL:
            problems.append(
                sf.diag(
                    "QB010",
                    f"unknown top-level key {name!r}{_suggest(str(name), _TOP_LEVEL)}",
                    (name,),
                    key=True,
                )
            )
    if "$schema" in data and not isinstance(data["$schema"], str):
        problems.append(sf.diag("QB012", "`$schema` must be a string", ("$schema",)))

    defaults: dict[str, Any] = {}
    raw_defaults = data.get("defaults")
    if raw_defaults is not None:
        if not isinstance(raw_defaults, dict):
            problems.append(sf.diag("QB012", "`defaults` must be a mapping", ("defaults",)))
        else:
            try:
                Defaults.model_validate(raw_defaults)
                defaults = raw_defaults
            except ValidationError as exc:
                problems.extend(_errors(sf, exc, ("defaults",), None, set(), model="defaults"))
                broken = {err["loc"][0] for err in exc.errors() if err["loc"]}
                defaults = {
                    k: v for k, v in raw_defaults.items() if k in DEFAULTABLE_FIELDS and k not in broken
                }

    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        found = "nothing" if raw_questions is None else f"a {type(raw_questions).__name__}"
        problems.append(
            sf.diag("QB012", f"`questions` must be a list of questions, found {found}", ("questions",))
        )
        return [], problems

    adapter = question_adapter()
    questions: list[Question] = []
    for index, raw in enumerate(raw_questions):
        base: DataPath = ("questions", index)
        if not isinstance(raw, dict):
            problems.append(sf.diag("QB012", f"question {index + 1} must be a mapping of fields", base))
            continue
        qid = raw.get("id") if isinstance(raw.get("id"), str) else None
        # a cloze question is worth the sum of its gaps' points: a file's default points do not apply
        inherited = {
            k for k in defaults if k not in raw and not (k == "points" and raw.get("type") == Cloze.kind)
        }
        merged = {**{k: defaults[k] for k in inherited}, **raw} if inherited else raw
        if is_template(raw):
            variants, template_problems = _validate_template(sf, index, merged, qid, inherited)
            questions.extend(variants)
            problems.extend(template_problems)
            continue
        try:
            question = adapter.validate_python(merged)
        except ValidationError as exc:
            problems.extend(_errors(sf, exc, base, qid, inherited, model=_type_name(raw)))
            continue
        question._origin = Origin(sf, index)
        questions.append(question)
    return questions, problems


def _validate_template(
    sf: SourceFile, index: int, raw: dict[str, Any], qid: str | None, inherited: set[str]
) -> tuple[list[Question], list[Diagnostic]]:
    """Validate a template's own fields, expand it, and validate every variant.

    Every problem is placed in the template (a variant's problem at the field it comes from, with
    the variant's values in the message). A template with any problem yields no question.
    """
    base: DataPath = ("questions", index)
    kind = _type_name(raw)
    model = TEMPLATE_TYPES.get(kind)
    if model is None:
        found = raw.get("type")
        message = f"unknown question type {found!r}; expected one of: {', '.join(QUESTION_TYPES)}"
        return [], [sf.diag("QB012", message, (*base, "type"), question_id=qid)]
    try:
        template = model.model_validate(raw)
    except ValidationError as exc:
        return [], _errors(sf, exc, base, qid, inherited, model=kind)
    expanded = expand(raw, variants=template.variants, seed=template.seed)
    if expanded.problems:
        return [], [
            sf.diag("QB015", p.message, (*base, *p.path), key=p.key, offset=p.offset, question_id=qid)
            for p in expanded.problems
        ]
    adapter = question_adapter()
    questions: list[Question] = []
    failures: list[tuple[Variant | None, Diagnostic]] = []
    for variant, data in expanded.variants:
        try:
            question = adapter.validate_python(data)
        except ValidationError as exc:
            for diag in _errors(sf, exc, base, data["id"], inherited, model=kind):
                failures.append((variant, diag))
            continue
        question._origin = Origin(sf, index, variant)
        questions.append(question)
    if failures:
        return [], collapse_variants(failures)
    return questions, []


def validate_pools(sf: SourceFile) -> tuple[dict[str, Pool], list[Diagnostic]]:
    """The pools a question file declares (``pools:``), and the problems of the declarations."""
    raw = sf.data.get("pools") if isinstance(sf.data, dict) else None
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [sf.diag("QB012", "`pools` must be a mapping of pool names to {pick, points}", ("pools",))]
    try:
        parsed = PoolsOnly.model_validate({"pools": raw})
    except ValidationError as exc:
        return {}, _errors(sf, exc, (), None, set(), model="pools")
    return dict(parsed.pools), []


def validate_blueprint_file(sf: SourceFile) -> tuple[Blueprint | None, list[Diagnostic]]:
    """Validate a parsed blueprint file."""
    try:
        return BlueprintFile.model_validate(sf.data).blueprint, []
    except ValidationError as exc:
        return None, _errors(sf, exc, (), None, set(), model="blueprint")


def _type_name(raw: Mapping[str, Any]) -> str:
    kind = raw.get("type", "single_choice")
    return kind if isinstance(kind, str) else "?"


def _suggest(name: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _errors(
    sf: SourceFile,
    exc: ValidationError,
    base: DataPath,
    qid: str | None,
    inherited: set[str],
    *,
    model: str,
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        if base and base[0] == "questions" and loc and loc[0] in QUESTION_TYPES:
            loc = loc[1:]  # the discriminator tag pydantic inserts
        if len(loc) >= 3 and loc[0] == "variables" and loc[2] in _VARIABLE_TAGS:
            loc = [*loc[:2], *loc[3:]]  # the tag of the variable kind
        if len(loc) >= 3 and loc[0] == "gaps" and loc[2] in _GAP_FIELDS:
            gap_kind: str | None = str(loc[2])
            loc = [*loc[:2], *loc[3:]]  # the gap's discriminator tag
        else:
            gap_kind = None
        where: DataPath = (*base, *loc)
        if loc and loc[0] in inherited:
            where = ("defaults", *loc)
        kind = err["type"]
        ctx = err.get("ctx") or {}
        field = str(loc[-1]) if loc and isinstance(loc[-1], str) else None
        if kind.startswith("QB"):
            at = ctx.get("at")
            if isinstance(at, int):
                where = (*where, at) + (("text",) if loc and loc[-1] in ("choices", "options") else ())
            elif isinstance(at, tuple):
                where = (*where, *at)
            offset = ctx.get("offset")
            out.append(
                sf.diag(
                    kind,
                    err["msg"],
                    where,
                    key=offset is None and _is_container(sf, where),
                    question_id=qid,
                    offset=offset,
                )
            )
            for message, more_at, more_offset in ctx.get("more", ()):
                spot = (*base, *loc, *more_at)
                out.append(
                    sf.diag(
                        kind,
                        message,
                        spot,
                        key=more_offset is None and _is_container(sf, spot),
                        question_id=qid,
                        offset=more_offset,
                    )
                )
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            if gap_kind is not None and len(loc) == 3:
                owners = [k for k, fields in _GAP_FIELDS.items() if name in fields]
                hint = (
                    f": `{name}` belongs to {' and '.join(owners)} gaps"
                    if owners
                    else _suggest(name, _GAP_FIELDS[gap_kind])
                )
                msg = f"unknown field {name!r} for a {gap_kind} gap{hint}"
            elif model in QUESTION_TYPES and len(loc) == 1:
                owners = [t for t, m in QUESTION_TYPES.items() if name in m.model_fields]
                if owners:
                    hint = f": `{name}` belongs to {', '.join(owners)} questions"
                else:
                    hint = _suggest(name, list(QUESTION_TYPES[model].model_fields))
                msg = f"unknown field {name!r} for a {model} question{hint}"
            else:
                msg = f"unknown field {name!r}{_suggest(name, _ALL_FIELDS)}"
            out.append(sf.diag("QB010", msg, where, key=True, question_id=qid))
        elif kind == "missing":
            parent = where[:-1]
            out.append(sf.diag("QB011", f"missing required field {field!r}", parent, question_id=qid))
        elif kind == "invalid_gap":
            if isinstance(err["input"], dict):
                out.append(
                    sf.diag("QB011", f"gap {loc[-1]!r}: {err['msg']}", where, key=True, question_id=qid)
                )
            else:
                message = f"gap {loc[-1]!r} must be a mapping: {err['msg']} (got {_short(err['input'])})"
                out.append(sf.diag("QB012", message, where, question_id=qid))
        elif kind == "invalid_question_type":
            found = err["input"].get("type") if isinstance(err["input"], dict) else None
            out.append(
                sf.diag(
                    "QB012",
                    f"unknown question type {found!r}; expected one of: {', '.join(QUESTION_TYPES)}",
                    (*where, "type"),
                    question_id=qid,
                )
            )
        else:
            label = f"`{field}`" if field else "value"
            shown = _short(err.get("input"))
            message = f"{label}: {_lower_first(err['msg'])} (got {shown})"
            out.append(sf.diag("QB012", message, where, key=_is_container(sf, where), question_id=qid))
    return out


def _is_container(sf: SourceFile, where: DataPath) -> bool:
    """Errors about a whole list or mapping point at its key rather than at its first item."""
    value: Any = sf.data
    for part in where:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(value, list | dict) and bool(where) and isinstance(where[-1], str)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short(value: Any) -> str:
    """The offending value, shown in at most 60 characters (JSON-like for small plain data)."""
    if isinstance(value, str):
        text = repr(value)
    elif _small(value):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):  # keys json cannot write
            text = repr(value)
    else:  # large, shared through aliases or circular: a bounded sketch
        text = _SKETCH.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_SKETCH = reprlib.Repr()
_SKETCH.maxlevel = 3
_SKETCH.maxlist = _SKETCH.maxtuple = _SKETCH.maxdict = 4
_SKETCH.maxstring = _SKETCH.maxother = 40


def _small(value: Any, budget: int = 64) -> bool:
    """Whether ``value`` is plain data of at most ``budget`` parts that nothing inside repeats."""
    stack, seen, parts = [value], set(), 0
    while stack:
        item = stack.pop()
        parts += 1
        if parts > budget:
            return False
        if isinstance(item, dict | list | tuple):
            if id(item) in seen:
                return False
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return True


# ------------------------------------------------------------------------------------------ JSON Schemas
