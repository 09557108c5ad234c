"""Real consumers of the exports: citolab-qti-convert (QTI 2.1 -> 3.0 -> 2.1) and
@citolab/qti-components rendering and scoring QTI 3.0 items in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from qbank.exporters.base import ExportOutput

from .support import Schemas

SCHEMA_OF = {
    "http://www.imsglobal.org/xsd/imsqti_v2p1": "qti21",
    "http://www.imsglobal.org/xsd/imsqtiasi_v3p0": "qti30",
    "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp",
    "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1": "qti30cp",
}


def _tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.is_file() else shutil.which(name)


def _validate_folder(folder: Path, schemas: Schemas) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted(folder.rglob("*.xml")):
        data = path.read_bytes()
        root = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
        key = SCHEMA_OF[etree.QName(root).namespace or ""]
        assert schemas.errors(key, data) == [], path
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_qti_convert_round_trip(
    full_exports: dict[str, ExportOutput], schemas: Schemas, tmp_path: Path
) -> None:
    tool = _tool("qti-convert")
    assert tool is not None, "qti-convert is part of the test extra (citolab-qti-convert)"
    package = tmp_path / "qti21.zip"
    package.write_bytes(full_exports["qti21"].data)
    up, down = tmp_path / "qti30", tmp_path / "back21"
    subprocess.run([tool, "upgrade", str(package), str(up)], check=True, capture_output=True, timeout=120)
    counts = _validate_folder(up, schemas)
    assert counts.get("qti30", 0) == 10  # 9 items + the test
    assert counts.get("qti30cp") == 1
    subprocess.run([tool, "downgrade", str(up), str(down)], check=True, capture_output=True, timeout=120)
    counts = _validate_folder(down, schemas)
    assert counts.get("qti21", 0) == 10


@pytest.fixture(scope="session")
def qti_components(node_consumers: Path) -> Path:
    """tests/node (the harness and @citolab/qti-components) with its npm packages installed."""
    if not Path("/usr/bin/chromium").is_file():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    return node_consumers


@pytest.mark.parametrize(
    ("item", "correct", "wrong", "expect"),
    [
        ("Q_2-kms-key", "A", "B", 2),  # single choice worth 2 points
        ("mr-dynamodb-consistency", "A,B,C", "D", 3),  # multiple response: full key set = points
        ("mr-dynamodb-consistency", "A,B", "A,D", 2),  # partial credit; a wrong pick cancels a key
        ("tf-s3-versioning", "TRUE", "FALSE", 1),
    ],
)
def test_qti30_item_scores_in_browser(
    qti_components: Path,
    full_exports: dict[str, ExportOutput],
    extract: Callable[[bytes, str], Path],
    item: str,
    correct: str,
    wrong: str,
    expect: int,
) -> None:
    folder = extract(full_exports["qti30"].data, "qti30")
    run = subprocess.run(
        [
            "node",
            "run_qti_components.mjs",
            "--samples",
            str(folder),
            "--item",
            f"/samples/items/{item}.xml",
            "--correct",
            correct,
            "--wrong",
            wrong,
            "--expect",
            str(expect),
            "--shot",
            str(folder / "shot.png"),
        ],
        cwd=qti_components,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(run.stdout)
    assert run.returncode == 0, result
    assert float(result["afterCorrect"]["score"]) == expect
    assert float(result["afterWrong"]["score"]) == 0
    assert result["blockedNonLoopbackRequests"] == []
