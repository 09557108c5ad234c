"""Canvas Classic Quizzes items (QTI 1.2), one :class:`CanvasItemType` per question kind.

Every item carries Canvas's ``question_type`` and ``points_possible`` metadata, the stem as an
HTML ``mattext``, and the general feedback (``general_fb``, shown after any response). Scores are
percentages of ``points_possible`` (``SCORE`` 0 to 100). A type writes its responses in the
presentation, its scoring conditions and the feedback tied to a response; a kind missing from
:data:`ITEM_TYPES` (ordering) has no Classic Quizzes form and is reported instead of written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lxml import etree
from lxml import html as lxml_html

from qbank.core.cloze import fill_gaps, render_cloze
from qbank.core.diagnostics import Diagnostic
from qbank.core.markup import Rendered, render, render_inline
from qbank.core.model import (
    Cloze,
    DropdownGap,
    Essay,
    Matching,
    MultipleResponse,
    NumberGap,
    Numerical,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from qbank.exporters.base import misplaced_gap_notes, question_diagnostic
from qbank.exporters.qti.dialect import format_number
from qbank.exporters.qti.item_types import match_targets
from qbank.exporters.qti.writer import choice_identifier
from qbank.interchange.canvas import (
    DROPDOWNS_TYPE,
    OBJECTIVE_FIELD,
    QUESTION_TYPES,
    blank_response,
    choice_feedback_id,
)
from qbank.interchange.feedback import PLAIN_HEADINGS, general_feedback
from qbank.interchange.qti import (
    GENERAL_FEEDBACK_ID,
    SCORE,
    gap_identifier,
    gap_option_identifier,
    qti_identifier,
)

__all__ = ["ITEM_TYPES", "QTI12", "CanvasItem", "CanvasItemType", "build_item", "metadata_field", "qti12_sub"]

QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"

#: The ``respident`` of a one-response item.
_RESPONSE = "response1"

Q = TypeVar("Q", bound=Question)


def qti12_sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append a QTI 1.2 element."""
    el = etree.SubElement(parent, f"{{{QTI12}}}{name}", attrs)
    if text is not None:
        el.text = text
    return el


_sub = qti12_sub


@dataclass
class CanvasItem:
    """One item being written: where responses, conditions and feedback go, and what went wrong."""

    question: Question
    rewrite: dict[str, str]
    """Image ``src`` as written in the Markdown -> its path in the package."""
    presentation: etree._Element
    processing: etree._Element
    feedback: list[tuple[str, str]] = field(default_factory=list)
    """Item feedback to write: (identifier, HTML)."""
    notes: list[Diagnostic] = field(default_factory=list)

    def html(self, rendered: Rendered) -> str:
        """The sanitised HTML with packaged image paths."""
        if not self.rewrite or not rendered.images:
            return rendered.html
        holder = lxml_html.fragment_fromstring(rendered.html, create_parent="div")
        for img in holder.iter("img"):
            src = img.get("src", "")
            if src in self.rewrite:
                img.set("src", self.rewrite[src])
        text = html.escape(holder.text, quote=False) if holder.text else ""
        return text + "".join(lxml_html.tostring(child, encoding="unicode") for child in holder)

    @staticmethod
    def material(parent: etree._Element, html_text: str) -> None:
        """An HTML ``mattext`` (Canvas reads HTML from an entity-escaped mattext; lxml escapes it)."""
        _sub(_sub(parent, "material"), "mattext", html_text, texttype="text/html")

    def condition(self, cont: bool) -> tuple[etree._Element, etree._Element]:
        """A response condition after the ones written so far: (respcondition, its conditionvar)."""
        cond = _sub(self.processing, "respcondition", **{"continue": "Yes" if cont else "No"})
        return cond, _sub(cond, "conditionvar")

    def show_feedback(self, cond: etree._Element, ident: str, html_text: str) -> None:
        """Show item feedback ``ident`` when ``cond`` holds."""
        _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=ident)
        self.feedback.append((ident, html_text))

    @staticmethod
    def set_score(cond: etree._Element, value: float, action: str = "Set") -> None:
        """Set (or add to) ``SCORE`` when ``cond`` holds."""
        _sub(cond, "setvar", format_number(value), action=action, varname=SCORE)

    def choices(self, labels: list[tuple[str, str]], multiple: bool) -> None:
        """A ``response_lid`` offering ``(identifier, HTML)`` labels."""
        lid = _sub(
            self.presentation,
            "response_lid",
            ident=_RESPONSE,
            rcardinality="Multiple" if multiple else "Single",
        )
        choice_list = _sub(lid, "render_choice")
        for ident, text in labels:
            self.material(_sub(choice_list, "response_label", ident=ident), text)

    def text_entry(self, fibtype: str | None = None) -> None:
        """A ``response_str`` with one fill-in box."""
        response = _sub(self.presentation, "response_str", ident=_RESPONSE, rcardinality="Single")
        fib = _sub(response, "render_fib")
        if fibtype is not None:
            fib.set("fibtype", fibtype)
        _sub(fib, "response_label", ident="answer1", rshuffle="No")

    def equals(self, var: etree._Element, value: str, respident: str = _RESPONSE) -> None:
        """The response ``respident`` is ``value``."""
        _sub(var, "varequal", value, respident=respident)


