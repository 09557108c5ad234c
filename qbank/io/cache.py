"""An on-disk cache of derived data (per-file results, embeddings), safe to delete at any time.

The cache lives in one folder, ``.qbank_cache`` beside the configuration file (or in the current
folder when there is none); ``QBANK_CACHE_DIR`` moves it. The folder holds a ``.gitignore`` that
ignores everything in it, so it never ends up in a commit.

Entries are grouped by *namespace* (one per kind of data, e.g. ``check`` or ``embeddings``) and
looked up by key. Callers build keys from everything the value depends on (content hash, qbank
version, effective configuration) with :func:`cache_key`, so a stale entry is never found rather
than invalidated. Every entry carries a checksum: a truncated or altered entry reads as a miss and is
reported once through :attr:`Store.problems`, and the caller simply recomputes it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

__all__ = ["CACHE_DIR_NAME", "Store", "cache_key", "cache_root", "code_version"]

CACHE_DIR_NAME = ".qbank_cache"
_MAGIC = b"QBC1"
_DIGEST = 32


def cache_root(config_root: Path | None = None) -> Path:
    """The cache folder: ``$QBANK_CACHE_DIR``, else ``.qbank_cache`` under ``config_root`` (default: cwd)."""
    override = os.environ.get("QBANK_CACHE_DIR")
    if override:
        return Path(override)
    return (config_root or Path.cwd()) / CACHE_DIR_NAME


def code_version() -> str:
    """What cached results of qbank's own computations depend on besides their input: qbank's
    version, the size and time of every file of the installed package (so that an edited checkout
    never reads results of the code it replaced), and the Python and pydantic versions."""
    import pydantic

    return cache_key(release(), _package_files(), sys.version, pydantic.VERSION)


def release() -> str:
    """The installed qbank release (``unknown`` when qbank runs from a folder not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qbank")
    except PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=1)
def _package_files() -> str:
    root = Path(__file__).resolve().parent.parent
    parts = []
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        stat = path.stat()
        parts.append(f"{path.relative_to(root).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def cache_key(*parts: str | bytes) -> str:
    """A stable key (hex SHA-256) for the given parts; their order and boundaries matter."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class Store:
    """One namespace of the cache: ``get`` and ``put`` bytes by key.

    Writes are atomic (temporary file, then rename), so concurrent runs never see half an entry.
    A cache that cannot be written (read-only folder, full disk) degrades to no cache.
    """

    def __init__(self, root: Path, namespace: str) -> None:
        self.root = root
        self.folder = root / namespace
        self.problems: list[str] = []
        """Human-readable notes about entries that were unreadable or could not be written."""
        self._writable = True

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or ``None`` (missing or corrupt; corrupt entries are deleted)."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        head, digest, payload = raw[:4], raw[4 : 4 + _DIGEST], raw[4 + _DIGEST :]
        if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
            self.problems.append(f"ignored a corrupt cache entry {path} (it will be rebuilt)")
            path.unlink(missing_ok=True)
            return None
        return payload

    def put(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``; failures are noted in :attr:`problems`, never raised."""
        if not self._writable:
            return
        path = self._path(key)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_MAGIC + hashlib.sha256(value).digest() + value)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            self._writable = False
            self.problems.append(f"cache not written ({exc.strerror or exc}); continuing without it")

    def _prepare(self) -> None:
        if not self.root.is_dir():
            self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# written by qbank: the cache is derived data\n*\n", encoding="utf-8")
