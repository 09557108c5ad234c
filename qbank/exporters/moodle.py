"""Moodle XML: every qbank question type, categories from the blueprint, images embedded.

The file is what *Question bank > Import > Moodle XML format* reads. Questions are grouped in
categories ``$course$/top/<bank>/<domain>/<objective>`` (use "Get category from file"); the question
id becomes both the question name and its ``idnumber``. HTML goes in CDATA, images travel base64
encoded inside the field that shows them, and every grade is one of Moodle's accepted fractions
(checked before it is written). See ``exporters/moodle/README.md`` for the full mapping.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePosixPath
from typing import Any, ClassVar
from urllib.parse import quote

from lxml import etree
from lxml import html as lxml_html

from qbank.core.cloze import fill_gaps, render_cloze
from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import plain_math, render, render_inline, renders_math
from qbank.core.math import MathTarget
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Cloze,
    Essay,
    Matching,
    MultipleResponse,
    NumberGap,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TextGap,
    TrueFalse,
)
from qbank.core.pools import PoolGroup, pool_groups, with_pool_points
from qbank.exporters import register
from qbank.exporters.base import (
    ExportOutput,
    Media,
    exportable_questions,
    misplaced_gap_notes,
    question_diagnostic,
    question_media,
)
from qbank.interchange.feedback import BOLD_HEADINGS, general_feedback
from qbank.interchange.moodle import (
    CLOZE_CATCH_ALL,
    CLOZE_DROPDOWN,
    CLOZE_DROPDOWN_SHUFFLED,
    CLOZE_NUMBER,
    CLOZE_TEXT,
    CLOZE_TEXT_CASE,
    COMBINED_FEEDBACK,
    PLUGINFILE,
    QTYPES,
    category_names,
    category_order,
    category_path,
    category_segment,
    choice_grades,
    cloze_escape,
    cloze_gap,
    cloze_html,
    cloze_text,
    escape_wildcards,
    format_grade,
    format_number,
    question_tags,
)
from qbank.io.source import DataPath

__all__ = ["MAX_IDNUMBER", "MoodleXmlExporter"]

MAX_IDNUMBER = 100
"""Length of Moodle's ``idnumber`` column; longer ids are not written (and reported)."""

_PENALTY = "0.3333333"
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class _Context:
    """Per-question state: its images, the file names given to them, and what went wrong."""

    question: Question
    media: dict[str, Media]
    diagnostics: list[Diagnostic]
    names: dict[str, str] = field(default_factory=dict)
    cleaned: set[str] = field(default_factory=set)

    def file_name(self, src: str) -> str:
        """A file name for an image, unique within the question."""
        if src in self.names:
            return self.names[src]
        base = PurePosixPath(self.media[src].path.name)
        name, n = base.name, 1
        while name in self.names.values():
            n += 1
            name = f"{base.stem}-{n}{base.suffix}"
        self.names[src] = name
        return name

    def clean(self, text: str, where: DataPath) -> str:
        """``text`` without characters XML 1.0 cannot hold (reported once per field)."""
        if not _INVALID_XML.search(text):
            return text
        key = "/".join(map(str, where))
        if key not in self.cleaned:
            self.cleaned.add(key)
            self.diagnostics.append(
                question_diagnostic(
                    self.question,
                    "QB902",
                    "control characters that XML cannot carry were removed from this text",
                    where,
                )
            )
        return _INVALID_XML.sub("", text)


def _set_text(element: etree._Element, text: str) -> None:
    """Text of a ``<text>`` element: CDATA when it holds markup, escaped text otherwise.

    A CDATA section cannot contain ``]]>``; such text is written entity-escaped, which Moodle
    reads the same way (lxml cannot write split CDATA sections).
    """
    if not text:
        return
    if html.escape(text) != text and "]]>" not in text:
        element.text = etree.CDATA(text)
    else:
        element.text = text


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _pool_note(group: PoolGroup, path: str) -> Diagnostic:
    message = (
        f"Moodle XML cannot hold a random question: pool {group.name!r} is written as the category "
        f"{path.split('/')[-1]}/Pool: {group.title}; add a random question drawing {group.pick} "
        "from it to the quiz"
    )
    return question_diagnostic(group.questions[0], "QB902", message, ("pool",)).with_severity(Severity.INFO)


