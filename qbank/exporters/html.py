"""A self-contained HTML practice test: one file, no network, opens from ``file://``.

The page is a template with the stylesheet, the script and the bank inlined. The bank travels as
JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as ``\\u``
escapes, so no question text can close the script element or start markup. Markdown is rendered
and sanitised here (:mod:`qbank.core.markup`); the page's script inserts that sanitised HTML and puts
every plain-text field in with ``textContent``. Images next to question files become ``data:``
URIs; remote images would make the page reach the network, so they become links (``QB902``).

Pools: each attempt draws at most a pool's ``pick`` questions (a template's variants form a pick-1
pool, so an attempt shows one variant and the next attempt may show another), each worth the
pool's points. Scoring happens in the page: every question is all-or-nothing (a multiple-response
question needs exactly its keys, a matching question every pair, an ordering question the whole
order), except cloze questions, which score the points of each right gap; their gaps are inputs
and selects inside the text (each gap travels as an empty ``span`` the script replaces).
Essay questions are shown with a text box and the explanation as a model answer in the review,
but they are not scored: the result excludes their points and says so.
"""

from __future__ import annotations

import base64
import html
import json
import mimetypes
from importlib import resources
from typing import Any, ClassVar

from lxml import html as lxml_html

from qbank.core.cloze import fill_gaps, render_cloze
from qbank.core.diagnostics import Diagnostic
from qbank.core.markup import is_local_image, plain_math, render, render_inline, renders_math
from qbank.core.math import MathTarget
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Cloze,
    Matching,
    NumberGap,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TextGap,
    TrueFalse,
)
from qbank.core.pools import PoolGroup, pool_groups
from qbank.exporters import register
from qbank.exporters.base import (
    ExportOutput,
    exportable_questions,
    misplaced_gap_notes,
    question_diagnostic,
    question_media,
)
from qbank.io.source import DataPath

__all__ = ["HtmlExporter", "build_page", "page_json"]

_ASSETS = "html_assets"
_MARKERS = ("{{TITLE}}", "{{STYLE}}", "{{SCRIPT}}", "{{DATA}}")
#: JSON stays JSON, but ``</script>``, ``<!--`` and entity-like text cannot form inside the element.
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def page_json(payload: Any) -> str:
    """``payload`` as JSON that is inert inside ``<script type="application/json">``.

    Keys are sorted and the separators fixed, so the same payload always gives the same text.
    """
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES)


def _asset(name: str) -> str:
    return resources.files("qbank.exporters").joinpath(_ASSETS, name).read_text(encoding="utf-8")


class _Renderer:
    """Renders the Markdown of one question and inlines its images."""

    def __init__(self, question: Question, diagnostics: list[Diagnostic]) -> None:
        self.question = question
        self.diagnostics = diagnostics
        media, problems = question_media(question)
        diagnostics.extend(problems)
        self.data_uris = {m.src: _data_uri(m.path.read_bytes(), m.path.name) for m in media}
        self._remote_seen: set[str] = set()

    def block(self, markdown: str | None, where: DataPath) -> str | None:
        if markdown is None:
            return None
        return self._inline_images(render(markdown).html, where)

    def html(self, fragment: str, where: DataPath) -> str:
        return self._inline_images(fragment, where)

    def inline(self, markdown: str, where: DataPath) -> str:
        return self._inline_images(render_inline(markdown).html, where)

    def _inline_images(self, fragment: str, where: DataPath) -> str:
        if "<img" not in fragment:
            return fragment
        holder = lxml_html.fragment_fromstring(fragment, create_parent="div")
        for img in list(holder.iter("img")):
            src = img.get("src", "")
            if src in self.data_uris:
                img.set("src", self.data_uris[src])
            elif is_local_image(src):
                # question_media already reported it (QB903); show the alt text, never a broken request
                _replace_with_text(img, img.get("alt") or src)
            else:
                if src not in self._remote_seen:
                    self._remote_seen.add(src)
                    self.diagnostics.append(
                        question_diagnostic(
                            self.question,
                            "QB902",
                            f"remote image {src} is not embedded (the page loads nothing from the "
                            "network): it is shown as a link",
                            where,
                        )
                    )
                link = lxml_html.Element("a", href=src)
                link.text = img.get("alt") or "image"
                link.tail = img.tail
                img.getparent().replace(img, link)
        parts = [html.escape(holder.text, quote=False)] if holder.text else []
        parts.extend(lxml_html.tostring(child, encoding="unicode") for child in holder)
        return "".join(parts)


def _replace_with_text(element: Any, text: str) -> None:
    parent = element.getparent()
    addition = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(element)


