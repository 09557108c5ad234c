"""Moodle XML (``--from moodle``): every type qbank has, categories, tags and embedded images.

* ids: ``<idnumber>`` when present, else a slug of the stem; the question ``<name>`` is not an id.
* categories ``$course$/top/<bank>/<domain>/<objective>`` (what ``--to moodle`` writes) give the
  output file (one per category) and the domain and objective; with a blueprint, category names
  such as ``1 Development with AWS Services`` map back to domain and objective ids.
* tags come back as tags, except ``difficulty-<level>``, which sets ``difficulty``.
* ``@@PLUGINFILE@@`` images are decoded from their base64 ``<file>`` into ``media/``.
* HTML becomes Markdown; grades, hints, combined feedback and other Moodle-only settings that
  qbank cannot hold are reported (QB911); types qbank lacks (cloze, calculated, drag and drop,
  description) are skipped (QB910).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar
from urllib.parse import quote, unquote

from lxml import etree

from qbank.importers import register
from qbank.importers.base import Draft, ImportContext, line_of, number, parse_or_report, plain
from qbank.importers.html2md import html_to_markdown
from qbank.interchange.feedback import general_feedback_fields
from qbank.interchange.markdown import escape_markdown
from qbank.interchange.moodle import (
    PLUGINFILE,
    category_fields,
    has_wildcard,
    on_grade_list,
    response_keys,
    split_category_path,
    tag_difficulty,
    unescape_wildcards,
)

__all__ = ["MoodleXmlImporter"]

_MAX_BASE64 = 70 * 1024 * 1024
_UNSUPPORTED = {
    "description": "a description (text only) item has no qbank type",
    "cloze": "cloze (embedded answers) questions have no qbank type",
    "multianswer": "cloze (embedded answers) questions have no qbank type",
    "calculated": "calculated questions have no qbank type",
    "calculatedsimple": "calculated questions have no qbank type",
    "calculatedmulti": "calculated questions have no qbank type",
    "ddwtos": "drag-and-drop-into-text questions have no qbank type",
    "gapselect": "select-missing-words questions have no qbank type",
    "ddimageortext": "drag-and-drop-onto-image questions have no qbank type",
    "ddmarker": "drag-and-drop-markers questions have no qbank type",
    "randomsamatch": "random short-answer matching questions have no qbank type",
    "random": "random-question placeholders have no qbank type",
}


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    return el.find(tag)


def _text_of(el: etree._Element | None) -> str:
    """The ``<text>`` of a text-bearing element, trimmed."""
    if el is None:
        return ""
    text = el.find("text")
    return (text.text or "").strip() if text is not None else ""


def _flag(el: etree._Element, tag: str, default: bool) -> bool:
    child = el.find(tag)
    if child is None or child.text is None or not child.text.strip():
        return default
    return child.text.strip().lower() in {"1", "true", "yes"}


class _Question:
    """Reading helpers bound to one ``<question>`` element and its draft."""

    def __init__(self, el: etree._Element, draft: Draft, ctx: ImportContext) -> None:
        self.el = el
        self.draft = draft
        self.ctx = ctx

    def rich(self, field_el: etree._Element | None, what: str) -> str:
        """Markdown of a text-bearing element, its images extracted."""
        if field_el is None:
            return ""
        text = _text_of(field_el)
        fmt = (field_el.get("format") or "html").lower()
        files = self.files(field_el, what)
        for name, src in files.items():
            for form in {name, quote(name), quote(name, safe="")}:
                text = text.replace(f"{PLUGINFILE}/{form}", src)
        if PLUGINFILE in text:
            self.draft.lost(f"{what}: refers to a file that is not in the XML (@@PLUGINFILE@@)")
        if fmt == "plain_text":
            return escape_markdown(text)
        if fmt == "markdown":
            return text
        if fmt == "wiki_like":
            self.draft.lost(f"{what}: wiki-like text kept as written")
            return text
        converted = html_to_markdown(text)
        self.ctx.note_lost(converted, self.draft, what)
        return converted.markdown

    def files(self, field_el: etree._Element, what: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for file_el in field_el.findall("file"):
            name = unquote(file_el.get("name") or "")
            payload = file_el.text or ""
            if len(payload) > _MAX_BASE64:
                self.ctx.problem(
                    "QB912",
                    f"embedded file {name!r} is too large; refused",
                    self.draft.path,
                    line_of(file_el),
                )
                continue
            if (file_el.get("encoding") or "base64") != "base64" or not name:
                self.draft.lost(f"{what}: file {name!r} has no base64 content; not extracted")
                continue
            try:
                data = base64.b64decode("".join(payload.split()), validate=True)
            except (binascii.Error, ValueError):
                self.draft.lost(f"{what}: file {name!r} is not valid base64; not extracted")
                continue
            out[name] = self.ctx.add_media(name, data)
        return out


class MoodleXmlImporter:
    """Moodle XML question files (``--from moodle``)."""

    name: ClassVar[str] = "moodle"
    description: ClassVar[str] = "Moodle XML (all qbank types, categories, tags, embedded images)"
    suffixes: ClassVar[tuple[str, ...]] = (".xml",)

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the questions of one Moodle XML file."""
        root = parse_or_report(data, display, ctx)
        if root is None:
            return []
        if root.tag != "quiz":
            ctx.problem(
                "QB003",
                f"not a Moodle XML file: the root element is <{root.tag}>, not <quiz>",
                display,
                line_of(root),
            )
            return []
        drafts: list[Draft] = []
        names: list[str] = []
        for el in root:
            if el.tag != "question":
                continue
            qtype = (el.get("type") or "").strip()
            line = line_of(el)
            if qtype == "category":
                names = split_category_path(_text_of(el.find("category")))
                continue
            draft = Draft({}, display, line, group="/".join(names))
            if qtype in _UNSUPPORTED:
                ctx.skip(f"not imported: {_UNSUPPORTED[qtype]} (type {qtype!r})", display, line)
                continue
            reader = _Question(el, draft, ctx)
            handler = getattr(self, f"_{'matching' if qtype == 'match' else qtype}", None)
            if handler is None:
                ctx.skip(f"not imported: question type {qtype!r} is not supported", display, line)
                continue
            problem = handler(reader)
            if problem:
                ctx.skip(f"not imported: {problem}", display, line)
                continue
            self._common(reader, names)
            drafts.append(draft)
        return drafts

    # ------------------------------------------------------------------------------------ common

    def _common(self, q: _Question, names: list[str]) -> None:
        el, draft, data = q.el, q.draft, q.draft.data
        idnumber = plain(el.findtext("idnumber"))
        draft.source_id = idnumber or None
        stem = q.rich(el.find("questiontext"), "stem")
        data["stem"] = stem
        general = q.rich(el.find("generalfeedback"), "general feedback")
        if general:
            data.update(general_feedback_fields(general))
        grade = number(el.findtext("defaultgrade"))
        if grade is not None and grade > 0:
            data["points"] = grade
        elif grade is not None:
            draft.lost(f"default mark {grade:g} is not a positive number; points left at 1")
        domain, objective = category_fields(names, q.ctx.blueprint)
        if domain:
            data["domain"] = domain
        if objective:
            data["objective"] = objective
        if len(names) > 3:
            draft.lost(f"category levels below the third ({'/'.join(names[3:])}) are not carried")
        tags: list[str] = []
        for tag_el in el.findall("tags/tag"):
            tag = plain(_text_of(tag_el))
            difficulty = tag_difficulty(tag)
            if difficulty and "difficulty" not in data:
                data["difficulty"] = difficulty
            elif tag and tag not in tags:
                tags.append(tag)
        if tags:
            data["tags"] = tags
        combined = [
            t
            for t in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
            if _text_of(el.find(t))
        ]
        if combined:
            draft.lost(f"combined feedback ({', '.join(combined)}) has no qbank field; not imported")
        if el.findall("hint"):
            draft.lost("hints have no qbank field; not imported")

    # ------------------------------------------------------------------------------------ types

    def _multichoice(self, q: _Question) -> str | None:
        el, draft = q.el, q.draft
        single = _flag(el, "single", True)
        answers: list[tuple[float, dict[str, Any]]] = []
        for index, answer in enumerate(el.findall("answer")):
            fraction = number(answer.get("fraction"))
            if fraction is None:
                return f"answer {index + 1} has no valid fraction"
            choice: dict[str, Any] = {"text": q.rich(answer, f"choice {index + 1}")}
            feedback = q.rich(answer.find("feedback"), f"choice {index + 1} feedback")
            if feedback:
                choice["feedback"] = feedback
            answers.append((fraction, choice))
        if len(answers) < 2:
            return f"a multichoice question needs at least 2 answers, found {len(answers)}"
        fractions = [f for f, _ in answers]
        off_list = [f for f in fractions if not on_grade_list(f)]
        if off_list:
            draft.lost(
                f"grade(s) {', '.join(f'{f:g}' for f in off_list)} are not on Moodle's list (Moodle itself would refuse this question)"
            )
        if single:
            keys = [i for i, f in enumerate(fractions) if abs(f - 100) < 1e-3]
            if not keys:
                return "no answer is worth 100%"
            partial = [f for f in fractions if abs(f) > 1e-3 and abs(f - 100) >= 1e-3]
            if partial:
                draft.lost(
                    f"partial or negative grades ({', '.join(f'{f:g}%' for f in partial)}) are not carried; only 100% answers are keys"
                )
            for i, (_, choice) in enumerate(answers):
                choice["correct"] = i in keys
            draft.data["type"] = "single_choice" if len(keys) == 1 else "multiple_response"
        else:
            keys, even = response_keys(fractions)
            if keys and not even:
                draft.lost(
                    "answer grades (" + ", ".join(f"{f:g}%" for f in fractions) + ") are not carried; "
                    "keys are the answers with a positive grade"
                )
            if keys and abs(sum(fractions[i] for i in keys) - 100) > 0.01:
                draft.lost("positive grades do not sum to 100% (Moodle itself would refuse this question)")
            for i, (_, choice) in enumerate(answers):
                choice["correct"] = i in keys
            draft.data["type"] = "multiple_response" if len(keys) > 1 else "single_choice"
            if len(keys) == 1:
                draft.lost("a multiple-answer question with one key is imported as single_choice")
        draft.data["choices"] = [c for _, c in answers]
        draft.data["shuffle"] = _flag(el, "shuffleanswers", False)
        numbering = plain(el.findtext("answernumbering"))
        if numbering and numbering not in {"abc", "none"}:
            draft.lost(f"answer numbering {numbering!r} is not carried")
        return None

    def _truefalse(self, q: _Question) -> str | None:
        answer: bool | None = None
        for ans in q.el.findall("answer"):
            value = _text_of(ans).lower()
            fraction = number(ans.get("fraction"))
            if value in {"true", "false"} and fraction is not None and abs(fraction - 100) < 1e-3:
                answer = value == "true"
            if _text_of(ans.find("feedback")):
                q.draft.lost(f"feedback on the {value or '?'} answer has no qbank field; not imported")
        if answer is None:
            return "no true or false answer is worth 100%"
        q.draft.data.update(type="true_false", answer=answer)
        return None

    def _shortanswer(self, q: _Question) -> str | None:
        accept: list[str] = []
        for ans in q.el.findall("answer"):
            text = _text_of(ans)
            fraction = number(ans.get("fraction")) or 0.0
            if abs(fraction - 100) >= 1e-3:
                q.draft.lost(
                    f"answer {text!r} worth {fraction:g}% is not carried (only 100% answers are accepted)"
                )
                continue
            if has_wildcard(text):
                q.draft.lost(f"answer {text!r} uses Moodle's * wildcard, which qbank compares literally")
            text = unescape_wildcards(text)
            if _text_of(ans.find("feedback")):
                q.draft.lost(f"feedback on answer {text!r} has no qbank field; not imported")
            if text and text not in accept:
                accept.append(text)
        if not accept:
            return "no answer is worth 100%"
        q.draft.data.update(type="short_answer", accept=accept, case_sensitive=_flag(q.el, "usecase", False))
        return None

    def _numerical(self, q: _Question) -> str | None:
        found: list[tuple[float, float]] = []
        for ans in q.el.findall("answer"):
            fraction = number(ans.get("fraction")) or 0.0
            value = number(_text_of(ans))
            if value is None or abs(fraction - 100) >= 1e-3:
                if _text_of(ans) != "*" or fraction:
                    q.draft.lost(f"answer {_text_of(ans)!r} worth {fraction:g}% is not carried")
                continue
            found.append((value, abs(number(ans.findtext("tolerance")) or 0.0)))
        if not found:
            return "no numeric answer is worth 100%"
        if len(found) > 1:
            q.draft.lost(f"{len(found) - 1} further 100% answers are not carried (qbank has one answer)")
        if q.el.findall("units/unit"):
            q.draft.lost("units are not carried")
        value, tolerance = found[0]
        q.draft.data.update(type="numerical", answer=value, tolerance=tolerance)
        return None

    def _matching(self, q: _Question) -> str | None:
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        for index, sub in enumerate(q.el.findall("subquestion")):
            prompt = q.rich(sub, f"prompt {index + 1}")
            match = plain(_text_of(sub.find("answer")))
            if not match:
                continue
            if prompt:
                pairs.append({"prompt": prompt, "match": match})
            elif match not in distractors:
                distractors.append(match)
        q.draft.data.update(type="matching", pairs=pairs, shuffle=_flag(q.el, "shuffleanswers", True))
        if distractors:
            q.draft.data["distractors"] = distractors
        return None if len(pairs) >= 2 else f"a matching question needs at least 2 pairs, found {len(pairs)}"

    def _ordering(self, q: _Question) -> str | None:
        items: list[tuple[float, int, str]] = []
        for index, ans in enumerate(q.el.findall("answer")):
            text = _text_of(ans)
            if (ans.get("format") or "html") != "plain_text" and text:
                text = _html_text(text)
            items.append((number(ans.get("fraction")) or float(index + 1), index, plain(text)))
        q.draft.data.update(type="ordering", order=[t for _, _, t in sorted(items)])
        if plain(q.el.findtext("selecttype")) not in {"", "ALL"}:
            q.draft.lost("a partial selection of items is not carried (all items are used)")
        return None if len(items) >= 2 else f"an ordering question needs at least 2 items, found {len(items)}"

    def _essay(self, q: _Question) -> str | None:
        q.draft.data["type"] = "essay"
        for tag in ("graderinfo", "responsetemplate"):
            if _text_of(q.el.find(tag)):
                q.draft.lost(f"{tag} has no qbank field; not imported")
        return None


def _html_text(text: str) -> str:
    from lxml import html as lxml_html

    try:
        return str(lxml_html.fragment_fromstring(text, create_parent="div").text_content())
    except (etree.ParserError, ValueError):
        return text


register(MoodleXmlImporter())
