"""Aiken, Moodle's simplest import: one-line stem, lettered options, ``ANSWER: X``.

Aiken carries single-answer multiple choice only. ``single_choice`` questions are written as they
are; ``true_false`` questions become a two-option question (``A) True`` / ``B) False``) and say so
(QB902); every other type is reported and left out (QB901). Texts are flattened to one line of
plain text because Moodle reads one line per stem and option and shows HTML literally; whenever
that loses structure (line breaks, images, code, tables) the question gets a QB902 diagnostic.
See ``exporters/aiken/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from qbank.core.diagnostics import Diagnostic
from qbank.core.markup import render, render_inline, renders_math
from qbank.core.math import MathTarget, to_text
from qbank.core.model import Bank, Question, SingleChoice, TrueFalse, comparison_key
from qbank.exporters import register
from qbank.exporters.base import ExportOutput, exportable_questions, metadata_not_carried, question_diagnostic
from qbank.io.source import DataPath

__all__ = ["AikenExporter", "flatten"]

#: What Moodle's Aiken reader takes for an option line (uppercase letter, ``)`` or ``.``).
OPTION_LINE = re.compile(r"^[A-Z][).]")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_STRUCTURE = ("<br", "<h1", "<h2", "<h3", "<img", "<code", "<pre", "<table", "<ul", "<ol", "<blockquote")


def flatten(markdown: str, *, inline: bool = False) -> tuple[str, bool]:
    """``markdown`` as one line of plain text, and whether structure was lost doing so."""
    rendered = render_inline(markdown) if inline else render(markdown)
    lines = rendered.text.splitlines()
    # soft line breaks inside a paragraph are just spaces; paragraphs, breaks and blocks are structure
    lossy = rendered.html.count("<p>") > 1 or any(tag in rendered.html for tag in _STRUCTURE)
    return " ".join(" ".join(lines).split()), lossy


class AikenExporter:
    """Aiken text file (``--to aiken``)."""

    name: ClassVar[str] = "aiken"
    description: ClassVar[str] = "Moodle Aiken text (single choice only; true/false as 2 options)"
    suffix: ClassVar[str] = ".aiken.txt"

    @renders_math(MathTarget.TEX)
    def export(self, bank: Bank) -> ExportOutput:
        """Render the single-choice (and true/false) questions of ``bank`` in Aiken format (pools are
        not carried: an info note says so)."""
        diagnostics: list[Diagnostic] = metadata_not_carried(exportable_questions(bank), "Aiken", ("pool",))
        blocks: list[str] = []
        for question in exportable_questions(bank):
            block = self._question(question, diagnostics)
            if block is not None:
                blocks.append(block)
        text = "\n\n".join(blocks) + "\n" if blocks else ""
        return ExportOutput(text.encode("utf-8"), diagnostics, len(blocks))

    def _question(self, question: Question, diagnostics: list[Diagnostic]) -> str | None:
        def report(code: str, message: str, *where: str | int) -> None:
            diagnostics.append(question_diagnostic(question, code, message, where))

        if not isinstance(question, SingleChoice | TrueFalse):
            report("QB901", f"Aiken carries single-answer multiple choice only, not {question.type}", "type")
            return None
        stem, lossy = flatten(question.stem)
        if len(stem) < 2 or OPTION_LINE.match(stem) or stem.startswith("ANSWER:"):
            report(
                "QB902",
                "the stem, flattened to one line, would not read back as an Aiken question "
                "(shorter than 2 characters, or starting like an option or ANSWER line); not exported",
                "stem",
            )
            return None
        flattened: list[DataPath] = [("stem",)] if lossy else []
        if isinstance(question, TrueFalse):
            options = ["True", "False"]
            key = 0 if question.answer else 1
            report(
                "QB902", "true_false is written as a 2-option multiple choice question (True/False)", "type"
            )
        else:
            options = []
            for index, choice in enumerate(question.choices):
                text, lossy = flatten(choice.text, inline=True)
                if lossy:
                    flattened.append(("choices", index, "text"))
                if not text:
                    report(
                        "QB902",
                        "an option is empty once flattened to plain text; not exported",
                        "choices",
                        index,
                    )
                    return None
                options.append(text)
            seen: dict[str, int] = {}
            for index, text in enumerate(options):
                first = seen.setdefault(comparison_key(text), index)
                if first != index:
                    report(
                        "QB902",
                        f"options {first + 1} and {index + 1} read the same once flattened to plain text; "
                        "not exported",
                        "choices",
                        index,
                    )
                    return None
            key = question.keys[0]
        for where in flattened:
            report(
                "QB902", "text flattened to one line of plain text (line breaks, images or code lost)", *where
            )
        texts = (
            [question.stem, *(c.text for c in question.choices)] if isinstance(question, SingleChoice) else []
        )
        approximate = [s.source for t in texts for s in render(t).math if not to_text(s.latex, s.display)[1]]
        if approximate:
            report(
                "QB902",
                f"Aiken is plain text: {len(approximate)} formula(s) cannot be written exactly in Unicode and "
                f"are approximated (first: {approximate[0]})",
                "stem",
            )
        self._report_losses(question, report)
        lines = [
            stem,
            *(f"{_LETTERS[i]}) {text}" for i, text in enumerate(options)),
            f"ANSWER: {_LETTERS[key]}",
        ]
        return "\n".join(lines)

    @staticmethod
    def _report_losses(question: SingleChoice | TrueFalse, report: Callable[..., None]) -> None:
        lost: list[tuple[str, DataPath]] = []
        if question.explanation:
            lost.append(("explanation", ("explanation",)))
        if isinstance(question, SingleChoice) and any(c.feedback for c in question.choices):
            lost.append(("choice feedback", ("choices",)))
        if question.points != 1:
            lost.append(("points", ("points",)))
        if not question.shuffle:
            lost.append(("shuffle: false", ("shuffle",)))
        for name in (
            "tags",
            "references",
            "followups",
            "author",
            "source",
            "domain",
            "objective",
            "difficulty",
        ):
            if getattr(question, name):
                lost.append((name, (name,)))
        if lost:
            names = ", ".join(name for name, _ in lost)
            report("QB902", f"Aiken cannot carry {names}; not exported", *lost[0][1])


register(AikenExporter())
