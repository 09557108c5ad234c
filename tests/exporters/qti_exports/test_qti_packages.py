"""QTI 2.1, QTI 3.0 and Canvas packages: schema validity, structure, diagnostics, determinism."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
from lxml import etree

from qbank.cli import main
from qbank.core.model import Bank
from qbank.exporters import EXPORTERS, export
from qbank.exporters.base import ExportOutput
from qbank.interchange.qti import qti_identifier

from .support import FIXTURES, Schemas, load_bank, unzip

QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI30_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = {
    "qti21": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "canvas": "http://www.imsglobal.org/xsd/imscp_v1p1",
}
CP_NS["qti30"] = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"

#: root namespace -> schema key
SCHEMA_OF = {
    QTI21_NS: "qti21",
    QTI30_NS: "qti30",
    QTI12_NS: "qti12",
    "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp",
    "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1": "qti30cp",
}
CANVAS_META_NS = "http://canvas.instructure.com/xsd/cccv1p0"
FORMATS = ("qti21", "qti30", "canvas")


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))


def xml_entries(files: dict[str, bytes]) -> dict[str, etree._Element]:
    return {name: parse(data) for name, data in files.items() if name.endswith(".xml")}


def test_registered() -> None:
    for fmt in FORMATS:
        assert EXPORTERS[fmt].name == fmt
        assert EXPORTERS[fmt].suffix == ".zip"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_xml_file_is_schema_valid(
    fmt: str, full_exports: dict[str, ExportOutput], schemas: Schemas
) -> None:
    files = unzip(full_exports[fmt].data)
    checked = 0
    for name, data in sorted(files.items()):
        if not name.endswith(".xml"):
            continue
        ns = etree.QName(parse(data)).namespace
        if ns == CANVAS_META_NS:
            continue  # Canvas publishes no schema for assessment_meta.xml
        key = SCHEMA_OF[ns or ""]
        assert schemas.errors(key, data) == [], f"{fmt}: {name}"
        checked += 1
    assert checked >= (2 if fmt == "canvas" else 11)


def test_schema_check_rejects_broken_item(full_exports: dict[str, ExportOutput], schemas: Schemas) -> None:
    # the validation above must be able to fail: drop a required attribute
    files = unzip(full_exports["qti21"].data)
    item = parse(files["items/tf-s3-versioning.xml"])
    del item.attrib["timeDependent"]
    assert schemas.errors("qti21", etree.tostring(item))


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_qti_package_structure(fmt: str, full_bank: Bank, full_exports: dict[str, ExportOutput]) -> None:
    files = unzip(full_exports[fmt].data)
    ns = QTI21_NS if fmt == "qti21" else QTI30_NS
    tag = (lambda n: f"{{{ns}}}{n}") if fmt == "qti21" else (lambda n: f"{{{ns}}}qti-{n}")
    ids = [q.id for q in full_bank]
    assert set(files) >= {"imsmanifest.xml", "assessment_test.xml"} | {
        f"items/{qti_identifier(i)}.xml" for i in ids
    }
    # identifiers: digits first get the Q_ prefix, everything else unchanged
    assert qti_identifier("2-kms-key") == "Q_2-kms-key"
    assert qti_identifier("tf-s3-versioning") == "tf-s3-versioning"
    item = parse(files["items/Q_2-kms-key.xml"])
    assert item.get("identifier") == "Q_2-kms-key"

    # manifest: every file listed, every href resolves, media listed as webcontent
    manifest = parse(files["imsmanifest.xml"])
    cp = CP_NS[fmt]
    listed = {f.get("href") for f in manifest.iter(f"{{{cp}}}file")}
    assert listed == set(files) - {"imsmanifest.xml"}
    media = [n for n in files if n.startswith("items/media/")]
    assert len(media) == 2
    types = {r.get("href"): r.get("type") for r in manifest.iter(f"{{{cp}}}resource")}
    assert all(types[m] == "webcontent" for m in media)
    suffix = "v2p1" if fmt == "qti21" else "v3p0"
    assert types["assessment_test.xml"] == f"imsqti_test_xml{suffix}"
    assert types["items/Q_2-kms-key.xml"] == f"imsqti_item_xml{suffix}"

    # images: relative paths from the item to a packaged file
    for name, root in xml_entries(files).items():
        for img in root.iter(f"{{{ns}}}img"):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), img.get("src", "")))
            assert target in files, (name, img.get("src"))

    # test: one section per domain, general last, draws by blueprint weight, time limit in seconds
    test = parse(files["assessment_test.xml"])
    sections = list(test.iter(tag("assessmentSection") if fmt == "qti21" else tag("assessment-section")))
    assert [s.get("title") for s in sections] == ["Domain 1: Development", "Domain 2: Security", "General"]
    refs = [[r.get("identifier") for r in s] for s in sections]
    assert refs[2] == ["essay-design"]
    assert "Q_2-kms-key" in refs[1]
    selects = [s.find(tag("selection")) for s in sections]
    assert [None if s is None else s.get("select") for s in selects] == ["3", "2", None]
    limits = test.find(tag("timeLimits") if fmt == "qti21" else tag("time-limits"))
    assert limits is not None
    assert limits.get("maxTime" if fmt == "qti21" else "max-time") == "1800"

    # the form's passing score (70%) becomes a PASS outcome: SCORE >= MAXSCORE * 0.7
    base_value = tag("baseValue") if fmt == "qti21" else tag("base-value")
    set_value = tag("setOutcomeValue") if fmt == "qti21" else tag("set-outcome-value")
    (passing,) = [el for el in test.iter(set_value) if el.get("identifier") == "PASS"]
    assert [el.text for el in passing.iter(base_value)] == ["0.7"]


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_qti_scoring_declarations(fmt: str, full_exports: dict[str, ExportOutput]) -> None:
    files = unzip(full_exports[fmt].data)
    kebab = fmt == "qti30"
    ns = QTI21_NS if fmt == "qti21" else QTI30_NS

    def t(name21: str, name30: str) -> str:
        return f"{{{ns}}}{name30 if kebab else name21}"

    def a(name21: str, name30: str) -> str:
        return name30 if kebab else name21

    mr = parse(files["items/mr-dynamodb-consistency.xml"])
    mapping = mr.find(f"{t('responseDeclaration', 'qti-response-declaration')}/{t('mapping', 'qti-mapping')}")
    assert mapping is not None
    assert mapping.get(a("lowerBound", "lower-bound")) == "0"
    assert mapping.get(a("upperBound", "upper-bound")) == "3"
    values = {
        e.get(a("mapKey", "map-key")): float(e.get(a("mappedValue", "mapped-value")) or 0) for e in mapping
    }
    assert values == {"A": 1.0, "B": 1.0, "C": 1.0, "D": -1.0, "E": -1.0}  # 3 keys share 3 points

    score = next(
        e
        for e in mr.iter(t("outcomeDeclaration", "qti-outcome-declaration"))
        if e.get("identifier") == "SCORE"
    )
    assert score.get(a("normalMaximum", "normal-maximum")) == "3"

    sa = parse(files["items/sa-region-code.xml"])
    entries = list(sa.iter(t("mapEntry", "qti-map-entry")))
    assert {e.get(a("caseSensitive", "case-sensitive")) for e in entries} == {"true"}
    assert [e.get(a("mapKey", "map-key")) for e in entries] == ["us-east-1", "US-EAST-1 (N. Virginia)"]

    num = parse(files["items/num-lambda-timeout.xml"])
    equal = next(num.iter(t("equal", "qti-equal")))
    assert equal.get(a("toleranceMode", "tolerance-mode")) == "absolute"
    assert equal.get("tolerance") == "0.5"

    match = parse(files["items/match-services.xml"])
    correct = match.find(f".//{t('correctResponse', 'qti-correct-response')}")
    assert correct is not None
    pairs = [v.text for v in correct]
    assert pairs == ["S1 T1", "S2 T2", "S3 T3"]
    assert len(list(match.iter(t("simpleAssociableChoice", "qti-simple-associable-choice")))) == 3 + 4

    order = parse(files["items/order-deploy-stages.xml"])
    decl = order.find(t("responseDeclaration", "qti-response-declaration"))
    assert decl is not None
    assert decl.get("cardinality") == "ordered"

    essay = parse(files["items/essay-design.xml"])
    (interaction,) = essay.iter(t("extendedTextInteraction", "qti-extended-text-interaction"))
    assert interaction.get(a("responseIdentifier", "response-identifier")) == "RESPONSE"
    assert not list(essay.iter(t("mapResponse", "qti-map-response")))

    # explanation: a modal feedback keyed by an outcome that response processing always sets
    kms = parse(files["items/Q_2-kms-key.xml"])
    modals = {m.get("identifier"): m for m in kms.iter(t("modalFeedback", "qti-modal-feedback"))}
    assert set(modals) == {"general_fb", "A", "B"}
    explanation = "".join(modals["general_fb"].itertext())
    assert "AWS KMS holds the key material" in explanation
    assert "https://docs.aws.amazon.com/kms/latest/developerguide/overview.html" in explanation
    base_values = [b.text for b in kms.iter(t("baseValue", "qti-base-value"))]
    assert "general_fb" in base_values
    # shuffling: "None of the above" is pinned, an unshuffled question says so
    fixed = [c.get("identifier") for c in kms.iter(t("simpleChoice", "qti-simple-choice")) if c.get("fixed")]
    assert fixed == ["D"]
    plain = parse(files["items/single-fixed-order.xml"])
    inter = next(plain.iter(t("choiceInteraction", "qti-choice-interaction")))
    assert inter.get("shuffle") == "false"


def test_qti30_uses_kebab_names_only(full_exports: dict[str, ExportOutput]) -> None:
    files = unzip(full_exports["qti30"].data)
    for name, root in xml_entries(files).items():
        for el in root.iter():
            if not isinstance(el.tag, str) or etree.QName(el).namespace != QTI30_NS:
                continue
            local = etree.QName(el).localname
            assert local == local.lower(), (name, local)
            names = [etree.QName(k).localname for k in el.attrib if not k.startswith("{")]
            assert all(k == k.lower() for k in names), (name, local, names)


def test_canvas_package(full_exports: dict[str, ExportOutput]) -> None:
    out = full_exports["canvas"]
    files = unzip(out.data)
    manifest = parse(files["imsmanifest.xml"])
    cp = CP_NS["canvas"]
    quiz = next(r for r in manifest.iter(f"{{{cp}}}resource") if r.get("type") == "imsqti_xmlv1p2")
    quiz_id = quiz.get("identifier")
    assert quiz_id
    qti = parse(files[f"{quiz_id}/{quiz_id}.xml"])
    meta = parse(files[f"{quiz_id}/assessment_meta.xml"])
    assessment = qti.find(f"{{{QTI12_NS}}}assessment")
    assert assessment is not None
    # the one identifier Canvas matches settings by
    assert assessment.get("ident") == meta.get("identifier") == quiz_id
    assert meta.findtext(f"{{{CANVAS_META_NS}}}time_limit") == "30"
    fields = {
        f.findtext(f"{{{QTI12_NS}}}fieldlabel"): f.findtext(f"{{{QTI12_NS}}}fieldentry")
        for f in assessment.iterfind(f"{{{QTI12_NS}}}qtimetadata/{{{QTI12_NS}}}qtimetadatafield")
    }
    assert fields["qmd_timelimit"] == "30"

    items = {i.get("ident"): i for i in qti.iter(f"{{{QTI12_NS}}}item")}
    assert "order-deploy-stages" not in items
    types = {}
    for ident, item in items.items():
        meta_fields = {
            f.findtext(f"{{{QTI12_NS}}}fieldlabel"): f.findtext(f"{{{QTI12_NS}}}fieldentry")
            for f in item.iter(f"{{{QTI12_NS}}}qtimetadatafield")
        }
        types[ident] = meta_fields["question_type"]
        assert meta_fields["points_possible"]
    assert types == {
        "Q_2-kms-key": "multiple_choice_question",
        "mr-dynamodb-consistency": "multiple_answers_question",
        "tf-s3-versioning": "true_false_question",
        "sa-region-code": "short_answer_question",
        "num-lambda-timeout": "numerical_question",
        "match-services": "matching_question",
        "essay-design": "essay_question",
        "single-fixed-order": "multiple_choice_question",
    }
    # question groups drawn by domain, with the form's quotas
    root_section = assessment.find(f"{{{QTI12_NS}}}section")
    assert root_section is not None
    groups = root_section.findall(f"{{{QTI12_NS}}}section")
    assert [g.findtext(f".//{{{QTI12_NS}}}selection_number") for g in groups] == ["3", "2"]
    assert [g.findtext(f".//{{{QTI12_NS}}}points_per_item") for g in groups] == ["3", "2"]
    # HTML is entity-escaped text inside mattext; images point at listed files
    stem = items["Q_2-kms-key"].findtext(f".//{{{QTI12_NS}}}mattext") or ""
    assert "<strong>customer managed</strong>" in stem
    assert 'src="$IMS-CC-FILEBASE$/' in stem
    listed = {f.get("href") for f in manifest.iter(f"{{{cp}}}file")}
    assert listed == set(files) - {"imsmanifest.xml"}
    assert sum(1 for n in files if n.startswith("web_resources/")) == 2
    assert b"&lt;strong&gt;" in files[f"{quiz_id}/{quiz_id}.xml"]


def test_canvas_reports_what_it_cannot_carry(full_exports: dict[str, ExportOutput]) -> None:
    out = full_exports["canvas"]
    found = {(d.code, d.question_id) for d in out.diagnostics}
    assert ("QB901", "order-deploy-stages") in found
    assert ("QB902", "sa-region-code") in found  # case-sensitive short answer
    assert ("QB902", "tf-s3-versioning") in found  # group points differ from the group's first question
    passing = next(d for d in out.diagnostics if "passing_score" in d.message)
    assert (passing.code, passing.question_id, passing.line) == ("QB902", None, 6)  # at the form header
    ordering = next(d for d in out.diagnostics if d.code == "QB901")
    assert ordering.path.endswith("form.yaml")
    assert ordering.line > 1
    assert out.exported == 8


def test_qti_carries_every_type_without_loss(full_exports: dict[str, ExportOutput]) -> None:
    for fmt in ("qti21", "qti30"):
        out = full_exports[fmt]
        assert out.exported == 9
        assert [d for d in out.diagnostics if d.code in {"QB901", "QB903"}] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_deterministic(fmt: str, full_exports: dict[str, ExportOutput]) -> None:
    again = EXPORTERS[fmt].export(load_bank("full"))
    assert again.data == full_exports[fmt].data


def test_missing_image_is_reported(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(
        "questions:\n  - id: img-gone\n    stem: 'Look: ![x](nowhere.png)'\n"
        "    choices: [{text: a, correct: true}, {text: b}]\n",
        encoding="utf-8",
    )
    from qbank.io.loader import load

    bank = load(tmp_path / "q.yaml").bank
    for fmt in FORMATS:
        out = EXPORTERS[fmt].export(bank)
        assert [(d.code, d.question_id) for d in out.diagnostics] == [("QB903", "img-gone")]


def test_ordering_unshuffled_is_reported(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(
        "questions:\n  - {id: steps, type: ordering, shuffle: false, stem: Order them, order: [a, b, c]}\n",
        encoding="utf-8",
    )
    from qbank.io.loader import load

    bank = load(tmp_path / "q.yaml").bank
    out = EXPORTERS["qti21"].export(bank)
    assert [(d.code, d.question_id) for d in out.diagnostics] == [("QB902", "steps")]


def test_blueprint_bank_draws_exam_length(tmp_path: Path) -> None:
    # without a form, a bank larger than the blueprint's exam draws the exam by domain weight
    from qbank.io.loader import load

    bank = load(FIXTURES / "full" / "blueprint.yaml").bank
    full = load_bank("full")
    bank.questions = full.questions
    test = parse(unzip(EXPORTERS["qti21"].export(bank).data)["assessment_test.xml"])
    selects = [s.get("select") for s in test.iter(f"{{{QTI21_NS}}}selection")]
    assert selects == ["2", "2"]  # 4 questions: 60 % and 40 % of 4 by largest remainder
    limits = test.find(f"{{{QTI21_NS}}}timeLimits")
    assert limits is not None
    assert limits.get("maxTime") == "1200"


def test_cli_export(tmp_path: Path) -> None:
    out = tmp_path / "bank.zip"
    assert main(["export", str(FIXTURES / "small"), "--to", "qti30", "-o", str(out)]) == 0
    assert "imsmanifest.xml" in unzip(out.read_bytes())
    # an existing file is not overwritten without --force
    assert main(["export", str(FIXTURES / "small"), "--to", "qti30", "-o", str(out)]) == 2
    assert main(["export", str(FIXTURES / "small"), "--to", "qti21", "-o", str(out), "--force"]) == 0
    result = export(load_bank("small"), "canvas")
    assert result.exported == 3


def test_numbers_and_identifiers() -> None:
    from qbank.exporters.qti.dialect import format_number

    assert [format_number(v) for v in (1.0, 0.5, 1 / 3, -2.0)] == ["1", "0.5", "0.3333333333333333", "-2"]
    assert format_number(float("inf")) == "inf"  # never an exception, whatever the number
    assert qti_identifier("0") == "Q_0"


def test_every_question_type_has_a_qti_item_type() -> None:
    from qbank.core.model import QUESTION_TYPES
    from qbank.exporters.qti.item_types import ITEM_TYPES

    assert sorted(ITEM_TYPES) == sorted(QUESTION_TYPES)


def test_canvas_item_types_match_canvas_question_types() -> None:
    from qbank.core.model import QUESTION_TYPES
    from qbank.exporters.canvas_items import ITEM_TYPES
    from qbank.interchange.canvas import QUESTION_TYPES as CANVAS_TYPES

    # every kind but ordering has a Classic Quizzes type, and the importer reads the same names
    assert sorted(ITEM_TYPES) == sorted(CANVAS_TYPES) == sorted(set(QUESTION_TYPES) - {"ordering"})


def test_canvas_keeps_text_escaped_next_to_a_packaged_image() -> None:
    from qbank.core.markup import render_inline
    from qbank.exporters.canvas_items import CanvasItem

    rewrite = {"x.png": "$IMS-CC-FILEBASE$/x.png"}
    writer = CanvasItem(
        load_bank("small").questions[0],
        rewrite,
        etree.Element("presentation"),
        etree.Element("resprocessing"),
    )
    html_text = writer.html(render_inline(r"\<b\> 1 &amp; 2 ![diagram](x.png)"))
    assert html_text == '&lt;b&gt; 1 &amp; 2 <img src="$IMS-CC-FILEBASE$/x.png" alt="diagram">'