class MoodleXmlExporter:
    """Moodle XML question file (``--to moodle``)."""

    name: ClassVar[str] = "moodle"
    description: ClassVar[str] = "Moodle XML question bank file (all 9 types, categories, images)"
    suffix: ClassVar[str] = ".xml"

    @renders_math(MathTarget.TEX)
    def export(self, bank: Bank) -> ExportOutput:
        """Render ``bank`` as one Moodle XML document.

        A pool becomes a sub-category of its first question's category (``Pool: <title>``), since
        Moodle XML cannot hold a random question; a QB902 note per pool says so.
        """
        exported = exportable_questions(bank)
        pools = pool_groups(bank, exported) if bank.form is None else {}
        home = {name: category_path(bank, group.questions[0]) for name, group in pools.items()}
        order = {name: i for i, name in enumerate(pools)}
        questions = sorted(
            exported,
            key=lambda q: (
                *category_order(bank, pools[q.pool].questions[0] if q.pool in pools else q),
                order.get(q.pool or "", -1),
            ),
        )
        diagnostics: list[Diagnostic] = [_pool_note(group, home[name]) for name, group in pools.items()]
        quiz = etree.Element("quiz")
        current: str | None = None
        idnumbers: dict[str, set[str]] = {}
        for question in questions:
            path = category_path(bank, question)
            if question.pool in pools:
                group = pools[question.pool]
                path = f"{home[group.name]}/{category_segment('Pool: ' + group.title)}"
                question = with_pool_points(question, pools)
            if path != current:
                self._category(quiz, bank, question, path)
                current = path
            self._question(quiz, question, idnumbers.setdefault(path, set()), diagnostics)
        data = etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return ExportOutput(data, diagnostics, len(questions))

    # ------------------------------------------------------------------------------------ categories

    def _category(self, quiz: etree._Element, bank: Bank, question: Question, path: str) -> None:
        element = _sub(quiz, "question", type="category")
        _sub(_sub(element, "category"), "text", path)
        description = self._category_description(bank, question, len(category_names(bank, question)))
        if description:
            info = _sub(element, "info", format="html")
            _set_text(_sub(info, "text"), render(description).html)

    @staticmethod
    def _category_description(bank: Bank, question: Question, depth: int) -> str | None:
        if bank.blueprint is None or depth < 3 or question.objective is None:
            return None
        for _, objective in bank.blueprint.objectives():
            if objective.id == question.objective:
                return objective.description
        return None

    # ------------------------------------------------------------------------------------- questions

    def _question(
        self,
        quiz: etree._Element,
        question: Question,
        idnumbers: set[str],
        diagnostics: list[Diagnostic],
    ) -> None:
        images, problems = question_media(question)
        diagnostics.extend(problems)
        ctx = _Context(question, {m.src: m for m in images}, diagnostics)
        kind = _TYPES[question.kind]
        element = _sub(quiz, "question", type=QTYPES[question.kind])
        _sub(_sub(element, "name"), "text", question.id)
        marks = kind.text(self, element, question, ctx)
        feedback = general_feedback(question, BOLD_HEADINGS)
        self._html(
            element, "generalfeedback", render(feedback).html if feedback else "", ctx, ("explanation",)
        )
        _sub(element, "defaultgrade", f"{marks:.7f}")
        _sub(element, "penalty", kind.penalty)
        _sub(element, "hidden", "0")
        self._idnumber(element, question, idnumbers, diagnostics)
        kind.body(self, element, question, ctx)

        tags = question_tags(question)
        if tags:
            holder = _sub(element, "tags")
            for tag in tags:
                _sub(_sub(holder, "tag"), "text", ctx.clean(tag, ("tags",)))
        lost = [name for name in ("author", "source") if getattr(question, name)]
        if lost:
            diagnostics.append(
                question_diagnostic(
                    question,
                    "QB902",
                    f"Moodle XML has no field for {' and '.join(lost)}; not exported",
                    (lost[0],),
                )
            )

    @staticmethod
    def _idnumber(
        element: etree._Element, question: Question, idnumbers: set[str], diagnostics: list[Diagnostic]
    ) -> None:
        if len(question.id) > MAX_IDNUMBER:
            diagnostics.append(
                question_diagnostic(
                    question,
                    "QB902",
                    f"id longer than Moodle's {MAX_IDNUMBER}-character idnumber; written as the name only",
                    ("id",),
                )
            )
            return
        if question.id in idnumbers:
            diagnostics.append(
                question_diagnostic(
                    question,
                    "QB902",
                    "id repeated in this category; Moodle would drop the idnumber, so it is not written",
                    ("id",),
                )
            )
            return
        idnumbers.add(question.id)
        _sub(element, "idnumber", question.id)

    def _html(
        self,
        parent: etree._Element,
        tag: str,
        text_html: str,
        ctx: _Context,
        where: DataPath,
        **attrib: str,
    ) -> etree._Element:
        """A text-bearing element: ``format="html"``, the HTML, and the files it shows."""
        element = _sub(parent, tag, **attrib, format="html")
        text_html, files = self._embed(ctx.clean(text_html, where), ctx)
        _set_text(_sub(element, "text"), text_html)
        for name, data in files:
            _sub(element, "file", data, name=name, path="/", encoding="base64")
        return element

    @staticmethod
    def _embed(text_html: str, ctx: _Context) -> tuple[str, list[tuple[str, str]]]:
        """Point local images at ``@@PLUGINFILE@@`` and return the files to attach to the field."""
        if "<img" not in text_html or not ctx.media:
            return text_html, []
        holder = lxml_html.fragment_fromstring(text_html, create_parent="div")
        files: dict[str, str] = {}
        for img in holder.iter("img"):
            src = img.get("src", "")
            if src not in ctx.media:
                continue
            name = ctx.file_name(src)
            img.set("src", f"{PLUGINFILE}/{quote(name)}")
            if name not in files:
                files[name] = base64.b64encode(ctx.media[src].path.read_bytes()).decode("ascii")
        if not files:
            return text_html, []
        parts = [html.escape(holder.text, quote=False)] if holder.text else []
        parts.extend(lxml_html.tostring(child, encoding="unicode") for child in holder)
        return "".join(parts), sorted(files.items())

    def _stem(self, element: etree._Element, question: Question, ctx: _Context) -> float:
        """The question text of every type but cloze; returns the question's points."""
        self._html(element, "questiontext", render(question.stem).html, ctx, ("stem",))
        return question.points

    @staticmethod
    def _combined_feedback(element: etree._Element) -> None:
        for tag in COMBINED_FEEDBACK:
            _sub(_sub(element, tag, format="html"), "text")

    def _cloze(self, element: etree._Element, question: Cloze, ctx: _Context) -> None:
        self._combined_feedback(element)

    def _multichoice(self, element: etree._Element, question: ChoiceQuestion, ctx: _Context) -> None:
        multiple = isinstance(question, MultipleResponse)
        _sub(element, "single", "false" if multiple else "true")
        _sub(element, "shuffleanswers", "true" if question.shuffle else "false")
        _sub(element, "answernumbering", "abc")
        _sub(element, "showstandardinstruction", "0")
        self._combined_feedback(element)
        if multiple:
            _sub(element, "shownumcorrect")
        grades = choice_grades(question)
        for index, (choice, grade) in enumerate(zip(question.choices, grades, strict=True)):
            answer = self._html(
                element,
                "answer",
                render_inline(choice.text).html,
                ctx,
                ("choices", index, "text"),
                fraction=format_grade(grade),
            )
            feedback = render(choice.feedback).html if choice.feedback else ""
            self._html(answer, "feedback", feedback, ctx, ("choices", index, "feedback"))

    def _truefalse(self, element: etree._Element, question: TrueFalse, ctx: _Context) -> None:
        for value in (True, False):
            grade = Fraction(1) if question.answer is value else Fraction(0)
            answer = _sub(element, "answer", fraction=format_grade(grade), format="moodle_auto_format")
            _sub(answer, "text", "true" if value else "false")
            _sub(_sub(answer, "feedback", format="html"), "text")

    def _shortanswer(self, element: etree._Element, question: ShortAnswer, ctx: _Context) -> None:
        _sub(element, "usecase", "1" if question.case_sensitive else "0")
        for text in question.accept:
            answer = _sub(element, "answer", fraction=format_grade(Fraction(1)), format="moodle_auto_format")
            _set_text(_sub(answer, "text"), escape_wildcards(_INVALID_XML.sub("", text)))
            _sub(_sub(answer, "feedback", format="html"), "text")

    def _numerical(self, element: etree._Element, question: Numerical, ctx: _Context) -> None:
        answer = _sub(element, "answer", fraction=format_grade(Fraction(1)), format="moodle_auto_format")
        _sub(answer, "text", format_number(question.answer))
        _sub(_sub(answer, "feedback", format="html"), "text")
        _sub(answer, "tolerance", format_number(question.tolerance))
        _sub(element, "unitgradingtype", "0")
        _sub(element, "unitpenalty", "0.1000000")
        _sub(element, "showunits", "3")
        _sub(element, "unitsleft", "0")

    def _matching(self, element: etree._Element, question: Matching, ctx: _Context) -> None:
        _sub(element, "shuffleanswers", "true" if question.shuffle else "false")
        self._combined_feedback(element)
        _sub(element, "shownumcorrect")
        for index, pair in enumerate(question.pairs):
            sub = self._html(
                element, "subquestion", render(pair.prompt).html, ctx, ("pairs", index, "prompt")
            )
            _set_text(
                _sub(_sub(sub, "answer"), "text"),
                ctx.clean(plain_math(pair.match), ("pairs", index, "match")),
            )
        for index, distractor in enumerate(question.distractors):
            sub = _sub(element, "subquestion", format="html")
            _sub(sub, "text")
            _set_text(
                _sub(_sub(sub, "answer"), "text"), ctx.clean(plain_math(distractor), ("distractors", index))
            )
        if len(question.pairs) + len(question.distractors) < 3:
            ctx.diagnostics.append(
                question_diagnostic(
                    question,
                    "QB902",
                    "Moodle's editor wants at least 3 answers for a matching question; "
                    "add a distractor or the question cannot be re-saved in Moodle",
                    ("distractors",),
                )
            )

    def _ordering(self, element: etree._Element, question: Ordering, ctx: _Context) -> None:
        _sub(element, "layouttype", "VERTICAL")
        _sub(element, "selecttype", "ALL")
        _sub(element, "selectcount", "0")
        _sub(element, "gradingtype", "ABSOLUTE_POSITION")
        _sub(element, "showgrading", "SHOW")
        _sub(element, "numberingstyle", "none")
        self._combined_feedback(element)
        _sub(element, "shownumcorrect")
        for position, item in enumerate(question.order, start=1):
            # the ordering type stores each item's correct position in ``fraction``
            answer = _sub(element, "answer", fraction=f"{position:.7f}", format="html")
            _set_text(
                _sub(answer, "text"),
                html.escape(ctx.clean(plain_math(item), ("order", position - 1)), quote=False),
            )
            _sub(_sub(answer, "feedback", format="html"), "text")

    def _cloze_text(self, element: etree._Element, question: Cloze, ctx: _Context) -> float:
        """The question text with an embedded answer per gap; returns the marks Moodle gives it."""
        text = render_cloze(question)
        ctx.diagnostics.extend(misplaced_gap_notes(question, text))
        stem_html, files = self._embed(ctx.clean(text.rendered.html, ("stem",)), ctx)
        marks = _gap_marks(question, ctx)
        gaps: list[str] = []
        for name, mark in zip(text.names, marks, strict=True):
            gap_html, gap_files = self._cloze_gap(question, name, mark, ctx)
            gaps.append(gap_html)
            files += gap_files
        body = fill_gaps(cloze_text(stem_html), lambda i: gaps[i])
        holder = _sub(element, "questiontext", format="html")
        _set_text(_sub(holder, "text"), body)
        for name, data in sorted(dict(files).items()):
            _sub(holder, "file", data, name=name, path="/", encoding="base64")
        return float(sum(marks))

    def _cloze_gap(
        self, question: Cloze, name: str, mark: int, ctx: _Context
    ) -> tuple[str, list[tuple[str, str]]]:
        """One gap as Moodle's embedded answer, and the image files its feedback shows.

        The case-sensitive and shuffled types are written by their short names (``SAC``, ``MCS``),
        which Moodle reads the same and readers that take type names of letters only understand.
        """
        gap = question.gaps[name]
        files: list[tuple[str, str]] = []

        def feedback(markdown: str | None, where: DataPath) -> str | None:
            if not markdown:
                return None
            fragment, found = self._embed(ctx.clean(render_inline(markdown).html, where), ctx)
            files.extend(found)
            return cloze_html(fragment)

        own = feedback(gap.feedback, ("gaps", name, "feedback"))
        alternatives: list[tuple[bool, str, str | None]]
        if isinstance(gap, TextGap):
            kind = CLOZE_TEXT_CASE if gap.case_sensitive else CLOZE_TEXT
            alternatives = [(True, cloze_escape(escape_wildcards(t)), own) for t in gap.accept]
            if own:
                alternatives.append((False, CLOZE_CATCH_ALL, own))
        elif isinstance(gap, NumberGap):
            kind = CLOZE_NUMBER
            value = f"{format_number(gap.answer)}:{format_number(gap.tolerance)}"
            alternatives = [(True, value, own)] + ([(False, CLOZE_CATCH_ALL, own)] if own else [])
        else:
            kind = CLOZE_DROPDOWN_SHUFFLED if question.shuffle else CLOZE_DROPDOWN
            if own and any(o.feedback for o in gap.options):
                ctx.diagnostics.append(
                    question_diagnostic(
                        question,
                        "QB902",
                        "Moodle has feedback per option only: the gap's feedback shows for the options "
                        "without their own",
                        ("gaps", name, "feedback"),
                    )
                )
            alternatives = [
                (
                    o.correct,
                    cloze_escape(o.text, html_value=True),
                    feedback(o.feedback, ("gaps", name, "options", i, "feedback")) or own,
                )
                for i, o in enumerate(gap.options)
            ]
        return cloze_gap(mark, kind, alternatives), files

    def _essay(self, element: etree._Element, question: Essay, ctx: _Context) -> None:
        _sub(element, "responseformat", "editor")
        _sub(element, "responserequired", "1")
        _sub(element, "responsefieldlines", "15")
        _sub(element, "attachments", "0")
        _sub(element, "attachmentsrequired", "0")
        _sub(element, "maxbytes", "0")
        _sub(element, "filetypeslist")
        _sub(_sub(element, "graderinfo", format="html"), "text")
        _sub(_sub(element, "responsetemplate", format="html"), "text")