class CanvasItemType(Generic[Q]):
    """How one question type is written as a Canvas item."""

    def question_type(self, q: Q) -> str:
        """Canvas's ``question_type`` of the item."""
        return QUESTION_TYPES[q.kind]

    def stem(self, w: CanvasItem, q: Q) -> str:
        """The HTML of the stem."""
        return w.html(render(q.stem))

    def metadata(self, q: Q) -> list[tuple[str, str]]:
        """Item metadata after ``question_type`` and ``points_possible``."""
        return []

    def write(self, w: CanvasItem, q: Q) -> None:
        """Write the responses, the scoring conditions and the feedback tied to a response."""
        raise NotImplementedError


class _ChoiceItem(CanvasItemType[SingleChoice | MultipleResponse]):
    """Choices ``A``, ``B`` ...; a choice's feedback shows when it is picked."""

    def metadata(self, q: SingleChoice | MultipleResponse) -> list[tuple[str, str]]:
        return [("original_answer_ids", ",".join(choice_identifier(i) for i in range(len(q.choices))))]

    def write(self, w: CanvasItem, q: SingleChoice | MultipleResponse) -> None:
        multiple = isinstance(q, MultipleResponse)
        labels = [(choice_identifier(i), w.html(render_inline(c.text))) for i, c in enumerate(q.choices)]
        w.choices(labels, multiple)
        for i, choice in enumerate(q.choices):
            if choice.feedback:
                ident = choice_identifier(i)
                cond, var = w.condition(cont=True)
                w.equals(var, ident)
                w.show_feedback(cond, choice_feedback_id(ident), w.html(render(choice.feedback)))
        keys = [choice_identifier(i) for i in q.keys]
        cond, var = w.condition(cont=False)
        if multiple:
            # all keys and no distractor
            both = _sub(var, "and")
            for ident, _text in labels:
                w.equals(both if ident in keys else _sub(both, "not"), ident)
        else:
            w.equals(var, keys[0])
        w.set_score(cond, 100)


class _TrueFalseItem(CanvasItemType[TrueFalse]):
    """Two choices ``TRUE`` and ``FALSE``."""

    def write(self, w: CanvasItem, q: TrueFalse) -> None:
        w.choices([("TRUE", "True"), ("FALSE", "False")], multiple=False)
        cond, var = w.condition(cont=False)
        w.equals(var, "TRUE" if q.answer else "FALSE")
        w.set_score(cond, 100)


class _ShortAnswerItem(CanvasItemType[ShortAnswer]):
    """A fill-in box accepting any of the accepted texts (Canvas ignores case)."""

    def write(self, w: CanvasItem, q: ShortAnswer) -> None:
        w.text_entry()
        if q.case_sensitive:
            w.notes.append(
                question_diagnostic(
                    q,
                    "QB902",
                    "Canvas compares short answers without regard to case: case_sensitive is not carried",
                    ("case_sensitive",),
                )
            )
        cond, var = w.condition(cont=False)
        for text in q.accept:
            w.equals(var, text)
        w.set_score(cond, 100)


