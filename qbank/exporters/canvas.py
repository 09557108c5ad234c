"""Canvas Classic Quizzes package (``--to canvas``): QTI 1.2 in the shape Canvas itself exports.

Layout: ``imsmanifest.xml``; ``<quiz>/<quiz>.xml`` (the QTI 1.2 assessment); ``<quiz>/assessment_meta.xml``
(quiz settings, same identifier as the assessment); ``web_resources/`` (images, each listed in the
manifest and referenced as ``$IMS-CC-FILEBASE$/...``). See ``exporters/canvas/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from lxml import etree
from lxml import html as lxml_html

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import Rendered, render, render_inline
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Essay,
    Matching,
    MultipleResponse,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
)
from qbank.exporters import register
from qbank.exporters.base import (
    ExportOutput,
    deterministic_zip,
    exportable_questions,
    form_diagnostic,
    metadata_not_carried,
    question_diagnostic,
    unique_questions,
)
from qbank.exporters.qti.dialect import XSI, format_number, namespaces, xml_bytes
from qbank.exporters.qti.items import NOT_CARRIED
from qbank.exporters.qti.media import MediaStore
from qbank.exporters.qti.plan import PlannedSection, TestPlan, plan_test
from qbank.exporters.qti.writer import choice_identifier
from qbank.interchange.canvas import (
    FILEBASE,
    MEDIA_FOLDER,
    QTI12_RESOURCE_TYPE,
    QUESTION_TYPES,
    ROOT_SECTION,
    choice_feedback_id,
)
from qbank.interchange.feedback import PLAIN_HEADINGS, general_feedback
from qbank.interchange.qti import GENERAL_FEEDBACK_ID, qti_identifier

__all__ = ["CanvasExporter"]

QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI12_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
IMSCP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
CANVAS_META = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_META_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"


def _q(name: str) -> str:
    return f"{{{QTI12}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(name), attrs)
    if text is not None:
        el.text = text
    return el


def _html(rendered: Rendered, rewrite: dict[str, str]) -> str:
    """The sanitised HTML with packaged image paths."""
    if not rewrite or not rendered.images:
        return rendered.html
    holder = lxml_html.fragment_fromstring(rendered.html, create_parent="div")
    for img in holder.iter("img"):
        src = img.get("src", "")
        if src in rewrite:
            img.set("src", rewrite[src])
    text = holder.text or ""
    return text + "".join(lxml_html.tostring(child, encoding="unicode") for child in holder)


def _material(parent: etree._Element, html_text: str) -> None:
    # Canvas reads HTML from an entity-escaped mattext; lxml escapes the text by construction
    _sub(_sub(parent, "material"), "mattext", html_text, texttype="text/html")


def _field(parent: etree._Element, label: str, entry: str) -> None:
    fld = _sub(parent, "qtimetadatafield")
    _sub(fld, "fieldlabel", label)
    _sub(fld, "fieldentry", entry)


def _condition(parent: etree._Element, cont: bool) -> tuple[etree._Element, etree._Element]:
    cond = _sub(parent, "respcondition", **{"continue": "Yes" if cont else "No"})
    return cond, _sub(cond, "conditionvar")


def _feedback_link(cond: etree._Element, ident: str) -> None:
    _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=ident)


def _set_score(cond: etree._Element, value: float, action: str = "Set") -> None:
    _sub(cond, "setvar", format_number(value), action=action, varname="SCORE")


def _item(q: Question, rewrite: dict[str, str]) -> tuple[etree._Element, list[Diagnostic]]:
    """One Canvas QTI 1.2 item (``q`` is not an ordering question)."""
    notes: list[Diagnostic] = []
    item = etree.Element(_q("item"), ident=qti_identifier(q.id), title=q.id)
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", QUESTION_TYPES[q.type])
    _field(meta, "points_possible", format_number(q.points))
    if isinstance(q, ChoiceQuestion):
        _field(meta, "original_answer_ids", ",".join(choice_identifier(i) for i in range(len(q.choices))))

    presentation = _sub(item, "presentation")
    _material(presentation, _html(render(q.stem), rewrite))
    processing = etree.Element(_q("resprocessing"))
    outcomes = _sub(processing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    feedback: list[tuple[str, str]] = []
    general = general_feedback(q, PLAIN_HEADINGS)
    if general:
        cond, var = _condition(processing, cont=True)
        _sub(var, "other")
        _feedback_link(cond, GENERAL_FEEDBACK_ID)
        feedback.append((GENERAL_FEEDBACK_ID, _html(render(general), rewrite)))

    if isinstance(q, ChoiceQuestion | TrueFalse):
        lid = _sub(
            presentation,
            "response_lid",
            ident="response1",
            rcardinality="Multiple" if isinstance(q, MultipleResponse) else "Single",
        )
        choice_list = _sub(lid, "render_choice")
        if isinstance(q, ChoiceQuestion):
            labels = [
                (choice_identifier(i), _html(render_inline(c.text), rewrite)) for i, c in enumerate(q.choices)
            ]
            keys = [choice_identifier(i) for i in q.keys]
            for i, choice in enumerate(q.choices):
                if choice.feedback:
                    ident = choice_identifier(i)
                    cond, var = _condition(processing, cont=True)
                    _sub(var, "varequal", ident, respident="response1")
                    _feedback_link(cond, choice_feedback_id(ident))
                    feedback.append((choice_feedback_id(ident), _html(render(choice.feedback), rewrite)))
        else:
            labels = [("TRUE", "True"), ("FALSE", "False")]
            keys = ["TRUE" if q.answer else "FALSE"]
        for ident, text in labels:
            _material(_sub(choice_list, "response_label", ident=ident), text)
        cond, var = _condition(processing, cont=False)
        if isinstance(q, MultipleResponse):
            both = _sub(var, "and")
            for ident, _text in labels:
                if ident in keys:
                    _sub(both, "varequal", ident, respident="response1")
                else:
                    _sub(_sub(both, "not"), "varequal", ident, respident="response1")
        else:
            _sub(var, "varequal", keys[0], respident="response1")
        _set_score(cond, 100)
    elif isinstance(q, ShortAnswer | Numerical | Essay):
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        fib = _sub(response, "render_fib")
        if isinstance(q, Numerical):
            fib.set("fibtype", "Decimal")
        _sub(fib, "response_label", ident="answer1", rshuffle="No")
        if isinstance(q, ShortAnswer):
            if q.case_sensitive:
                notes.append(
                    question_diagnostic(
                        q,
                        "QB902",
                        "Canvas compares short answers without regard to case: case_sensitive is not carried",
                        ("case_sensitive",),
                    )
                )
            cond, var = _condition(processing, cont=False)
            for text in q.accept:
                _sub(var, "varequal", text, respident="response1")
            _set_score(cond, 100)
        elif isinstance(q, Numerical):
            cond, var = _condition(processing, cont=False)
            either = _sub(var, "or")
            _sub(either, "varequal", format_number(q.answer), respident="response1")
            band = _sub(either, "and")
            _sub(band, "vargte", format_number(q.answer - q.tolerance), respident="response1")
            _sub(band, "varlte", format_number(q.answer + q.tolerance), respident="response1")
            _set_score(cond, 100)
    elif isinstance(q, Matching):
        targets: dict[str, str] = {}
        for text in [p.match for p in q.pairs] + list(q.distractors):
            targets.setdefault(text, f"T{len(targets) + 1}")
        share = 100 / len(q.pairs)
        for i, pair in enumerate(q.pairs):
            lid = _sub(presentation, "response_lid", ident=f"response_S{i + 1}")
            _material(lid, _html(render_inline(pair.prompt), rewrite))
            options = _sub(lid, "render_choice")
            for text, ident in targets.items():
                _material(_sub(options, "response_label", ident=ident), _html(render_inline(text), rewrite))
            cond, var = _condition(processing, cont=False)
            _sub(var, "varequal", targets[pair.match], respident=f"response_S{i + 1}")
            _set_score(cond, share, action="Add")
    item.append(processing)
    for ident, html_text in feedback:
        body = _sub(_sub(item, "itemfeedback", ident=ident), "flow_mat")
        _material(body, html_text)
    return item, notes


def _group(
    parent: etree._Element, section: PlannedSection, select: int, notes: list[Diagnostic]
) -> tuple[etree._Element, float]:
    """A Canvas question group: draws ``select`` items, each worth the first item's points."""
    group = _sub(parent, "section", ident=section.identifier, title=section.title)
    per_item = section.questions[0].points
    for q in section.questions[1:]:
        if q.points != per_item:
            notes.append(
                question_diagnostic(
                    q,
                    "QB902",
                    f"a Canvas question group gives every drawn question the same points: "
                    f"{format_number(per_item)} instead of {format_number(q.points)} in {section.title!r}",
                    ("points",),
                )
            )
    selection = _sub(_sub(group, "selection_ordering"), "selection")
    _sub(selection, "selection_number", str(select))
    _sub(_sub(selection, "selection_extension"), "points_per_item", format_number(per_item))
    return group, per_item * select


