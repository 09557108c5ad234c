"""Moodle XML exporter: golden file, read-back by moodle-xml-parser, Moodle's import rules."""

from __future__ import annotations

import base64
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_bank_text import PNG, check_golden, example_bank, write_bank

from qbank.cli import main
from qbank.core.markup import render, render_inline
from qbank.core.model import (
    Bank,
    Choice,
    ChoiceQuestion,
    Matching,
    MatchPair,
    MultipleResponse,
    SingleChoice,
)
from qbank.exporters import EXPORTERS
from qbank.exporters.moodle import _set_text
from qbank.interchange.moodle import format_grade, key_share, on_grade_list

# Moodle's accepted grades in percent as formats.md lists them (an oracle independent of the code)
LISTED = [100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571,
          12.5, 11.11111, 10, 5, 0]  # fmt: skip
ALLOWED = [v / 100 for v in LISTED] + [-v / 100 for v in LISTED]


def listed(percent: str) -> bool:
    return any(abs(float(percent) / 100 - a) <= 1e-5 for a in ALLOWED)


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return write_bank(tmp_path_factory.mktemp("moodle") / "bank")


def export(bank: Bank) -> tuple[bytes, list[str]]:
    out = EXPORTERS["moodle"].export(bank)
    return out.data, [f"{d.code} {d.question_id}" for d in out.diagnostics]


def parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    return etree.fromstring(data, parser)


def questions(root: etree._Element) -> list[etree._Element]:
    return [q for q in root.iter("question") if q.get("type") != "category"]