def _data_uri(data: bytes, name: str) -> str:
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _question_payload(
    bank: Bank, question: Question, diagnostics: list[Diagnostic], pools: dict[str, PoolGroup]
) -> dict[str, Any]:
    r = _Renderer(question, diagnostics)
    group = pools.get(question.pool) if question.pool is not None else None
    item: dict[str, Any] = {
        "id": question.id,
        "type": question.kind,
        "domain": bank.domain_of(question),
        "objective": question.objective,
        "points": _number(group.points if group is not None else question.points),
        "pool": group.name if group is not None else None,
        "shuffle": question.shuffle,
        "stem": r.block(question.stem, ("stem",)),
        "explanation": r.block(question.explanation, ("explanation",)),
        "references": list(question.references),
        "followups": list(question.followups),
    }
    if isinstance(question, ChoiceQuestion):
        item["choices"] = [
            {
                "html": r.inline(c.text, ("choices", i, "text")),
                "correct": c.correct,
                "feedback": r.block(c.feedback, ("choices", i, "feedback")),
            }
            for i, c in enumerate(question.choices)
        ]
    elif isinstance(question, TrueFalse):
        item["answer"] = question.answer
    elif isinstance(question, ShortAnswer):
        item["accept"] = list(question.accept)
        item["case_sensitive"] = question.case_sensitive
    elif isinstance(question, Numerical):
        item["answer"] = _number(question.answer)
        item["tolerance"] = _number(question.tolerance)
    elif isinstance(question, Matching):
        item["pairs"] = [
            {"prompt": r.inline(p.prompt, ("pairs", i, "prompt")), "match": plain_math(p.match)}
            for i, p in enumerate(question.pairs)
        ]
        item["distractors"] = [plain_math(d) for d in question.distractors]
    elif isinstance(question, Ordering):
        item["order"] = [plain_math(t) for t in question.order]
    elif isinstance(question, Cloze):
        text = render_cloze(question)
        diagnostics.extend(misplaced_gap_notes(question, text))
        item["stem"] = fill_gaps(
            r.html(text.rendered.html, ("stem",)), lambda i: f'<span class="gap" data-gap="{i}"></span>'
        )
        item["gaps"] = [_gap_payload(r, question, name) for name in text.names]
    return item


def _gap_payload(r: _Renderer, question: Cloze, name: str) -> dict[str, Any]:
    gap = question.gaps[name]
    out: dict[str, Any] = {
        "name": name,
        "points": _number(gap.points),
        "feedback": r.block(gap.feedback, ("gaps", name, "feedback")),
    }
    if isinstance(gap, TextGap):
        out.update(kind="text", accept=list(gap.accept), case_sensitive=gap.case_sensitive)
    elif isinstance(gap, NumberGap):
        out.update(kind="number", answer=_number(gap.answer), tolerance=_number(gap.tolerance))
    else:
        out.update(
            kind="dropdown",
            options=[
                {
                    "text": o.text,
                    "correct": o.correct,
                    "feedback": r.block(o.feedback, ("gaps", name, "options", i, "feedback")),
                }
                for i, o in enumerate(gap.options)
            ],
        )
    return out


def _payload(bank: Bank, questions: list[Question], diagnostics: list[Diagnostic]) -> dict[str, Any]:
    pools = pool_groups(bank, questions) if bank.form is None else {}
    blueprint = bank.blueprint
    form = bank.form
    exam = blueprint.exam if blueprint is not None else None
    title = form.title if form else blueprint.title if blueprint else "Practice test"
    payload: dict[str, Any] = {
        "format": 1,
        "title": title,
        "bank": blueprint.id if blueprint is not None else None,
        "blueprint": None,
        "form": None,
        "exam": {
            "questions": exam.questions if exam else None,
            "minutes": exam.minutes if exam else None,
            "passing_score": _number(exam.passing_score) if exam and exam.passing_score else None,
        },
        "pools": {name: group.pick for name, group in pools.items()},
        "questions": [_question_payload(bank, q, diagnostics, pools) for q in questions],
    }
    if blueprint is not None:
        payload["blueprint"] = {
            "id": blueprint.id,
            "title": blueprint.title,
            "domains": [
                {
                    "id": d.id,
                    "title": d.title,
                    "weight": _number(d.weight),
                    "objectives": [{"id": o.id, "title": o.title} for o in d.objectives],
                }
                for d in blueprint.domains
            ],
        }
    if form is not None:
        payload["form"] = {
            "title": form.title,
            "count": form.count,
            "time_limit": form.time_limit,
            "passing_score": _number(form.passing_score) if form.passing_score else None,
            "seed": form.seed,
        }
    return payload


def build_page(payload: dict[str, Any]) -> str:
    """The complete page for a payload: template, stylesheet, script and the JSON data."""
    template = _asset("page.html")
    style = _asset("practice.css")
    script = _asset("practice.js")
    # the assets are ours; a closing tag inside them would end their element early
    if "</style" in style.lower() or "</script" in script.lower():
        raise RuntimeError("an html_assets file contains a closing tag of its own element")
    values = {
        "{{TITLE}}": html.escape(payload["title"], quote=True),
        "{{STYLE}}": style,
        "{{SCRIPT}}": script,
        "{{DATA}}": page_json(payload),
    }
    # one pass over the template, so a value can never be scanned again for a marker
    out: list[str] = []
    rest = template
    while True:
        found = [(rest.find(m), m) for m in _MARKERS if rest.find(m) >= 0]
        if not found:
            out.append(rest)
            break
        at, marker = min(found)
        out.append(rest[:at])
        out.append(values[marker])
        rest = rest[at + len(marker) :]
    return "".join(out)


class HtmlExporter:
    """A practice exam in one HTML file: configure, take the test, see the result and review."""

    name: ClassVar[str] = "html"
    description: ClassVar[str] = "Self-contained HTML practice test (one file, works offline)"
    suffix: ClassVar[str] = ".html"

    @renders_math(MathTarget.MATHML)
    def export(self, bank: Bank) -> ExportOutput:
        """Render the bank (or the form it is) as a practice-test page."""
        diagnostics: list[Diagnostic] = []
        questions = exportable_questions(bank)
        page = build_page(_payload(bank, questions, diagnostics))
        return ExportOutput(page.encode("utf-8"), diagnostics, len(questions))


register(HtmlExporter())
