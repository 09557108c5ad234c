"""What the QTI 2.1, QTI 3.0 and Canvas (QTI 1.2) exporters share.

* identifiers: question ids become QTI identifiers (NCName-like) by :func:`qti_identifier`;
* the test plan: one section per blueprint domain (bank order inside), a general section for
  questions without a domain, optional random draws per domain and the time limit;
* packaged media: images next to question files, stored once by content hash;
* one internal item builder that writes QTI 2.1 element names and, through a :class:`Dialect`,
  the QTI 3.0 ``qti-kebab-case`` names, so both versions carry exactly the same item.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import cast

from lxml import etree

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import ALLOWED_TAGS, Rendered, append_xhtml, render, render_inline
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
    SingleChoice,
    TrueFalse,
)
from qbank.exporters.base import deterministic_zip, question_diagnostic, question_media

__all__ = [
    "GENERAL_FEEDBACK_ID",
    "NOT_CARRIED",
    "QTI21",
    "QTI21_PACKAGE",
    "QTI30",
    "QTI30_PACKAGE",
    "XSI",
    "Dialect",
    "MediaStore",
    "PackageKind",
    "PlannedSection",
    "TestPlan",
    "build_item",
    "build_qti_package",
    "build_test",
    "choice_identifier",
    "format_number",
    "general_feedback",
    "namespaces",
    "plan_test",
    "qti_identifier",
    "unique_questions",
    "xml_bytes",
]

#: Question metadata that QTI items and Canvas quizzes have no place for (reported as QB902 notes).
NOT_CARRIED: tuple[str, ...] = ("objective", "difficulty", "tags", "author", "source")

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Identifier of the general feedback (the explanation), as an outcome value and modal feedback id.
GENERAL_FEEDBACK_ID = "general_fb"


def qti_identifier(question_id: str) -> str:
    """The QTI identifier of a question id.

    qbank ids match ``^[a-z0-9][a-z0-9._-]*$``; QTI identifiers (and the ``xs:ID`` of manifest
    resources) must not start with a digit, so such ids get the prefix ``Q_`` (``2-kms-key`` ->
    ``Q_2-kms-key``). Other ids are kept as they are. qbank ids are lower case, so a prefixed id
    never collides with an unprefixed one.
    """
    return f"Q_{question_id}" if question_id[:1].isdigit() else question_id


def choice_identifier(index: int) -> str:
    """``A``, ``B``, ... for 0-based choice positions (a question has at most 10 choices)."""
    return chr(ord("A") + index) if index < 26 else f"C{index + 1}"


def format_number(value: float) -> str:
    """A float as the shortest text that reads back as the same value (``1``, ``0.5``)."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def namespaces(default: str) -> dict[str, str]:
    """An ``nsmap`` with ``default`` as the default namespace and the ``xsi`` prefix."""
    # lxml takes None as the key of the default namespace; lxml-stubs only knows str keys
    return cast("dict[str, str]", {None: default, "xsi": XSI})


