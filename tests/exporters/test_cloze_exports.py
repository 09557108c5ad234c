"""Cloze questions in Canvas, Moodle XML, GIFT, Aiken, JSON: what each format carries and what it reports."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from lxml import etree
from test_gift import gift_pegjs, parse_gift  # noqa: F401 -- gift_pegjs is a fixture pytest finds by name

from qbank.core.markup import render, render_inline
from qbank.core.model import Bank, Cloze, DropdownGap, NumberGap, TextGap
from qbank.exporters import EXPORTERS
from qbank.exporters.base import ExportOutput
from qbank.interchange.qti import gap_identifier
from qbank.io.loader import load

CLOZE = Path(__file__).parent / "cloze"
QTI12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


@pytest.fixture(scope="module")
def bank() -> Bank:
    result = load(CLOZE, jobs=1)
    assert result.ok, result.diagnostics
    return result.bank


class Exports(dict[str, ExportOutput]):
    """Each format exported once, on first use."""

    def __init__(self, bank: Bank) -> None:
        super().__init__()
        self.bank = bank

    def __missing__(self, fmt: str) -> ExportOutput:
        self[fmt] = EXPORTERS[fmt].export(self.bank)
        return self[fmt]


@pytest.fixture(scope="module")
def exports(bank: Bank) -> Exports:
    return Exports(bank)


def cloze(bank: Bank, qid: str) -> Cloze:
    question = bank.by_id()[qid]
    assert isinstance(question, Cloze)
    return question


def notes(out: ExportOutput, qid: str) -> list[tuple[str, int, str]]:
    return [(d.code, d.line, d.message) for d in out.diagnostics if d.question_id == qid]


# ---------------------------------------------------------------------------------------------- Canvas


def _canvas_items(out: ExportOutput) -> dict[str, etree._Element]:
    from qti_exports.support import unzip

    files = unzip(out.data)
    (quiz,) = [name for name in files if name.endswith(".xml") and "/" in name and "meta" not in name]
    root = etree.fromstring(files[quiz])
    return {item.get("title", ""): item for item in root.iter(f"{QTI12}item")}


def _canvas_type(item: etree._Element) -> str:
    fields = {
        f.findtext(f"{QTI12}fieldlabel"): f.findtext(f"{QTI12}fieldentry")
        for f in item.iter(f"{QTI12}qtimetadatafield")
    }
    return fields["question_type"] or ""


def test_canvas_blanks_in_the_text_and_one_response_each(bank: Bank, exports: Exports) -> None:
    items = _canvas_items(exports["canvas"])
    assert len(items) == 7
    for question in bank:
        assert isinstance(question, Cloze)
        item = items[question.id]
        dropdowns = all(isinstance(g, DropdownGap) for g in question.gaps.values())
        assert _canvas_type(item) == (
            "multiple_dropdowns_question" if dropdowns else "fill_in_multiple_blanks_question"
        )
        text = item.findtext(f"{QTI12}presentation/{QTI12}material/{QTI12}mattext") or ""
        blanks = [gap_identifier(n) for n in question.gap_order]
        assert [text.index(f"[{b}]") for b in blanks] == sorted(text.index(f"[{b}]") for b in blanks)
        lids = item.findall(f"{QTI12}presentation/{QTI12}response_lid")
        assert [lid.get("ident") for lid in lids] == [f"response_{b}" for b in blanks]
        for name, lid in zip(question.gap_order, lids, strict=True):
            gap = question.gaps[name]
            labels = [m.text for m in lid.iter(f"{QTI12}mattext")][1:]
            if isinstance(gap, DropdownGap):
                assert labels == ([o.text for o in gap.options] if dropdowns else [gap.options[gap.key].text])
            elif isinstance(gap, TextGap):
                assert labels == gap.accept
            else:
                assert isinstance(gap, NumberGap)
                assert labels == [f"{gap.answer:g}"]
        adds = [float(s.text or "") for s in item.iter(f"{QTI12}setvar") if s.get("action") == "Add"]
        assert adds == pytest.approx(
            [100 * question.gaps[n].points / question.points for n in question.gap_order]
        )


def test_canvas_reports_what_one_kind_of_blank_per_question_loses(exports: Exports) -> None:
    out = exports["canvas"]
    lambda_notes = [message for _code, _line, message in notes(out, "lambda-invoke-async")]
    assert any("drop-down is a fill-in blank" in m for m in lambda_notes)
    assert any("number is accepted only as written" in m for m in lambda_notes)
    assert any("gap points are not carried" in m for m in lambda_notes)
    assert any("case_sensitive is not carried" in m for m in lambda_notes)
    assert any("gap's feedback is not carried" in m for m in lambda_notes)
    assert notes(out, "dynamodb-two-dropdowns") == []  # all drop-downs: nothing lost
    retention = notes(out, "sqs-retention-one-gap")
    assert [(code, line) for code, line, _ in retention] == [("QB902", 68)]  # at the tolerance
    assert all(d.code == "QB902" for d in out.diagnostics)


def test_canvas_cloze_package_is_schema_valid(exports: Exports) -> None:
    from qti_exports.support import XSD, Schemas, unzip

    schemas = Schemas(XSD)
    files = unzip(exports["canvas"].data)
    quiz = next(n for n in files if n.endswith(".xml") and "/" in n and "meta" not in n)
    assert schemas.errors("qti12", files[quiz]) == []
    assert schemas.errors("imscp", files["imsmanifest.xml"]) == []


# ---------------------------------------------------------------------------------------------- Moodle


def _moodle_questions(out: ExportOutput) -> dict[str, etree._Element]:
    root = etree.fromstring(out.data)
    return {q.findtext("name/text") or "": q for q in root.iter("question") if q.get("type") != "category"}


def _syntax_free(question: Cloze) -> bool:
    """No text of the question holds a character of Moodle's embedded-answer syntax."""
    texts = [question.stem]
    for gap in question.gaps.values():
        texts.append(gap.feedback or "")
        texts += getattr(gap, "accept", [])
        texts += [o.text + (o.feedback or "") for o in getattr(gap, "options", [])]
    return not any(ch in t for t in texts for ch in "{}~#")


