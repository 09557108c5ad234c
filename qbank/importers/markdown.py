"""Markdown question banks (``--from markdown``), in the two shapes public banks use.

*Checkbox banks* (the LinkedIn skill-assessment style): a heading per question (``#### Q1. stem``,
any heading level from 3 to 6, or a bare ``Q67.`` line), stem lines (code fences, images), then
``- [x] right`` / ``- [ ] wrong`` choices, then optional explanation and ``[Reference](url)``
lines. One checked box is a single-choice question, several a multiple-response one.

*Numbered banks* (the AWS practice-exam style): ``1. stem`` at the start of a line, indented
``- A. choice`` items, and a ``<details>`` block holding ``Correct answer: B, E`` plus an optional
explanation and ``Reference: <url>`` lines.

Texts stay Markdown, read as GitHub reads it (:func:`qbank.core.math.from_github`: ``\\[`` is an
escaped bracket, not math; a ``$...$`` that is not valid LaTeX is dollars). The output file is named after the source file; ids are slugs of the stems
(or ``<file>-q<number>`` for stems with no Latin letters). Images that are not next to the source
are reported (QB911) and kept as written. Anything that does not make a valid question (no marked
answer, one choice, repeated choices ...) is skipped with its line (QB910).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath
from typing import Any, ClassVar

from qbank.core.math import from_github
from qbank.importers import register
from qbank.importers.base import Draft, ImportContext, normalize_id
from qbank.io.safe import decode_text

__all__ = ["MarkdownImporter"]

_HEADING_Q = re.compile(r"^(#{3,6})\s+(.*)$")
_BARE_Q = re.compile(r"^Q\s?(\d+)[.)]\s+(.*)$")
_NUMBER_PREFIX = re.compile(r"^\W{0,3}[^\W\d]{0,12}\.?\s?(\d+)\s*[.):]\s*")
_CHECKBOX = re.compile(r"^(\s{0,3})[-*+]\s+\[([ xX×х]?)\]\s?(.*)$")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_REFERENCE = re.compile(r"^\s*(?:[-*]\s+)?\[[^\]]*\]\(<?(\S+?)>?\)\s*$")
_EXPLANATION_LABEL = re.compile(
    r"^\s*\**\s*(explanation|explication|erklärung|explicación|spiegazione)\s*:?\s*\**\s*:?\s*", re.IGNORECASE
)
_IMAGE = re.compile(r"!\[[^\]]*\]\(<?([^)\s>]+)>?")

_NUMBERED_Q = re.compile(r"^(\d+)\.\s+(.*)$")
_LETTER_OPTION = re.compile(r"^\s+[-*]\s+([A-Z])(?:[.)]\s*|\s+)(.*)$")
_CORRECT = re.compile(r"correct\s+answers?\s*:\s*([A-Za-z ,&and]+)", re.IGNORECASE)
_REFERENCE_LINE = re.compile(r"^\s*references?\s*:\s*<?(\S+?)>?\s*$", re.IGNORECASE)


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in lines]


def _join(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in _dedent(lines))
    return from_github(re.sub(r"\n{3,}", "\n\n", text).strip())


class MarkdownImporter:
    """Markdown checkbox or numbered-list banks (``--from markdown``)."""

    name: ClassVar[str] = "markdown"
    description: ClassVar[str] = (
        "Markdown banks: '#### Q1.' headings with - [x] choices, or numbered lists with <details> answers"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".md", ".markdown")

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the questions of one Markdown file (the shape is detected per file)."""
        text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        group = PurePath(display).stem
        if any(_CHECKBOX.match(line) for line in lines):
            drafts = self._checkbox(lines, display, group, ctx)
        else:
            drafts = self._numbered(lines, display, group, ctx)
        base = Path(display).parent
        for draft in drafts:
            stem = draft.data.get("stem", "")
            for src in _IMAGE.findall(stem if isinstance(stem, str) else ""):
                if "://" not in src and not (base / src).is_file():
                    draft.lost(
                        f"image {src} is not next to the source file; the reference is kept as written"
                    )
        return drafts

    # ------------------------------------------------------------------------------------ checkbox banks

    def _checkbox(self, lines: list[str], display: str, group: str, ctx: ImportContext) -> list[Draft]:
        blocks: list[tuple[int, str, list[str]]] = []
        in_fence: str | None = None
        for number, line in enumerate(lines, start=1):
            fence = _FENCE.match(line)
            if fence and in_fence is None:
                in_fence = fence.group(1)[0] * 3
            elif fence and in_fence is not None and fence.group(1).startswith(in_fence):
                in_fence = None
            elif in_fence is None:
                heading = _HEADING_Q.match(line)
                bare = _BARE_Q.match(line)
                if heading or bare:
                    title = heading.group(2) if heading else line
                    blocks.append((number, title, []))
                    continue
            if blocks:
                blocks[-1][2].append(line)
        drafts: list[Draft] = []
        for index, (number, title, body) in enumerate(blocks, start=1):
            draft = self._checkbox_question(number, title, body, display, group, index, ctx)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _checkbox_question(
        self, line: int, title: str, body: list[str], display: str, group: str, index: int, ctx: ImportContext
    ) -> Draft | None:
        prefix = _NUMBER_PREFIX.match(title)
        stem_head = title[prefix.end() :] if prefix else title
        ordinal = prefix.group(1) if prefix else str(index)
        stem_lines = [stem_head]
        choices: list[dict[str, Any]] = []
        tail: list[str] = []
        in_fence: str | None = None
        state = "stem"
        for raw in body:
            fence = _FENCE.match(raw)
            box = _CHECKBOX.match(raw) if in_fence is None else None
            if box and state in {"stem", "choices"}:
                state = "choices"
                choices.append({"text": [box.group(3)], "correct": box.group(2) in {"x", "X", "×", "х"}})
            elif state == "stem":
                stem_lines.append(raw)
            elif (state == "choices" and (in_fence is not None or raw.startswith(("  ", "\t")) or fence)) or (
                state == "choices" and not raw.strip()
            ):
                choices[-1]["text"].append(raw)
            else:
                state = "tail"
                tail.append(raw)
            if fence and in_fence is None:
                in_fence = fence.group(1)[0] * 3
            elif fence and in_fence is not None and fence.group(1).startswith(in_fence):
                in_fence = None
        if not choices:
            ctx.skip("not imported: the question has no - [ ] / - [x] choices", display, line)
            return None
        data: dict[str, Any] = {"stem": _join(stem_lines)}
        out_choices = []
        for choice in choices:
            out_choices.append({"text": _join(choice["text"]), "correct": choice["correct"]})
        keys = sum(c["correct"] for c in out_choices)
        if keys == 0:
            ctx.skip("not imported: no choice is marked [x]", display, line)
            return None
        data["choices"] = out_choices
        if keys > 1:
            data["type"] = "multiple_response"
        references: list[str] = []
        explanation: list[str] = []
        for raw in tail:
            ref = _REFERENCE.match(raw)
            if ref and ref.group(1).startswith(("http://", "https://")):
                if ref.group(1) not in references:
                    references.append(ref.group(1))
                continue
            explanation.append(_EXPLANATION_LABEL.sub("", raw) if _EXPLANATION_LABEL.match(raw) else raw)
        text = _join(explanation)
        if text and text.strip("-* \n"):
            data["explanation"] = text
        if references:
            data["references"] = references
        draft = Draft(data, display, line, group=group)
        draft.fallback_id = f"{normalize_id(group) or 'q'}-q{ordinal}"
        return draft

    # ------------------------------------------------------------------------------------ numbered banks

    def _numbered(self, lines: list[str], display: str, group: str, ctx: ImportContext) -> list[Draft]:
        blocks: list[tuple[int, str, str, list[str]]] = []
        for number, line in enumerate(lines, start=1):
            match = _NUMBERED_Q.match(line)
            if match:
                blocks.append((number, match.group(1), match.group(2), []))
            elif blocks:
                blocks[-1][3].append(line)
        drafts: list[Draft] = []
        for start, ordinal, head, body in blocks:
            draft = self._numbered_question(start, ordinal, head, body, display, group, ctx)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _numbered_question(
        self,
        line: int,
        ordinal: str,
        head: str,
        body: list[str],
        display: str,
        group: str,
        ctx: ImportContext,
    ) -> Draft | None:
        stem_lines = [head]
        options: list[tuple[str, list[str]]] = []
        details: list[str] = []
        state = "stem"
        for raw in body:
            if "<details" in raw:
                state = "details"
                continue
            if state == "details":
                if "</details>" in raw:
                    state = "after"
                    continue
                details.append(re.sub(r"<summary.*?</summary>", "", raw))
                continue
            if state == "after":
                continue
            option = _LETTER_OPTION.match(raw)
            if option:
                state = "options"
                options.append((option.group(1), [option.group(2)]))
            elif state == "stem":
                stem_lines.append(raw)
            elif raw.strip():
                options[-1][1].append(raw)
        if not options:
            ctx.skip("not imported: the question has no lettered options (- A. ...)", display, line)
            return None
        answer = next((m for m in (_CORRECT.search(d) for d in details) if m), None)
        if answer is None:
            ctx.skip("not imported: no 'Correct answer:' line in the <details> block", display, line)
            return None
        letters = set(re.findall(r"[A-Z]", re.sub(r"\band\b", " ", answer.group(1)).upper()))
        known = {letter for letter, _ in options}
        if not letters or not letters <= known:
            ctx.skip(
                f"not imported: the correct answer {answer.group(1).strip()!r} names no listed option",
                display,
                line,
            )
            return None
        data: dict[str, Any] = {
            "stem": _join([re.sub(r"<br\s*/?>", "\n", s) for s in stem_lines]),
            "choices": [{"text": _join(text), "correct": letter in letters} for letter, text in options],
        }
        if len(letters) > 1:
            data["type"] = "multiple_response"
        references: list[str] = []
        explanation: list[str] = []
        for raw in details:
            if _CORRECT.search(raw):
                continue
            ref = _REFERENCE_LINE.match(raw)
            if ref:
                references.append(ref.group(1))
                continue
            explanation.append(_EXPLANATION_LABEL.sub("", raw) if _EXPLANATION_LABEL.match(raw) else raw)
        text = _join(explanation)
        if text:
            data["explanation"] = text
        if references:
            data["references"] = [r for i, r in enumerate(references) if r not in references[:i]]
        draft = Draft(data, display, line, group=group)
        draft.fallback_id = f"{normalize_id(group) or 'q'}-q{ordinal}"
        return draft


register(MarkdownImporter())
