"""What every exporter shares: the exporter contract, located diagnostics, media and zip output."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol
from urllib.parse import unquote

from qbank.core.cloze import ClozeText, misplaced_gaps
from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.markup import image_sources, is_local_image
from qbank.core.model import Bank, Cloze, Question
from qbank.io.source import DataPath, SourceFile, diagnostic

__all__ = [
    "ExportOutput",
    "Exporter",
    "Media",
    "deterministic_zip",
    "exportable_questions",
    "form_diagnostic",
    "markdown_fields",
    "metadata_not_carried",
    "misplaced_gap_notes",
    "question_diagnostic",
    "question_media",
    "unique_questions",
]


@dataclass
class ExportOutput:
    """The bytes of one export and what could not be carried."""

    data: bytes
    diagnostics: list[Diagnostic] = field(default_factory=list)
    exported: int = 0
    """Number of questions written."""


class Exporter(Protocol):
    """One target format. ``export`` must be deterministic: same bank, same bytes."""

    name: ClassVar[str]
    """The ``--to`` value."""
    description: ClassVar[str]
    suffix: ClassVar[str]
    """Default file suffix of the output, e.g. ``.zip``."""

    def export(self, bank: Bank) -> ExportOutput:
        """Render the bank (or the form it is) in this format."""
        ...


def exportable_questions(bank: Bank) -> list[Question]:
    """Questions that are exported: everything except ``status: retired``, in bank order."""
    return [q for q in bank.questions if q.exportable]


def question_diagnostic(
    question: Question,
    code: str,
    message: str,
    where: DataPath = (),
) -> Diagnostic:
    """A diagnostic located at a field of a question (``where`` is relative to the question)."""
    origin = question.origin
    if origin is None:
        return diagnostic(code, message, "<memory>", question_id=question.id)
    source: SourceFile = origin.source
    return source.diag(code, message, ("questions", origin.index, *where), question_id=question.id)


def unique_questions(questions: Sequence[Question]) -> tuple[list[Question], list[Diagnostic]]:
    """Questions with distinct ids; a repeated id is reported (QB804) and not exported twice."""
    seen: set[str] = set()
    out: list[Question] = []
    problems: list[Diagnostic] = []
    for q in questions:
        if q.id in seen:
            problems.append(
                question_diagnostic(q, "QB804", f"question id {q.id!r} is used twice; exported once", ("id",))
            )
            continue
        seen.add(q.id)
        out.append(q)
    return out, problems


def markdown_fields(question: Question) -> list[tuple[DataPath, str]]:
    """Every Markdown text of a question with its path relative to the question."""
    out: list[tuple[DataPath, str]] = [(("stem",), question.stem)]
    for index, choice in enumerate(getattr(question, "choices", []) or []):
        out.append((("choices", index, "text"), choice.text))
        if choice.feedback:
            out.append((("choices", index, "feedback"), choice.feedback))
    for index, pair in enumerate(getattr(question, "pairs", []) or []):
        out.append((("pairs", index, "prompt"), pair.prompt))
    if isinstance(question, Cloze):
        for name in question.gap_order:
            gap = question.gaps[name]
            for index, option in enumerate(getattr(gap, "options", [])):
                if option.feedback:
                    out.append((("gaps", name, "options", index, "feedback"), option.feedback))
            if gap.feedback:
                out.append((("gaps", name, "feedback"), gap.feedback))
    if question.explanation:
        out.append((("explanation",), question.explanation))
    return out


def misplaced_gap_notes(question: Cloze, text: ClozeText) -> list[Diagnostic]:
    """A ``QB902`` for each gap written where no input can go (an image's alt text, a link target)."""
    return [
        question_diagnostic(
            question,
            "QB902",
            f"gap {name!r} sits inside an image's alt text or a link target, where no input can go: "
            "it shows as ___ and cannot be answered",
            ("stem",),
        )
        for name in misplaced_gaps(text)
    ]


def form_diagnostic(bank: Bank, code: str, message: str, field: str) -> Diagnostic:
    """A diagnostic at a field of the bank's ``form:`` header."""
    for source in bank.files:
        if source.kind == "questions" and isinstance(source.data, dict) and "form" in source.data:
            located: Diagnostic = source.diag(code, message, ("form", field))
            return located
    return diagnostic(code, message, "<memory>")


def metadata_not_carried(
    questions: Iterable[Question], target: str, fields: Iterable[str]
) -> list[Diagnostic]:
    """One ``QB902`` (info) per metadata field that ``target`` drops and some question sets.

    The diagnostic sits at the first question that sets the field and counts the others, so a
    bank of 1,000 tagged questions gets one note per field, not 1,000.
    """
    out: list[Diagnostic] = []
    questions = list(questions)
    for name in fields:
        default = (
            type(questions[0]).model_fields[name].get_default(call_default_factory=True)
            if questions
            else None
        )
        setting = [q for q in questions if getattr(q, name) not in (None, default)]
        if not setting:
            continue
        others = (
            f" and {len(setting) - 1} more question{'s' * (len(setting) != 2)}" if len(setting) > 1 else ""
        )
        diag = question_diagnostic(
            setting[0], "QB902", f"{target} does not carry `{name}` (set here{others})", (name,)
        )
        out.append(diag.with_severity(Severity.INFO))
    return out


@dataclass(frozen=True, slots=True)
class Media:
    """An image file a question shows."""

    src: str
    """As written in the Markdown."""
    path: Path
    """The file on disk."""


def question_media(question: Question) -> tuple[list[Media], list[Diagnostic]]:
    """Local images of a question, resolved next to its file; missing files are ``QB903`` errors."""
    found: dict[str, Media] = {}
    problems: list[Diagnostic] = []
    origin = question.origin
    base = origin.source.path.parent if origin is not None else Path.cwd()
    for where, text in markdown_fields(question):
        for src in image_sources(text):
            if not is_local_image(src) or src in found:
                continue
            path = (base / unquote(src.split("#")[0].split("?")[0])).resolve()
            if path.is_file():
                found[src] = Media(src, path)
            else:
                problems.append(question_diagnostic(question, "QB903", f"image not found: {src}", where))
    return list(found.values()), problems


def deterministic_zip(entries: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> bytes:
    """A zip archive whose bytes depend only on its entries (sorted names, fixed timestamps)."""
    items = sorted(entries.items() if isinstance(entries, Mapping) else entries)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
