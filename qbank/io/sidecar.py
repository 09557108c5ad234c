"""The statistics sidecar: item statistics kept in one YAML file instead of the question files.

With ``[tool.qbank.stats] sidecar = "stats.yaml"`` the loader attaches the statistics in that file
to the questions (a question's own ``stats:`` wins) and ``qbank stats --write`` writes there.
The file is never read as a question file. Its shape::

    stats:                    # question id -> the same block a question's stats: holds
      lambda-timeout:
        n: 412
        p: 0.62
        ...
    forms:                    # form title -> the block a form's stats: holds
      DVA-C02 practice test (1 of 2):
        n: 96
        alpha: 0.81
        ...
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from qbank.core.diagnostics import Diagnostic
from qbank.core.model import FormStatistics, ItemStatistics
from qbank.io.serialize import to_yaml_value
from qbank.io.source import read_source

__all__ = ["Sidecar", "read_sidecar", "sidecar_text"]

_HEADER = "# Item statistics written by qbank stats --write (one block per question id)\n"


class Sidecar:
    """Statistics read from a sidecar file."""

    def __init__(self) -> None:
        self.items: dict[str, ItemStatistics] = {}
        self.forms: dict[str, FormStatistics] = {}


def read_sidecar(path: Path, display: str | None = None) -> tuple[Sidecar, list[Diagnostic]]:
    """The statistics in ``path`` (a missing file holds none) and every problem, located."""
    out = Sidecar()
    if not path.exists():
        return out, []
    sf = read_source(path, display or str(path))
    problems = [d for d in sf.diagnostics if d.code != "QB005"]
    if problems or sf.data is None:
        return out, problems
    data = sf.data
    if not isinstance(data, dict) or not set(data) <= {"stats", "forms"}:
        return out, [sf.diag("QB010", "a statistics sidecar holds only `stats:` and `forms:` mappings")]
    for section, model, target in (
        ("stats", ItemStatistics, out.items),
        ("forms", FormStatistics, out.forms),
    ):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            problems.append(sf.diag("QB012", f"`{section}` must be a mapping", (section,)))
            continue
        for key, value in entries.items():
            try:
                target[str(key)] = model.model_validate(value)  # type: ignore[assignment]
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    where = (section, key, *err["loc"])
                    problems.append(sf.diag("QB012", f"{section} of {key!r}: {err['msg']}", where))
    return out, problems


def sidecar_text(
    current: str | None,
    items: Mapping[str, Mapping[str, Any]],
    forms: Mapping[str, Mapping[str, Any]],
) -> str:
    """The sidecar's new text: ``current`` (comments kept) with these blocks put in or replaced."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    doc: Any = None
    if current:
        try:
            doc = yaml.load(current)
        except YAMLError:
            doc = None
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    for section, blocks in (("stats", items), ("forms", forms)):
        if not blocks:
            continue
        if not isinstance(doc.get(section), CommentedMap):
            doc[section] = CommentedMap()
        for key, block in blocks.items():
            doc[section][key] = to_yaml_value(dict(block))
    stream = io.StringIO()
    if not current:
        stream.write(_HEADER)
    yaml.dump(doc, stream)
    return stream.getvalue()