def check_moodle_rules(root: etree._Element) -> None:
    """The structural import rules of formats.md section 1, for every question in a file."""
    category = None
    idnumbers: dict[str | None, set[str]] = defaultdict(set)
    for question in root.iter("question"):
        kind = question.get("type")
        if kind == "category":
            category = question.findtext("category/text")
            continue
        for tag in ("name/text", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden"):
            assert question.find(tag) is not None, (tag, kind)
        for text_field in question.iter(
            "questiontext", "generalfeedback", "answer", "feedback", "subquestion"
        ):
            assert text_field.get("format") in {"html", "moodle_auto_format", "plain_text", "markdown", None}
        idnumber = question.findtext("idnumber")
        if idnumber:
            assert idnumber not in idnumbers[category], f"idnumber {idnumber} repeated in {category}"
            idnumbers[category].add(idnumber)
        answers = question.findall("answer")
        fractions = [a.get("fraction", "") for a in answers]
        if kind in {"multichoice", "truefalse", "shortanswer", "numerical"}:
            assert all(listed(f) for f in fractions), fractions
        if kind == "multichoice":
            for tag in ("single", "shuffleanswers", "answernumbering", "showstandardinstruction"):
                assert question.find(tag) is not None, tag
            if question.findtext("single") == "true":
                assert sum(float(f) == 100 for f in fractions) == 1
            else:
                positive = sum(float(f) for f in fractions if float(f) > 0)
                assert round(positive, 2) == 100, fractions
        elif kind == "truefalse":
            assert [a.findtext("text") for a in answers] == ["true", "false"]
            assert sorted(float(f) for f in fractions) == [0, 100]
        elif kind in {"shortanswer", "numerical"}:
            assert any(float(f) == 100 for f in fractions)
        elif kind == "ordering":
            assert [float(f) for f in fractions] == list(range(1, len(answers) + 1))


def test_golden_and_deterministic(bank: Bank) -> None:
    first, diags = export(bank)
    second, _ = export(bank)
    assert first == second
    check_golden("text-formats.moodle.xml", first)
    assert diags == []


def test_follows_moodle_import_rules(bank: Bank) -> None:
    root = parse(export(bank)[0])
    assert root.tag == "quiz"
    check_moodle_rules(root)
    kinds = [q.get("type") for q in questions(root)]
    assert sorted(kinds) == sorted(
        ["multichoice"] * 3 + ["truefalse", "shortanswer", "numerical", "matching", "ordering", "essay"]
    )
    assert "sc-retired" not in {q.findtext("idnumber") for q in questions(root)}


def test_read_back_by_moodle_xml_parser(bank: Bank) -> None:
    from moodle_xml_parser.parser import parse_bytes

    parsed = parse_bytes(export(bank)[0])["multichoice"]
    expected = [q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.exportable]
    assert len(parsed) == len(expected)
    by_name = {p.name: p for p in parsed}
    for question in expected:
        read = by_name[question.id]
        assert read.single is isinstance(question, SingleChoice)
        assert read.shuffle_answers is question.shuffle
        assert [o.answer for o in read.options] == [render_inline(c.text).html for c in question.choices]
        keys = [i for i, o in enumerate(read.options) if o.score_fraction > 0]
        assert keys == question.keys
        if isinstance(question, MultipleResponse):
            assert round(sum(o.score_fraction for o in read.options if o.score_fraction > 0), 2) == 100
        feedback = [o.feedback or None for o in read.options]
        assert feedback == [render(c.feedback).html if c.feedback else None for c in question.choices]


def test_categories_tags_and_idnumbers(bank: Bank) -> None:
    root = parse(export(bank)[0])
    paths = [q.findtext("category/text") for q in root.iter("question") if q.get("type") == "category"]
    assert "$course$/top/Demo exam/1 Development/1.1 Messaging//queues" in paths
    assert "$course$/top/Demo exam/2 Security" in paths
    assert len(paths) == len(set(paths))
    first = questions(root)[0]
    assert first.findtext("idnumber") == first.findtext("name/text") == "sc-queue"
    assert [t.text for t in first.iterfind("tags/tag/text")] == ["demo", "difficulty-easy"]


def test_image_embedded_and_texts_in_cdata(bank: Bank) -> None:
    data = export(bank)[0]
    root = parse(data)
    stem = questions(root)[0].find("questiontext")
    assert stem is not None
    assert '<img src="@@PLUGINFILE@@/arch.png" alt="architecture">' in (stem.findtext("text") or "")
    files = stem.findall("file")
    assert [(f.get("name"), f.get("path"), f.get("encoding")) for f in files] == [("arch.png", "/", "base64")]
    assert base64.b64decode(files[0].text or "") == PNG
    assert b"<![CDATA[<p>Which service is a <strong>pull-based</strong>" in data
    assert data.count(b"<![CDATA[") == data.count(b"]]></text>")


def test_type_specific_elements(bank: Bank) -> None:
    by_id = {q.findtext("idnumber"): q for q in questions(parse(export(bank)[0]))}
    numerical = by_id["num-visibility"]
    assert numerical.findtext("answer/text") == "30"
    assert numerical.findtext("answer/tolerance") == "0.5"
    assert numerical.findtext("defaultgrade") == "2.0000000"
    matching = by_id["match-services"]
    subs = matching.findall("subquestion")
    assert [s.findtext("answer/text") for s in subs] == [
        "Store and rotate secrets",
        "Manage encryption keys",
        "Deliver email",
    ]
    assert not subs[-1].findtext("text")  # an empty subquestion is an extra answer
    assert by_id["sa-queue-name"].findtext("usecase") == "0"
    assert [a.findtext("text") for a in by_id["ord-deploy"].findall("answer")] == [
        "Source",
        "Build",
        "Deploy",
    ]
    assert by_id["essay-design"].findtext("responseformat") == "editor"
    assert by_id["tf-kms"].findtext("penalty") == "1.0000000"


@pytest.mark.parametrize("keys", range(2, 10))
def test_even_split_is_on_the_list_and_sums_to_100(keys: int) -> None:
    share = format_grade(key_share(keys))
    assert listed(share)
    assert listed("-" + share)
    assert round(float(share) * keys, 2) == 100


def test_grade_matcher_tolerance() -> None:
    assert on_grade_list("33.33333")
    assert on_grade_list("33.333")
    assert not on_grade_list("33.33")
    assert not on_grade_list("33")
    with pytest.raises(ValueError, match="no even Moodle grade split"):
        key_share(11)


def test_cdata_never_holds_its_terminator() -> None:
    element = etree.Element("text")
    _set_text(element, "<b>a]]>b</b>")
    data = etree.tostring(element)
    assert b"<![CDATA[" not in data
    assert parse(data).text == "<b>a]]>b</b>"


def test_control_characters_are_removed_and_reported() -> None:
    question = SingleChoice(
        id="ctl", stem="bad \x01 char", choices=[Choice(text="a", correct=True), Choice(text="b")]
    )
    out = EXPORTERS["moodle"].export(Bank(questions=[question]))
    assert "bad  char" in (questions(parse(out.data))[0].findtext("questiontext/text") or "")
    assert [d.code for d in out.diagnostics] == ["QB902"]


def test_matching_with_two_answers_is_reported() -> None:
    question = Matching(
        id="m2",
        type="matching",
        stem="Match.",
        pairs=[MatchPair(prompt="a", match="1"), MatchPair(prompt="b", match="2")],
    )
    out = EXPORTERS["moodle"].export(Bank(questions=[question]))
    assert [(d.code, d.question_id) for d in out.diagnostics] == [("QB902", "m2")]


def test_missing_image_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(
        "questions:\n  - id: img-gone\n    stem: 'See ![x](gone.png)'\n"
        "    choices: [{text: a, correct: true}, {text: b}]\n",
        encoding="utf-8",
    )
    import qbank

    out = EXPORTERS["moodle"].export(qbank.load(tmp_path).bank)
    assert [d.code for d in out.diagnostics] == ["QB903"]
    assert out.exported == 1


def test_example_bank_follows_import_rules() -> None:
    bank = example_bank()
    data, _ = export(bank)
    check_moodle_rules(parse(data))
    assert data == export(bank)[0]


def test_cli_writes_the_file(bank: Bank, tmp_path: Path) -> None:
    assert bank.files
    folder = bank.files[0].path.parent
    target = tmp_path / "out.xml"
    code = main(["export", str(folder), "--to", "moodle", "-o", str(target), "--format", "text"])
    assert code == 0
    assert target.read_bytes() == export(bank)[0]