def xml_bytes(root: etree._Element) -> bytes:
    """Serialise an element as a UTF-8 document with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def unique_questions(questions: Sequence[Question]) -> tuple[list[Question], list[Diagnostic]]:
    """Questions with distinct ids; a repeated id is reported (QB804) and not exported twice."""
    seen: set[str] = set()
    out: list[Question] = []
    problems: list[Diagnostic] = []
    for q in questions:
        if q.id in seen:
            problems.append(
                question_diagnostic(q, "QB804", f"question id {q.id!r} is used twice; exported once", ("id",))
            )
            continue
        seen.add(q.id)
        out.append(q)
    return out, problems


# ---------------------------------------------------------------------------------------------- media


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class MediaStore:
    """Images of the exported questions, each stored once under a name derived from its content.

    ``folder`` is the folder inside the package; ``prefix`` is how item text refers to that folder.
    """

    folder: str
    prefix: str
    files: dict[str, bytes] = field(default_factory=dict)
    """Package path -> bytes."""
    used_by: dict[str, list[str]] = field(default_factory=dict)
    """Package path -> ids of the questions showing it."""
    by_digest: dict[str, str] = field(default_factory=dict)
    """Content hash (12 hex digits) -> package path."""

    def add_question(self, question: Question) -> tuple[dict[str, str], list[str], list[Diagnostic]]:
        """Package the question's images: (src rewrite map, package paths, diagnostics)."""
        media, problems = question_media(question)
        rewrite: dict[str, str] = {}
        paths: list[str] = []
        for item in media:
            try:
                data = item.path.read_bytes()
            except OSError as exc:
                problems.append(
                    question_diagnostic(question, "QB903", f"image {item.src} cannot be read: {exc}")
                )
                continue
            digest = hashlib.sha256(data).hexdigest()[:12]
            # one file per content: the same image under two names is stored (and listed) once
            package_path = self.by_digest.get(digest, "")
            if not package_path:
                name = _SAFE_NAME.sub("_", PurePosixPath(item.path.name).name) or "image"
                package_path = f"{self.folder}/{digest}-{name}"
                self.by_digest[digest] = package_path
                self.files[package_path] = data
            relative = package_path[len(self.folder) + 1 :]
            users = self.used_by.setdefault(package_path, [])
            if question.id not in users:
                users.append(question.id)
            rewrite[item.src] = f"{self.prefix}{relative}"
            if package_path not in paths:
                paths.append(package_path)
        return rewrite, paths, problems

    def resource_id(self, package_path: str) -> str:
        """The manifest identifier of a media file (stable: derived from its content hash)."""
        return "MEDIA_" + PurePosixPath(package_path).name.split("-", 1)[0]


# ---------------------------------------------------------------------------------------------- test plan


@dataclass
class PlannedSection:
    """A section of the test: the questions of one domain (or of no domain)."""

    identifier: str
    title: str
    domain: str | None
    questions: list[Question]
    select: int | None = None
    """How many questions a session draws from this section (``None``: all of them)."""


@dataclass
class TestPlan:
    """The assessment: title, identifier, time limit and sections."""

    identifier: str
    title: str
    time_limit_minutes: int | None
    sections: list[PlannedSection]
    passing_score: float | None = None
    """Percent of the points needed to pass (the form's, else the blueprint exam's)."""

    @property
    def drawn(self) -> bool:
        """Whether any section draws a random subset."""
        return any(s.select is not None for s in self.sections)