def test_moodle_cloze_read_back_by_moodle_xml_parser(bank: Bank, exports: Exports) -> None:
    from moodle_xml_parser.parser import parse_bytes

    out = exports["moodle"]
    parsed = {c.name: c for c in parse_bytes(out.data)["cloze"]}
    assert set(parsed) == {q.id for q in bank}
    # moodle-xml-parser decodes character references before it splits a gap (Moodle splits first),
    # so it is compared on the questions whose texts hold none of the syntax characters
    checked = 0
    for question in bank:
        assert isinstance(question, Cloze)
        if not _syntax_free(question):
            continue
        checked += 1
        read = parsed[question.id]
        assert len(read.gaps) == len(question.gap_order)
        for name, gap_read in zip(question.gap_order, read.gaps, strict=True):
            gap = question.gaps[name]
            assert gap_read.sub_grade == gap.points or question.id == "s3-two-blanks"  # whole marks
            right = [o.answer for o in gap_read.options if o.score == 100]
            if isinstance(gap, DropdownGap):
                assert gap_read.sub_type in {"MULTICHOICE", "MCS"}
                assert [o.answer for o in gap_read.options] == [html.escape(o.text) for o in gap.options]
                assert right == [html.escape(gap.options[gap.key].text)]
                assert [o.feedback for o in gap_read.options] == [
                    render_inline(o.feedback).html if o.feedback else None for o in gap.options
                ]
            elif isinstance(gap, NumberGap):
                assert gap_read.sub_type == "NUMERICAL"
                assert right == [f"{gap.answer:g}:{gap.tolerance:g}"]
            else:
                assert isinstance(gap, TextGap)
                assert gap_read.sub_type == ("SAC" if gap.case_sensitive else "SHORTANSWER")
                assert right == gap.accept
    assert checked == 6


def test_moodle_cloze_question_elements(bank: Bank, exports: Exports) -> None:
    questions = _moodle_questions(exports["moodle"])
    lam = questions["lambda-invoke-async"]
    assert lam.get("type") == "cloze"
    assert lam.findtext("defaultgrade") == "4.0000000"  # Moodle's mark: the sum of the gaps'
    text = lam.findtext("questiontext/text") or ""
    assert "{1:MCS:=Event#" in text  # shuffled drop-down, option feedback
    assert "{2:NUMERICAL:=202:0#202 means <em>Accepted</em>.~%0%*#202 means <em>Accepted</em>.}" in text
    assert "{1:SAC:=orders~=orders-fn}" in text
    iam = questions["iam-deny-delete"].findtext("questiontext/text") or ""
    assert "{1:MULTICHOICE:%0%Allow~=Deny}" in iam  # not shuffled
    # syntax characters inside a feedback are character references, so Moodle splits the gap right
    assert "a &#35; or &#126; would be a typo" not in iam
    assert "a # or &#126; would be a typo" in iam
    s3 = notes(exports["moodle"], "s3-two-blanks")
    assert [(code, line) for code, line, _ in s3] == [("QB902", 94)]
    assert "worth 2, 1" in s3[0][2]


