"""Each question type as a QTI item, one :class:`~qbank.exporters.qti.writer.QtiItemType` per kind.

Scoring: ``SCORE`` runs from 0 to the question's ``points``. Choice, true/false and ordering items
score all or nothing; multiple response scores ``points / keys`` per key picked and subtracts as
much per distractor picked (never below 0); matching scores ``points / pairs`` per right pair;
short answer maps every accepted text to ``points``; numerical compares with an absolute
tolerance; essays are scored by a person; a cloze item adds the points of each right gap. Per-choice
feedback is a modal feedback shown when that choice was picked.

A new question type is one more class here and one more entry in :data:`ITEM_TYPES`.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from qbank.core.cloze import place_gaps, render_cloze
from qbank.core.markup import render_inline
from qbank.core.model import (
    Cloze,
    DropdownGap,
    Essay,
    Matching,
    MultipleResponse,
    NumberGap,
    Numerical,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TextGap,
    TrueFalse,
)
from qbank.exporters.base import misplaced_gap_notes
from qbank.exporters.qti.dialect import format_number
from qbank.exporters.qti.writer import ItemWriter, QtiItemType, ResponseFeedback, choice_identifier
from qbank.interchange.qti import (
    RESPONSE,
    SCORE,
    gap_feedback_identifier,
    gap_identifier,
    gap_option_identifier,
)

__all__ = ["ITEM_TYPES", "match_targets"]

#: Choices that refer to the other choices' positions keep their place when a delivery shuffles.
_POSITIONAL = re.compile(r"\b(all|none|both|neither) of the (above|options|others)\b", re.IGNORECASE)


class _Choices(QtiItemType[SingleChoice | MultipleResponse]):
    """Single choice and multiple response: a ``choiceInteraction`` over the choices ``A``, ``B`` ..."""

    def interaction(self, w: ItemWriter, q: SingleChoice | MultipleResponse, body: etree._Element) -> None:
        inter = w.sub(
            body,
            "choiceInteraction",
            responseIdentifier=RESPONSE,
            shuffle="true" if q.shuffle else "false",
            maxChoices="1" if isinstance(q, SingleChoice) else "0",
        )
        for i, choice in enumerate(q.choices):
            el = w.sub(inter, "simpleChoice", identifier=choice_identifier(i))
            if q.shuffle and _POSITIONAL.search(render_inline(choice.text).text):
                el.set(w.dialect.attr("fixed"), "true")  # "none of the above" must stay last when shuffled
            w.content(el, render_inline(choice.text), ("choices", i, "text"))

    def response_feedback(self, q: SingleChoice | MultipleResponse) -> list[ResponseFeedback]:
        return [
            ResponseFeedback(choice_identifier(i), c.feedback, ("choices", i, "feedback"))
            for i, c in enumerate(q.choices)
            if c.feedback
        ]


class SingleChoiceItem(_Choices):
    """One key: cardinality single, all or nothing."""

    def declare(self, w: ItemWriter, q: SingleChoice | MultipleResponse) -> None:
        decl = w.declare("single", "identifier")
        w.values(decl, "correctResponse", [choice_identifier(i) for i in q.keys])

    def score(self, w: ItemWriter, q: SingleChoice | MultipleResponse, rp: etree._Element) -> None:
        w.match_correct(rp, q.points)


class MultipleResponseItem(_Choices):
    """Several keys: each key worth ``points / keys``, each distractor as much off."""

    def declare(self, w: ItemWriter, q: SingleChoice | MultipleResponse) -> None:
        decl = w.declare("multiple", "identifier")
        w.values(decl, "correctResponse", [choice_identifier(i) for i in q.keys])
        share = q.points / len(q.keys)
        w.mapping(
            decl,
            q.points,
            [(choice_identifier(i), share if c.correct else -share) for i, c in enumerate(q.choices)],
        )

    def score(self, w: ItemWriter, q: SingleChoice | MultipleResponse, rp: etree._Element) -> None:
        w.map_response(rp)


class TrueFalseItem(QtiItemType[TrueFalse]):
    """Two fixed choices ``TRUE`` and ``FALSE``, all or nothing."""

    def declare(self, w: ItemWriter, q: TrueFalse) -> None:
        decl = w.declare("single", "identifier")
        w.values(decl, "correctResponse", ["TRUE" if q.answer else "FALSE"])

    def interaction(self, w: ItemWriter, q: TrueFalse, body: etree._Element) -> None:
        # the two statements keep their order even when a delivery shuffles choices
        inter = w.sub(body, "choiceInteraction", responseIdentifier=RESPONSE, shuffle="false", maxChoices="1")
        w.sub(inter, "simpleChoice", "True", identifier="TRUE", fixed="true")
        w.sub(inter, "simpleChoice", "False", identifier="FALSE", fixed="true")

    def score(self, w: ItemWriter, q: TrueFalse, rp: etree._Element) -> None:
        w.match_correct(rp, q.points)


def _text_entry(w: ItemWriter, body: etree._Element, length: int) -> None:
    holder = w.sub(body, "div")
    w.sub(holder, "textEntryInteraction", responseIdentifier=RESPONSE, expectedLength=str(max(length, 8)))


class ShortAnswerItem(QtiItemType[ShortAnswer]):
    """A text entry; every accepted text maps to ``points``."""

    def declare(self, w: ItemWriter, q: ShortAnswer) -> None:
        decl = w.declare("single", "string")
        w.values(decl, "correctResponse", [q.accept[0]])
        mapping = w.mapping(decl, q.points, [(text, q.points) for text in q.accept])
        for entry in mapping:
            entry.set(w.dialect.attr("caseSensitive"), "true" if q.case_sensitive else "false")

    def interaction(self, w: ItemWriter, q: ShortAnswer, body: etree._Element) -> None:
        _text_entry(w, body, max(len(t) for t in q.accept))

    def score(self, w: ItemWriter, q: ShortAnswer, rp: etree._Element) -> None:
        w.map_response(rp)


class NumericalItem(QtiItemType[Numerical]):
    """A float text entry compared with the answer within an absolute tolerance."""

    def declare(self, w: ItemWriter, q: Numerical) -> None:
        decl = w.declare("single", "float")
        w.values(decl, "correctResponse", [format_number(q.answer)])

    def interaction(self, w: ItemWriter, q: Numerical, body: etree._Element) -> None:
        _text_entry(w, body, 12)

    def score(self, w: ItemWriter, q: Numerical, rp: etree._Element) -> None:
        branch = w.if_else_score(rp)
        equal = w.sub(branch, "equal", toleranceMode="absolute", tolerance=format_number(q.tolerance))
        w.sub(equal, "variable", identifier=RESPONSE)
        w.sub(equal, "correct", identifier=RESPONSE)
        w.set_score(branch, q.points)


def match_targets(q: Matching) -> dict[str, str]:
    """Distinct right-hand texts (matches first, then distractors) -> ``T1``, ``T2`` ..."""
    targets: dict[str, str] = {}
    for text in [p.match for p in q.pairs] + list(q.distractors):
        if text not in targets:
            targets[text] = f"T{len(targets) + 1}"
    return targets


class MatchingItem(QtiItemType[Matching]):
    """Prompts ``S1`` ... matched to targets ``T1`` ...; each right pair worth ``points / pairs``."""

    def declare(self, w: ItemWriter, q: Matching) -> None:
        decl = w.declare("multiple", "directedPair")
        targets = match_targets(q)
        pairs = [f"S{i + 1} {targets[p.match]}" for i, p in enumerate(q.pairs)]
        w.values(decl, "correctResponse", pairs)
        w.mapping(decl, q.points, [(pair, q.points / len(pairs)) for pair in pairs])

    def interaction(self, w: ItemWriter, q: Matching, body: etree._Element) -> None:
        targets = match_targets(q)
        inter = w.sub(
            body,
            "matchInteraction",
            responseIdentifier=RESPONSE,
            shuffle="true" if q.shuffle else "false",
            maxAssociations=str(len(q.pairs)),
        )
        sources = w.sub(inter, "simpleMatchSet")
        for i, pair in enumerate(q.pairs):
            el = w.sub(sources, "simpleAssociableChoice", identifier=f"S{i + 1}", matchMax="1")
            w.content(el, render_inline(pair.prompt), ("pairs", i, "prompt"))
        uses = {t: sum(1 for p in q.pairs if p.match == t) for t in targets}
        target_set = w.sub(inter, "simpleMatchSet")
        for text, ident in targets.items():
            el = w.sub(
                target_set, "simpleAssociableChoice", identifier=ident, matchMax=str(max(uses[text], 1))
            )
            w.content(el, render_inline(text), ("pairs",))

    def score(self, w: ItemWriter, q: Matching, rp: etree._Element) -> None:
        w.map_response(rp)


class OrderingItem(QtiItemType[Ordering]):
    """Items ``O1`` ... in the correct order, always shuffled; all or nothing."""

    def declare(self, w: ItemWriter, q: Ordering) -> None:
        decl = w.declare("ordered", "identifier")
        w.values(decl, "correctResponse", [f"O{i + 1}" for i in range(len(q.order))])

    def interaction(self, w: ItemWriter, q: Ordering, body: etree._Element) -> None:
        if not q.shuffle:
            w.note(
                "QB902",
                "ordering items are always shuffled in QTI: in their stored order they would show the answer",
                ("shuffle",),
            )
        inter = w.sub(body, "orderInteraction", responseIdentifier=RESPONSE, shuffle="true")
        for i, text in enumerate(q.order):
            el = w.sub(inter, "simpleChoice", identifier=f"O{i + 1}")
            w.content(el, render_inline(text), ("order", i))

    def score(self, w: ItemWriter, q: Ordering, rp: etree._Element) -> None:
        w.match_correct(rp, q.points)


class EssayItem(QtiItemType[Essay]):
    """An extended text entry, scored by a person (no response processing)."""

    def declare(self, w: ItemWriter, q: Essay) -> None:
        w.declare("single", "string")

    def interaction(self, w: ItemWriter, q: Essay, body: etree._Element) -> None:
        w.sub(body, "extendedTextInteraction", responseIdentifier=RESPONSE, expectedLines="10")


class ClozeItem(QtiItemType[Cloze]):
    """Each gap an inline interaction where its marker is in the text, with a response of its own.

    A typed gap is a ``textEntryInteraction`` (string, right when it matches an accepted answer,
    with or without case), a number gap a ``textEntryInteraction`` (float, right within the
    tolerance), a drop-down an ``inlineChoiceInteraction``. ``SCORE`` adds the points of every
    right gap. A drop-down option's feedback shows when it was picked, a gap's own feedback always.
    """

    def declare(self, w: ItemWriter, q: Cloze) -> None:
        for name in q.gap_order:
            gap, ident = q.gaps[name], gap_identifier(name)
            if isinstance(gap, TextGap):
                decl = w.declare("single", "string", ident)
                w.values(decl, "correctResponse", [gap.accept[0]])
                for entry in w.mapping(decl, gap.points, [(text, gap.points) for text in gap.accept]):
                    entry.set(w.dialect.attr("caseSensitive"), "true" if gap.case_sensitive else "false")
            elif isinstance(gap, NumberGap):
                decl = w.declare("single", "float", ident)
                w.values(decl, "correctResponse", [format_number(gap.answer)])
            else:
                decl = w.declare("single", "identifier", ident)
                w.values(decl, "correctResponse", [gap_option_identifier(ident, gap.key)])

    def body(self, w: ItemWriter, q: Cloze, body: etree._Element) -> None:
        text = render_cloze(q)
        holder = w.sub(body, "div")
        w.content(holder, text.rendered, ("stem",))
        place_gaps(holder, lambda i: self._interaction(w, q, text.names[i]))
        w.diagnostics.extend(misplaced_gap_notes(q, text))

    @staticmethod
    def _interaction(w: ItemWriter, q: Cloze, name: str) -> etree._Element:
        gap, ident = q.gaps[name], gap_identifier(name)
        holder = etree.Element("holder")  # detached: place_gaps puts the interaction in the text
        if isinstance(gap, DropdownGap):
            inter = w.sub(
                holder,
                "inlineChoiceInteraction",
                responseIdentifier=ident,
                shuffle="true" if q.shuffle else "false",
            )
            for i, option in enumerate(gap.options):
                el = w.sub(inter, "inlineChoice", option.text, identifier=gap_option_identifier(ident, i))
                if q.shuffle and _POSITIONAL.search(option.text):
                    el.set(w.dialect.attr("fixed"), "true")
            return inter
        length = max(len(t) for t in gap.accept) if isinstance(gap, TextGap) else 8
        return w.sub(
            holder, "textEntryInteraction", responseIdentifier=ident, expectedLength=str(max(length, 4))
        )

    def score(self, w: ItemWriter, q: Cloze, rp: etree._Element) -> None:
        for name in q.gap_order:
            gap, ident = q.gaps[name], gap_identifier(name)
            # only an answered gap is compared: some players fail on a string operator given NULL
            answered = w.sub(w.sub(rp, "responseCondition"), "responseIf")
            w.sub(w.sub(w.sub(answered, "not"), "isNull"), "variable", identifier=ident)
            branch = w.sub(w.sub(answered, "responseCondition"), "responseIf")
            if isinstance(gap, TextGap):
                either = w.sub(branch, "or")
                for text in gap.accept:
                    match = w.sub(
                        either, "stringMatch", caseSensitive="true" if gap.case_sensitive else "false"
                    )
                    w.sub(match, "variable", identifier=ident)
                    w.base_value(match, "string", text)
            elif isinstance(gap, NumberGap):
                equal = w.sub(
                    branch, "equal", toleranceMode="absolute", tolerance=format_number(gap.tolerance)
                )
                w.sub(equal, "variable", identifier=ident)
                w.sub(equal, "correct", identifier=ident)
            else:
                match = w.sub(branch, "match")
                w.sub(match, "variable", identifier=ident)
                w.sub(match, "correct", identifier=ident)
            total = w.sub(w.sub(branch, "setOutcomeValue", identifier=SCORE), "sum")
            w.sub(total, "variable", identifier=SCORE)
            w.base_value(total, "float", format_number(gap.points))

    def response_feedback(self, q: Cloze) -> list[ResponseFeedback]:
        out: list[ResponseFeedback] = []
        for name in q.gap_order:
            gap, ident = q.gaps[name], gap_identifier(name)
            if isinstance(gap, DropdownGap):
                out.extend(
                    ResponseFeedback(
                        gap_option_identifier(ident, i), o.feedback, ("gaps", name, "options", i, "feedback")
                    )
                    for i, o in enumerate(gap.options)
                    if o.feedback
                )
            if gap.feedback:
                out.append(
                    ResponseFeedback(gap_feedback_identifier(ident), gap.feedback, ("gaps", name, "feedback"))
                )
        return out

    def show_feedback(self, w: ItemWriter, q: Cloze, rp: etree._Element) -> None:
        # FEEDBACK gains the option picked in each drop-down that has option feedback, and every gap's
        # own feedback
        for name in q.gap_order:
            gap, ident = q.gaps[name], gap_identifier(name)
            if isinstance(gap, DropdownGap) and any(o.feedback for o in gap.options):
                branch = w.sub(w.sub(rp, "responseCondition"), "responseIf")
                w.sub(w.sub(w.sub(branch, "not"), "isNull"), "variable", identifier=ident)
                w.add_feedback(branch, "variable", ident)
            if gap.feedback:
                w.add_feedback(rp, "baseValue", gap_feedback_identifier(ident))


#: Question kind -> how it is written as a QTI item.
ITEM_TYPES: dict[str, QtiItemType[Any]] = {
    SingleChoice.kind: SingleChoiceItem(),
    MultipleResponse.kind: MultipleResponseItem(),
    TrueFalse.kind: TrueFalseItem(),
    ShortAnswer.kind: ShortAnswerItem(),
    Numerical.kind: NumericalItem(),
    Matching.kind: MatchingItem(),
    Ordering.kind: OrderingItem(),
    Essay.kind: EssayItem(),
    Cloze.kind: ClozeItem(),
}
