"""A QTI 2.1 or 3.0 content package: manifest, assessment test, one file per item, and the media."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from qbank.core.diagnostics import Diagnostic
from qbank.core.model import Bank, Question
from qbank.core.pools import PoolGroup, with_pool_points
from qbank.exporters.base import deterministic_zip
from qbank.exporters.qti.dialect import XSI, Dialect, QtiVersion, namespaces, xml_bytes
from qbank.exporters.qti.items import build_item
from qbank.exporters.qti.media import MediaStore
from qbank.exporters.qti.plan import TestPlan, plan_test
from qbank.interchange.qti import (
    LOM_NS,
    LOM_SOURCE,
    MAXSCORE,
    OBJECTIVE_PURPOSE,
    PASS,
    SCORE,
    outline_taxa,
    pool_section_identifier,
    qti_identifier,
)

__all__ = ["TEST_FILE", "build_qti_package", "build_test"]

#: Where the assessment test sits in a QTI package.
TEST_FILE = "assessment_test.xml"


def build_test(plan: TestPlan, dialect: Dialect) -> etree._Element:
    """The assessment test: one section per planned section, random draws and the time limit."""
    d = dialect
    test = d.root("assessmentTest", identifier=plan.identifier, title=plan.title)
    d.sub(test, "outcomeDeclaration", identifier=SCORE, cardinality="single", baseType="float")
    d.sub(test, "outcomeDeclaration", identifier=MAXSCORE, cardinality="single", baseType="float")
    if plan.passing_score is not None:
        d.sub(test, "outcomeDeclaration", identifier=PASS, cardinality="single", baseType="boolean")
    if plan.time_limit_minutes is not None:
        d.sub(test, "timeLimits", maxTime=str(plan.time_limit_minutes * 60), allowLateSubmission="false")
    part = d.sub(test, "testPart", identifier="P1", navigationMode="nonlinear", submissionMode="simultaneous")
    for section in plan.sections:
        sec = d.sub(
            part, "assessmentSection", identifier=section.identifier, title=section.title, visible="true"
        )
        if section.select is not None:
            d.sub(sec, "selection", select=str(section.select), withReplacement="false")
        done: set[str] = set()
        for q in section.questions:
            group = section.pools.get(q.pool) if q.pool is not None else None
            if group is None:
                _item_ref(d, sec, q)
            elif group.name not in done:
                done.add(group.name)
                _pool_section(d, sec, group)
    processing = d.sub(test, "outcomeProcessing")
    for outcome in (SCORE, MAXSCORE):
        total = d.sub(d.sub(processing, "setOutcomeValue", identifier=outcome), "sum")
        d.sub(total, "testVariables", variableIdentifier=outcome)
    if plan.passing_score is not None:
        # PASS = SCORE >= MAXSCORE * passing score
        gte = d.sub(d.sub(processing, "setOutcomeValue", identifier=PASS), "gte")
        d.sub(gte, "variable", identifier=SCORE)
        product = d.sub(gte, "product")
        d.sub(product, "variable", identifier=MAXSCORE)
        d.sub(product, "baseValue", f"{plan.passing_score / 100:g}", baseType="float")
    return test


def _item_ref(d: Dialect, parent: etree._Element, question: Question) -> None:
    ident = qti_identifier(question.id)
    d.sub(parent, "assessmentItemRef", identifier=ident, href=f"items/{ident}.xml")


def _pool_section(d: Dialect, parent: etree._Element, group: PoolGroup) -> None:
    """A pool as a sub-section whose ``selection`` draws ``pick`` of its items for each session."""
    sec = d.sub(
        parent,
        "assessmentSection",
        identifier=pool_section_identifier(group.name),
        title=group.title,
        visible="false",
    )
    d.sub(sec, "selection", select=str(group.pick), withReplacement="false")
    for question in group.questions:
        _item_ref(d, sec, question)


def _lom(bank: Bank, question: Question) -> etree._Element | None:
    """The item resource's LOM metadata: a classification whose taxon path runs from the question's
    domain to its objective (``None`` for a question without a domain)."""
    taxa = outline_taxa(bank, question)
    if not taxa:
        return None

    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{LOM_NS}}}{tag}", attrib)
        element.text = text
        return element

    lom = etree.Element(f"{{{LOM_NS}}}lom")
    classification = sub(lom, "classification")
    purpose = sub(classification, "purpose")
    sub(purpose, "source", LOM_SOURCE)
    sub(purpose, "value", OBJECTIVE_PURPOSE)
    path = sub(classification, "taxonPath")
    source = bank.blueprint.id if bank.blueprint is not None else "qbank"
    sub(sub(path, "source"), "string", source, language="x-none")
    for ident, title in taxa:
        taxon = sub(path, "taxon")
        sub(taxon, "id", ident)
        if title is not None:
            sub(sub(taxon, "entry"), "string", title, language="en")
    return lom


def build_qti_package(
    bank: Bank, questions: Sequence[Question], version: QtiVersion
) -> tuple[bytes, list[Diagnostic]]:
    """A zipped IMS content package: manifest, the test, one file per item and the media."""
    d = version.dialect
    diagnostics: list[Diagnostic] = []
    media = MediaStore("items/media", "media/")
    files: dict[str, bytes] = {}
    item_media: dict[str, list[str]] = {}
    plan = plan_test(bank, questions)
    questions = [with_pool_points(q, plan.pools) for q in questions]
    for q in questions:
        rewrite, paths, problems = media.add_question(q)
        diagnostics += problems
        item, notes = build_item(q, d, rewrite)
        diagnostics += notes
        ident = qti_identifier(q.id)
        files[f"items/{ident}.xml"] = xml_bytes(item)
        item_media[ident] = paths
    files[TEST_FILE] = xml_bytes(build_test(plan, d))

    ns = version.manifest_namespace
    lom = {qti_identifier(q.id): _lom(bank, q) for q in questions}
    nsmap = namespaces(ns) | ({"imsmd": LOM_NS} if any(m is not None for m in lom.values()) else {})
    manifest = etree.Element(f"{{{ns}}}manifest", nsmap=nsmap)
    manifest.set(f"{{{XSI}}}schemaLocation", f"{ns} {version.manifest_schema_location}")
    manifest.set("identifier", f"MANIFEST_{plan.identifier}")
    meta = etree.SubElement(manifest, f"{{{ns}}}metadata")
    etree.SubElement(meta, f"{{{ns}}}schema").text = version.schema
    etree.SubElement(meta, f"{{{ns}}}schemaversion").text = version.schema_version
    etree.SubElement(manifest, f"{{{ns}}}organizations")
    resources = etree.SubElement(manifest, f"{{{ns}}}resources")

    def resource(
        ident: str, rtype: str, href: str, deps: Sequence[str] = (), metadata: etree._Element | None = None
    ) -> None:
        res = etree.SubElement(resources, f"{{{ns}}}resource", identifier=ident, type=rtype, href=href)
        if metadata is not None:
            etree.SubElement(res, f"{{{ns}}}metadata").append(metadata)
        etree.SubElement(res, f"{{{ns}}}file", href=href)
        for dep in deps:
            etree.SubElement(res, f"{{{ns}}}dependency", identifierref=dep)

    resource(plan.identifier, version.test_type, TEST_FILE, [qti_identifier(q.id) for q in questions])
    for q in questions:
        ident = qti_identifier(q.id)
        deps = [media.resource_id(p) for p in item_media[ident]]
        resource(ident, version.item_type, f"items/{ident}.xml", deps, lom[ident])
    for path in sorted(media.files):
        resource(media.resource_id(path), "webcontent", path)
        files[path] = media.files[path]
    files["imsmanifest.xml"] = xml_bytes(manifest)
    return deterministic_zip(files), diagnostics
