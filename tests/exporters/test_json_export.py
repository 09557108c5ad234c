"""JSON exporter: validates against the published schema, carries Markdown + HTML, blueprint, form."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_bank_text import PNG, check_golden, example_bank, write_bank

from qbank.core.markup import render
from qbank.core.model import Bank, Form
from qbank.exporters import EXPORTERS
from qbank.schemas import generate_schemas, render_schema

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "export.schema.json"


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return write_bank(tmp_path_factory.mktemp("json") / "bank")


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def document(bank: Bank) -> dict[str, Any]:
    data = json.loads(EXPORTERS["json"].export(bank).data)
    assert isinstance(data, dict)
    return data


def test_published_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(generate_schemas()["export"])


def test_golden_and_deterministic(bank: Bank) -> None:
    first = EXPORTERS["json"].export(bank).data
    assert first == EXPORTERS["json"].export(bank).data
    check_golden("text-formats.json", first)


def test_validates_against_schema(bank: Bank, validator: Draft202012Validator) -> None:
    errors = list(validator.iter_errors(document(bank)))
    assert errors == []


def test_schema_rejects_a_broken_document(bank: Bank, validator: Draft202012Validator) -> None:
    data = document(bank)
    del data["questions"][0]["stem"]["html"]
    data["questions"][1]["type"] = "dropdown"
    assert len(list(validator.iter_errors(data))) >= 2


def test_content(bank: Bank) -> None:
    data = document(bank)
    assert (data["format"], data["format_version"], data["title"]) == ("qbank-export", 1, "Demo exam")
    ids = [q["id"] for q in data["questions"]]
    assert ids == [q.id for q in bank.questions if q.exportable]
    assert data["question_count"] == len(ids) == 9
    assert [(d["id"], d["weight"]) for d in data["blueprint"]["domains"]] == [("1", 60), ("2", 40)]
    by_id = {q["id"]: q for q in data["questions"]}
    first = by_id["sc-queue"]
    source = bank.by_id()["sc-queue"]
    assert first["stem"] == {"markdown": source.stem, "html": render(source.stem).html}
    assert first["choices"][0]["feedback"]["markdown"] == "SQS is a queue; consumers poll it."
    assert [m["src"] for m in first["media"]] == ["img/arch.png"]
    assert base64.b64decode(first["media"][0]["data_base64"]) == PNG
    assert first["media"][0]["media_type"] == "image/png"
    assert by_id["match-services"]["domain"] == "2"
    assert by_id["ord-deploy"]["order"] == ["Source", "Build", "Deploy"]
    assert by_id["num-visibility"]["tolerance"] == 0.5
    assert data["form"] is None


def test_form_metadata(bank: Bank, validator: Draft202012Validator) -> None:
    form = Form(title="Practice 1", count=9, time_limit=20, passing_score=70, seed=7)
    data = document(Bank(questions=bank.questions, blueprint=bank.blueprint, form=form))
    assert data["title"] == "Practice 1"
    assert {k: data["form"][k] for k in ("count", "time_limit", "passing_score", "seed")} == {
        "count": 9,
        "time_limit": 20,
        "passing_score": 70,
        "seed": 7,
    }
    assert list(validator.iter_errors(data)) == []


def test_example_bank_validates(validator: Draft202012Validator) -> None:
    data = document(example_bank())
    assert list(validator.iter_errors(data)) == []
