"""One QTI assessment item per question, in the QTI 2.1 or 3.0 dialect.

What every item has is written here: identifier and title, the response declarations, interaction
and scoring of the question's type (:data:`~qbank.exporters.qti.item_types.ITEM_TYPES`), the
``SCORE`` / ``MAXSCORE`` outcomes and the general feedback. ``SCORE`` runs from 0 to the question's
``points`` (declared as ``normalMaximum`` and in a ``MAXSCORE`` outcome). The explanation, with
references and follow-ups, is a modal feedback shown after every response; feedback tied to a
response (a choice's) is a modal feedback shown when that response was given.
"""

from __future__ import annotations

from lxml import etree

from qbank.core.diagnostics import Diagnostic
from qbank.core.markup import render
from qbank.core.model import Question
from qbank.exporters.qti.dialect import XML_LANG, Dialect, format_number
from qbank.exporters.qti.item_types import ITEM_TYPES
from qbank.exporters.qti.writer import ItemWriter, QtiItemType
from qbank.interchange.feedback import PLAIN_HEADINGS, general_feedback
from qbank.interchange.qti import FEEDBACK, GENERAL_FEEDBACK_ID, MAXSCORE, SCORE, qti_identifier

__all__ = ["NOT_CARRIED", "build_item", "item_type"]

#: Question metadata that QTI items and Canvas quizzes have no place for (reported as QB902 notes).
NOT_CARRIED: tuple[str, ...] = ("difficulty", "tags", "author", "source")


def item_type(question: Question) -> QtiItemType[Question]:
    """How the question's type is written (``KeyError`` for a type without a QTI form)."""
    try:
        return ITEM_TYPES[question.kind]
    except KeyError:
        raise KeyError(f"no QTI item type for {question.kind!r} questions") from None


def build_item(
    question: Question, dialect: Dialect, rewrite: dict[str, str]
) -> tuple[etree._Element, list[Diagnostic]]:
    """One QTI assessment item for a question, in the given dialect, and what went wrong."""
    q = question
    kind = item_type(q)
    item = dialect.root(
        "assessmentItem",
        identifier=qti_identifier(q.id),
        title=q.id,
        adaptive="false",
        timeDependent="false",
    )
    item.set(XML_LANG, "en")
    w = ItemWriter(q, dialect, rewrite, item)
    general = general_feedback(q, PLAIN_HEADINGS)
    responses = kind.response_feedback(q)

    kind.declare(w, q)
    score = w.sub(
        item,
        "outcomeDeclaration",
        identifier=SCORE,
        cardinality="single",
        baseType="float",
        normalMaximum=format_number(q.points),
    )
    w.values(score, "defaultValue", ["0"])
    maxscore = w.sub(item, "outcomeDeclaration", identifier=MAXSCORE, cardinality="single", baseType="float")
    w.values(maxscore, "defaultValue", [format_number(q.points)])
    if general or responses:
        w.sub(item, "outcomeDeclaration", identifier=FEEDBACK, cardinality="multiple", baseType="identifier")

    kind.body(w, q, w.sub(item, "itemBody"))

    rp = w.sub(item, "responseProcessing")
    if general:
        multiple = w.sub(w.sub(rp, "setOutcomeValue", identifier=FEEDBACK), "multiple")
        w.base_value(multiple, "identifier", GENERAL_FEEDBACK_ID)
    kind.score(w, q, rp)
    if responses:
        kind.show_feedback(w, q, rp)
    if len(rp) == 0:
        item.remove(rp)

    if general:
        modal = w.sub(
            item,
            "modalFeedback",
            outcomeIdentifier=FEEDBACK,
            identifier=GENERAL_FEEDBACK_ID,
            showHide="show",
            title="Explanation",
        )
        w.content(dialect.feedback_body(modal), render(general), ("explanation",))
    for feedback in responses:
        modal = w.sub(
            item,
            "modalFeedback",
            outcomeIdentifier=FEEDBACK,
            identifier=feedback.identifier,
            showHide="show",
        )
        w.content(dialect.feedback_body(modal), render(feedback.markdown), feedback.where)
    return item, w.diagnostics
