"""Cloze items in QTI 2.1 and 3.0: inline interactions inside the text, schema-valid, scored per gap by
the QTI 3 player in Chromium."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from qbank.core.model import Bank, Cloze, DropdownGap, NumberGap, TextGap
from qbank.exporters import EXPORTERS
from qbank.exporters.base import ExportOutput
from qbank.interchange.qti import gap_identifier, gap_option_identifier, qti_identifier
from qbank.io.loader import load

from .support import Schemas, unzip
from .test_qti_consumers import qti_components  # noqa: F401 -- a fixture shared with the player tests

CLOZE = Path(__file__).parents[1] / "cloze"
QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI30_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"


@pytest.fixture(scope="module")
def cloze_bank() -> Bank:
    result = load(CLOZE, jobs=1)
    assert result.ok, result.diagnostics
    return result.bank


@pytest.fixture(scope="module")
def cloze_exports(cloze_bank: Bank) -> dict[str, ExportOutput]:
    return {fmt: EXPORTERS[fmt].export(cloze_bank) for fmt in ("qti21", "qti30")}


def _item(exports: dict[str, ExportOutput], fmt: str, qid: str) -> etree._Element:
    data = unzip(exports[fmt].data)[f"items/{qti_identifier(qid)}.xml"]
    return etree.fromstring(data)


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_cloze_items_are_schema_valid(
    fmt: str, cloze_exports: dict[str, ExportOutput], schemas: Schemas
) -> None:
    files = unzip(cloze_exports[fmt].data)
    items = [name for name in files if name.startswith("items/")]
    assert len(items) == 7
    for name in items:
        assert schemas.errors(fmt, files[name]) == [], name
    assert cloze_exports[fmt].diagnostics == []


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_each_gap_is_an_interaction_in_the_text(
    fmt: str, cloze_bank: Bank, cloze_exports: dict[str, ExportOutput]
) -> None:
    ns = QTI21_NS if fmt == "qti21" else QTI30_NS
    name = {
        "text": "textEntryInteraction" if fmt == "qti21" else "qti-text-entry-interaction",
        "choice": "inlineChoiceInteraction" if fmt == "qti21" else "qti-inline-choice-interaction",
        "response": "responseIdentifier" if fmt == "qti21" else "response-identifier",
        "decl": "responseDeclaration" if fmt == "qti21" else "qti-response-declaration",
    }
    for question in cloze_bank:
        assert isinstance(question, Cloze)
        item = _item(cloze_exports, fmt, question.id)
        body = item.find(f"{{{ns}}}{'itemBody' if fmt == 'qti21' else 'qti-item-body'}")
        assert body is not None
        found = [
            (etree.QName(el).localname, el.get(name["response"]))
            for el in body.iter()
            if etree.QName(el).localname in (name["text"], name["choice"])
        ]
        expected = [
            (name["choice"] if isinstance(question.gaps[g], DropdownGap) else name["text"], gap_identifier(g))
            for g in question.gap_order
        ]
        assert found == expected
        declared = [d.get("identifier") for d in item.iter(f"{{{ns}}}{name['decl']}")]
        assert declared == [gap_identifier(g) for g in question.gap_order]
    # a gap inside a fenced code block sits inside <pre><code>, one inside inline code inside <code>
    item = _item(cloze_exports, fmt, "lambda-invoke-async")
    codes = list(item.iter(f"{{{ns}}}code"))
    assert [etree.QName(c[0]).localname for c in codes if len(c)] == [name["choice"], name["text"]]
    assert etree.QName(codes[0].getparent()).localname == "pre"


def test_item_declares_the_sum_of_the_gap_points(cloze_exports: dict[str, ExportOutput]) -> None:
    item = _item(cloze_exports, "qti21", "lambda-invoke-async")
    score = next(o for o in item.iter(f"{{{QTI21_NS}}}outcomeDeclaration") if o.get("identifier") == "SCORE")
    assert score.get("normalMaximum") == "4"
    string_match = [el.get("caseSensitive") for el in item.iter(f"{{{QTI21_NS}}}stringMatch")]
    assert string_match == ["true", "true"]  # one per accepted answer of the case-sensitive gap
    feedback = [m.get("identifier") for m in item.iter(f"{{{QTI21_NS}}}modalFeedback")]
    assert feedback == [
        "general_fb",
        gap_option_identifier("GAP_type", 0),
        gap_option_identifier("GAP_type", 1),
        "GAP_status.feedback",
    ]


def _right(question: Cloze) -> dict[str, str]:
    answers: dict[str, str] = {}
    for name in question.gap_order:
        gap, ident = question.gaps[name], gap_identifier(name)
        if isinstance(gap, DropdownGap):
            answers[ident] = gap_option_identifier(ident, gap.key)
        elif isinstance(gap, NumberGap):
            answers[ident] = str(gap.answer + gap.tolerance / 2)
        else:
            assert isinstance(gap, TextGap)
            answers[ident] = gap.accept[-1]
    return answers


def _wrong(question: Cloze, name: str, answers: dict[str, str]) -> dict[str, str]:
    gap, ident = question.gaps[name], gap_identifier(name)
    if isinstance(gap, DropdownGap):
        wrong = gap_option_identifier(ident, next(i for i in range(len(gap.options)) if i != gap.key))
    elif isinstance(gap, NumberGap):
        wrong = str(gap.answer + gap.tolerance + 1)
    else:
        wrong = gap.accept[0].upper() if gap.case_sensitive else gap.accept[0] + "x"
    return {**answers, ident: wrong}


@pytest.mark.parametrize("qid", ["lambda-invoke-async", "iam-deny-delete", "s3-two-blanks"])
def test_qti30_cloze_scored_per_gap_in_browser(
    qid: str,
    qti_components: Path,  # noqa: F811
    cloze_bank: Bank,
    cloze_exports: dict[str, ExportOutput],
    extract: Callable[[bytes, str], Path],
) -> None:
    question = cloze_bank.by_id()[qid]
    assert isinstance(question, Cloze)
    folder = extract(cloze_exports["qti30"].data, "qti30")
    right = _right(question)
    attempts = [right, *(_wrong(question, name, right) for name in question.gap_order), {}]
    run = subprocess.run(
        [
            "node",
            "run_cloze_item.mjs",
            "--samples",
            str(folder),
            "--item",
            f"/samples/items/{qti_identifier(qid)}.xml",
            "--attempts",
            json.dumps(attempts),
        ],
        cwd=qti_components,
        capture_output=True,
        text=True,
        timeout=180,
    )
    result = json.loads(run.stdout)
    assert run.returncode == 0, result
    gaps = [question.gaps[name] for name in question.gap_order]
    assert result["textEntries"] == sum(not isinstance(g, DropdownGap) for g in gaps)
    assert result["inlineChoices"] == sum(isinstance(g, DropdownGap) for g in gaps)
    # all gaps right: full marks; one gap wrong: the points of the others; nothing answered: 0
    assert result["scores"] == [question.points, *(question.points - g.points for g in gaps), 0]
    assert result["blockedNonLoopbackRequests"] == []


def test_qti_convert_upgrades_and_downgrades_cloze_items(
    cloze_exports: dict[str, ExportOutput], schemas: Schemas, tmp_path: Path
) -> None:
    from .test_qti_consumers import _tool, _validate_folder

    tool = _tool("qti-convert")
    assert tool is not None, "qti-convert is part of the test extra (citolab-qti-convert)"
    package = tmp_path / "cloze21.zip"
    package.write_bytes(cloze_exports["qti21"].data)
    up, down = tmp_path / "up30", tmp_path / "down21"
    subprocess.run([tool, "upgrade", str(package), str(up)], check=True, capture_output=True, timeout=120)
    assert _validate_folder(up, schemas).get("qti30") == 8  # 7 items + the test
    subprocess.run([tool, "downgrade", str(up), str(down)], check=True, capture_output=True, timeout=120)
    assert _validate_folder(down, schemas).get("qti21") == 8
    upgraded = etree.parse(str(up / "items" / "lambda-invoke-async.xml")).getroot()
    names = {etree.QName(el).localname for el in upgraded.iter() if isinstance(el.tag, str)}
    assert {"qti-text-entry-interaction", "qti-inline-choice-interaction", "qti-string-match"} <= names
