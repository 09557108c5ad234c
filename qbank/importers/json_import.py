"""qbank JSON exports (``--from json``): the document ``--to json`` writes, back to YAML files.

The export carries every field as Markdown source, so the import is exact (except ``lint``, which
the export does not hold). Embedded images are written back under their own relative paths (or
under ``media/`` when the path would leave the output folder). Questions are grouped by domain.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import ValidationError

from qbank.core.model import Pool
from qbank.importers import register
from qbank.importers.base import Draft, ImportContext
from qbank.io.safe import decode_text, safe_relative_path

__all__ = ["JsonImporter"]

_COPY = (
    "domain",
    "objective",
    "difficulty",
    "points",
    "shuffle",
    "status",
    "tags",
    "references",
    "followups",
    "author",
    "source",
    "pool",
)
_TYPE_FIELDS = ("answer", "tolerance", "accept", "case_sensitive", "distractors", "order")


class JsonImporter:
    """qbank JSON export documents (``--from json``)."""

    name: ClassVar[str] = "json"
    description: ClassVar[str] = "qbank JSON export documents (--to json)"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the questions of one export document."""
        try:
            doc = json.loads(decode_text(data))
        except json.JSONDecodeError as exc:
            ctx.problem("QB003", f"not valid JSON: {exc.msg}", display, exc.lineno, exc.colno)
            return []
        if not isinstance(doc, dict) or doc.get("format") != "qbank-export":
            ctx.problem("QB003", 'not a qbank JSON export (no "format": "qbank-export")', display)
            return []
        if doc.get("format_version") != 1:
            ctx.problem("QB003", f"unsupported export format_version {doc.get('format_version')!r}", display)
            return []
        self._pools(doc.get("pools"), display, ctx)
        drafts: list[Draft] = []
        for index, raw in enumerate(doc.get("questions") or []):
            if not isinstance(raw, dict):
                ctx.skip(f"not imported: question {index + 1} is not an object", display)
                continue
            drafts.append(self._question(raw, display, ctx))
        return drafts

    @staticmethod
    def _pools(raw: Any, display: str, ctx: ImportContext) -> None:
        """The document's pools (``pick``, ``points``, ``title``) into the import's declarations."""
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            try:
                pool = Pool(
                    pick=item.get("pick", 1),
                    points=item.get("points"),
                    title=item.get("title") if item.get("title") != item["name"] else None,
                )
            except ValidationError:
                ctx.problem(
                    "QB911", f"pool {item['name']!r} is malformed; its questions are not pooled", display
                )
                continue
            ctx.pools[item["name"]] = pool

    @staticmethod
    def _question(raw: dict[str, Any], display: str, ctx: ImportContext) -> Draft:
        def md(value: Any) -> Any:
            return value.get("markdown") if isinstance(value, dict) else value

        data: dict[str, Any] = {"type": raw.get("type"), "stem": md(raw.get("stem"))}
        for name in _COPY:
            if raw.get(name) not in (None, []):
                data[name] = raw[name]
        if raw.get("explanation"):
            data["explanation"] = md(raw["explanation"])
        for name in _TYPE_FIELDS:
            if name in raw:
                data[name] = raw[name]
        if "choices" in raw:
            data["choices"] = [
                {
                    "text": md(c.get("text")),
                    "correct": c.get("correct", False),
                    **({"feedback": md(c["feedback"])} if c.get("feedback") else {}),
                }
                for c in raw["choices"]
                if isinstance(c, dict)
            ]
        if isinstance(raw.get("gaps"), list):
            data.pop("points", None)  # a cloze question is worth the sum of its gaps' points
            data["gaps"] = {str(g.get("name")): _gap(g, md) for g in raw["gaps"] if isinstance(g, dict)}
        if "pairs" in raw:
            data["pairs"] = [
                {"prompt": md(p.get("prompt")), "match": p.get("match")}
                for p in raw["pairs"]
                if isinstance(p, dict)
            ]
        draft = Draft(
            data, display, source_id=str(raw.get("id") or "") or None, group=str(raw.get("domain") or "")
        )
        if "pool" in data and data["pool"] not in ctx.pools:
            draft.lost(
                f"pool {data.pop('pool')!r} is not in the document's pools; the question is not pooled"
            )
        for media in raw.get("media") or []:
            src = str(media.get("src", "")) if isinstance(media, dict) else ""
            try:
                payload = base64.b64decode(str(media.get("data_base64", "")), validate=True)
            except (binascii.Error, ValueError, AttributeError):
                draft.lost(f"image {src} is not valid base64; not extracted")
                continue
            relative = safe_relative_path(src)
            if (relative is not None and not relative.startswith("media/")) or (
                relative is not None and relative in ctx.media
            ):
                ctx.media[relative] = payload
            else:
                stored = ctx.add_media(src, payload)
                draft.lost(f"image {src} would be written outside the output folder; stored as {stored}")
                for key in ("stem", "explanation"):
                    if isinstance(data.get(key), str):
                        data[key] = data[key].replace(src, stored)
        return draft


_GAP_FIELDS = ("accept", "case_sensitive", "answer", "tolerance", "points")


def _gap(raw: dict[str, Any], md: Callable[[Any], Any]) -> dict[str, Any]:
    """A gap of the export as the question file writes it."""
    gap: dict[str, Any] = {name: raw[name] for name in _GAP_FIELDS if name in raw}
    if raw.get("feedback"):
        gap["feedback"] = md(raw["feedback"])
    if isinstance(raw.get("options"), list):
        gap["options"] = [
            {
                "text": o.get("text"),
                "correct": o.get("correct", False),
                **({"feedback": md(o["feedback"])} if o.get("feedback") else {}),
            }
            for o in raw["options"]
            if isinstance(o, dict)
        ]
    return gap


register(JsonImporter())
