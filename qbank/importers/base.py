"""What every importer shares: drafts, the per-run context, id slugs and located diagnostics."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, ClassVar, Protocol

from qbank.core.diagnostics import Diagnostic
from qbank.core.model import GAP_NAME_PATTERN, Blueprint, Pool
from qbank.importers.html2md import Converted, html_to_markdown
from qbank.io.source import diagnostic

__all__ = [
    "MEDIA_FOLDER",
    "Draft",
    "ImportContext",
    "Importer",
    "line_of",
    "local_name",
    "normalize_id",
    "number",
    "parse_or_report",
    "plain",
    "settle_gap_names",
    "slugify",
    "text_content",
]

#: Folder (next to the written question files) that extracted images go to.
MEDIA_FOLDER = "media"


@dataclass
class Draft:
    """A question read from a source, before its id is settled and it is validated.

    ``data`` holds docs/format.md fields (everything but ``id``); ``source_id`` is the id the source
    gives (Moodle ``idnumber``, QTI identifier ...), ``None`` when it has none; ``group`` is the
    category, domain or quiz the question belongs to (one output file per group); ``notes`` are
    ``(code, message)`` pairs for what could not be carried.
    """

    data: dict[str, Any]
    path: str
    line: int = 1
    source_id: str | None = None
    group: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)
    fallback_id: str | None = None
    """Id to use when neither the source nor the stem gives one (e.g. ``<file>-q12``)."""

    def lost(self, message: str) -> None:
        """Record something the question loses on import (``QB911``)."""
        self.notes.append(("QB911", message))


@dataclass
class ImportContext:
    """State shared by the importers of one run: diagnostics, extracted media, counts."""

    blueprint: Blueprint | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    skipped: int = 0
    pools: dict[str, Pool] = field(default_factory=dict)
    """Pools read from the sources (question groups, QTI selections), by name."""

    def problem(self, code: str, message: str, path: str, line: int = 1, col: int = 1) -> None:
        """Report a file-level problem (syntax, unsafe input ...)."""
        self.diagnostics.append(diagnostic(code, message, path, max(line, 1), max(col, 1)))

    def skip(self, message: str, path: str, line: int = 1, question_id: str | None = None) -> None:
        """Report an item that could not be converted (``QB910``) and count it."""
        self.skipped += 1
        self.diagnostics.append(diagnostic("QB910", message, path, max(line, 1), question_id=question_id))

    def add_media(self, name: str, data: bytes) -> str:
        """Keep an image for the output; returns its path relative to the question files.

        Files are named by content (``<sha256 prefix>-<name>``), so the same image is stored once.
        """
        digest = hashlib.sha256(data).hexdigest()[:12]
        base = (
            re.sub(r"[^A-Za-z0-9._-]+", "_", PurePosixPath(name.replace("\\", "/")).name).strip("._")
            or "image"
        )
        relative = f"{MEDIA_FOLDER}/{digest}-{base}"
        self.media[relative] = data
        return relative

    def markdown(self, html_text: str, draft: Draft | None, what: str) -> str:
        """HTML -> Markdown, noting on ``draft`` any formatting that was dropped."""
        converted = html_to_markdown(html_text)
        self.note_lost(converted, draft, what)
        return converted.markdown

    @staticmethod
    def note_lost(converted: Converted, draft: Draft | None, what: str) -> None:
        """Add a QB911 note for the tags a conversion could not keep."""
        if converted.lost and draft is not None:
            tags = ", ".join(f"<{t}>" for t in converted.lost)
            draft.lost(f"{what}: formatting of {tags} not kept (text kept)")


class Importer(Protocol):
    """One source format. ``read`` turns the bytes of one file into drafts."""

    name: ClassVar[str]
    """The ``--from`` value."""
    description: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    """File name endings picked up when a folder is named."""

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for every item found; items that cannot be read are reported through ``ctx``."""
        ...


_NOT_ID = re.compile(r"[^a-z0-9._-]+")
_GAP_NAME = re.compile(GAP_NAME_PATTERN)


def normalize_id(raw: str) -> str:
    """``raw`` made into a valid qbank id (``^[a-z0-9][a-z0-9._-]*$``), or ``""`` if nothing is left."""
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,199}", raw):
        return raw
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii").lower()
    text = _NOT_ID.sub("-", text)
    text = re.sub(r"-{2,}", "-", text)
    return text.lstrip("._-")[:200].rstrip("._-")


_WORD = re.compile(r"[A-Za-z0-9]+")
_STOP = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "which",
    "what",
    "is",
    "are",
    "in",
    "on",
    "for",
    "and",
    "or",
    "does",
    "do",
}


def slugify(text: str, *, words: int = 7, max_length: int = 60) -> str:
    """A short readable id from a stem: its first significant words, lower case, joined by ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['\u2019]", "", ascii_text)
    ascii_text = re.sub(r"!?\[[^\]]*\]\([^)]*\)|<[^>]+>|`{3}.*", " ", ascii_text, flags=re.DOTALL)
    tokens = [t.lower() for t in _WORD.findall(ascii_text)]
    significant = [t for t in tokens if t not in _STOP] or tokens
    out: list[str] = []
    for token in significant[:words]:
        if len("-".join([*out, token])) > max_length:
            break
        out.append(token)
    return "-".join(out)


def unique(values: Iterable[str]) -> list[str]:
    """``values`` without repeats, first occurrence kept."""
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def settle_gap_names(candidates: Iterable[str]) -> list[str]:
    """Gap names for a source's gaps, in text order: a candidate that is a valid, unused gap name is
    kept; any other gap is named by its position (``1``, ``2`` ...), skipping names already taken."""
    wanted = list(candidates)
    kept = [c if _GAP_NAME.match(c) else "" for c in wanted]
    used = {c for c in kept if c}
    out: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(kept, start=1):
        if not name or name in seen:
            name = str(position)
            while name in used or name in seen:
                name = f"{name}_"
        seen.add(name)
        out.append(name)
    return out


def parse_or_report(data: bytes, display: str, ctx: ImportContext) -> Any:
    """The XML root of ``data``, or ``None`` after reporting why it cannot be read safely."""
    from qbank.io.safe import UnsafeInput, XmlSyntax, parse_xml

    try:
        return parse_xml(data)
    except UnsafeInput as exc:
        ctx.problem("QB912", exc.message, display, exc.line)
    except XmlSyntax as exc:
        ctx.problem("QB003", exc.message, display, exc.line, exc.col)
    return None


def number(text: str | None) -> float | None:
    """A finite number written in ``text`` (surrounding whitespace ignored), else ``None``."""
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def local_name(element: Any) -> str:
    """The tag of an element without its namespace (``""`` for comments and the like)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def plain(text: str | None) -> str:
    """Whitespace-collapsed text."""
    return " ".join((text or "").split())


def line_of(element: Any) -> int:
    """1-based source line of an XML element (1 when unknown)."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else 1


def text_content(element: Any) -> str:
    """All text inside an element."""
    return "".join(t for t in element.itertext() if isinstance(t, str))
