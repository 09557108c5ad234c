"""Canvas Classic Quizzes package (``--to canvas``): QTI 1.2 in the shape Canvas itself exports.

Layout: ``imsmanifest.xml``; ``<quiz>/<quiz>.xml`` (the QTI 1.2 assessment); ``<quiz>/assessment_meta.xml``
(quiz settings, same identifier as the assessment); ``web_resources/`` (images, each listed in the
manifest and referenced as ``$IMS-CC-FILEBASE$/...``). See ``exporters/canvas/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from lxml import etree

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import renders_math
from qbank.core.math import MathTarget
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Cloze,
    DropdownGap,
    Matching,
    Question,
)
from qbank.core.pools import with_pool_points
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
from qbank.exporters.canvas_items import ITEM_TYPES, QTI12, build_item, metadata_field, qti12_sub
from qbank.exporters.qti.dialect import XSI, format_number, namespaces, xml_bytes
from qbank.exporters.qti.items import NOT_CARRIED
from qbank.exporters.qti.media import MediaStore
from qbank.exporters.qti.plan import PlannedSection, TestPlan, plan_test
from qbank.interchange.canvas import (
    FILEBASE,
    MEDIA_FOLDER,
    QTI12_RESOURCE_TYPE,
    ROOT_SECTION,
)
from qbank.interchange.qti import pool_section_identifier

__all__ = ["CanvasExporter"]

QTI12_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
IMSCP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
CANVAS_META = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_META_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"


def _group(
    parent: etree._Element, section: PlannedSection, select: int, notes: list[Diagnostic]
) -> tuple[etree._Element, float]:
    """A Canvas question group: draws ``select`` items, each worth the first item's points."""
    group = qti12_sub(parent, "section", ident=section.identifier, title=section.title)
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
    selection = qti12_sub(qti12_sub(group, "selection_ordering"), "selection")
    qti12_sub(selection, "selection_number", str(select))
    qti12_sub(qti12_sub(selection, "selection_extension"), "points_per_item", format_number(per_item))
    return group, per_item * select


def _assessment(
    plan: TestPlan, items: dict[str, etree._Element], notes: list[Diagnostic]
) -> tuple[etree._Element, float]:
    root = etree.Element(f"{{{QTI12}}}questestinterop", nsmap=namespaces(QTI12))
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI12} {QTI12_XSD}")
    assessment = qti12_sub(root, "assessment", ident=plan.identifier, title=plan.title)
    meta = qti12_sub(assessment, "qtimetadata")
    if plan.time_limit_minutes is not None:
        metadata_field(meta, "qmd_timelimit", str(plan.time_limit_minutes))
    metadata_field(meta, "cc_maxattempts", "unlimited")
    top = qti12_sub(assessment, "section", ident=ROOT_SECTION)
    total = 0.0
    for section in plan.sections:
        present = [q for q in section.questions if q.id in items and q.pool not in section.pools]
        if present:
            container = top
            if section.select is not None:
                shown = PlannedSection(
                    section.identifier, section.title, section.domain, present, section.select
                )
                container, points = _group(top, shown, min(section.select, len(present)), notes)
                total += points
            else:
                total += sum(q.points for q in present)
            for q in present:
                container.append(items[q.id])
        # Canvas groups do not nest: a pool is a question group of its own beside the domain's
        for pool in section.pools.values():
            members = [with_pool_points(q, section.pools) for q in pool.questions if q.id in items]
            if not members:
                continue
            shown = PlannedSection(pool_section_identifier(pool.name), pool.title, section.domain, members)
            container, points = _group(top, shown, min(pool.pick, len(members)), notes)
            total += points
            for q in members:
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


def _has_options(q: Question) -> bool:
    """Whether Canvas's quiz-wide answer shuffling applies to the question."""
    if isinstance(q, Cloze):
        return any(isinstance(g, DropdownGap) for g in q.gaps.values())
    return isinstance(q, ChoiceQuestion | Matching)


def build_canvas_package(bank: Bank, questions: Sequence[Question]) -> tuple[bytes, list[Diagnostic], int]:
    """The zipped Canvas package, what it could not carry and how many questions it holds."""
    notes: list[Diagnostic] = []
    media = MediaStore(MEDIA_FOLDER, FILEBASE)
    items: dict[str, etree._Element] = {}
    plan = plan_test(bank, questions)
    for q in questions:
        q = with_pool_points(q, plan.pools)
        if q.kind not in ITEM_TYPES:
            notes.append(
                question_diagnostic(
                    q,
                    "QB901",
                    f"Canvas Classic Quizzes have no {q.kind.replace('_', ' ')} question type: "
                    f"{q.id!r} is not exported",
                    ("type",),
                )
            )
            continue
        rewrite, _paths, problems = media.add_question(q)
        notes += problems
        item, item_notes = build_item(q, rewrite)
        notes += item_notes
        items[q.id] = item
    assessment, points = _assessment(plan, items, notes)
    shuffle = all(q.shuffle for q in questions if _has_options(q) and q.id in items)
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

    @renders_math(MathTarget.TEX_DOLLAR_DISPLAY)
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