class _NumericalItem(CanvasItemType[Numerical]):
    """A decimal fill-in box: the exact answer or anything within the tolerance."""

    def write(self, w: CanvasItem, q: Numerical) -> None:
        w.text_entry("Decimal")
        cond, var = w.condition(cont=False)
        either = _sub(var, "or")
        w.equals(either, format_number(q.answer))
        band = _sub(either, "and")
        _sub(band, "vargte", format_number(q.answer - q.tolerance), respident=_RESPONSE)
        _sub(band, "varlte", format_number(q.answer + q.tolerance), respident=_RESPONSE)
        w.set_score(cond, 100)


class _EssayItem(CanvasItemType[Essay]):
    """A fill-in box scored by a person."""

    def write(self, w: CanvasItem, q: Essay) -> None:
        w.text_entry()


class _MatchingItem(CanvasItemType[Matching]):
    """One drop-down of targets ``T1`` ... per prompt; each right pair adds ``100 / pairs``."""

    def write(self, w: CanvasItem, q: Matching) -> None:
        targets = match_targets(q)
        share = 100 / len(q.pairs)
        for i, pair in enumerate(q.pairs):
            respident = f"response_S{i + 1}"
            lid = _sub(w.presentation, "response_lid", ident=respident)
            w.material(lid, w.html(render_inline(pair.prompt)))
            options = _sub(lid, "render_choice")
            for text, ident in targets.items():
                w.material(_sub(options, "response_label", ident=ident), w.html(render_inline(text)))
            cond, var = w.condition(cont=False)
            w.equals(var, targets[pair.match], respident)
            w.set_score(cond, share, action="Add")


class _ClozeItem(CanvasItemType[Cloze]):
    """Blanks ``[GAP_<name>]`` in the text, one ``response_lid`` each; a right blank adds its share.

    Canvas has one kind of blank per question: ``multiple_dropdowns_question`` when every gap is a
    drop-down (its options are the labels), else ``fill_in_multiple_blanks_question``, whose labels
    are the accepted answers. There a drop-down accepts its correct option typed in and a number
    gap its number as written; each such change is reported (QB902) at the gap.
    """

    def question_type(self, q: Cloze) -> str:
        return DROPDOWNS_TYPE if _all_dropdowns(q) else QUESTION_TYPES[q.kind]

    def stem(self, w: CanvasItem, q: Cloze) -> str:
        text = render_cloze(q)
        w.notes.extend(misplaced_gap_notes(q, text))
        return fill_gaps(w.html(text.rendered), lambda i: f"[{gap_identifier(text.names[i])}]")

    def write(self, w: CanvasItem, q: Cloze) -> None:
        dropdowns = _all_dropdowns(q)
        total = sum(g.points for g in q.gaps.values())
        if len({g.points for g in q.gaps.values()}) > 1:
            w.notes.append(
                question_diagnostic(
                    q,
                    "QB902",
                    "Canvas scores every blank of a question equally: gap points are not carried",
                    ("gaps",),
                )
            )
        for name in q.gap_order:
            gap, blank = q.gaps[name], gap_identifier(name)
            lid = _sub(w.presentation, "response_lid", ident=blank_response(blank))
            _sub(_sub(lid, "material"), "mattext", blank)
            labels = _sub(lid, "render_choice")
            keys = self._labels(w, q, name, labels, dropdowns)
            # every blank is scored: processing continues after a right one
            cond, var = w.condition(cont=True)
            for key in keys:
                w.equals(var, key, blank_response(blank))
            w.set_score(cond, 100 * gap.points / total, action="Add")
            if gap.feedback:
                w.notes.append(
                    question_diagnostic(
                        q,
                        "QB902",
                        "Canvas has no feedback for a blank: the gap's feedback is not carried",
                        ("gaps", name, "feedback"),
                    )
                )

    @staticmethod
    def _labels(w: CanvasItem, q: Cloze, name: str, labels: etree._Element, dropdowns: bool) -> list[str]:
        """Write the labels of one blank; return the identifiers that are right."""
        gap, blank = q.gaps[name], gap_identifier(name)

        def label(index: int, text: str) -> str:
            ident = gap_option_identifier(blank, index)
            el = _sub(_sub(_sub(labels, "response_label", ident=ident), "material"), "mattext", text)
            el.set("texttype", "text/plain")
            return ident

        def lost(message: str, *where: str | int) -> None:
            w.notes.append(question_diagnostic(q, "QB902", message, ("gaps", name, *where)))

        if isinstance(gap, DropdownGap) and dropdowns:
            for i, option in enumerate(gap.options):
                ident = label(i, option.text)
                if option.feedback:
                    cond, var = w.condition(cont=True)
                    w.equals(var, ident, blank_response(blank))
                    w.show_feedback(cond, choice_feedback_id(ident), w.html(render(option.feedback)))
            return [gap_option_identifier(blank, gap.key)]
        if isinstance(gap, DropdownGap):
            lost(
                "Canvas has one kind of blank per question: this drop-down is a fill-in blank that "
                "accepts its correct option typed in",
                "options",
            )
            return [label(0, gap.options[gap.key].text)]
        if isinstance(gap, NumberGap):
            if gap.tolerance:
                lost(
                    "a Canvas fill-in blank compares text: only the exact number is accepted, not the tolerance",
                    "tolerance",
                )
            else:
                lost("a Canvas fill-in blank compares text: the number is accepted only as written", "answer")
            return [label(0, format_number(gap.answer))]
        if gap.case_sensitive:
            lost(
                "Canvas compares blanks without regard to case: case_sensitive is not carried",
                "case_sensitive",
            )
        return [label(i, text) for i, text in enumerate(gap.accept)]


