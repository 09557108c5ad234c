"""JSON for front ends: one self-contained document, validated by ``schemas/export.schema.json``.

Every Markdown field travels twice, as its source and as the sanitised HTML every other exporter
uses; images are embedded (base64) so that the file is all a practice page needs. The blueprint
(domains, weights, objectives) and the form header (count, time limit, passing score) come along.
Questions keep bank order; the document carries ``format_version`` so readers can check it.
The document is described by :class:`ExportDocument`; see ``exporters/json/README.md``.
"""

from __future__ import annotations

import base64
import json
from pathlib import PurePosixPath
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from qbank.core.cloze import fill_gaps, render_cloze
from qbank.core.diagnostics import Diagnostic
from qbank.core.markup import render, render_inline, renders_math
from qbank.core.math import MathTarget
from qbank.core.model import (
    Bank,
    Blueprint,
    Cloze,
    Difficulty,
    Essay,
    Form,
    Gap,
    Matching,
    MultipleResponse,
    NumberGap,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    Status,
    TextGap,
    TrueFalse,
)
from qbank.core.pools import pool_groups
from qbank.exporters import register
from qbank.exporters.base import ExportOutput, exportable_questions, misplaced_gap_notes, question_media
from qbank.interchange.moodle import bank_title

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "ExportDocument",
    "ExportPool",
    "ExportVariant",
    "JsonExporter",
    "RichText",
    "build_document",
]

EXPORT_FORMAT = "qbank-export"
EXPORT_FORMAT_VERSION = 1
"""Raised when a field is removed or changes meaning; adding optional fields keeps it."""

_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class RichText(_Frozen):
    """A Markdown text with its rendering."""

    markdown: str
    """The source as the author wrote it (CommonMark, tables, fenced code)."""
    html: str
    """Sanitised HTML; image ``src`` values are as written (see the question's ``media``)."""


class ExportChoice(_Frozen):
    """An option of a choice question."""

    text: RichText
    correct: bool
    feedback: RichText | None
    """Shown to a learner who picked this option."""


class ExportPair(_Frozen):
    """A matching prompt and its match."""

    prompt: RichText
    match: str
    """Plain text."""


class ExportMedia(_Frozen):
    """An image a question shows, embedded."""

    src: str
    """Exactly as written in the Markdown (and so in the HTML)."""
    media_type: str
    data_base64: str


class ExportVariant(_Frozen):
    """Which variant of a template a question is."""

    template: str
    """The template's id."""
    number: int
    values: dict[str, bool | int | float | str]
    """The variables' values, in declaration order."""


class ExportPool(_Frozen):
    """A pool: a test draws ``pick`` of its questions, each worth ``points``."""

    name: str
    title: str
    pick: int = Field(ge=1)
    points: float
    """Points of each drawn question."""
    questions: list[str]
    """Ids of its questions, in document order."""
    template: str | None
    """The template whose variants the pool holds, if it is one template's pool."""


class _ExportQuestion(_Frozen):
    id: str
    domain: str | None
    """The question's domain, also when it is implied by its objective."""
    objective: str | None
    difficulty: Difficulty | None
    points: float
    shuffle: bool
    """Whether a front end may shuffle the options."""
    status: Status
    tags: list[str]
    stem: RichText
    explanation: RichText | None
    references: list[str]
    followups: list[str]
    author: str | None
    source: str | None
    media: list[ExportMedia]
    pool: str | None = None
    """The pool the question is drawn from (see the document's ``pools``)."""
    variant: ExportVariant | None = None
    """Set when the question is a variant of a template."""


class ExportSingleChoice(_ExportQuestion):
    """One key among the choices."""

    type: Literal["single_choice"]
    choices: list[ExportChoice]


class ExportMultipleResponse(_ExportQuestion):
    """Two or more keys."""

    type: Literal["multiple_response"]
    choices: list[ExportChoice]


class ExportTrueFalse(_ExportQuestion):
    """A statement that is true or false."""

    type: Literal["true_false"]
    answer: bool


class ExportShortAnswer(_ExportQuestion):
    """Free text compared with accepted answers."""

    type: Literal["short_answer"]
    accept: list[str]
    case_sensitive: bool


class ExportNumerical(_ExportQuestion):
    """A number within an absolute tolerance."""

    type: Literal["numerical"]
    answer: float
    tolerance: float


class ExportMatching(_ExportQuestion):
    """Prompts to match, plus extra distractor matches."""

    type: Literal["matching"]
    pairs: list[ExportPair]
    distractors: list[str]


