"""Cloze questions read back: each format's export of the cloze fixture bank imports with the same gaps.

What a format cannot hold comes back changed in a known way (gap names become positions, a Canvas
fill-in question makes every gap a typed answer); the comparison states each change.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from qbank.core.model import Bank, Cloze, DropdownGap, NumberGap, TextGap, gap_key
from qbank.exporters import EXPORTERS, export
from qbank.importers import import_bank
from qbank.io.loader import load

CLOZE = Path(__file__).parents[1] / "exporters" / "cloze"


@pytest.fixture(scope="module")
def bank() -> Bank:
    result = load(CLOZE, jobs=1)
    assert result.ok, result.diagnostics
    return result.bank


def read_back(bank: Bank, exporter: str, importer: str) -> dict[str, Cloze]:
    out = export(bank, exporter)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bank{EXPORTERS[exporter].suffix}"
        path.write_bytes(out.data)
        result = import_bank(path, importer)
    assert not result.failed, result.diagnostics
    assert [d for d in result.diagnostics if d.code == "QB910"] == []
    got: dict[str, Cloze] = {}
    for q in result.questions:
        assert isinstance(q, Cloze)
        got[q.id] = q
    return got


def gaps_of(question: Cloze) -> list[tuple[str, Any]]:
    """(kind, key data) of each gap in text order."""
    out: list[tuple[str, Any]] = []
    for name in question.gap_order:
        gap = question.gaps[name]
        if isinstance(gap, TextGap):
            out.append(("text", tuple(gap.accept)))
        elif isinstance(gap, NumberGap):
            out.append(("number", (gap.answer, gap.tolerance)))
        else:
            assert isinstance(gap, DropdownGap)
            out.append(("dropdown", tuple((o.text, o.correct) for o in gap.options)))
    return out


def test_canvas_blanks_and_dropdowns_come_back(bank: Bank) -> None:
    got = read_back(bank, "canvas", "canvas")
    assert set(got) == {q.id for q in bank}
    for question in bank:
        assert isinstance(question, Cloze)
        back = got[question.id]
        assert back.gap_order == question.gap_order  # GAP_<name> blanks keep the names
        assert [back.gaps[n].points for n in back.gap_order] == pytest.approx(
            [question.gaps[n].points for n in question.gap_order]
        )
        dropdowns = all(isinstance(g, DropdownGap) for g in question.gaps.values())
        if dropdowns:
            assert gaps_of(back) == gaps_of(question)
            assert [o.feedback for g in back.gaps.values() for o in getattr(g, "options", [])] == [
                o.feedback for g in question.gaps.values() for o in getattr(g, "options", [])
            ]
        else:
            # a fill-in question: every gap is typed; a drop-down accepts its key, a number its value
            expected = [
                ("text", tuple(g.accept) if isinstance(g, TextGap) else (gap_key(g),))
                for g in (question.gaps[n] for n in question.gap_order)
            ]
            assert gaps_of(back) == expected
        assert back.stem == question.stem.rstrip("\n").replace("```sh", "```")


def numbered(question: Cloze) -> str:
    """The stem with gaps renamed by position, as formats without gap names give it back."""
    names = {name: str(i) for i, name in enumerate(question.gap_order, start=1)}
    return question.filled(lambda name, gap: f"[[{names[name]}]]")


def test_moodle_embedded_answers_come_back(bank: Bank) -> None:
    got = read_back(bank, "moodle", "moodle")
    assert set(got) == {q.id for q in bank}
    for question in bank:
        assert isinstance(question, Cloze)
        back = got[question.id]
        assert back.stem == numbered(question).rstrip("\n").replace("```sh", "```")
        assert gaps_of(back) == gaps_of(question)
        originals = [question.gaps[n] for n in question.gap_order]
        returned = [back.gaps[n] for n in back.gap_order]
        assert [g.feedback for g in returned] == [g.feedback for g in originals]
        assert [getattr(g, "case_sensitive", None) for g in returned] == [
            getattr(g, "case_sensitive", None) for g in originals
        ]
        options = [[o.feedback for o in getattr(g, "options", [])] for g in returned]
        assert options == [[o.feedback for o in getattr(g, "options", [])] for g in originals]
        if any(isinstance(g, DropdownGap) for g in originals):
            assert back.shuffle == question.shuffle
        if question.id == "s3-two-blanks":
            assert [g.points for g in returned] == [2, 1]  # whole marks in Moodle
        else:
            assert [g.points for g in returned] == [g.points for g in originals]


def test_moodle_cloze_from_moodle_syntax() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multianswer">
    <name><text>m1</text></name>
    <questiontext format="html"><text><![CDATA[<p>Capital of France: {2:MCV:~Lyon#No~=Paris#Yes~%50%Marseille}.
    Spell it: {:SA:=Paris~%50%paris~*#Not quite}. Pick: {1:MULTIRESPONSE:=a~=b~c}</p>]]></text></questiontext>
  </question>
  <question type="cloze">
    <name><text>m2</text></name>
    <questiontext format="html"><text><![CDATA[<p>{1:NM:=3.5:0.1#ok~*#close?} and {3:SHORTANSWER_C:=Ab\\}c~%0%*#hint}</p>]]></text></questiontext>
  </question>
</quiz>"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cloze.xml"
        path.write_text(xml, encoding="utf-8")
        result = import_bank(path, "moodle")
    assert [(d.code, "multiple-response" in d.message) for d in result.diagnostics if d.code == "QB910"] == [
        ("QB910", True)
    ]
    (q,) = result.questions
    assert isinstance(q, Cloze)
    assert q.stem == "[[1]] and [[2]]"
    number, text = q.gaps["1"], q.gaps["2"]
    assert isinstance(number, NumberGap)
    assert (number.answer, number.tolerance, number.points) == (3.5, 0.1, 1)
    assert number.feedback is None  # the answers' feedback differ: not a gap feedback
    assert isinstance(text, TextGap)
    assert (text.accept, text.case_sensitive, text.points, text.feedback) == (["Ab}c"], True, 3, None)


def test_gift_missing_word_questions_come_back(bank: Bank) -> None:
    got = read_back(bank, "gift", "gift")
    one_gap = [q for q in bank if isinstance(q, Cloze) and len(q.gaps) == 1]
    assert set(got) == {q.id for q in one_gap}
    for question in one_gap:
        assert isinstance(question, Cloze)
        back = got[question.id]
        assert back.stem == numbered(question)
        assert gaps_of(back) == gaps_of(question)
        options = [[o.feedback for o in getattr(g, "options", [])] for g in back.gaps.values()]
        assert options == [[o.feedback for o in getattr(g, "options", [])] for g in question.gaps.values()]


def test_gift_missing_word_of_other_kinds_keeps_a_blank() -> None:
    gift = (
        "::tf::The sky {T} is blue.\n\n::mr::Pick {~%50%a ~%50%b ~%-100%c} now.\n\n::mc::Pick {=a ~b} now.\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.gift"
        path.write_text(gift, encoding="utf-8")
        result = import_bank(path, "gift")
    assert [q.type for q in result.questions] == ["true_false", "multiple_response", "cloze"]
    assert result.questions[0].stem == "The sky _____ is blue."
    assert result.questions[2].stem == "Pick [[1]] now."


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_qti_text_entries_and_inline_choices_come_back(bank: Bank, fmt: str) -> None:
    got = read_back(bank, fmt, "qti")
    for question in bank:
        assert isinstance(question, Cloze)
        back = got[question.id]
        assert back.stem == question.stem.rstrip("\n").replace("```sh", "```")
        assert back.gaps == question.gaps  # names, kinds, answers, case, points, feedback
        assert back.shuffle == question.shuffle
        assert (back.explanation, back.references) == (question.explanation, question.references)


def test_qti_cloze_item_from_another_tool() -> None:
    item = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="fib1" title="Capitals"
    adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE1" cardinality="single" baseType="string">
    <correctResponse><value>Paris</value></correctResponse>
    <mapping defaultValue="0"><mapEntry mapKey="Paris" mappedValue="1" caseSensitive="false"/></mapping>
  </responseDeclaration>
  <responseDeclaration identifier="RESPONSE2" cardinality="single" baseType="identifier">
    <correctResponse><value>C2</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>The capital of France is <textEntryInteraction responseIdentifier="RESPONSE1"/>, on the
    <inlineChoiceInteraction responseIdentifier="RESPONSE2" shuffle="false">
      <inlineChoice identifier="C1">Rhine</inlineChoice><inlineChoice identifier="C2">Seine</inlineChoice>
    </inlineChoiceInteraction>.</p>
  </itemBody>
</assessmentItem>"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fib1.xml"
        path.write_text(item, encoding="utf-8")
        result = import_bank(path, "qti")
    (q,) = result.questions
    assert isinstance(q, Cloze)
    assert q.stem == "The capital of France is [[RESPONSE1]], on the\n[[RESPONSE2]]."
    assert gaps_of(q) == [("text", ("Paris",)), ("dropdown", (("Rhine", False), ("Seine", True)))]
    assert (q.points, q.shuffle) == (2, False)


def test_json_export_comes_back_exactly(bank: Bank) -> None:
    got = read_back(bank, "json", "json")
    for question in bank:
        back = got[question.id]
        assert back.model_dump() == question.model_dump()