def _all_dropdowns(q: Cloze) -> bool:
    return all(isinstance(g, DropdownGap) for g in q.gaps.values())


#: Question kind -> how it is written as a Canvas item (ordering has no Classic Quizzes type).
ITEM_TYPES: dict[str, CanvasItemType[Any]] = {
    SingleChoice.kind: _ChoiceItem(),
    MultipleResponse.kind: _ChoiceItem(),
    TrueFalse.kind: _TrueFalseItem(),
    ShortAnswer.kind: _ShortAnswerItem(),
    Numerical.kind: _NumericalItem(),
    Matching.kind: _MatchingItem(),
    Essay.kind: _EssayItem(),
    Cloze.kind: _ClozeItem(),
}


def metadata_field(parent: etree._Element, label: str, entry: str) -> None:
    """A ``qtimetadatafield`` with its label and entry."""
    fld = _sub(parent, "qtimetadatafield")
    _sub(fld, "fieldlabel", label)
    _sub(fld, "fieldentry", entry)


def build_item(q: Question, rewrite: dict[str, str]) -> tuple[etree._Element, list[Diagnostic]]:
    """One Canvas QTI 1.2 item (``q``'s kind must be in :data:`ITEM_TYPES`)."""
    kind = ITEM_TYPES[q.kind]
    item = etree.Element(f"{{{QTI12}}}item", ident=qti_identifier(q.id), title=q.id)
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    metadata_field(meta, "question_type", kind.question_type(q))
    metadata_field(meta, "points_possible", format_number(q.points))
    for label, entry in kind.metadata(q):
        metadata_field(meta, label, entry)
    if q.objective is not None:
        metadata_field(meta, OBJECTIVE_FIELD, q.objective)

    presentation = _sub(item, "presentation")
    processing = etree.Element(f"{{{QTI12}}}resprocessing")
    w = CanvasItem(q, rewrite, presentation, processing)
    w.material(presentation, kind.stem(w, q))
    outcomes = _sub(processing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname=SCORE, vartype="Decimal")
    general = general_feedback(q, PLAIN_HEADINGS)
    if general:
        cond, var = w.condition(cont=True)
        _sub(var, "other")
        w.show_feedback(cond, GENERAL_FEEDBACK_ID, w.html(render(general)))

    kind.write(w, q)

    item.append(processing)
    for ident, html_text in w.feedback:
        body = _sub(_sub(item, "itemfeedback", ident=ident), "flow_mat")
        w.material(body, html_text)
    return item, w.notes
