"""text2qti plain-text quizzes (``--from text2qti``).

The syntax of the text2qti tool: optional ``Quiz title:`` / ``Quiz description:`` headers (the title
names the output file), then numbered questions ``1.  stem``, each optionally preceded by
``Title:`` and ``Points:`` lines. What follows the stem decides the type:

* ``a) wrong`` / ``*b) right`` - single choice;  ``[ ] wrong`` / ``[*] right`` - multiple answers;
* ``*  answer`` lines - short answer (each an accepted answer);
* ``=  1.5 +- 0.1``, ``=  [1.2, 1.8]`` or ``=  1.5`` - numerical;  ``____`` - essay;
* ``...  text`` after the stem is general feedback (the explanation), after a choice that
  choice's feedback; ``+`` / ``-`` feedback (shown on right/wrong answers) is reported (QB911).

Lines indented under a question, choice or feedback continue it. Texts are Markdown already.
File-upload questions (``^^^^``) and text regions are skipped (QB910).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from qbank.importers import register
from qbank.importers.base import Draft, ImportContext
from qbank.io.safe import decode_text

__all__ = ["Text2QtiImporter"]

_HEADER = re.compile(
    r"^(Quiz title|Quiz description|Shuffle answers|Show correct answers|One question at a time|Can't go back|Feedback is shown|Solutions sample groups)\s*:\s*(.*)$",
    re.IGNORECASE,
)
_TITLE = re.compile(r"^Title:\s*(.*)$")
_POINTS = re.compile(r"^Points:\s*(.*)$")
_QUESTION = re.compile(r"^(\d+)\.\s+(.*)$")
_CHOICE = re.compile(r"^(\*?)([a-z])\)\s+(.*)$")
_MULTI = re.compile(r"^\[(\*| )\]\s+(.*)$")
_SHORT = re.compile(r"^\*\s+(.*)$")
_NUMERIC = re.compile(r"^=\s+(.*)$")
_ESSAY = re.compile(r"^_{3,}\s*$")
_UPLOAD = re.compile(r"^\^{3,}\s*$")
_FEEDBACK = re.compile(r"^(\.\.\.|\+|-)\s+(.*)$")
_TEXT_REGION = re.compile(r"^Text( title)?:\s*(.*)$")
_GROUP = re.compile(r"^(GROUP|END_GROUP|pick:.*)\s*$")


class _Question:
    def __init__(self, line: int, number: str, stem: str, title: str | None, points: str | None) -> None:
        self.line = line
        self.number = number
        self.stem = [stem]
        self.title = title
        self.points = points
        self.kind = ""
        self.choices: list[dict[str, Any]] = []
        self.accept: list[str] = []
        self.numeric: str | None = None
        self.general: list[str] = []
        self.lost: list[str] = []
        self.current: list[str] = self.stem


class Text2QtiImporter:
    """text2qti plain-text quizzes (``--from text2qti``)."""

    name: ClassVar[str] = "text2qti"
    description: ClassVar[str] = "text2qti plain-text quizzes (1. stem / *a) right / b) wrong)"
    suffixes: ClassVar[tuple[str, ...]] = (".txt", ".md")

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the questions of one text2qti file."""
        group = ""
        title: str | None = None
        points: str | None = None
        questions: list[_Question] = []
        current: _Question | None = None
        for number, raw in enumerate(decode_text(data).replace("\r\n", "\n").split("\n"), start=1):
            line = raw.rstrip()
            if not line.strip():
                if current is not None:
                    current.current.append("")
                continue
            if raw[:1] in (" ", "\t") and current is not None:
                current.current.append(line.strip())
                continue
            header = _HEADER.match(line)
            if header and current is None:
                if header.group(1).lower() == "quiz title":
                    group = header.group(2).strip()
                continue
            if title_match := _TITLE.match(line):
                title = title_match.group(1)
                current = None
                continue
            if points_match := _POINTS.match(line):
                points = points_match.group(1)
                current = None
                continue
            question = _QUESTION.match(line)
            if question:
                current = _Question(number, question.group(1), question.group(2), title, points)
                questions.append(current)
                title = points = None
                continue
            if _TEXT_REGION.match(line) or _GROUP.match(line):
                current = None
                continue
            if current is None:
                ctx.skip(f"not imported: text outside a question: {line[:40]!r}", display, number)
                continue
            self._line(current, line)
        drafts: list[Draft] = []
        for q in questions:
            draft = self._draft(q, display, group, ctx)
            if draft is not None:
                drafts.append(draft)
        return drafts

    @staticmethod
    def _line(q: _Question, line: str) -> None:
        if m := _CHOICE.match(line):
            q.kind = q.kind or "choice"
            q.choices.append({"text": [m.group(3)], "correct": m.group(1) == "*", "feedback": []})
            q.current = q.choices[-1]["text"]
        elif m := _MULTI.match(line):
            q.kind = q.kind or "multi"
            q.choices.append({"text": [m.group(2)], "correct": m.group(1) == "*", "feedback": []})
            q.current = q.choices[-1]["text"]
        elif m := _SHORT.match(line):
            q.kind = q.kind or "short"
            q.accept.append(m.group(1).strip())
            q.current = []
        elif m := _NUMERIC.match(line):
            q.kind = q.kind or "numeric"
            q.numeric = m.group(1).strip()
            q.current = []
        elif _ESSAY.match(line):
            q.kind = q.kind or "essay"
        elif _UPLOAD.match(line):
            q.kind = q.kind or "upload"
        elif m := _FEEDBACK.match(line):
            if m.group(1) == "...":
                target = q.choices[-1]["feedback"] if q.choices else q.general
                target.append(m.group(2))
                q.current = target
            else:
                q.lost.append(
                    f"{'correct' if m.group(1) == '+' else 'incorrect'}-answer feedback has no qbank field; not imported"
                )
                q.current = []
        else:
            q.current.append(line.strip())

    @staticmethod
    def _draft(q: _Question, display: str, group: str, ctx: ImportContext) -> Draft | None:
        def text(lines: list[str]) -> str:
            return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

        data: dict[str, Any] = {"stem": text(q.stem)}
        if q.kind in {"choice", "multi"}:
            choices = []
            for c in q.choices:
                choice: dict[str, Any] = {"text": text(c["text"]), "correct": c["correct"]}
                if text(c["feedback"]):
                    choice["feedback"] = text(c["feedback"])
                choices.append(choice)
            data["choices"] = choices
            if q.kind == "multi":
                data["type"] = "multiple_response"
        elif q.kind == "short":
            data.update(type="short_answer", accept=q.accept)
        elif q.kind == "numeric":
            parsed = _numeric(q.numeric or "")
            if parsed is None:
                ctx.skip(
                    f"not imported: {q.numeric!r} is not a number, 'x +- t' or '[low, high]'", display, q.line
                )
                return None
            data.update(type="numerical", answer=parsed[0], tolerance=parsed[1])
        elif q.kind == "essay":
            data["type"] = "essay"
        elif q.kind == "upload":
            ctx.skip("not imported: file-upload questions have no qbank type", display, q.line)
            return None
        else:
            ctx.skip("not imported: the question has no answers", display, q.line)
            return None
        if text(q.general):
            data["explanation"] = text(q.general)
        draft = Draft(data, display, q.line, group=group)
        if q.points is not None:
            try:
                data["points"] = float(q.points)
            except ValueError:
                draft.lost(f"points {q.points!r} are not a number; points left at 1")
        if q.title:
            draft.lost(f"the question title {q.title!r} has no qbank field; not imported")
        for note in q.lost:
            draft.lost(note)
        return draft


def _numeric(text: str) -> tuple[float, float] | None:
    try:
        if text.startswith("[") and text.endswith("]"):
            low, high = (float(p) for p in text[1:-1].split(","))
            return (low + high) / 2, abs(high - low) / 2
        if "+-" in text:
            value, tolerance = (float(p) for p in text.split("+-"))
            return value, abs(tolerance)
        return float(text), 0.0
    except ValueError:
        return None


register(Text2QtiImporter())
