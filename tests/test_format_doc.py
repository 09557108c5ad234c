"""docs/format.md, the format's specification, stays in step with the models.

Each table in the document follows a ``<!-- fields: NAME -->`` marker, where NAME is a model class
(``Choice``), a question type (``single_choice``), ``question`` (the fields every question has),
``template`` (the fields a template adds to its question type) or ``file`` (the top level of a
question file). The tables must name exactly the model's fields, with
the model's defaults; every model reachable from a question file, a blueprint file or the
configuration must have a table; and every example in the document must load without a problem.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from ruamel.yaml import YAML

import qbank
from qbank.core.config import ConfigModel, load_config
from qbank.core.model import QUESTION_TYPES, TEMPLATE_FIELDS, TEMPLATE_TYPES, BlueprintFile, QuestionFile

DOC = REPO / "docs" / "format.md"
MARKER = re.compile(r"^<!-- fields: (\S+) -->$")
ROW = re.compile(r"^\| `([^`]+)` \| ([^|]*) \| ([^|]*) \|")

#: the fields every question type shares (documented once, under ``question``)
COMMON = set(QUESTION_TYPES["essay"].model_fields)

HOW_TO = (
    "Describe it in docs/format.md: a row `| `name` | type | default | rules |` in the table after "
    "`<!-- fields: {section} -->` (a new model or question type gets a section of its own with that "
    "marker; the default column reads `required`, `none`, `[]`, `{{}}`, `defaults below` or the "
    "value in backticks, e.g. `1`, `true`, `approved`)."
)


def documented() -> dict[str, dict[str, str]]:
    """Marker name -> {field name -> the default column} for every marked table."""
    sections: dict[str, dict[str, str]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        marker = MARKER.match(line)
        if marker:
            current = marker.group(1)
            assert current not in sections, f"docs/format.md marks {current!r} twice"
            sections[current] = {}
            continue
        if current is None:
            continue
        row = ROW.match(line)
        if row:
            sections[current][row.group(1)] = row.group(3).strip()
        elif line.startswith("|") or not line.strip():
            continue  # the header rows, the blank line after the marker
        else:
            current = None
    return sections


def doc_name(name: str, info: FieldInfo) -> str:
    """The name a field has in files (its alias: ``$schema``, ``per-path-ignores``)."""
    return info.alias or name


def expected_default(info: FieldInfo) -> str:
    """How the default column must read for a field."""
    if info.default_factory is not None:
        made = info.default_factory()  # type: ignore[call-arg]
        if isinstance(made, BaseModel):
            return "defaults below"
        return "`[]`" if made == [] else "`{}`" if made == {} else f"`{made}`"
    value = info.default
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def models_in(annotation: Any) -> set[type[BaseModel]]:
    """Every pydantic model named anywhere in a type annotation."""
    found: set[type[BaseModel]] = set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.add(annotation)
    for arg in typing.get_args(annotation):
        found |= models_in(arg)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            found |= models_in(arg)
    return found


def reachable() -> set[type[BaseModel]]:
    """Every model a question file, a blueprint file or the configuration can contain."""
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [QuestionFile, BlueprintFile, ConfigModel]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            todo.extend(models_in(info.annotation) - seen)
    return seen


def section_of(model: type[BaseModel]) -> str:
    kind = getattr(model, "kind", None)
    if model is QuestionFile:
        return "file"
    if model in TEMPLATE_TYPES.values():
        return "template"
    return kind if isinstance(kind, str) and model in QUESTION_TYPES.values() else model.__name__


def fields_of(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields a model's table documents (a question type's or a template's own fields only)."""
    own = {doc_name(n, i): i for n, i in model.model_fields.items()}
    if model in QUESTION_TYPES.values():
        return {n: i for n, i in own.items() if n not in COMMON}
    if model in TEMPLATE_TYPES.values():
        return {n: i for n, i in own.items() if n in TEMPLATE_FIELDS}
    return own


