"""Aiken (``--from aiken``): a one-line stem, lettered options, ``ANSWER: X``.

Read the way Moodle reads it: a line that is neither an option (``A)`` / ``A.``, the space after it
optional) nor an ``ANSWER:`` line starts a question; an unfinished question, an option without a
question and a question with fewer than two options are skipped with a located diagnostic. A
question whose options are exactly ``True`` and ``False`` comes back as ``true_false`` (that is how
``--to aiken`` writes those). Texts are plain: Markdown characters in them are escaped.
"""

from __future__ import annotations

import re
from typing import ClassVar

from qbank.importers import register
from qbank.importers.base import Draft, ImportContext
from qbank.interchange.markdown import escape_markdown
from qbank.io.safe import decode_text

__all__ = ["AikenImporter"]

_OPTION = re.compile(r"^([A-Z])[).][ \t]?(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*(.*)$")


class AikenImporter:
    """Aiken text files (``--from aiken``)."""

    name: ClassVar[str] = "aiken"
    description: ClassVar[str] = "Moodle Aiken text (single choice; True/False pairs as true_false)"
    suffixes: ClassVar[tuple[str, ...]] = (".aiken", ".aiken.txt", ".txt")

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the questions of one Aiken file."""
        drafts: list[Draft] = []
        stem: tuple[int, str] | None = None
        options: list[str] = []
        orphan = False  # inside options that follow no question (reported once)
        for number, raw in enumerate(
            decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1
        ):
            line = raw.strip()
            if len(line) < 2:
                continue
            option = _OPTION.match(line)
            answer = _ANSWER.match(line)
            if answer:
                if stem is None:
                    if not orphan:
                        ctx.skip("not imported: ANSWER line without a question", display, number)
                    orphan = False
                    continue
                draft = self._finish(stem, options, answer.group(1), display, ctx)
                if draft is not None:
                    drafts.append(draft)
                stem, options = None, []
            elif option and stem is not None:
                options.append(option.group(2).strip())
            elif option:
                if not orphan:
                    ctx.skip("not imported: an option line without a question before it", display, number)
                orphan = True
            else:
                orphan = False
                if stem is not None:
                    ctx.skip("not imported: the question has no ANSWER line", display, stem[0])
                stem, options = (number, line), []
        if stem is not None:
            ctx.skip("not imported: the question has no ANSWER line", display, stem[0])
        return drafts

    @staticmethod
    def _finish(
        stem: tuple[int, str], options: list[str], answer: str, display: str, ctx: ImportContext
    ) -> Draft | None:
        line, text = stem
        if len(options) < 2:
            ctx.skip(
                f"not imported: a question needs at least 2 options, found {len(options)}", display, line
            )
            return None
        letter = answer[:1]
        key = ord(letter) - ord("A") if letter else -1
        if not 0 <= key < len(options):
            ctx.skip(
                f"not imported: ANSWER {answer!r} does not name one of the {len(options)} options",
                display,
                line,
            )
            return None
        draft = Draft({"stem": escape_markdown(text)}, display, line)
        if [o.lower() for o in options] == ["true", "false"]:
            draft.data.update(type="true_false", answer=key == 0)
        else:
            draft.data["choices"] = [
                {"text": escape_markdown(o), "correct": i == key} for i, o in enumerate(options)
            ]
        return draft


register(AikenImporter())
