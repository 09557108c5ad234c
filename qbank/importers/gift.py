"""GIFT (``--from gift``): Moodle's text format, with ``$CATEGORY:``, ``[id:]`` and ``[tag:]`` comments.

Questions are paragraphs separated by blank lines. The answer block (between the first unescaped
``{`` and ``}``) decides the type the way Moodle does: ``#`` numerical, ``~`` multiple choice
(multiple response when no answer is marked ``=``), ``=`` with ``->`` matching, ``T``/``F`` true/
false, ``{}`` essay, anything else short answer. Text after the block makes a "missing word"
question: with single-answer choices, a short answer or a number it is a cloze question whose one gap
(``[[1]]``) is where the block was; other missing-word questions show ``_____`` there. ``[html]`` texts become Markdown; ``[plain]`` and ``[moodle]``
texts are escaped; ``[markdown]`` is kept. ``::name::`` is the question name, not an id: ids come
from ``[id:...]`` comment tokens or the stem.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from lxml import html as lxml_html

from qbank.core.cloze import GAP_PLACEHOLDER, markers_for_placeholders
from qbank.importers import register
from qbank.importers.base import Draft, ImportContext, plain, text_content
from qbank.importers.html2md import html_to_markdown
from qbank.interchange.feedback import general_feedback_fields
from qbank.interchange.gift import (
    CATEGORY,
    GENERAL_FEEDBACK,
    MATCH_ARROW,
    MISSING_WORD_GAP,
    TRUE_FALSE,
    WEIGHT,
    comment_tokens,
    parse_numeric,
    protect,
    restore,
)
from qbank.interchange.markdown import escape_markdown
from qbank.interchange.moodle import category_fields, response_keys, split_category_path, tag_difficulty
from qbank.io.safe import decode_text

__all__ = ["GiftImporter"]

_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)


class _Texts:
    """Turns GIFT text (still protected) into Markdown, in the question's format."""

    def __init__(self, ctx: ImportContext, draft: Draft, default: str) -> None:
        self.ctx = ctx
        self.draft = draft
        self.default = default

    def split_format(self, text: str) -> tuple[str, str]:
        match = _FORMAT.match(text)
        if match:
            return match.group(1).lower(), text[match.end() :]
        return self.default, text

    def markdown(self, text: str, what: str) -> str:
        fmt, body = self.split_format(text)
        body = restore(body).strip()
        if fmt == "markdown":
            return body
        if fmt == "plain":
            return escape_markdown(body)
        if fmt == "moodle" and "<" not in body:
            return escape_markdown(body)
        converted = html_to_markdown(body)
        self.ctx.note_lost(converted, self.draft, what)
        return converted.markdown

    def literal(self, text: str) -> str:
        _, body = self.split_format(text)
        return " ".join(restore(body).split())

    def plain(self, text: str) -> str:
        """Plain text (HTML texts decoded), whitespace collapsed: a drop-down option."""
        fmt, body = self.split_format(text)
        body = restore(body)
        if body.strip() and (fmt == "html" or (fmt == "moodle" and "<" in body)):
            body = text_content(lxml_html.fragment_fromstring(body, create_parent="div"))
        return " ".join(body.split())

    def markdown_with_gap(self, before: str, after: str) -> str:
        """Markdown of a missing-word question's text, the answer block as the gap ``[[1]]``."""
        fmt, head = self.split_format(before)
        body = (restore(head) + GAP_PLACEHOLDER.format(index=0) + restore(after)).strip()
        if fmt == "markdown":
            markdown = body
        elif fmt == "plain" or (fmt == "moodle" and "<" not in body):
            markdown = escape_markdown(body)
        else:
            converted = html_to_markdown(body)
            self.ctx.note_lost(converted, self.draft, "stem")
            markdown = converted.markdown
        return markers_for_placeholders(markdown, [MISSING_WORD_GAP])


def _split_answers(block: str) -> list[tuple[str, str]]:
    """``(mark, text)`` for every ``=``/``~`` answer of a block."""
    parts = re.split(r"([=~])", block)
    out: list[tuple[str, str]] = []
    for i in range(1, len(parts), 2):
        out.append((parts[i], parts[i + 1] if i + 1 < len(parts) else ""))
    return out


def _weight(text: str) -> tuple[float | None, str]:
    match = WEIGHT.match(text)
    if not match:
        return None, text
    return float(match.group(1)), text[match.end() :]


def _feedback(text: str) -> tuple[str, str | None]:
    if "#" not in text:
        return text, None
    head, _, tail = text.partition("#")
    return head, tail


