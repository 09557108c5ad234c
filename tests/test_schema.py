"""The published JSON Schemas: in sync with the models, and agreeing with them on documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import EXAMPLE_BANK, REPO
from ruamel.yaml import YAML

from qbank.schemas import SCHEMA_FILES, generate_schemas, render_schema, write_schemas

SCHEMAS = REPO / "schemas"


def test_schemas_match_the_models() -> None:
    stale = write_schemas(SCHEMAS, check=True)
    assert stale == [], "schemas/ is out of date: run `qbank schemas schemas`"


@pytest.mark.parametrize("name", list(SCHEMA_FILES))
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((SCHEMAS / SCHEMA_FILES[name]).read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert render_schema(generate_schemas()[name]) == (SCHEMAS / SCHEMA_FILES[name]).read_text()


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / SCHEMA_FILES[name]).read_text()))


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def test_example_bank_validates_against_the_published_schemas() -> None:
    questions = _validator("question")
    blueprints = _validator("blueprint")
    files = sorted(EXAMPLE_BANK.rglob("*.yaml"))
    assert files
    for path in files:
        data = _yaml(path)
        validator = blueprints if "blueprint" in data else questions
        errors = list(validator.iter_errors(data))
        assert errors == [], f"{path}: {errors[0].message}"


def _cloze(gaps: dict[str, Any]) -> dict[str, Any]:
    stem = " ".join(f"[[{name}]]" for name in gaps) or "no gaps"
    return {"id": "a", "type": "cloze", "stem": stem, "gaps": gaps}


DOCS = [
    (
        {"questions": [{"id": "a", "stem": "s", "choices": [{"text": "x", "correct": True}, {"text": "y"}]}]},
        True,
    ),
    ({"questions": [{"id": "a", "stem": "s", "choises": []}]}, False),
    ({"questions": [{"id": "A", "stem": "s", "type": "essay"}]}, False),
    ({"questions": [{"id": "a", "stem": "s", "type": "essay", "points": 0}]}, False),
    ({"questions": [{"id": "a", "stem": "s", "type": "numerical", "answer": 1, "tolerance": -1}]}, False),
    ({"questions": [{"id": "a", "stem": "s", "type": "true_false", "answer": True}]}, True),
    ({"questions": [{"id": "a", "stem": "s", "type": "true_false", "answer": "yes"}]}, False),
    (
        {
            "questions": [
                {"id": "a", "stem": "s", "type": "matching", "pairs": [{"prompt": "p", "match": "m"}]}
            ]
        },
        False,
    ),
    ({"defaults": {"type": "essay"}, "questions": []}, False),
    ({"defaults": {"domain": "1", "tags": ["x"]}, "questions": []}, True),
    ({"form": {"title": "T", "count": 5, "time_limit": 10}, "questions": []}, True),
    (
        {
            "questions": [
                {"id": "a", "stem": "s", "type": "essay", "lint": {"ignore": ["QB501"], "reason": "r"}}
            ]
        },
        True,
    ),
    ({"questions": [{"id": "a", "stem": "s", "type": "essay", "lint": {"ignore": ["X1"]}}]}, False),
    # templates: variables, constraints, computed answers and keys
    (
        {
            "questions": [
                {
                    "id": "t",
                    "type": "numerical",
                    "variables": {"x": {"min": 1, "max": 20}, "y": {"expr": "x * 2"}},
                    "constraints": ["x != 3"],
                    "variants": 5,
                    "seed": 7,
                    "stem": "Twice {{ x }}?",
                    "answer": "{{ y }}",
                    "tolerance": "{{ 0.5 }}",
                }
            ]
        },
        True,
    ),
    (
        {
            "questions": [
                {
                    "id": "t",
                    "variables": {"x": {"choice": [1, 2, 3, 4]}},
                    "variants": 4,
                    "stem": "Is {{ x }} even?",
                    "choices": [
                        {"text": "yes", "correct": "{{ x % 2 == 0 }}"},
                        {"text": "no", "correct": "{{ x % 2 == 1 }}"},
                    ],
                }
            ]
        },
        True,
    ),
    ({"questions": [{"id": "t", "type": "essay", "variables": {"x": 3}, "stem": "s"}]}, False),
    ({"questions": [{"id": "t", "type": "essay", "variables": {}, "stem": "s"}]}, False),
    (
        {"questions": [{"id": "t", "type": "essay", "variables": {"1x": {"min": 1, "max": 9}}, "stem": "s"}]},
        False,
    ),
    (
        {
            "questions": [
                {
                    "id": "t",
                    "type": "essay",
                    "variables": {"x": {"min": 1, "max": 20, "choice": [1]}},
                    "stem": "s",
                }
            ]
        },
        False,
    ),
    (
        {
            "questions": [
                {
                    "id": "t",
                    "type": "numerical",
                    "variables": {"x": {"min": 1, "max": 20}},
                    "stem": "s",
                    "answer": "x",
                }
            ]
        },
        False,
    ),
    (
        {
            "questions": [
                {
                    "id": "t",
                    "type": "numerical",
                    "variables": {"x": {"min": 1, "max": 20}},
                    "stem": "s",
                    "answer": 1,
                    "tolerance": -1,
                }
            ]
        },
        False,
    ),
    (
        {
            "questions": [
                {
                    "id": "t",
                    "type": "essay",
                    "variables": {"x": {"min": 1, "max": 20}},
                    "variants": 0,
                    "stem": "s",
                }
            ]
        },
        False,
    ),
    ({"questions": [{"id": "a", "stem": "s", "type": "essay", "constraints": ["1 > 0"]}]}, False),
    # pools
    (
        {
            "pools": {"p": {"pick": 2, "points": 3, "title": "Pick two"}},
            "questions": [{"id": f"q{i}", "type": "essay", "stem": f"s{i}", "pool": "p"} for i in range(3)],
        },
        True,
    ),
    ({"pools": {"p": {"pick": 0}}, "questions": []}, False),
    ({"pools": {"Bad Name": {"pick": 1}}, "questions": []}, False),
    ({"pools": {"p": {"pick": 1, "draw": 2}}, "questions": []}, False),
    ({"questions": [{"id": "a", "stem": "s", "type": "essay", "pool": "Not A Name"}]}, False),
    ({"questions": [_cloze({"g": {"accept": ["x"], "case_sensitive": True, "points": 2}})]}, True),
    ({"questions": [_cloze({"g": {"answer": 3, "tolerance": 0.5, "feedback": "f"}})]}, True),
    ({"questions": [_cloze({"g": {"options": [{"text": "a", "correct": True}, {"text": "b"}]}})]}, True),
    ({"questions": [_cloze({"g": {"accept": []}})]}, False),
    ({"questions": [_cloze({"g": {"answer": 3, "tolerance": -1}})]}, False),
    ({"questions": [_cloze({"g": {"options": [{"text": "a", "correct": True}]}})]}, False),
    ({"questions": [_cloze({"g": {"points": 1}})]}, False),
    ({"questions": [_cloze({"g": {"accept": ["x"], "answer": 1}})]}, False),
    ({"questions": [_cloze({"g h": {"accept": ["x"]}})]}, False),
    ({"questions": [_cloze({})]}, False),
    ({"questions": [{**_cloze({"g": {"accept": ["x"]}}), "points": 0}]}, False),
]


@pytest.mark.parametrize(("doc", "valid"), DOCS)
def test_schema_and_models_agree(doc: dict[str, Any], valid: bool, tmp_path: Path) -> None:
    import qbank

    schema_ok = not list(_validator("question").iter_errors(doc))
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    model_ok = qbank.load(path).ok
    assert (schema_ok, model_ok) == (valid, valid)
