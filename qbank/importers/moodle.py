"""Moodle XML (``--from moodle``): every type qbank has, categories, tags and embedded images.

* ids: ``<idnumber>`` when present, else a slug of the stem; the question ``<name>`` is not an id.
* categories ``$course$/top/<bank>/<domain>/<objective>`` (what ``--to moodle`` writes) give the
  output file (one per category) and the domain and objective; with a blueprint, category names
  such as ``1 Development with AWS Services`` map back to domain and objective ids.
* tags come back as tags, except ``difficulty-<level>``, which sets ``difficulty``.
* ``@@PLUGINFILE@@`` images are decoded from their base64 ``<file>`` into ``media/``.
* HTML becomes Markdown; grades, hints, combined feedback and other Moodle-only settings that
  qbank cannot hold are reported (QB911); types qbank lacks (calculated, drag and drop,
  description) are skipped (QB910).
* cloze (``cloze`` / ``multianswer``): each embedded answer of the text becomes a gap named by its
  position (``[[1]]``, ``[[2]]`` ...): short answers a typed gap (``_C`` types case-sensitive),
  numerical a number gap, drop-downs and their vertical and horizontal forms a drop-down gap; its
  marks are the gap's points; feedback on every alternative of a typed or number gap (or on every
  option) is the gap's feedback. Multiple-response gaps have no qbank form (QB910).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import quote, unquote

from lxml import etree

from qbank.core.cloze import GAP_PLACEHOLDER, markers_for_placeholders
from qbank.importers import register
from qbank.importers.base import (
    Draft,
    ImportContext,
    line_of,
    number,
    parse_or_report,
    plain,
    settle_gap_names,
    unique,
)
from qbank.importers.html2md import html_to_markdown
from qbank.interchange.feedback import general_feedback_fields
from qbank.interchange.markdown import escape_markdown
from qbank.interchange.moodle import (
    CLOZE_CASE_TYPES,
    CLOZE_CATCH_ALL,
    CLOZE_GAP,
    CLOZE_LAYOUT_TYPES,
    CLOZE_NUMBER_TYPES,
    CLOZE_SHUFFLED_TYPES,
    CLOZE_TEXT_TYPES,
    COMBINED_FEEDBACK,
    PLUGINFILE,
    QTYPE_ALIASES,
    QTYPES,
    category_fields,
    cloze_alternatives,
    cloze_unescape,
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

    def rich(
        self, field_el: etree._Element | None, what: str, hook: Callable[[str], str] | None = None
    ) -> str:
        """Markdown of a text-bearing element, its images extracted (``hook`` rewrites the text first)."""
        if field_el is None:
            return ""
        text = _text_of(field_el)
        if hook is not None:
            text = hook(text)
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
            handler = _READERS.get(QTYPE_ALIASES.get(qtype, qtype))
            if handler is None:
                ctx.skip(f"not imported: question type {qtype!r} is not supported", display, line)
                continue
            problem = handler(self, reader)
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
        if data.get("type") != "cloze":  # a cloze question's text is read with its gaps
            data["stem"] = q.rich(el.find("questiontext"), "stem")
        general = q.rich(el.find("generalfeedback"), "general feedback")
        if general:
            data.update(general_feedback_fields(general))
        grade = number(el.findtext("defaultgrade"))
        if data.get("type") == "cloze":
            pass  # worth the sum of its gaps' marks, as in Moodle
        elif grade is not None and grade > 0:
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
        combined = [t for t in COMBINED_FEEDBACK if _text_of(el.find(t))]
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

    def _cloze(self, q: _Question) -> str | None:
        found: list[re.Match[str]] = []

        def placeholders(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                found.append(match)
                return GAP_PLACEHOLDER.format(index=len(found) - 1)

            return CLOZE_GAP.sub(one, text)

        stem = q.rich(q.el.find("questiontext"), "stem", placeholders)
        if not found:
            return "the cloze text has no embedded answer"
        names = settle_gap_names("" for _ in found)
        gaps: dict[str, dict[str, Any]] = {}
        shuffled: set[bool] = set()
        for name, match in zip(names, found, strict=True):
            gap = _cloze_gap(match, name, q, shuffled)
            if isinstance(gap, str):
                return gap
            gaps[name] = gap
        if len(shuffled) > 1:
            q.draft.lost("some drop-downs are shuffled and some are not: every drop-down is shuffled")
        if shuffled:
            q.draft.data["shuffle"] = any(shuffled)
        q.draft.data.update(type="cloze", stem=markers_for_placeholders(stem, names), gaps=gaps)
        return None

    def _essay(self, q: _Question) -> str | None:
        q.draft.data["type"] = "essay"
        for tag in ("graderinfo", "responsetemplate"):
            if _text_of(q.el.find(tag)):
                q.draft.lost(f"{tag} has no qbank field; not imported")
        return None


_NUMBER = re.compile(
    r"^(-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?)(?::(-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?))?$"
)


def _cloze_gap(match: re.Match[str], name: str, q: _Question, shuffled: set[bool]) -> dict[str, Any] | str:
    """One embedded answer as a gap (or why it cannot be one)."""
    marks, kind, body = match.group(1), match.group(2), match.group(3)
    alternatives = cloze_alternatives(body)
    gap: dict[str, Any] = {}

    def feedback(raw: str | None, what: str) -> str:
        return q.ctx.markdown(cloze_unescape(raw), q.draft, what) if raw and raw.strip() else ""

    if kind.startswith(("MULTIRESPONSE", "MR")):
        return f"gap {name} is a multiple-response embedded answer, which has no qbank form"
    if kind in CLOZE_TEXT_TYPES or kind in CLOZE_NUMBER_TYPES:
        rights = [
            (a, f) for fraction, a, f in alternatives if fraction >= 1 - 1e-9 and a.strip() != CLOZE_CATCH_ALL
        ]
        others = [(a, f) for fraction, a, f in alternatives if (a, f) not in rights]
        notes = {
            feedback(f, f"gap {name} feedback")
            for _, f in rights + [o for o in others if o[0].strip() == CLOZE_CATCH_ALL]
        }
        for answer, _ in others:
            if answer.strip() != CLOZE_CATCH_ALL:
                q.draft.lost(f"gap {name}: answer {cloze_unescape(answer)!r} below 100% is not carried")
        if kind in CLOZE_NUMBER_TYPES:
            parsed = [_NUMBER.match(a.strip()) for a, _ in rights]
            numbers = [m for m in parsed if m is not None]
            if not numbers:
                return f"gap {name} has no numeric answer worth 100%"
            if len(numbers) > 1:
                q.draft.lost(f"gap {name}: {len(numbers) - 1} further numeric answers are not carried")
            first = numbers[0]
            gap["answer"] = float(first.group(1).replace(",", "."))
            if first.group(2):
                gap["tolerance"] = abs(float(first.group(2).replace(",", ".")))
        else:
            accept = unique(unescape_wildcards(cloze_unescape(a)).strip() for a, _ in rights)
            accept = [a for a in accept if a]
            if not accept:
                return f"gap {name} has no answer worth 100%"
            for answer in accept:
                if has_wildcard(answer):
                    q.draft.lost(
                        f"gap {name}: answer {answer!r} uses Moodle's * wildcard, compared literally"
                    )
            gap["accept"] = accept
            if kind in CLOZE_CASE_TYPES:
                gap["case_sensitive"] = True
        if len(notes) == 1 and "" not in notes:
            gap["feedback"] = notes.pop()  # the same on every answer: the gap's own feedback
        elif notes - {""}:
            q.draft.lost(f"gap {name}: feedback that differs between answers is not carried")
    else:
        options: list[dict[str, Any]] = []
        for index, (fraction, answer, raw_feedback) in enumerate(alternatives):
            option: dict[str, Any] = {"text": plain(_html_text(cloze_unescape(answer)))}
            if fraction >= 1 - 1e-9:
                option["correct"] = True
            elif fraction > 1e-9:
                q.draft.lost(f"gap {name}: option {index + 1} worth {fraction * 100:g}% is not carried")
            text = feedback(raw_feedback, f"gap {name} option {index + 1} feedback")
            if text:
                option["feedback"] = text
            options.append(option)
        keys = [o for o in options if o.get("correct")]
        if not keys:
            return f"no option of gap {name} is worth 100%"
        for extra in keys[1:]:
            del extra["correct"]
        if len(keys) > 1:
            q.draft.lost(f"gap {name}: {len(keys)} options are worth 100%; only the first is the key")
        shared = {o.get("feedback") for o in options}
        if len(options) > 1 and len(shared) == 1 and None not in shared:
            gap["feedback"] = shared.pop()
            for option in options:
                del option["feedback"]
        if kind in CLOZE_LAYOUT_TYPES:
            q.draft.lost(f"gap {name}: shown as radio buttons in Moodle, a drop-down here")
        shuffled.add(kind in CLOZE_SHUFFLED_TYPES)
        gap["options"] = options
    if marks and marks != "1":
        if int(marks) > 0:
            gap["points"] = float(int(marks))
        else:
            q.draft.lost(f"gap {name} is worth 0 marks in Moodle; it is worth 1 point here")
    return gap


#: Moodle question type -> its reader (other names Moodle uses are mapped by ``QTYPE_ALIASES``); a
#: reader fills the draft and returns why the question cannot be imported, or ``None``.
_READERS: dict[str, Callable[[MoodleXmlImporter, _Question], str | None]] = {
    QTYPES["single_choice"]: MoodleXmlImporter._multichoice,
    QTYPES["true_false"]: MoodleXmlImporter._truefalse,
    QTYPES["short_answer"]: MoodleXmlImporter._shortanswer,
    QTYPES["numerical"]: MoodleXmlImporter._numerical,
    QTYPES["matching"]: MoodleXmlImporter._matching,
    QTYPES["ordering"]: MoodleXmlImporter._ordering,
    QTYPES["essay"]: MoodleXmlImporter._essay,
    QTYPES["cloze"]: MoodleXmlImporter._cloze,
}


def _html_text(text: str) -> str:
    from lxml import html as lxml_html

    try:
        return str(lxml_html.fragment_fromstring(text, create_parent="div").text_content())
    except (etree.ParserError, ValueError):
        return text


register(MoodleXmlImporter())
