"""Cloze questions in Canvas, Moodle XML, GIFT, Aiken, JSON: what each format carries and what it reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

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
    from conftest import SHARED
    from qti_exports.support import Schemas, unzip

    root = SHARED / "conformance" / "xsd"
    if not root.is_dir():
        pytest.skip(f"{root} not available")
    schemas = Schemas(root)
    files = unzip(exports["canvas"].data)
    quiz = next(n for n in files if n.endswith(".xml") and "/" in n and "meta" not in n)
    assert schemas.errors("qti12", files[quiz]) == []
    assert schemas.errors("imscp", files["imsmanifest.xml"]) == []
