"""GIFT exporter: golden file, escaping, and a parse by gift-pegjs (npm) with the same keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_bank_text import check_golden, example_bank, write_bank

from qbank.core.markup import render, render_inline
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Cloze,
    Essay,
    Matching,
    MultipleResponse,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)
from qbank.exporters import EXPORTERS
from qbank.interchange.gift import gift_escape
from qbank.interchange.moodle import category_path

PARSER_SCRIPT = Path(__file__).resolve().parent / "gift_parse.js"


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return write_bank(tmp_path_factory.mktemp("gift") / "bank")


@pytest.fixture(scope="session")
def gift_pegjs(node_consumers: Path) -> Path:
    """``node_modules`` holding gift-pegjs (tests/node)."""
    return node_consumers / "node_modules"


def parse_gift(modules: Path, data: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "export.gift.txt"
    path.write_bytes(data)
    done = subprocess.run(
        ["node", str(PARSER_SCRIPT), str(modules), str(path)], capture_output=True, timeout=120, check=False
    )
    result = json.loads(done.stdout)
    assert done.returncode == 0, result
    assert isinstance(result, list)
    return result


def export(bank: Bank) -> bytes:
    return EXPORTERS["gift"].export(bank).data


def check_question(question: Question, parsed: dict[str, Any]) -> None:
    """The parsed question says what the qbank question says (type, texts, keys, feedback)."""
    assert parsed["title"] == question.id
    assert parsed["id"] == question.id
    assert parsed["stem"] == {"format": "html", "text": render(question.stem).html}
    if isinstance(question, ChoiceQuestion):
        assert parsed["type"] == "MC"
        choices = parsed["choices"]
        assert [c["text"]["text"] for c in choices] == [render_inline(c.text).html for c in question.choices]
        assert [(c["feedback"] or {}).get("text") for c in choices] == [
            render(c.feedback).html if c.feedback else None for c in question.choices
        ]
        if isinstance(question, MultipleResponse):
            weights = [c["weight"] for c in choices]
            assert [i for i, w in enumerate(weights) if w > 0] == question.keys
            assert round(sum(w for w in weights if w > 0), 2) == 100
            assert not any(c["isCorrect"] for c in choices)  # no "=": Moodle makes it multiple-answer
        else:
            assert [i for i, c in enumerate(choices) if c["isCorrect"]] == question.keys
    elif isinstance(question, TrueFalse):
        assert parsed["type"] == "TF"
        assert parsed["isTrue"] is question.answer
    elif isinstance(question, ShortAnswer):
        assert parsed["type"] == "Short"
        assert [c["text"]["text"] for c in parsed["choices"]] == question.accept
        assert all(c["isCorrect"] for c in parsed["choices"])
    elif isinstance(question, Numerical):
        assert parsed["type"] == "Numerical"
        assert parsed["choices"]["number"] == question.answer
        assert parsed["choices"]["range"] == question.tolerance
    elif isinstance(question, Matching):
        assert parsed["type"] == "Matching"
        expected = [(render_inline(p.prompt).html, p.match) for p in question.pairs]
        expected += [("", d) for d in question.distractors]
        assert [(m["subquestion"]["text"], m["subanswer"]) for m in parsed["matchPairs"]] == expected
    elif isinstance(question, Essay):
        assert parsed["type"] == "Essay"
    if question.explanation:
        assert parsed["globalFeedback"]["text"].startswith(render(question.explanation).html)


def test_golden_and_deterministic(bank: Bank) -> None:
    first = export(bank)
    assert first == export(bank)
    check_golden("text-formats.gift.txt", first)


def test_diagnostics_name_question_and_feature(bank: Bank) -> None:
    out = EXPORTERS["gift"].export(bank)
    found = sorted((d.code, d.question_id, d.message.split(";")[0]) for d in out.diagnostics)
    assert found == [
        ("QB901", "ord-deploy", "GIFT has no ordering question type"),
        ("QB902", "mr-storage", "GIFT cannot carry shuffle: false"),
        ("QB902", "num-visibility", "GIFT cannot carry points (2)"),
        ("QB902", "sc-queue", "GIFT cannot carry image files"),
    ]
    assert out.exported == 8


def test_no_blank_line_inside_a_question(bank: Bank) -> None:
    text = export(bank).decode("utf-8")
    blocks = text.strip("\n").split("\n\n")
    assert all(b.startswith(("$CATEGORY: ", "// [id:")) for b in blocks)
    assert sum(b.startswith("// [id:") for b in blocks) == 8
    assert all(line.strip() for b in blocks for line in b.splitlines())


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a~b", "a\\~b"),
        ("a=b", "a\\=b"),
        ("a#b", "a\\#b"),
        ("{a}", "\\{a\\}"),
        ("a:b", "a\\:b"),
        ("a\\b", "a\\\\b"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\nb"),
        ("\\~", "\\\\\\~"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert gift_escape(raw) == escaped


def test_parsed_by_gift_pegjs(bank: Bank, gift_pegjs: Path, tmp_path: Path) -> None:
    parsed = parse_gift(gift_pegjs, export(bank), tmp_path)
    items = [p for p in parsed if p["type"] != "Category"]
    expected = [q for q in bank.questions if q.exportable and not isinstance(q, Ordering)]
    assert len(items) == len(expected) == 8
    by_id = {p["title"]: p for p in items}
    for question in expected:
        check_question(question, by_id[question.id])
        assert "demo" in by_id[question.id]["tags"]
    categories = [p["title"] for p in parsed if p["type"] == "Category"]
    assert categories == list(dict.fromkeys(category_path(bank, q) for q in _sorted(bank, expected)))


def _sorted(bank: Bank, questions: list[Question]) -> list[Question]:
    from qbank.interchange.moodle import category_order

    return sorted(questions, key=lambda q: category_order(bank, q))


def test_example_bank_parsed_by_gift_pegjs(gift_pegjs: Path, tmp_path: Path) -> None:
    bank = example_bank()
    parsed = parse_gift(gift_pegjs, export(bank), tmp_path)
    items = {p["title"]: p for p in parsed if p["type"] != "Category"}
    expected = [
        q
        for q in bank.questions
        if q.exportable and not isinstance(q, Ordering) and not (isinstance(q, Cloze) and len(q.gaps) > 1)
    ]
    assert len(items) == len(expected)
    for question in expected:
        check_question(question, items[question.id])
