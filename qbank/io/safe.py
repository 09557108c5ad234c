"""Hardened reading of untrusted files: XML without entities, zip archives without surprises.

Every importer reads its input through these helpers, so a hostile file is rejected the same way
everywhere, with a located ``QB912`` error, before anything is expanded or unpacked:

* XML is parsed by lxml with entity resolution, DTD loading and network access switched off and
  ``huge_tree`` off; a document type declaration that declares entities (XXE, "billion laughs")
  is refused outright, even though the parser would not expand it.
* Zip archives are checked from their central directory before a byte is inflated: no entry may
  leave the target (``..``, absolute paths, drive letters, backslashes) or be a symlink; there are at
  most :data:`MAX_ZIP_ENTRIES` entries and :data:`MAX_UNPACKED_BYTES` in total; an entry may not
  inflate more than :data:`MAX_RATIO` times its compressed size. Inflating is metered too, so a
  header that lies about sizes is caught while reading.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "MAX_ZIP_ENTRIES",
    "UnsafeInput",
    "XmlSyntax",
    "ZipContents",
    "decode_text",
    "parse_xml",
    "read_zip",
    "safe_relative_path",
]

MAX_ZIP_ENTRIES = 10_000
"""More entries than this and an archive is refused."""
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""Total uncompressed size an archive may have (200 MB)."""
MAX_RATIO = 100
"""Largest compression ratio accepted for an entry bigger than :data:`_RATIO_FLOOR` bytes."""
_RATIO_FLOOR = 1024 * 1024
MAX_INPUT_BYTES = 200 * 1024 * 1024
"""Largest input file read at all."""


class UnsafeInput(Exception):
    """Input refused for safety reasons (becomes a ``QB912`` error)."""

    def __init__(self, message: str, line: int = 1, entry: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.entry = entry


class XmlSyntax(Exception):
    """The input is not well-formed XML (becomes a located ``QB003`` error)."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


# ``<!ENTITY`` in ASCII-compatible encodings and in UTF-16 (either byte order)
_ENTITY_MARKERS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))
_DOCTYPE_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _line_of(data: bytes, marker: bytes) -> int:
    index = data.find(marker)
    return data.count(b"\n", 0, index) + 1 if index >= 0 else 1


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        strip_cdata=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML bytes; raise :class:`UnsafeInput` or :class:`XmlSyntax`.

    A ``DOCTYPE`` without entity declarations (``<!DOCTYPE quiz>``) is accepted; one that declares
    entities, or names an external DTD, is refused before parsing.
    """
    upper = data.upper()
    if any(marker in upper for marker in _DOCTYPE_MARKERS):
        for marker in _ENTITY_MARKERS:
            if marker in upper:
                raise UnsafeInput(
                    "the XML declares entities in its DOCTYPE (XXE or entity-expansion bomb); refused",
                    _line_of(upper, marker),
                )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (1, 1)
        raise XmlSyntax(f"not well-formed XML: {exc.msg}", max(line, 1), max(col, 1)) from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    # lxml's type stubs lack these two DTD/DocInfo attributes
    if dtd is not None and any(True for _ in getattr(dtd, "iterentities")()):  # noqa: B009
        raise UnsafeInput("the XML declares entities in its DOCTYPE; refused")
    system_url = getattr(tree.docinfo, "system_url", None)
    if system_url:
        raise UnsafeInput(f"the XML names an external DTD ({system_url}); refused")
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise UnsafeInput(f"the XML uses the entity &{el.name}; which is not allowed", el.sourceline or 1)
    return root


def decode_text(data: bytes) -> str:
    """Text of a UTF-8 file (BOM accepted); bytes that are not UTF-8 are read as Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_relative_path(name: str) -> str | None:
    """``name`` as a normalised relative POSIX path, or ``None`` when it could leave its folder."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


@dataclass
class ZipContents:
    """The files of an archive that passed every check: normalised path -> bytes."""

    files: dict[str, bytes]

    def get(self, name: str) -> bytes | None:
        """The bytes of ``name`` (a relative path; ``./`` and ``a/../b`` are normalised)."""
        parts: list[str] = []
        for part in PurePosixPath(name).parts:
            if part == "..":
                if not parts:
                    return None
                parts.pop()
            elif part not in ("", ".", "/"):
                parts.append(part)
        return self.files.get("/".join(parts))


def read_zip(data: bytes) -> ZipContents:
    """Unpack an untrusted zip archive in memory; raise :class:`UnsafeInput` for anything hostile."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeInput(f"not a readable zip archive: {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise UnsafeInput(f"the archive has {len(infos)} entries (more than {MAX_ZIP_ENTRIES}); refused")
        declared = 0
        for info in infos:
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeInput(
                    f"the archive entry {info.filename!r} is a symbolic link; refused", entry=info.filename
                )
            if safe_relative_path(info.filename.rstrip("/") or info.filename) is None:
                raise UnsafeInput(
                    f"the archive entry {info.filename!r} points outside the target folder (zip slip); refused",
                    entry=info.filename,
                )
            declared += info.file_size
            if declared > MAX_UNPACKED_BYTES:
                raise UnsafeInput(f"the archive unpacks to more than {MAX_UNPACKED_BYTES} bytes; refused")
            if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UnsafeInput(
                    f"the archive entry {info.filename!r} inflates {info.file_size // max(info.compress_size, 1)}"
                    f" times its size (zip bomb); refused",
                    entry=info.filename,
                )
        files: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = safe_relative_path(info.filename)
            assert name is not None  # checked above
            chunks: list[bytes] = []
            size = 0
            try:
                with archive.open(info) as handle:
                    while chunk := handle.read(65536):
                        size += len(chunk)
                        total += len(chunk)
                        if size > info.file_size or total > MAX_UNPACKED_BYTES:
                            raise UnsafeInput(
                                f"the archive entry {info.filename!r} inflates beyond its declared size; refused",
                                entry=info.filename,
                            )
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                raise UnsafeInput(
                    f"the archive entry {info.filename!r} cannot be read: {exc}", entry=info.filename
                ) from None
            if name in files:
                raise UnsafeInput(f"the archive holds {name!r} twice; refused", entry=info.filename)
            files[name] = b"".join(chunks)
    return ZipContents(files)
