"""Each question type as a QTI item, one :class:`~qbank.exporters.qti.writer.QtiItemType` per kind.

Scoring: ``SCORE`` runs from 0 to the question's ``points``. Choice, true/false and ordering items
score all or nothing; multiple response scores ``points / keys`` per key picked and subtracts as
much per distractor picked (never below 0); matching scores ``points / pairs`` per right pair;
short answer maps every accepted text to ``points``; numerical compares with an absolute
tolerance; essays are scored by a person. Per-choice feedback is a modal feedback shown when that
choice was picked.

A new question type is one more class here and one more entry in :data:`ITEM_TYPES`.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from qbank.core.markup import render_inline
from qbank.core.model import (
    Essay,
    Matching,
    MultipleResponse,
    Numerical,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from qbank.exporters.qti.dialect import format_number
from qbank.exporters.qti.writer import RESPONSE, ItemWriter, QtiItemType, ResponseFeedback, choice_identifier

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
}