def _assessment(
    plan: TestPlan, items: dict[str, etree._Element], notes: list[Diagnostic]
) -> tuple[etree._Element, float]:
    root = etree.Element(_q("questestinterop"), nsmap=namespaces(QTI12))
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI12} {QTI12_XSD}")
    assessment = _sub(root, "assessment", ident=plan.identifier, title=plan.title)
    meta = _sub(assessment, "qtimetadata")
    if plan.time_limit_minutes is not None:
        _field(meta, "qmd_timelimit", str(plan.time_limit_minutes))
    _field(meta, "cc_maxattempts", "unlimited")
    top = _sub(assessment, "section", ident=ROOT_SECTION)
    total = 0.0
    for section in plan.sections:
        present = [q for q in section.questions if q.id in items]
        if not present:
            continue
        container = top
        if section.select is not None:
            shown = PlannedSection(section.identifier, section.title, section.domain, present, section.select)
            container, points = _group(top, shown, min(section.select, len(present)), notes)
            total += points
        else:
            total += sum(q.points for q in present)
        for q in present:
            container.append(items[q.id])
    return root, total


def _meta(plan: TestPlan, points: float, shuffle: bool) -> etree._Element:
    quiz = etree.Element(f"{{{CANVAS_META}}}quiz", nsmap=namespaces(CANVAS_META))
    quiz.set(f"{{{XSI}}}schemaLocation", f"{CANVAS_META} {CANVAS_META_XSD}")
    quiz.set("identifier", plan.identifier)

    def put(name: str, text: str) -> None:
        etree.SubElement(quiz, f"{{{CANVAS_META}}}{name}").text = text

    put("title", plan.title)
    put("description", "")
    put("shuffle_answers", "true" if shuffle else "false")
    put("scoring_policy", "keep_highest")
    put("hide_results", "")
    put("quiz_type", "practice_quiz")
    put("points_possible", format_number(points))
    if plan.time_limit_minutes is not None:
        put("time_limit", str(plan.time_limit_minutes))
    put("allowed_attempts", "-1")
    put("one_question_at_a_time", "false")
    put("cant_go_back", "false")
    put("show_correct_answers", "true")
    put("available", "false")
    return quiz


