"""Writing one QTI item: the element helpers every question type uses, and the contract of a type.

A question type becomes a QTI item through a :class:`QtiItemType`: its response declarations, its
interaction in the item body, its response processing (scoring) and the feedback tied to a
response. :func:`qbank.exporters.qti.items.build_item` writes what all items share around them
(outcomes, the stem, the general feedback) and finds the type in
:data:`qbank.exporters.qti.item_types.ITEM_TYPES` by the question's kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from lxml import etree

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import Rendered, append_xhtml, render
from qbank.core.model import Question
from qbank.exporters.base import question_diagnostic
from qbank.exporters.qti.dialect import Dialect, format_number
from qbank.interchange.qti import FEEDBACK, RESPONSE, SCORE
from qbank.io.source import DataPath

__all__ = ["ItemWriter", "QtiItemType", "ResponseFeedback", "choice_identifier"]

#: Identifier of the response of a one-interaction item.

#: XHTML elements of the shared allow-list that QTI's XHTML subset lacks, and what they become.
_QTI_TAG_FALLBACK = {"u": "span", "del": "span", "ins": "span"}

Q = TypeVar("Q", bound=Question)


def choice_identifier(index: int) -> str:
    """``A``, ``B``, ... for 0-based choice positions (a question has at most 10 choices)."""
    return chr(ord("A") + index) if index < 26 else f"C{index + 1}"


@dataclass
class ItemWriter:
    """One item being written: its question, dialect, image paths and what went wrong.

    The helpers take QTI 2.1 names; the dialect spells them for the version written.
    """

    question: Question
    dialect: Dialect
    rewrite: dict[str, str]
    """Image ``src`` as written in the Markdown -> its path in the package."""
    item: etree._Element
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def sub(self, parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        """Append a child element (QTI 2.1 names)."""
        return self.dialect.sub(parent, name, text, **attrs)

    def note(self, code: str, message: str, where: DataPath) -> None:
        """Report something about the question (located at a field of it)."""
        self.diagnostics.append(question_diagnostic(self.question, code, message, where))

    def content(self, parent: etree._Element, rendered: Rendered, where: DataPath) -> None:
        """Append rendered Markdown to ``parent`` in the QTI namespace, fixing what QTI rejects."""
        before = len(parent)
        append_xhtml(parent, rendered.xhtml, self.dialect.namespace, self.rewrite)
        for child in list(parent)[before:]:
            for el in child.iter():
                if not isinstance(el.tag, str):
                    continue
                name = etree.QName(el).localname
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

    # -- response declarations

    def declare(self, cardinality: str, base_type: str, identifier: str = RESPONSE) -> etree._Element:
        """A response declaration after the ones written so far."""
        return self.sub(
            self.item,
            "responseDeclaration",
            identifier=identifier,
            cardinality=cardinality,
            baseType=base_type,
        )

    def values(self, parent: etree._Element, name: str, values: Sequence[str]) -> None:
        """A ``correctResponse`` / ``defaultValue`` holding ``values``."""
        holder = self.sub(parent, name)
        for value in values:
            self.sub(holder, "value", value)

    def mapping(
        self, decl: etree._Element, points: float, entries: Sequence[tuple[str, float]]
    ) -> etree._Element:
        """A mapping from response values to points, bounded by 0 and ``points``."""
        mapping = self.sub(
            decl, "mapping", lowerBound="0", upperBound=format_number(points), defaultValue="0"
        )
        for key, value in entries:
            self.sub(mapping, "mapEntry", mapKey=key, mappedValue=format_number(value))
        return mapping

    # -- response processing

    def add_feedback(self, parent: etree._Element, kind: str, value: str) -> None:
        """``FEEDBACK`` gains a value: a ``variable`` (a response) or an identifier ``baseValue``."""
        multiple = self.sub(self.sub(parent, "setOutcomeValue", identifier=FEEDBACK), "multiple")
        self.sub(multiple, "variable", identifier=FEEDBACK)
        if kind == "variable":
            self.sub(multiple, "variable", identifier=value)
        else:
            self.base_value(multiple, "identifier", value)

    def base_value(self, parent: etree._Element, base_type: str, value: str) -> None:
        """A ``baseValue`` of the given type."""
        self.sub(parent, "baseValue", value, baseType=base_type)

    def set_score(self, parent: etree._Element, value: float) -> None:
        """``SCORE = value``."""
        self.base_value(self.sub(parent, "setOutcomeValue", identifier=SCORE), "float", format_number(value))

    def if_else_score(self, rp: etree._Element) -> etree._Element:
        """``if <condition> ... else SCORE = 0``; returns the responseIf to put the condition in."""
        cond = self.sub(rp, "responseCondition")
        branch = self.sub(cond, "responseIf")
        self.set_score(self.sub(cond, "responseElse"), 0)
        return branch

    def match_correct(self, rp: etree._Element, points: float) -> None:
        """All or nothing: ``SCORE = points`` when the response is the correct one, else 0."""
        branch = self.if_else_score(rp)
        match = self.sub(branch, "match")
        self.sub(match, "variable", identifier=RESPONSE)
        self.sub(match, "correct", identifier=RESPONSE)
        self.set_score(branch, points)

    def map_response(self, rp: etree._Element) -> None:
        """``SCORE`` = the response's mapped points (0 without a response)."""
        cond = self.sub(rp, "responseCondition")
        branch = self.sub(cond, "responseIf")
        self.sub(self.sub(branch, "isNull"), "variable", identifier=RESPONSE)
        self.set_score(branch, 0)
        other = self.sub(self.sub(cond, "responseElse"), "setOutcomeValue", identifier=SCORE)
        self.sub(other, "mapResponse", identifier=RESPONSE)


@dataclass(frozen=True)
class ResponseFeedback:
    """Feedback shown when a response value was given (a choice's feedback)."""

    identifier: str
    """The response value, also the identifier of the modal feedback."""
    markdown: str
    where: DataPath


class QtiItemType(Generic[Q]):
    """How one question type is written as a QTI item.

    :func:`~qbank.exporters.qti.items.build_item` calls, in document order: :meth:`declare`,
    :meth:`body` (by default the stem, then :meth:`interaction`), :meth:`score`,
    :meth:`show_feedback` when there is :meth:`response_feedback`, and writes a modal feedback
    for each of :meth:`response_feedback`.
    """

    def declare(self, w: ItemWriter, q: Q) -> None:
        """Write the response declarations (correct response, mapping)."""
        raise NotImplementedError

    def body(self, w: ItemWriter, q: Q, body: etree._Element) -> None:
        """Write the item body: the stem, then the interaction."""
        w.content(w.sub(body, "div"), render(q.stem), ("stem",))
        self.interaction(w, q, body)

    def interaction(self, w: ItemWriter, q: Q, body: etree._Element) -> None:
        """Write the interaction after the stem."""
        raise NotImplementedError

    def score(self, w: ItemWriter, q: Q, rp: etree._Element) -> None:
        """Write the response processing that sets ``SCORE`` (nothing: scored by a person)."""

    def response_feedback(self, q: Q) -> list[ResponseFeedback]:
        """Feedback tied to response values (none by default)."""
        return []

    def show_feedback(self, w: ItemWriter, q: Q, rp: etree._Element) -> None:
        """Write the response processing that adds the values of :meth:`response_feedback` to
        ``FEEDBACK``: by default the response's value, when there is a response."""
        branch = w.sub(w.sub(rp, "responseCondition"), "responseIf")
        w.sub(w.sub(w.sub(branch, "not"), "isNull"), "variable", identifier=RESPONSE)
        w.add_feedback(branch, "variable", RESPONSE)
