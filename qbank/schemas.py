"""The published JSON Schemas, generated from the models (``qbank schemas``; drift-tested).

Question, blueprint and configuration schemas come from the core models; the export schema from the
JSON interchange document, so this module sits above both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qbank.core.config import ConfigModel
from qbank.core.model import BlueprintFile, QuestionFile

__all__ = ["SCHEMA_FILES", "SCHEMA_ID_PREFIX", "generate_schemas", "render_schema", "write_schemas"]

SCHEMA_ID_PREFIX = "urn:qbank:schema:v1:"

SCHEMA_FILES: dict[str, str] = {
    "question": "question.schema.json",
    "blueprint": "blueprint.schema.json",
    "config": "config.schema.json",
    "export": "export.schema.json",
}


def _schema_for(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID_PREFIX + name,
        **{k: v for k, v in schema.items() if k != "title"},
        "title": title,
    }


def generate_schemas() -> dict[str, dict[str, Any]]:
    """The published JSON Schemas (Draft 2020-12), by name: question, blueprint, config, export."""
    from qbank.exporters.json_export import ExportDocument

    return {
        "question": _schema_for(QuestionFile, "question", "qbank question file (format version 1)"),
        "blueprint": _schema_for(BlueprintFile, "blueprint", "qbank exam blueprint"),
        "config": _schema_for(ConfigModel, "config", "qbank configuration ([tool.qbank] or qbank.toml)"),
        "export": _schema_for(ExportDocument, "export", "qbank JSON export (format version 1)"),
    }


def render_schema(schema: Mapping[str, Any]) -> str:
    """Stable text of a schema as written to ``schemas/``."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(directory: Path, *, check: bool = False) -> list[str]:
    """Write the schemas to ``directory``; with ``check`` write nothing and return the stale files."""
    stale: list[str] = []
    for name, schema in generate_schemas().items():
        target = directory / SCHEMA_FILES[name]
        text = render_schema(schema)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            stale.append(str(target))
            if not check:
                directory.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return stale