def _manifest(plan: TestPlan, media: MediaStore) -> etree._Element:
    manifest = etree.Element(f"{{{IMSCP}}}manifest", nsmap=namespaces(IMSCP))
    manifest.set(f"{{{XSI}}}schemaLocation", f"{IMSCP} {IMSCP_XSD}")
    manifest.set("identifier", f"MANIFEST_{plan.identifier}")

    def sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{IMSCP}}}{name}", attrs)
        if text is not None:
            el.text = text
        return el

    meta = sub(manifest, "metadata")
    sub(meta, "schema", "IMS Content")
    sub(meta, "schemaversion", "1.1.3")
    sub(manifest, "organizations")
    resources = sub(manifest, "resources")
    quiz_id = plan.identifier
    quiz = sub(resources, "resource", identifier=quiz_id, type=QTI12_RESOURCE_TYPE)
    sub(quiz, "file", href=f"{quiz_id}/{quiz_id}.xml")
    sub(quiz, "dependency", identifierref=f"{quiz_id}_meta")
    for path in sorted(media.files):
        sub(quiz, "dependency", identifierref=media.resource_id(path))
    meta_href = f"{quiz_id}/assessment_meta.xml"
    lar = sub(
        resources,
        "resource",
        identifier=f"{quiz_id}_meta",
        type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
        href=meta_href,
    )
    sub(lar, "file", href=meta_href)
    for path in sorted(media.files):
        res = sub(resources, "resource", identifier=media.resource_id(path), type="webcontent", href=path)
        sub(res, "file", href=path)
    return manifest


def build_canvas_package(bank: Bank, questions: Sequence[Question]) -> tuple[bytes, list[Diagnostic], int]:
    """The zipped Canvas package, what it could not carry and how many questions it holds."""
    notes: list[Diagnostic] = []
    media = MediaStore(MEDIA_FOLDER, FILEBASE)
    items: dict[str, etree._Element] = {}
    for q in questions:
        if isinstance(q, Ordering):
            notes.append(
                question_diagnostic(
                    q,
                    "QB901",
                    f"Canvas Classic Quizzes have no ordering question type: {q.id!r} is not exported",
                    ("type",),
                )
            )
            continue
        rewrite, _paths, problems = media.add_question(q)
        notes += problems
        item, item_notes = _item(q, rewrite)
        notes += item_notes
        items[q.id] = item
    plan = plan_test(bank, questions)
    assessment, points = _assessment(plan, items, notes)
    shuffle = all(q.shuffle for q in questions if isinstance(q, ChoiceQuestion | Matching) and q.id in items)
    quiz_id = plan.identifier
    files: dict[str, bytes] = {
        "imsmanifest.xml": xml_bytes(_manifest(plan, media)),
        f"{quiz_id}/{quiz_id}.xml": xml_bytes(assessment),
        f"{quiz_id}/assessment_meta.xml": xml_bytes(_meta(plan, points, shuffle)),
        **media.files,
    }
    return deterministic_zip(files), notes, len(items)


class CanvasExporter:
    """Canvas Classic Quizzes: a QTI 1.2 package with ``assessment_meta.xml`` and question groups."""

    name: ClassVar[str] = "canvas"
    description: ClassVar[str] = "Canvas Classic Quizzes QTI 1.2 package (zip) with quiz settings"
    suffix: ClassVar[str] = ".zip"

    def export(self, bank: Bank) -> ExportOutput:
        """Render the bank (or form) as one Canvas quiz; ordering questions are reported, not written."""
        questions, diagnostics = unique_questions(exportable_questions(bank))
        data, notes, count = build_canvas_package(bank, questions)
        dropped = metadata_not_carried(questions, "Canvas", NOT_CARRIED)
        if bank.form is not None and bank.form.passing_score is not None:
            message = "Canvas Classic Quizzes have no passing score; `passing_score` is not carried"
            dropped.append(
                form_diagnostic(bank, "QB902", message, "passing_score").with_severity(Severity.INFO)
            )
        return ExportOutput(data, diagnostics + notes + dropped, count)


register(CanvasExporter())
