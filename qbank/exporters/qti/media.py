"""Images in a QTI or Canvas package: each stored once, under a name derived from its content."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from qbank.core.diagnostics import Diagnostic
from qbank.core.model import Question
from qbank.exporters.base import question_diagnostic, question_media

__all__ = ["MediaStore"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class MediaStore:
    """Images of the exported questions, each stored once under a name derived from its content.

    ``folder`` is the folder inside the package; ``prefix`` is how item text refers to that folder.
    """

    folder: str
    prefix: str
    files: dict[str, bytes] = field(default_factory=dict)
    """Package path -> bytes."""
    used_by: dict[str, list[str]] = field(default_factory=dict)
    """Package path -> ids of the questions showing it."""
    by_digest: dict[str, str] = field(default_factory=dict)
    """Content hash (12 hex digits) -> package path."""

    def add_question(self, question: Question) -> tuple[dict[str, str], list[str], list[Diagnostic]]:
        """Package the question's images: (src rewrite map, package paths, diagnostics)."""
        media, problems = question_media(question)
        rewrite: dict[str, str] = {}
        paths: list[str] = []
        for item in media:
            try:
                data = item.path.read_bytes()
            except OSError as exc:
                problems.append(
                    question_diagnostic(question, "QB903", f"image {item.src} cannot be read: {exc}")
                )
                continue
            digest = hashlib.sha256(data).hexdigest()[:12]
            # one file per content: the same image under two names is stored (and listed) once
            package_path = self.by_digest.get(digest, "")
            if not package_path:
                name = _SAFE_NAME.sub("_", PurePosixPath(item.path.name).name) or "image"
                package_path = f"{self.folder}/{digest}-{name}"
                self.by_digest[digest] = package_path
                self.files[package_path] = data
            relative = package_path[len(self.folder) + 1 :]
            users = self.used_by.setdefault(package_path, [])
            if question.id not in users:
                users.append(question.id)
            rewrite[item.src] = f"{self.prefix}{relative}"
            if package_path not in paths:
                paths.append(package_path)
        return rewrite, paths, problems

    def resource_id(self, package_path: str) -> str:
        """The manifest identifier of a media file (stable: derived from its content hash)."""
        return "MEDIA_" + PurePosixPath(package_path).name.split("-", 1)[0]
