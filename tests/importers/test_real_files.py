"""Importers on real third-party files (read from ../shared, never copied into the repo).

Expected counts were measured on the shared corpora; each skip and loss is a located diagnostic.
"""

from __future__ import annotations

from collections import Counter

import pytest

from qbank.core.model import Cloze
from qbank.importers import import_bank
from tests.conftest import need_shared

pytestmark = pytest.mark.corpus


def _codes(result: object) -> Counter[str]:
    return Counter(d.code for d in result.diagnostics)


def test_moodle_nested_categories() -> None:
    path = need_shared("corpora", "moodle-format-fixtures", "xml", "nested_categories_with_questions.xml")
    result = import_bank(path, "moodle")
    assert (result.found, result.imported) == (5, 5)
    assert list(result.groups) == ["Iota", "Iota/Kappa", "Iota/Kappa/Lambda", "Iota/Mu"]
    by_id = {q.id: q for q in result.questions}
    assert by_id["testing-lambda-question"].domain == "Kappa"
    assert by_id["testing-lambda-question"].objective == "Lambda"
    assert by_id["testing-kappa-essay-question"].type == "essay"
    assert not result.diagnostics


def test_moodle_invalid_grades_is_imported_with_located_notes() -> None:
    path = need_shared("corpora", "moodle-format-fixtures", "xml", "error_invalid_grades.xml")
    result = import_bank(path, "moodle")
    assert (result.found, result.imported) == (1, 1)
    question = result.questions[0]
    assert question.type == "multiple_response"
    assert [c.correct for c in question.choices] == [False, True, True, False, True]
    assert {(d.line, d.code) for d in result.diagnostics} == {(4, "QB911")}
    assert any("not on Moodle's list" in d.message for d in result.diagnostics)


def test_gift_fixture() -> None:
    path = need_shared("corpora", "moodle-format-fixtures", "gift", "questions.gift.txt")
    result = import_bank(path, "gift")
    assert (result.found, result.imported) == (9, 9)
    types = Counter(q.type for q in result.questions)
    assert types == Counter(
        {
            "true_false": 3,
            "essay": 1,
            "matching": 1,
            "single_choice": 1,
            "multiple_response": 1,
            "cloze": 1,
            "short_answer": 1,
        }
    )
    matching = next(q for q in result.questions if q.type == "matching")
    assert matching.distractors == ["Chat"]
    assert matching.stem == "Match the **activity** to the description."
    # text after its answer block makes Q5 a missing-word question: a cloze question with one gap
    numerical = next(q for q in result.questions if isinstance(q, Cloze))
    assert numerical.stem == 'What is a number from 1 to 5? [[1]]";'
    assert (numerical.gaps["1"].answer, numerical.gaps["1"].tolerance) == (3.0, 2.0)
    assert {d.line for d in result.diagnostics} == {22, 31, 34, 41}
    assert set(_codes(result)) == {"QB911"}


def test_aiken_fixtures() -> None:
    good = import_bank(
        need_shared("corpora", "moodle-format-fixtures", "aiken", "questions.aiken.txt"), "aiken"
    )
    assert (good.found, good.imported) == (2, 2)
    assert [q.type for q in good.questions] == ["single_choice", "true_false"]
    assert good.questions[1].stem.startswith(
        "Moodle's abilities include handling user input that includes \\<html"
    )
    errors = import_bank(
        need_shared("corpora", "moodle-format-fixtures", "aiken", "aiken_errors.txt"), "aiken"
    )
    assert (errors.found, errors.imported) == (5, 2)
    assert [(d.line, d.code) for d in errors.diagnostics] == [(1, "QB910"), (5, "QB910"), (14, "QB910")]


def test_canvas_qti12_fixtures() -> None:
    canvas = import_bank(
        need_shared("corpora", "canvas-lms-qti-fixtures", "canvas", "mc_text_answers.xml"), "canvas"
    )
    assert (canvas.found, canvas.imported) == (1, 1)
    question = canvas.questions[0]
    assert question.id == "i149d254243105bb525e78490f62d9c4c"
    assert [c.text for c in question.choices] == ["\\<br />", "\\<hr />", "\\<pre>", "\\<n />"]
    assert list(canvas.groups) == ["Test Bank"]
    respondus = import_bank(
        need_shared("corpora", "canvas-lms-qti-fixtures", "respondus", "zero_point_mc.xml"), "canvas"
    )
    assert (respondus.found, respondus.imported) == (1, 1)
    mc = respondus.questions[0]
    assert mc.keys == [0]
    assert mc.explanation == "This is some general feedback."
    assert [c.feedback for c in mc.choices] == [f"choice {i} feedback" for i in range(1, 5)]
    assert _codes(respondus)["QB911"] == 4  # right/wrong feedback x2, 0 points, id rewritten


def test_qti21_item_fixture() -> None:
    result = import_bank(need_shared("corpora", "canvas-lms-qti-fixtures", "qti", "terrible_qti.xml"), "qti")
    assert (result.found, result.imported) == (1, 1)
    question = result.questions[0]
    assert question.id == "i148091986261653242"
    assert question.type == "single_choice"
    assert question.stem == "1 + 1 = 2\n\nThe above statment is True / False ?"
    assert [(d.line, d.code) for d in result.diagnostics] == [(2, "QB911")]


def test_kananinirav_numbered_markdown() -> None:
    result = import_bank(need_shared("corpora", "kananinirav-aws-ccp", "practice-exam"), "markdown")
    assert len(result.sources) == 23
    assert (result.found, result.imported) == (1142, 1142)
    assert sum(q.type == "multiple_response" for q in result.questions) == 267
    assert len(result.groups) == 23
    assert sum(bool(q.references) for q in result.questions) > 100


def test_linkedin_checkbox_markdown() -> None:
    root = need_shared("corpora", "linkedin-skill-assessments")
    files = sorted(p for p in root.rglob("*.md") if p.name != "README.md")
    result = import_bank(files, "markdown")
    assert len(files) == 226
    assert (result.found, result.imported, result.skipped) == (21184, 20479, 705)
    skipped = [d for d in result.diagnostics if d.code == "QB910"]
    assert len(skipped) == 705
    assert all(d.line > 1 for d in skipped)
    assert sum("no choice is marked" in d.message for d in skipped) == 385
    assert len({q.id for q in result.questions}) == result.imported