class ExportOrdering(_ExportQuestion):
    """Items to put in order (listed in the correct order)."""

    type: Literal["ordering"]
    order: list[str]


class ExportEssay(_ExportQuestion):
    """An open answer graded by a person."""

    type: Literal["essay"]


class ExportGapOption(_Frozen):
    """An option of a drop-down gap."""

    text: str
    """Plain text."""
    correct: bool
    feedback: RichText | None
    """Shown to a learner who picked this option."""


class _ExportGap(_Frozen):
    name: str
    """The gap's name, as in the stem's ``[[name]]`` and the HTML's ``data-gap`` attribute."""
    points: float
    feedback: RichText | None
    """Shown with the gap after answering, whatever the answer."""


class ExportTextGap(_ExportGap):
    """A typed answer."""

    kind: Literal["text"]
    accept: list[str]
    case_sensitive: bool


class ExportNumberGap(_ExportGap):
    """A number within an absolute tolerance."""

    kind: Literal["number"]
    answer: float
    tolerance: float


class ExportDropdownGap(_ExportGap):
    """A drop-down with exactly one correct option."""

    kind: Literal["dropdown"]
    options: list[ExportGapOption]


ExportGap = Annotated[
    Union[ExportTextGap, ExportNumberGap, ExportDropdownGap],  # noqa: UP007 -- a discriminated union
    Field(discriminator="kind"),
]


class ExportCloze(_ExportQuestion):
    """A text with gaps. ``stem.markdown`` holds each gap as ``[[name]]``; ``stem.html`` holds it as
    an empty ``<span data-gap="name"></span>`` where a front end puts the input or select. The
    question scores the points of each right gap; ``points`` is their sum."""

    type: Literal["cloze"]
    gaps: list[ExportGap]
    """In text order."""


ExportQuestion = Annotated[
    Union[  # noqa: UP007 -- a discriminated union needs the Union spelling here
        ExportSingleChoice,
        ExportMultipleResponse,
        ExportTrueFalse,
        ExportShortAnswer,
        ExportNumerical,
        ExportMatching,
        ExportOrdering,
        ExportEssay,
        ExportCloze,
    ],
    Field(discriminator="type"),
]


class ExportDocument(_Frozen):
    """The whole JSON export."""

    model_config = ConfigDict(
        title="qbank JSON export",
        json_schema_extra={"$comment": f"qbank JSON export, format version {EXPORT_FORMAT_VERSION}"},
    )
    format: Literal["qbank-export"]
    format_version: Literal[1]
    title: str
    """The form title, else the blueprint title, else ``qbank``."""
    question_count: int = Field(ge=0)
    blueprint: Blueprint | None
    """Exam outline: domains with weights (percent) and objectives."""
    form: Form | None
    """Present when the bank is an assembled practice test: count, time limit, passing score."""
    pools: list[ExportPool] = Field(default_factory=list)
    """Pools of the exported questions: a test draws ``pick`` questions of each."""
    questions: list[ExportQuestion]


def _rich(markdown: str, *, inline: bool = False) -> RichText:
    rendered = render_inline(markdown) if inline else render(markdown)
    return RichText(markdown=markdown, html=rendered.html)


def _rich_opt(markdown: str | None) -> RichText | None:
    return _rich(markdown) if markdown else None