def test_moodle_cloze_escapes_text_that_would_read_as_a_gap() -> None:
    from qbank.core.model import question_adapter

    q = question_adapter().validate_python(
        {
            "id": "esc",
            "type": "cloze",
            "stem": "Literal `{1:SA:=x}` and the gap [[g]].",
            "gaps": {"g": {"accept": ["a}b~c#d*e"], "feedback": "Use ~ and } with care."}},
        }
    )
    out = EXPORTERS["moodle"].export(Bank(questions=[q]))
    text = _moodle_questions(out)["esc"].findtext("questiontext/text") or ""
    from qbank.interchange.moodle import CLOZE_GAP, cloze_alternatives, cloze_unescape

    (gap,) = CLOZE_GAP.findall(text)  # the literal one in the code span is not a gap
    alternatives = cloze_alternatives(gap[2])
    assert [(f, cloze_unescape(a)) for f, a, _ in alternatives] == [(1.0, "a}b~c#d\\*e"), (0.0, "*")]
    assert cloze_unescape(alternatives[0][2] or "") == "Use ~ and } with care."


# ---------------------------------------------------------------------------------------------- GIFT


def test_gift_missing_word_parsed_by_gift_pegjs(
    bank: Bank, exports: Exports, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    modules: Path = request.getfixturevalue("gift_pegjs")
    out = exports["gift"]
    one_gap = [q for q in bank if isinstance(q, Cloze) and len(q.gaps) == 1]
    assert out.exported == len(one_gap) == 3
    parsed = {p["title"]: p for p in parse_gift(modules, out.data, tmp_path) if p["type"] != "Category"}
    assert set(parsed) == {q.id for q in one_gap}
    for question in one_gap:
        assert isinstance(question, Cloze)
        read = parsed[question.id]
        assert read["hasEmbeddedAnswers"] is True
        before, after = question.stem.split(f"[[{question.gap_order[0]}]]")
        assert read["stem"]["text"] == render(f"{before}_____{after}").html
        gap = question.gaps[question.gap_order[0]]
        if isinstance(gap, DropdownGap):
            assert read["type"] == "MC"
            assert [(c["text"]["text"], c["isCorrect"]) for c in read["choices"]] == [
                (o.text, o.correct) for o in gap.options
            ]
        elif isinstance(gap, NumberGap):
            assert read["type"] == "Numerical"
            assert (read["choices"]["number"], read["choices"]["range"]) == (gap.answer, gap.tolerance)
        else:
            assert isinstance(gap, TextGap)
            assert read["type"] == "Short"
            assert [c["text"]["text"] for c in read["choices"]] == gap.accept


def test_gift_reports_cloze_it_cannot_carry(exports: Exports) -> None:
    out = exports["gift"]
    skipped = sorted((d.question_id or "", d.code) for d in out.diagnostics if d.code == "QB901")
    assert skipped == [
        ("dynamodb-two-dropdowns", "QB901"),
        ("iam-deny-delete", "QB901"),
        ("lambda-invoke-async", "QB901"),
        ("s3-two-blanks", "QB901"),
    ]
    assert all(d.line > 1 for d in out.diagnostics)


# ---------------------------------------------------------------------------------------------- Aiken


def test_aiken_reports_cloze_as_not_carried(bank: Bank, exports: Exports) -> None:
    out = exports["aiken"]
    assert out.exported == 0
    assert out.data == b""
    assert sorted(d.question_id or "" for d in out.diagnostics if d.code == "QB901") == sorted(
        q.id for q in bank
    )


# ---------------------------------------------------------------------------------------------- JSON


def test_json_export_carries_gaps_and_validates(bank: Bank, exports: Exports) -> None:
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads(
        (Path(__file__).parents[2] / "schemas" / "export.schema.json").read_text(encoding="utf-8")
    )
    document = json.loads(exports["json"].data)
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    by_id = {q["id"]: q for q in document["questions"]}
    lam = by_id["lambda-invoke-async"]
    assert lam["type"] == "cloze"
    assert lam["points"] == 4
    assert lam["stem"]["markdown"] == cloze(bank, "lambda-invoke-async").stem
    html_stem = lam["stem"]["html"]
    assert [html_stem.index(f'<span data-gap="{n}"></span>') for n in ("type", "status", "name")] == sorted(
        html_stem.index(f'<span data-gap="{n}"></span>') for n in ("type", "status", "name")
    )
    kinds = [(g["name"], g["kind"], g["points"]) for g in lam["gaps"]]
    assert kinds == [("type", "dropdown", 1), ("status", "number", 2), ("name", "text", 1)]
    assert lam["gaps"][0]["options"][0] == {
        "text": "Event",
        "correct": True,
        "feedback": {
            "markdown": "Lambda queues the event and returns at once.",
            "html": "<p>Lambda queues the event and returns at once.</p>",
        },
    }
    assert lam["gaps"][2]["accept"] == ["orders", "orders-fn"]
    assert lam["gaps"][2]["case_sensitive"] is True
    # a broken gap fails the schema
    lam["gaps"][1]["kind"] = "slider"
    assert list(Draft202012Validator(schema).iter_errors(document))
