"""Golden files: a small bank exported to QTI 2.1, QTI 3.0 and Canvas, entry by entry.

Regenerate after an intended change with ``QBANK_UPDATE_GOLDEN=1 pytest tests/exporters/qti_exports``
and review the diff.
"""

from __future__ import annotations

import os

import pytest

from qbank.exporters import EXPORTERS

from .support import GOLDEN, Schemas, load_bank, unzip


@pytest.mark.parametrize("fmt", ["qti21", "qti30", "canvas"])
def test_golden(fmt: str, schemas: Schemas) -> None:
    files = unzip(EXPORTERS[fmt].export(load_bank("small")).data)
    folder = GOLDEN / fmt
    if os.environ.get("QBANK_UPDATE_GOLDEN"):
        for old in sorted(folder.rglob("*"), reverse=True):
            if old.is_file():
                old.unlink()
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    expected = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(expected)
    for name, data in files.items():
        assert data.decode("utf-8") == expected[name].decode("utf-8"), name
    # the golden files themselves are schema-valid
    keys = {"qti21": "qti21", "qti30": "qti30", "canvas": "qti12"}
    manifest_key = "qti30cp" if fmt == "qti30" else "imscp"
    for name, data in files.items():
        if name == "imsmanifest.xml":
            assert schemas.errors(manifest_key, data) == []
        elif name.endswith(".xml") and not name.endswith("assessment_meta.xml"):
            assert schemas.errors(keys[fmt], data) == [], name
