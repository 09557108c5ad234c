"""GIFT, Moodle's one-question-per-paragraph text format.

Every type GIFT can carry is written: single choice (``=`` / ``~``), multiple response (weighted
``~%w%`` answers summing to 100), true/false, short answer, numerical (``#answer:tolerance``),
matching (``->``), essay (``{}``) and a cloze question with one gap (the "missing word" format: the
answer block where the gap is). Ordering, and cloze questions with more gaps, have no GIFT form and
are reported (QB901). Texts are
the same sanitised HTML as the Moodle XML export, marked ``[html]`` and escaped for GIFT; each
question is preceded by a comment with its ``[id:...]`` and ``[tag:...]`` tokens and grouped under
``$CATEGORY:`` lines. See ``exporters/gift/README.md``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from qbank.core.cloze import fill_gaps, render_cloze
from qbank.core.diagnostics import Diagnostic
from qbank.core.markup import plain_math, render, render_inline, renders_math
from qbank.core.math import MathTarget
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
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
    TextGap,
    TrueFalse,
)
from qbank.exporters import register
from qbank.exporters.base import (
    ExportOutput,
    exportable_questions,
    metadata_not_carried,
    misplaced_gap_notes,
    question_diagnostic,
    question_media,
)
from qbank.interchange.feedback import BOLD_HEADINGS, general_feedback
from qbank.interchange.gift import (
    CATEGORY,
    GENERAL_FEEDBACK,
    MATCH_ARROW,
    comment_token,
    gift_escape,
    numeric_answer,
    true_false,
    weighted,
)
from qbank.interchange.moodle import (
    category_order,
    category_path,
    choice_grades,
    format_grade,
    format_number,
    question_tags,
)

__all__ = ["GiftExporter"]


def _html(markdown: str | None, *, inline: bool = False) -> str:
    if not markdown:
        return ""
    rendered = render_inline(markdown) if inline else render(markdown)
    return gift_escape(rendered.html)


class GiftExporter:
    """GIFT text file (``--to gift``)."""

    name: ClassVar[str] = "gift"
    description: ClassVar[str] = "Moodle GIFT text (no ordering, one-gap cloze only, no images)"
    suffix: ClassVar[str] = ".gift.txt"

    @renders_math(MathTarget.TEX)
    def export(self, bank: Bank) -> ExportOutput:
        """Render ``bank`` as one GIFT document (pools are not carried: an info note says so)."""
        diagnostics: list[Diagnostic] = metadata_not_carried(exportable_questions(bank), "GIFT", ("pool",))
        blocks: list[str] = []
        current: str | None = None
        exported = 0
        for question in sorted(exportable_questions(bank), key=lambda q: category_order(bank, q)):
            if question.kind not in _TYPES:
                diagnostics.append(
                    question_diagnostic(
                        question,
                        "QB901",
                        f"GIFT has no {question.kind.replace('_', ' ')} question type; question not exported",
                        ("type",),
                    )
                )
                continue
            if isinstance(question, Cloze) and len(question.gaps) > 1:
                diagnostics.append(
                    question_diagnostic(
                        question,
                        "QB901",
                        f"GIFT holds one gap per question (the missing-word format); a cloze question "
                        f"with {len(question.gaps)} gaps is not exported",
                        ("gaps",),
                    )
                )
                continue
            path = category_path(bank, question)
            if path != current:
                blocks.append(f"{CATEGORY} {path}")
                current = path
            blocks.append(self._question(question, diagnostics))
            exported += 1
        text = "\n\n".join(blocks) + "\n" if blocks else ""
        return ExportOutput(text.encode("utf-8"), diagnostics, exported)

    @staticmethod
    def _question(question: Question, diagnostics: list[Diagnostic]) -> str:
        kind = _TYPES[question.kind]
        _report_losses(question, kind, diagnostics)
        tokens = [
            comment_token("id", question.id),
            *(comment_token("tag", t) for t in question_tags(question)),
        ]
        head = f"::{gift_escape(question.id)}::[html]{_html(question.stem)}"
        general = _html(general_feedback(question, BOLD_HEADINGS))
        tail = f"{GENERAL_FEEDBACK}{general}" if general else ""
        return f"// {' '.join(tokens)}\n" + kind.write(question, head, tail, diagnostics)


Lost = list[tuple[str, tuple[str | int, ...]]]
"""What a question type loses in GIFT: (message, where) pairs."""


def _block(head: str, answers: list[str], tail: str) -> str:
    """A question whose answers are one per line inside the answer block."""
    return "\n".join([head + "{", *answers, *([tail] if tail else []), "}"])


def _choices(question: ChoiceQuestion, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    multiple = isinstance(question, MultipleResponse)
    lines: list[str] = []
    for choice, grade in zip(question.choices, choice_grades(question), strict=True):
        mark = weighted(format_grade(grade)) if multiple else "=" if grade == Fraction(1) else "~"
        feedback = f"#{_html(choice.feedback)}" if choice.feedback else ""
        lines.append(f"{mark}{_html(choice.text, inline=True)}{feedback}")
    return _block(head, lines, tail)


def _true_false(question: TrueFalse, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    return f"{head}{{{true_false(question.answer)}{tail}}}"


def _short_answer(question: ShortAnswer, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    return _block(head, [f"={gift_escape(text)}" for text in question.accept], tail)


def _numerical(question: Numerical, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    answer = numeric_answer(format_number(question.answer), format_number(question.tolerance))
    return f"{head}{{{answer}{tail}}}"


def _matching(question: Matching, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    pairs = [
        f"={_html(p.prompt, inline=True)} {MATCH_ARROW} {gift_escape(plain_math(p.match))}"
        for p in question.pairs
    ]
    distractors = [f"= {MATCH_ARROW} {gift_escape(plain_math(d))}" for d in question.distractors]
    return _block(head, pairs + distractors, tail)


def _essay(question: Essay, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    return f"{head}{{{tail}}}"


def _missing_word(question: Cloze, head: str, tail: str, diagnostics: list[Diagnostic]) -> str:
    """A one-gap cloze question as a missing-word question: the answer block where the gap is."""
    text = render_cloze(question)
    diagnostics.extend(misplaced_gap_notes(question, text))
    (name,) = text.names
    gap = question.gaps[name]
    if isinstance(gap, DropdownGap):
        answers = [
            ("=" if o.correct else "~")
            + gift_escape(html.escape(o.text, quote=False))
            + (f"#{_html(o.feedback)}" if o.feedback else "")
            for o in gap.options
        ]
        block = " ".join(answers)
    elif isinstance(gap, NumberGap):
        block = numeric_answer(format_number(gap.answer), format_number(gap.tolerance))
    else:
        block = " ".join(f"={gift_escape(t)}" for t in gap.accept)
    body = fill_gaps(gift_escape(text.rendered.html), lambda i: f"{{{block}{tail}}}")
    return f"::{gift_escape(question.id)}::[html]{body}"


_NO_SHUFFLE = "GIFT cannot carry shuffle: false; set answer shuffling in Moodle"
_NO_CASE = "GIFT cannot carry case_sensitive; Moodle imports it case-insensitive"


def _shuffle_lost(question: ChoiceQuestion | Matching) -> Lost:
    return [] if question.shuffle else [(_NO_SHUFFLE, ("shuffle",))]


def _case_lost(question: ShortAnswer) -> Lost:
    return [(_NO_CASE, ("case_sensitive",))] if question.case_sensitive else []


def _gap_lost(question: Cloze) -> Lost:
    if len(question.gaps) != 1:
        return []
    ((name, gap),) = question.gaps.items()
    lost: Lost = []
    if isinstance(gap, DropdownGap) and not question.shuffle:
        lost.append((_NO_SHUFFLE, ("shuffle",)))
    if isinstance(gap, TextGap) and gap.case_sensitive:
        lost.append((_NO_CASE, ("gaps", name, "case_sensitive")))
    if gap.feedback:
        lost.append(
            (
                "GIFT has no feedback for a gap as a whole; the gap's feedback is not exported",
                ("gaps", name, "feedback"),
            )
        )
    return lost


@dataclass(frozen=True)
class _GiftType:
    """How one question type is written: the question after its comment line (from the question,
    its ``::id::[html]stem`` head and its general-feedback tail), and the settings of the type that
    GIFT cannot carry."""

    write: Callable[[Any, str, str, list[Diagnostic]], str]
    lost: Callable[[Any], Lost] = lambda question: []


#: qbank type -> how it is written; a type without an entry (ordering) has no GIFT form.
_TYPES: dict[str, _GiftType] = {
    SingleChoice.kind: _GiftType(_choices, _shuffle_lost),
    MultipleResponse.kind: _GiftType(_choices, _shuffle_lost),
    TrueFalse.kind: _GiftType(_true_false),
    ShortAnswer.kind: _GiftType(_short_answer, _case_lost),
    Numerical.kind: _GiftType(_numerical),
    Matching.kind: _GiftType(_matching, _shuffle_lost),
    Essay.kind: _GiftType(_essay),
    Cloze.kind: _GiftType(_missing_word, _gap_lost),
}


def _report_losses(question: Question, kind: _GiftType, diagnostics: list[Diagnostic]) -> None:
    def lost(message: str, *where: str | int) -> None:
        diagnostics.append(question_diagnostic(question, "QB902", message, where))

    images, problems = question_media(question)
    diagnostics.extend(problems)
    if images:
        lost("GIFT cannot carry image files; the image will not show after import", "stem")
    if question.points != 1:
        lost(
            f"GIFT cannot carry points ({question.points:g}); Moodle imports a default mark of 1",
            "points",
        )
    for message, where in kind.lost(question):
        lost(message, *where)
    dropped = [name for name in ("author", "source") if getattr(question, name)]
    if dropped:
        lost(f"GIFT has no field for {' and '.join(dropped)}; not exported", dropped[0])


register(GiftExporter())