def _quotas(total: int, weights: dict[str, float], available: dict[str, int]) -> dict[str, int]:
    """Split ``total`` by weight (largest remainder), each share capped by what a domain holds."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        return dict(available)
    raw = {d: total * w / weight_sum for d, w in weights.items()}
    shares = {d: int(v) for d, v in raw.items()}
    leftover = total - sum(shares.values())
    for d in sorted(raw, key=lambda d: (-(raw[d] - shares[d]), list(raw).index(d)))[:leftover]:
        shares[d] += 1
    return {d: min(shares.get(d, 0), available[d]) for d in available}


def plan_test(bank: Bank, questions: Sequence[Question]) -> TestPlan:
    """Group questions into sections by domain and decide the random draws and the time limit.

    * Sections follow the blueprint's domain order; domains the blueprint does not know follow,
      sorted by id; questions without a domain form a last ``General`` section.
    * An assembled form (``bank.form``) keeps all its questions unless a blueprint is known and the
      form asks for fewer questions than the bank holds: then each domain section draws its share
      of ``form.count`` by the blueprint weights. Without a form, a bank with a blueprint whose
      ``exam.questions`` is smaller than the bank draws the exam's length the same way.
    * Time limit: the form's ``time_limit``; without a form, the blueprint exam's minutes when the
      test draws an exam-length form.
    """
    blueprint = bank.blueprint
    form = bank.form
    by_domain: dict[str | None, list[Question]] = {}
    for q in questions:
        by_domain.setdefault(bank.domain_of(q), []).append(q)
    titles: dict[str, str] = {}
    order: list[str] = []
    weights: dict[str, float] = {}
    if blueprint is not None:
        for dom in blueprint.domains:
            titles[dom.id] = dom.title
            weights[dom.id] = dom.weight
            if dom.id in by_domain:
                order.append(dom.id)
    order += sorted(d for d in by_domain if d is not None and d not in titles)

    total: int | None = None
    chosen = [d for d in order if d in weights]
    if form is not None:
        if form.domains:
            chosen = [d for d in chosen if d in form.domains]
        if blueprint is not None and form.count < len(questions):
            total = form.count
    elif blueprint is not None and blueprint.exam is not None:
        in_blueprint = sum(len(by_domain[d]) for d in chosen)
        if blueprint.exam.questions < in_blueprint:
            total = blueprint.exam.questions
    quotas: dict[str, int] = {}
    if total is not None and chosen:
        quotas = _quotas(total, {d: weights[d] for d in chosen}, {d: len(by_domain[d]) for d in chosen})

    sections: list[PlannedSection] = []
    for index, dom_id in enumerate(order, start=1):
        qs = by_domain[dom_id]
        select = quotas.get(dom_id)
        if total is not None and dom_id not in quotas:
            select = 0 if dom_id in weights else None
        if select is not None and select >= len(qs):
            select = None
        title = f"Domain {dom_id}: {titles[dom_id]}" if dom_id in titles else f"Domain {dom_id}"
        sections.append(PlannedSection(f"D{index}", title, dom_id, qs, select))
    sections = [s for s in sections if s.select != 0]
    if None in by_domain:
        sections.append(PlannedSection("GENERAL", "General", None, by_domain[None]))

    drawn = any(s.select is not None for s in sections)
    if form is not None:
        title, minutes = form.title, form.time_limit
    else:
        title = blueprint.title if blueprint is not None else "qbank export"
        exam = blueprint.exam if blueprint is not None else None
        minutes = exam.minutes if drawn and exam is not None else None
    digest = hashlib.sha256("\0".join([title, *(q.id for q in questions)]).encode()).hexdigest()[:12]
    exam = blueprint.exam if blueprint is not None else None
    passing = form.passing_score if form is not None and form.passing_score is not None else None
    if passing is None and exam is not None:
        passing = exam.passing_score
    return TestPlan(f"T_{digest}", title, minutes, sections, passing)


# ---------------------------------------------------------------------------------------------- dialects


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class Dialect:
    """QTI element and attribute names of one version.

    Items are built with QTI 2.1 names; QTI 3.0 spells QTI elements ``qti-`` plus kebab case and
    attributes in kebab case, while the embedded XHTML keeps its names in both.
    """

    namespace: str
    schema_location: str
    kebab: bool

    def tag(self, name: str) -> str:
        """The qualified element name."""
        if self.kebab and name not in ALLOWED_TAGS:
            name = "qti-" + _CAMEL.sub("-", name).lower()
        return f"{{{self.namespace}}}{name}"

    def attr(self, name: str) -> str:
        """The attribute name."""
        return _CAMEL.sub("-", name).lower() if self.kebab else name

    def sub(self, parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        """Append a child element with attributes (given in QTI 2.1 spelling)."""
        el = etree.SubElement(parent, self.tag(name))
        for key, value in attrs.items():
            el.set(self.attr(key), value)
        if text is not None:
            el.text = text
        return el

    def root(self, name: str, **attrs: str) -> etree._Element:
        """A document element with the namespace and schema location declared."""
        el = etree.Element(self.tag(name), nsmap=namespaces(self.namespace))
        el.set(f"{{{XSI}}}schemaLocation", f"{self.namespace} {self.schema_location}")
        for key, value in attrs.items():
            el.set(self.attr(key), value)
        return el

    def feedback_body(self, modal: etree._Element) -> etree._Element:
        """Where the content of a modal feedback goes (QTI 3.0 wraps it in ``qti-content-body``)."""
        return self.sub(modal, "contentBody") if self.kebab else modal


QTI21 = Dialect(
    "http://www.imsglobal.org/xsd/imsqti_v2p1",
    "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
    kebab=False,
)
QTI30 = Dialect(
    "http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd",
    kebab=True,
)


# ---------------------------------------------------------------------------------------------- items


#: Choices that refer to the other choices' positions keep their place when a delivery shuffles.
_POSITIONAL = re.compile(r"\b(all|none|both|neither) of the (above|options|others)\b", re.IGNORECASE)

#: XHTML elements of the shared allow-list that QTI's XHTML subset lacks, and what they become.
_QTI_TAG_FALLBACK = {"u": "span", "del": "span", "ins": "span"}


@dataclass
class _ItemContext:
    question: Question
    dialect: Dialect
    rewrite: dict[str, str]
    diagnostics: list[Diagnostic]

    def content(self, parent: etree._Element, rendered: Rendered, where: tuple[str | int, ...]) -> None:
        """Append rendered Markdown to ``parent`` in the QTI namespace, fixing what QTI rejects."""
        before = len(parent)
        append_xhtml(parent, rendered.xhtml, self.dialect.namespace, self.rewrite)
        local = etree.QName
        for child in list(parent)[before:]:
            for el in child.iter():
                if not isinstance(el.tag, str):
                    continue
                name = local(el).localname
                if name == "a" and "rel" in el.attrib:
                    del el.attrib["rel"]  # the sanitiser adds rel=noopener; QTI's <a> has no rel
                if name in _QTI_TAG_FALLBACK:
                    self.diagnostics.append(
                        question_diagnostic(
                            self.question,
                            "QB902",
                            f"QTI has no <{name}> element: its text is kept without that formatting",
                            where,
                        ).with_severity(Severity.INFO)
                    )
                    el.tag = self.dialect.tag(_QTI_TAG_FALLBACK[name])


def general_feedback(question: Question) -> str | None:
    """The Markdown of the general feedback: explanation, then references and follow-up prompts.

    References and follow-ups have no place of their own in QTI or Canvas, so they are appended to
    the explanation rather than dropped.
    """
    parts: list[str] = []
    if question.explanation:
        parts.append(question.explanation.strip())
    if question.references:
        parts.append("References:\n\n" + "\n".join(f"- <{url}>" for url in question.references))
    if question.followups:
        parts.append("Explore next:\n\n" + "\n".join(f"- {_escape_md(t)}" for t in question.followups))
    return "\n\n".join(parts) if parts else None


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~])", r"\\\1", text)


def _value_list(d: Dialect, parent: etree._Element, name: str, values: Sequence[str]) -> None:
    holder = d.sub(parent, name)
    for value in values:
        d.sub(holder, "value", value)


def _base(d: Dialect, parent: etree._Element, base_type: str, value: str) -> None:
    d.sub(parent, "baseValue", value, baseType=base_type)


def _set_score(d: Dialect, parent: etree._Element, value: float) -> None:
    _base(d, d.sub(parent, "setOutcomeValue", identifier="SCORE"), "float", format_number(value))


def _if_else_score(d: Dialect, rp: etree._Element) -> etree._Element:
    """``if <condition> SCORE = points else SCORE = 0``; returns the responseIf to put the condition in."""
    cond = d.sub(rp, "responseCondition")
    branch = d.sub(cond, "responseIf")
    _set_score(d, d.sub(cond, "responseElse"), 0)
    return branch


def _match_correct(d: Dialect, rp: etree._Element, points: float) -> None:
    branch = _if_else_score(d, rp)
    match = d.sub(branch, "match")
    d.sub(match, "variable", identifier="RESPONSE")
    d.sub(match, "correct", identifier="RESPONSE")
    _set_score(d, branch, points)


def _map_response(d: Dialect, rp: etree._Element) -> None:
    cond = d.sub(rp, "responseCondition")
    branch = d.sub(cond, "responseIf")
    d.sub(d.sub(branch, "isNull"), "variable", identifier="RESPONSE")
    _set_score(d, branch, 0)
    other = d.sub(d.sub(cond, "responseElse"), "setOutcomeValue", identifier="SCORE")
    d.sub(other, "mapResponse", identifier="RESPONSE")


def _mapping(
    d: Dialect, decl: etree._Element, points: float, entries: Sequence[tuple[str, float]]
) -> etree._Element:
    mapping = d.sub(decl, "mapping", lowerBound="0", upperBound=format_number(points), defaultValue="0")
    for key, value in entries:
        d.sub(mapping, "mapEntry", mapKey=key, mappedValue=format_number(value))
    return mapping


def build_item(
    question: Question, dialect: Dialect, rewrite: dict[str, str]
) -> tuple[etree._Element, list[Diagnostic]]:
    """One QTI assessment item for a question, in the given dialect.

    Scoring: ``SCORE`` runs from 0 to the question's ``points`` (declared as ``normalMaximum`` and in
    a ``MAXSCORE`` outcome). Choice, true/false and ordering items score all or nothing; multiple
    response scores ``points / keys`` per key picked and subtracts as much per distractor picked
    (never below 0); matching scores ``points / pairs`` per right pair; short answer maps every
    accepted text to ``points``; numerical compares with an absolute tolerance; essays are scored
    by a person. The explanation is a modal feedback shown after every response; per-choice
    feedback is a modal feedback shown when that choice was picked.
    """
    d = dialect
    q = question
    ctx = _ItemContext(q, d, rewrite, [])
    item = d.root(
        "assessmentItem",
        identifier=qti_identifier(q.id),
        title=q.id,
        adaptive="false",
        timeDependent="false",
    )
    item.set(_XML_LANG, "en")
    points = q.points
    choice_feedback = isinstance(q, ChoiceQuestion) and any(c.feedback for c in q.choices)
    general = general_feedback(q)

    # -- response declaration
    decl = d.sub(item, "responseDeclaration", identifier="RESPONSE")
    if isinstance(q, SingleChoice):
        decl.set(d.attr("cardinality"), "single")
        decl.set(d.attr("baseType"), "identifier")
        _value_list(d, decl, "correctResponse", [choice_identifier(i) for i in q.keys])
    elif isinstance(q, MultipleResponse):
        decl.set(d.attr("cardinality"), "multiple")
        decl.set(d.attr("baseType"), "identifier")
        _value_list(d, decl, "correctResponse", [choice_identifier(i) for i in q.keys])
        share = points / len(q.keys)
        _mapping(
            d,
            decl,
            points,
            [(choice_identifier(i), share if c.correct else -share) for i, c in enumerate(q.choices)],
        )
    elif isinstance(q, TrueFalse):
        decl.set(d.attr("cardinality"), "single")
        decl.set(d.attr("baseType"), "identifier")
        _value_list(d, decl, "correctResponse", ["TRUE" if q.answer else "FALSE"])
    elif isinstance(q, ShortAnswer):
        decl.set(d.attr("cardinality"), "single")
        decl.set(d.attr("baseType"), "string")
        _value_list(d, decl, "correctResponse", [q.accept[0]])
        mapping = _mapping(d, decl, points, [(text, points) for text in q.accept])
        for entry in mapping:
            entry.set(d.attr("caseSensitive"), "true" if q.case_sensitive else "false")
    elif isinstance(q, Numerical):
        decl.set(d.attr("cardinality"), "single")
        decl.set(d.attr("baseType"), "float")
        _value_list(d, decl, "correctResponse", [format_number(q.answer)])
    elif isinstance(q, Matching):
        decl.set(d.attr("cardinality"), "multiple")
        decl.set(d.attr("baseType"), "directedPair")
        targets = _match_targets(q)
        pairs = [f"S{i + 1} {targets[p.match]}" for i, p in enumerate(q.pairs)]
        _value_list(d, decl, "correctResponse", pairs)
        _mapping(d, decl, points, [(pair, points / len(pairs)) for pair in pairs])
    elif isinstance(q, Ordering):
        decl.set(d.attr("cardinality"), "ordered")
        decl.set(d.attr("baseType"), "identifier")
        _value_list(d, decl, "correctResponse", [f"O{i + 1}" for i in range(len(q.order))])
    else:  # essay
        decl.set(d.attr("cardinality"), "single")
        decl.set(d.attr("baseType"), "string")

    # -- outcomes
    score = d.sub(
        item,
        "outcomeDeclaration",
        identifier="SCORE",
        cardinality="single",
        baseType="float",
        normalMaximum=format_number(points),
    )
    _value_list(d, score, "defaultValue", ["0"])
    maxscore = d.sub(
        item, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single", baseType="float"
    )
    _value_list(d, maxscore, "defaultValue", [format_number(points)])
    if general or choice_feedback:
        d.sub(
            item, "outcomeDeclaration", identifier="FEEDBACK", cardinality="multiple", baseType="identifier"
        )

    # -- body
    body = d.sub(item, "itemBody")
    ctx.content(d.sub(body, "div"), render(q.stem), ("stem",))
    shuffle = "true" if q.shuffle else "false"
    if isinstance(q, ChoiceQuestion):
        inter = d.sub(
            body,
            "choiceInteraction",
            responseIdentifier="RESPONSE",
            shuffle=shuffle,
            maxChoices="1" if isinstance(q, SingleChoice) else "0",
        )
        for i, choice in enumerate(q.choices):
            el = d.sub(inter, "simpleChoice", identifier=choice_identifier(i))
            if q.shuffle and _POSITIONAL.search(render_inline(choice.text).text):
                el.set(d.attr("fixed"), "true")  # "none of the above" must stay last when shuffled
            ctx.content(el, render_inline(choice.text), ("choices", i, "text"))
    elif isinstance(q, TrueFalse):
        # the two statements keep their order even when a delivery shuffles choices
        inter = d.sub(
            body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false", maxChoices="1"
        )
        d.sub(inter, "simpleChoice", "True", identifier="TRUE", fixed="true")
        d.sub(inter, "simpleChoice", "False", identifier="FALSE", fixed="true")
    elif isinstance(q, ShortAnswer | Numerical):
        holder = d.sub(body, "div")
        length = max(len(t) for t in q.accept) if isinstance(q, ShortAnswer) else 12
        d.sub(
            holder, "textEntryInteraction", responseIdentifier="RESPONSE", expectedLength=str(max(length, 8))
        )
    elif isinstance(q, Matching):
        targets = _match_targets(q)
        inter = d.sub(
            body,
            "matchInteraction",
            responseIdentifier="RESPONSE",
            shuffle=shuffle,
            maxAssociations=str(len(q.pairs)),
        )
        sources = d.sub(inter, "simpleMatchSet")
        for i, pair in enumerate(q.pairs):
            el = d.sub(sources, "simpleAssociableChoice", identifier=f"S{i + 1}", matchMax="1")
            ctx.content(el, render_inline(pair.prompt), ("pairs", i, "prompt"))
        uses = {t: sum(1 for p in q.pairs if p.match == t) for t in targets}
        target_set = d.sub(inter, "simpleMatchSet")
        for text, ident in targets.items():
            el = d.sub(
                target_set, "simpleAssociableChoice", identifier=ident, matchMax=str(max(uses[text], 1))
            )
            ctx.content(el, render_inline(text), ("pairs",))
    elif isinstance(q, Ordering):
        if not q.shuffle:
            ctx.diagnostics.append(
                question_diagnostic(
                    q,
                    "QB902",
                    "ordering items are always shuffled in QTI: in their stored order they would show the answer",
                    ("shuffle",),
                )
            )
        inter = d.sub(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="true")
        for i, text in enumerate(q.order):
            el = d.sub(inter, "simpleChoice", identifier=f"O{i + 1}")
            ctx.content(el, render_inline(text), ("order", i))
    else:
        assert isinstance(q, Essay)
        d.sub(body, "extendedTextInteraction", responseIdentifier="RESPONSE", expectedLines="10")

    # -- response processing
    rp = d.sub(item, "responseProcessing")
    if general:
        multiple = d.sub(d.sub(rp, "setOutcomeValue", identifier="FEEDBACK"), "multiple")
        _base(d, multiple, "identifier", GENERAL_FEEDBACK_ID)
    if isinstance(q, SingleChoice | TrueFalse | Ordering):
        _match_correct(d, rp, points)
    elif isinstance(q, MultipleResponse | ShortAnswer | Matching):
        _map_response(d, rp)
    elif isinstance(q, Numerical):
        branch = _if_else_score(d, rp)
        equal = d.sub(branch, "equal", toleranceMode="absolute", tolerance=format_number(q.tolerance))
        d.sub(equal, "variable", identifier="RESPONSE")
        d.sub(equal, "correct", identifier="RESPONSE")
        _set_score(d, branch, points)
    if choice_feedback:
        cond = d.sub(rp, "responseCondition")
        branch = d.sub(cond, "responseIf")
        d.sub(d.sub(d.sub(branch, "not"), "isNull"), "variable", identifier="RESPONSE")
        multiple = d.sub(d.sub(branch, "setOutcomeValue", identifier="FEEDBACK"), "multiple")
        d.sub(multiple, "variable", identifier="FEEDBACK")
        d.sub(multiple, "variable", identifier="RESPONSE")
    if len(rp) == 0:
        item.remove(rp)

    # -- feedback
    if general:
        modal = d.sub(
            item,
            "modalFeedback",
            outcomeIdentifier="FEEDBACK",
            identifier=GENERAL_FEEDBACK_ID,
            showHide="show",
            title="Explanation",
        )
        ctx.content(d.feedback_body(modal), render(general), ("explanation",))
    if isinstance(q, ChoiceQuestion):
        for i, choice in enumerate(q.choices):
            if choice.feedback:
                modal = d.sub(
                    item,
                    "modalFeedback",
                    outcomeIdentifier="FEEDBACK",
                    identifier=choice_identifier(i),
                    showHide="show",
                )
                ctx.content(d.feedback_body(modal), render(choice.feedback), ("choices", i, "feedback"))
    return item, ctx.diagnostics


def _match_targets(q: Matching) -> dict[str, str]:
    """Distinct right-hand texts (matches first, then distractors) -> ``T1``, ``T2`` ..."""
    targets: dict[str, str] = {}
    for text in [p.match for p in q.pairs] + list(q.distractors):
        if text not in targets:
            targets[text] = f"T{len(targets) + 1}"
    return targets


# ---------------------------------------------------------------------------------------------- packages


@dataclass(frozen=True)
class PackageKind:
    """Names that differ between QTI 2.1 and 3.0 content packages."""

    dialect: Dialect
    manifest_namespace: str
    manifest_schema_location: str
    schema: str
    schema_version: str
    item_type: str
    test_type: str


QTI21_PACKAGE = PackageKind(
    QTI21,
    "http://www.imsglobal.org/xsd/imscp_v1p1",
    "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    "QTIv2.1 Package",
    "1.0.0",
    "imsqti_item_xmlv2p1",
    "imsqti_test_xmlv2p1",
)
QTI30_PACKAGE = PackageKind(
    QTI30,
    "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd",
    "QTI Package",
    "3.0.0",
    "imsqti_item_xmlv3p0",
    "imsqti_test_xmlv3p0",
)

#: Where the assessment test sits in a QTI package.
TEST_FILE = "assessment_test.xml"


def build_test(plan: TestPlan, dialect: Dialect) -> etree._Element:
    """The assessment test: one section per planned section, random draws and the time limit."""
    d = dialect
    test = d.root("assessmentTest", identifier=plan.identifier, title=plan.title)
    d.sub(test, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    d.sub(test, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single", baseType="float")
    if plan.passing_score is not None:
        d.sub(test, "outcomeDeclaration", identifier="PASS", cardinality="single", baseType="boolean")
    if plan.time_limit_minutes is not None:
        d.sub(test, "timeLimits", maxTime=str(plan.time_limit_minutes * 60), allowLateSubmission="false")
    part = d.sub(test, "testPart", identifier="P1", navigationMode="nonlinear", submissionMode="simultaneous")
    for section in plan.sections:
        sec = d.sub(
            part, "assessmentSection", identifier=section.identifier, title=section.title, visible="true"
        )
        if section.select is not None:
            d.sub(sec, "selection", select=str(section.select), withReplacement="false")
        for q in section.questions:
            ident = qti_identifier(q.id)
            d.sub(sec, "assessmentItemRef", identifier=ident, href=f"items/{ident}.xml")
    processing = d.sub(test, "outcomeProcessing")
    for outcome in ("SCORE", "MAXSCORE"):
        total = d.sub(d.sub(processing, "setOutcomeValue", identifier=outcome), "sum")
        d.sub(total, "testVariables", variableIdentifier=outcome)
    if plan.passing_score is not None:
        # PASS = SCORE >= MAXSCORE * passing score
        gte = d.sub(d.sub(processing, "setOutcomeValue", identifier="PASS"), "gte")
        d.sub(gte, "variable", identifier="SCORE")
        product = d.sub(gte, "product")
        d.sub(product, "variable", identifier="MAXSCORE")
        d.sub(product, "baseValue", f"{plan.passing_score / 100:g}", baseType="float")
    return test


def build_qti_package(
    bank: Bank, questions: Sequence[Question], kind: PackageKind
) -> tuple[bytes, list[Diagnostic]]:
    """A zipped IMS content package: manifest, the test, one file per item and the media."""
    d = kind.dialect
    diagnostics: list[Diagnostic] = []
    media = MediaStore("items/media", "media/")
    files: dict[str, bytes] = {}
    item_media: dict[str, list[str]] = {}
    for q in questions:
        rewrite, paths, problems = media.add_question(q)
        diagnostics += problems
        item, notes = build_item(q, d, rewrite)
        diagnostics += notes
        ident = qti_identifier(q.id)
        files[f"items/{ident}.xml"] = xml_bytes(item)
        item_media[ident] = paths
    plan = plan_test(bank, questions)
    files[TEST_FILE] = xml_bytes(build_test(plan, d))

    ns = kind.manifest_namespace
    manifest = etree.Element(f"{{{ns}}}manifest", nsmap=namespaces(ns))
    manifest.set(f"{{{XSI}}}schemaLocation", f"{ns} {kind.manifest_schema_location}")
    manifest.set("identifier", f"MANIFEST_{plan.identifier}")
    meta = etree.SubElement(manifest, f"{{{ns}}}metadata")
    etree.SubElement(meta, f"{{{ns}}}schema").text = kind.schema
    etree.SubElement(meta, f"{{{ns}}}schemaversion").text = kind.schema_version
    etree.SubElement(manifest, f"{{{ns}}}organizations")
    resources = etree.SubElement(manifest, f"{{{ns}}}resources")

    def resource(ident: str, rtype: str, href: str, deps: Sequence[str] = ()) -> None:
        res = etree.SubElement(resources, f"{{{ns}}}resource", identifier=ident, type=rtype, href=href)
        etree.SubElement(res, f"{{{ns}}}file", href=href)
        for dep in deps:
            etree.SubElement(res, f"{{{ns}}}dependency", identifierref=dep)

    resource(plan.identifier, kind.test_type, TEST_FILE, [qti_identifier(q.id) for q in questions])
    for q in questions:
        ident = qti_identifier(q.id)
        resource(
            ident, kind.item_type, f"items/{ident}.xml", [media.resource_id(p) for p in item_media[ident]]
        )
    for path in sorted(media.files):
        resource(media.resource_id(path), "webcontent", path)
        files[path] = media.files[path]
    files["imsmanifest.xml"] = xml_bytes(manifest)
    return deterministic_zip(files), diagnostics