def _question(bank: Bank, question: Question, diagnostics: list[Diagnostic]) -> ExportQuestion:
    images, problems = question_media(question)
    diagnostics.extend(problems)
    common = {
        "id": question.id,
        "domain": bank.domain_of(question),
        "objective": question.objective,
        "difficulty": question.difficulty,
        "points": question.points,
        "shuffle": question.shuffle,
        "status": question.status,
        "tags": list(question.tags),
        "stem": _rich(question.stem),
        "explanation": _rich_opt(question.explanation),
        "references": list(question.references),
        "followups": list(question.followups),
        "author": question.author,
        "source": question.source,
        "pool": question.pool,
        "variant": _variant(question),
        "media": [
            ExportMedia(
                src=m.src,
                media_type=_MEDIA_TYPES.get(
                    PurePosixPath(m.path.name).suffix.lower(), "application/octet-stream"
                ),
                data_base64=base64.b64encode(m.path.read_bytes()).decode("ascii"),
            )
            for m in images
        ],
    }
    if isinstance(question, SingleChoice | MultipleResponse):
        choices = [
            ExportChoice(text=_rich(c.text, inline=True), correct=c.correct, feedback=_rich_opt(c.feedback))
            for c in question.choices
        ]
        if isinstance(question, SingleChoice):
            return ExportSingleChoice(type="single_choice", choices=choices, **common)
        return ExportMultipleResponse(type="multiple_response", choices=choices, **common)
    if isinstance(question, TrueFalse):
        return ExportTrueFalse(type="true_false", answer=question.answer, **common)
    if isinstance(question, ShortAnswer):
        return ExportShortAnswer(
            type="short_answer",
            accept=list(question.accept),
            case_sensitive=question.case_sensitive,
            **common,
        )
    if isinstance(question, Numerical):
        return ExportNumerical(
            type="numerical", answer=question.answer, tolerance=question.tolerance, **common
        )
    if isinstance(question, Matching):
        pairs = [ExportPair(prompt=_rich(p.prompt, inline=True), match=p.match) for p in question.pairs]
        return ExportMatching(type="matching", pairs=pairs, distractors=list(question.distractors), **common)
    if isinstance(question, Ordering):
        return ExportOrdering(type="ordering", order=list(question.order), **common)
    if isinstance(question, Essay):
        return ExportEssay(type="essay", **common)
    if isinstance(question, Cloze):
        text = render_cloze(question)
        diagnostics.extend(misplaced_gap_notes(question, text))
        common["stem"] = RichText(
            markdown=question.stem,
            html=fill_gaps(text.rendered.html, lambda i: f'<span data-gap="{text.names[i]}"></span>'),
        )
        return ExportCloze(type="cloze", gaps=[_gap(n, question.gaps[n]) for n in text.names], **common)
    raise TypeError(f"unknown question type {type(question).__name__}")  # a bug: the union is closed


def _variant(question: Question) -> ExportVariant | None:
    variant = question.origin.variant if question.origin is not None else None
    if variant is None:
        return None
    return ExportVariant(template=variant.template, number=variant.number, values=dict(variant.values))


def _gap(name: str, gap: Gap) -> ExportGap:
    common = {"name": name, "points": gap.points, "feedback": _rich_opt(gap.feedback)}
    if isinstance(gap, TextGap):
        return ExportTextGap(
            kind="text", accept=list(gap.accept), case_sensitive=gap.case_sensitive, **common
        )
    if isinstance(gap, NumberGap):
        return ExportNumberGap(kind="number", answer=gap.answer, tolerance=gap.tolerance, **common)
    options = [
        ExportGapOption(text=o.text, correct=o.correct, feedback=_rich_opt(o.feedback)) for o in gap.options
    ]
    return ExportDropdownGap(kind="dropdown", options=options, **common)


def build_document(bank: Bank) -> tuple[ExportDocument, list[Diagnostic]]:
    """The export document of a bank and the problems met (missing images)."""
    diagnostics: list[Diagnostic] = []
    exported = exportable_questions(bank)
    questions = [_question(bank, q, diagnostics) for q in exported]
    pools = [
        ExportPool(
            name=group.name,
            title=group.title,
            pick=group.pick,
            points=group.points,
            questions=[q.id for q in group.questions],
            template=group.template,
        )
        for group in pool_groups(bank, exported).values()
    ]
    document = ExportDocument(
        format=EXPORT_FORMAT,
        format_version=EXPORT_FORMAT_VERSION,
        title=bank_title(bank),
        question_count=len(questions),
        blueprint=bank.blueprint,
        form=bank.form,
        pools=pools,
        questions=questions,
    )
    return document, diagnostics


class JsonExporter:
    """One JSON document for front ends (``--to json``)."""

    name: ClassVar[str] = "json"
    description: ClassVar[str] = (
        "JSON for front ends: Markdown + HTML, blueprint, form (schemas/export.schema.json)"
    )
    suffix: ClassVar[str] = ".json"

    @renders_math(MathTarget.MATHML)
    def export(self, bank: Bank) -> ExportOutput:
        """Render ``bank`` as the JSON export document (UTF-8, 2-space indent, trailing newline).

        Optional fields left at their default (``pools``, a question's ``pool`` and ``variant``)
        are omitted, so a bank without pools or templates exports as it did before they existed.
        """
        document, diagnostics = build_document(bank)
        data = document.model_dump(mode="json")
        if not data["pools"]:
            del data["pools"]
        for question in data["questions"]:
            for name in ("pool", "variant"):
                if question[name] is None:
                    del question[name]
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        return ExportOutput(text.encode("utf-8"), diagnostics, document.question_count)


register(JsonExporter())