class GiftImporter:
    """GIFT text files (``--from gift``)."""

    name: ClassVar[str] = "gift"
    description: ClassVar[str] = "Moodle GIFT text (categories, [id:]/[tag:] comments, every GIFT type)"
    suffixes: ClassVar[tuple[str, ...]] = (".gift", ".gift.txt", ".txt")

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the questions of one GIFT file."""
        lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        drafts: list[Draft] = []
        names: list[str] = []
        block: list[tuple[int, str]] = []
        for number, line in enumerate([*lines, ""], start=1):
            if line.strip():
                block.append((number, line))
                continue
            if block:
                draft = self._block(block, names, display, ctx)
                if isinstance(draft, list):
                    names = draft
                elif draft is not None:
                    drafts.append(draft)
                block = []
        return drafts

    def _block(
        self, block: list[tuple[int, str]], names: list[str], display: str, ctx: ImportContext
    ) -> Draft | list[str] | None:
        tokens: list[tuple[str, str]] = []
        body: list[tuple[int, str]] = []
        for number, line in block:
            if line.strip().startswith("//"):
                tokens += comment_tokens(line)
            else:
                body.append((number, line))
        if not body:
            return None
        start = body[0][0]
        text = protect("\n".join(t for _, t in body)).strip()
        if text.startswith(CATEGORY):
            return split_category_path(restore(text[len(CATEGORY) :]).strip())
        draft = Draft({}, display, start, group="/".join(names))
        problem = self._question(text, draft, ctx)
        if problem:
            ctx.skip(f"not imported: {problem}", display, start)
            return None
        for kind, value in tokens:
            value = plain(value)
            if kind == "id" and value:
                draft.source_id = value
            elif kind == "tag" and value:
                difficulty = tag_difficulty(value)
                if difficulty and "difficulty" not in draft.data:
                    draft.data["difficulty"] = difficulty
                elif value not in draft.data.setdefault("tags", []):
                    draft.data["tags"].append(value)
        domain, objective = category_fields(names, ctx.blueprint)
        if domain:
            draft.data["domain"] = domain
        if objective:
            draft.data["objective"] = objective
        return draft

    def _question(self, text: str, draft: Draft, ctx: ImportContext) -> str | None:
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                return "the question name (::name::) is not closed"
            text = text[end + 2 :]
        texts = _Texts(ctx, draft, "moodle")
        fmt, _ = texts.split_format(text)
        texts.default = fmt
        start = text.find("{")
        if start < 0:
            return "a description (no answer block) has no qbank type"
        end = text.find("}", start)
        if end < 0:
            return "the answer block is not closed with }"
        before, answer_block, after = text[:start], text[start + 1 : end], text[end + 1 :]
        data = draft.data
        data["stem"] = texts.markdown(before, "stem")
        general_at = answer_block.rfind(GENERAL_FEEDBACK)
        if general_at >= 0:
            general = texts.markdown(answer_block[general_at + len(GENERAL_FEEDBACK) :], "general feedback")
            answer_block = answer_block[:general_at]
            if general:
                data.update(general_feedback_fields(general))
        block = answer_block.strip()
        problem = self._answers(block, draft, texts)
        if problem or not after.strip():
            return problem
        if data.get("type") in {"single_choice", "short_answer", "numerical"}:
            self._missing_word(before, after, block, draft, texts)
        else:
            data["stem"] = f"{data['stem']} _____ {texts.markdown(after, 'stem')}".strip()
            draft.lost("missing-word question: the answer position is shown as _____ in the stem")
        return None

    def _answers(self, block: str, draft: Draft, texts: _Texts) -> str | None:
        """Read the answer block into the draft's type and answers (or say why it cannot be)."""
        data = draft.data
        if block.startswith("#"):
            return self._numerical(block[1:], draft)
        if "~" in block:
            return self._choices(block, draft, texts)
        if "=" in block and MATCH_ARROW in block:
            return self._matching(block, draft, texts)
        head = block.split("#", 1)[0].strip()
        if head.upper() in TRUE_FALSE:
            data.update(type="true_false", answer=TRUE_FALSE[head.upper()])
            if "#" in block and any(restore(p).strip() for p in block.split("#")[1:]):
                draft.lost("true/false answer feedback has no qbank field; not imported")
            return None
        if not block:
            data["type"] = "essay"
            return None
        return self._short(block, draft, texts)

    @staticmethod
    def _missing_word(before: str, after: str, block: str, draft: Draft, texts: _Texts) -> None:
        """A missing-word question (single-answer choices, short answer or number) as a cloze question
        with one gap, ``[[1]]``, where the answer block is."""
        data = draft.data
        kind = data.pop("type")
        gap: dict[str, Any]
        if kind == "single_choice":
            answers = _split_answers(block)
            gap = {
                "options": [
                    {
                        "text": texts.plain(_feedback(_weight(raw)[1])[0]),
                        **({"correct": True} if choice.get("correct") else {}),
                        **({"feedback": choice["feedback"]} if choice.get("feedback") else {}),
                    }
                    for (_, raw), choice in zip(answers, data.pop("choices"), strict=True)
                ]
            }
        elif kind == "short_answer":
            gap = {"accept": data.pop("accept")}
        else:
            gap = {"answer": data.pop("answer"), "tolerance": data.pop("tolerance")}
        data.update(type="cloze", stem=texts.markdown_with_gap(before, after), gaps={MISSING_WORD_GAP: gap})

    def _choices(self, block: str, draft: Draft, texts: _Texts) -> str | None:
        answers = _split_answers(block)
        choices: list[dict[str, Any]] = []
        weights: list[float] = []
        for index, (mark, raw) in enumerate(answers):
            weight, rest = _weight(raw)
            body, feedback = _feedback(rest)
            if weight is None:
                weight = 100.0 if mark == "=" else 0.0
            choice: dict[str, Any] = {"text": texts.markdown(body, f"choice {index + 1}")}
            if feedback is not None and restore(feedback).strip():
                choice["feedback"] = texts.markdown(feedback, f"choice {index + 1} feedback")
            choices.append(choice)
            weights.append(weight)
        if len(choices) < 2:
            return f"a multiple-choice question needs at least 2 answers, found {len(choices)}"
        single = any(mark == "=" for mark, _ in answers)
        if single:
            keys = [i for i, w in enumerate(weights) if abs(w - 100) < 1e-3]
            partial = [w for w in weights if abs(w) > 1e-3 and abs(w - 100) >= 1e-3]
            if partial:
                draft.lost("partial grades (" + ", ".join(f"{w:g}%" for w in partial) + ") are not carried")
        else:
            keys, even = response_keys(weights)
            if not even:
                draft.lost(
                    "answer grades ("
                    + ", ".join(f"{w:g}%" for w in weights)
                    + ") are not carried; keys are the positive ones"
                )
        if not keys:
            return "no answer is marked correct"
        for i, choice in enumerate(choices):
            choice["correct"] = i in keys
        draft.data.update(type="single_choice" if len(keys) == 1 else "multiple_response", choices=choices)
        return None

    def _matching(self, block: str, draft: Draft, texts: _Texts) -> str | None:
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        for index, (_, raw) in enumerate(_split_answers(block)):
            prompt, arrow, match = raw.partition(MATCH_ARROW)
            if not arrow:
                return f"matching answer {index + 1} has no {MATCH_ARROW}"
            match_text = texts.literal(match)
            prompt_text = texts.markdown(prompt, f"prompt {index + 1}") if prompt.strip() else ""
            if prompt_text:
                pairs.append({"prompt": prompt_text, "match": match_text})
            elif match_text and match_text not in distractors:
                distractors.append(match_text)
        draft.data.update(type="matching", pairs=pairs)
        if distractors:
            draft.data["distractors"] = distractors
        return None if len(pairs) >= 2 else f"a matching question needs at least 2 pairs, found {len(pairs)}"

    def _short(self, block: str, draft: Draft, texts: _Texts) -> str | None:
        accept: list[str] = []
        for _, raw in _split_answers(block):
            weight, rest = _weight(raw)
            body, feedback = _feedback(rest)
            text = texts.literal(body)
            if feedback is not None and restore(feedback).strip():
                draft.lost(f"feedback on answer {text!r} has no qbank field; not imported")
            if weight is not None and abs(weight - 100) >= 1e-3:
                draft.lost(
                    f"answer {text!r} worth {weight:g}% is not carried (only 100% answers are accepted)"
                )
                continue
            if text and text not in accept:
                accept.append(text)
        if not accept:
            return "no accepted answer"
        draft.data.update(type="short_answer", accept=accept)
        return None

    @staticmethod
    def _numerical(block: str, draft: Draft) -> str | None:
        found: list[tuple[float, float]] = []
        head, *_ = re.split(r"[=~]", block, maxsplit=1)
        parts = ([("=", head)] if head.strip() else []) + _split_answers(block[len(head) :])
        for mark, raw in parts:
            weight, rest = _weight(raw)
            body, feedback = _feedback(rest)
            body = restore(body).strip()
            if mark == "~" or (weight is not None and abs(weight - 100) >= 1e-3):
                if body or (feedback and feedback.strip()):
                    draft.lost(
                        f"numeric answer {body or 'for anything else'!r} is not carried (only the 100% answer is)"
                    )
                continue
            if feedback is not None and restore(feedback).strip():
                draft.lost("numeric answer feedback has no qbank field; not imported")
            value = parse_numeric(body)
            if value is None:
                return f"{body!r} is not a number, a number:tolerance or a min..max range"
            found.append(value)
        if not found:
            return "no numeric answer"
        if len(found) > 1:
            draft.lost(f"{len(found) - 1} further numeric answers are not carried (qbank has one answer)")
        draft.data.update(type="numerical", answer=found[0][0], tolerance=found[0][1])
        return None


register(GiftImporter())