@dataclass(frozen=True)
class _MoodleType:
    """How one question type is written: its question text (returning the question's marks), its
    ``penalty`` (the share of the marks lost per wrong try), and what follows the common elements."""

    body: Callable[[MoodleXmlExporter, etree._Element, Any, _Context], None]
    text: Callable[[MoodleXmlExporter, etree._Element, Any, _Context], float] = MoodleXmlExporter._stem
    penalty: str = _PENALTY


#: qbank type -> how it is written (one entry per type; the Moodle type names are in ``QTYPES``).
_TYPES: dict[str, _MoodleType] = {
    SingleChoice.kind: _MoodleType(MoodleXmlExporter._multichoice),
    MultipleResponse.kind: _MoodleType(MoodleXmlExporter._multichoice),
    TrueFalse.kind: _MoodleType(MoodleXmlExporter._truefalse, penalty="1.0000000"),
    ShortAnswer.kind: _MoodleType(MoodleXmlExporter._shortanswer),
    Numerical.kind: _MoodleType(MoodleXmlExporter._numerical),
    Matching.kind: _MoodleType(MoodleXmlExporter._matching),
    Ordering.kind: _MoodleType(MoodleXmlExporter._ordering),
    Essay.kind: _MoodleType(MoodleXmlExporter._essay, penalty="0.0000000"),
    Cloze.kind: _MoodleType(MoodleXmlExporter._cloze, text=MoodleXmlExporter._cloze_text),
}


def _gap_marks(question: Cloze, ctx: _Context) -> list[int]:
    """Whole marks per gap in text order (Moodle's embedded answers take whole numbers).

    Gap points that are not whole numbers are scaled by the smallest factor up to 100 that makes
    them whole (so 0.5 and 1 become 1 and 2), else rounded; either change is reported.
    """
    points = [question.gaps[name].points for name in question.gap_order]
    for factor in range(1, 101):
        scaled = [p * factor for p in points]
        if all(abs(v - round(v)) < 1e-9 for v in scaled):
            break
    else:
        factor, scaled = 1, [max(1.0, float(round(p))) for p in points]
    marks = [round(v) for v in scaled]
    if factor != 1 or marks != points:
        ctx.diagnostics.append(
            question_diagnostic(
                question,
                "QB902",
                "Moodle gives each embedded answer whole marks: the gaps are worth "
                f"{', '.join(map(str, marks))} (the question {sum(marks)} instead of {format_number(question.points)})",
                ("gaps",),
            )
        )
    return marks


register(MoodleXmlExporter())