def test_a_template_has_its_types_fields_and_the_template_fields() -> None:
    for kind, template in TEMPLATE_TYPES.items():
        assert set(template.model_fields) == set(QUESTION_TYPES[kind].model_fields) | set(TEMPLATE_FIELDS), (
            kind
        )


def test_every_model_has_a_section() -> None:
    sections = documented()
    missing = sorted(section_of(m) for m in reachable() if section_of(m) not in sections)
    assert not missing, (
        "docs/format.md has no section for " + ", ".join(missing) + ". " + HOW_TO.format(section=missing[0])
    )


def test_every_documented_section_is_a_model() -> None:
    known = {section_of(m) for m in reachable()} | {"question"}
    stale = sorted(set(documented()) - known)
    assert not stale, f"docs/format.md documents {stale}, which no model defines: remove or rename them"


@pytest.mark.parametrize(
    "model",
    sorted(reachable(), key=section_of),
    ids=lambda m: section_of(m),
)
def test_fields_and_defaults_match_the_model(model: type[BaseModel]) -> None:
    section = section_of(model)
    rows = documented().get(section, {})
    fields = fields_of(model)
    missing = sorted(set(fields) - set(rows))
    assert not missing, f"docs/format.md does not describe {section}.{', '.join(missing)}. " + HOW_TO.format(
        section=section
    )
    unknown = sorted(set(rows) - set(fields))
    assert not unknown, f"docs/format.md names {section} fields the model does not have: {unknown}"
    for name, info in fields.items():
        assert rows[name] == expected_default(info), (
            f"docs/format.md gives {section}.{name} the default {rows[name]!r}; "
            f"the model's is {expected_default(info)!r}"
        )


def test_fields_every_question_has() -> None:
    rows = documented()["question"]
    missing = sorted(COMMON - set(rows))
    assert not missing, f"docs/format.md does not describe question.{', '.join(missing)}. " + HOW_TO.format(
        section="question"
    )
    unknown = sorted(set(rows) - COMMON)
    assert not unknown, f"docs/format.md names question fields the models do not have: {unknown}"
    for model in QUESTION_TYPES.values():
        assert set(model.model_fields) >= COMMON, model
    # `type` defaults to single_choice (the only type whose tag may be left out)
    assert rows["type"] == f"`{QUESTION_TYPES['single_choice'].model_fields['type'].default}`"
    common = QUESTION_TYPES["essay"].model_fields
    for name, info in common.items():
        if name != "type":
            assert rows[name] == expected_default(info), name


def test_the_question_types_are_listed_in_order() -> None:
    text = DOC.read_text(encoding="utf-8")
    headings = re.findall(r"^#### `([a-z_]+)`$", text, flags=re.MULTILINE)
    assert headings == list(QUESTION_TYPES), "docs/format.md: one `#### `type`` heading per question type"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), flags=re.M | re.S)


@pytest.mark.parametrize("index", range(len(_blocks("yaml"))))
def test_yaml_examples_load_clean(index: int, tmp_path: Path) -> None:
    text = _blocks("yaml")[index]
    data = YAML(typ="safe").load(text)
    assert isinstance(data, dict), text
    assert {"questions", "blueprint"} & set(data), text
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    result = qbank.load(path)
    assert result.diagnostics == [], result.diagnostics
    if "blueprint" in data:
        assert result.bank.blueprint is not None
    else:  # a template expands into its variants
        expected = sum(q.get("variants", 10) if "variables" in q else 1 for q in data["questions"])
        assert len(result.bank) == expected


def test_toml_example_is_a_valid_configuration(tmp_path: Path) -> None:
    (block,) = _blocks("toml")
    tomllib.loads(block)
    path = tmp_path / "pyproject.toml"
    path.write_text(block, encoding="utf-8")
    config = load_config(path)
    assert config.model.dupes.threshold == 90
    assert config.model.per_path_ignores == {"questions/legacy/**": ["QB2", "QB401"]}
