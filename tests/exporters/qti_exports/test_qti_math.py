"""Math in QTI: the example statistics bank's MathML validates against the MathML 2 / MathML 3 schemas
the QTI XSDs import, and the QTI 3.0 player (@citolab/qti-components in Chromium) lays it out."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from qbank.core.math import MATHML_NS
from qbank.core.model import Bank
from qbank.exporters import EXPORTERS
from qbank.io.loader import load

from .support import REPO, Schemas, unzip
from .test_qti_consumers import qti_components  # noqa: F401 -- a fixture shared with the player tests

STATISTICS = REPO / "questions" / "statistics"


@pytest.fixture(scope="module")
def statistics() -> Bank:
    loaded = load(STATISTICS)
    assert loaded.ok, loaded.diagnostics
    return loaded.bank


@pytest.mark.parametrize(("fmt", "schema"), [("qti21", "qti21"), ("qti30", "qti30")])
def test_mathml_items_validate(statistics: Bank, schemas: Schemas, fmt: str, schema: str) -> None:
    files = unzip(EXPORTERS[fmt].export(statistics).data)
    items = {
        name: data for name, data in files.items() if name.startswith("items/") and name.endswith(".xml")
    }
    assert len(items) == len(statistics)
    formulas = 0
    for name, data in sorted(items.items()):
        assert schemas.errors(schema, data) == [], name
        root = etree.fromstring(data)
        maths = root.findall(f".//{{{MATHML_NS}}}math")
        formulas += len(maths)
        # nothing of the LaTeX source is left in the item's text outside the annotations
        for el in root.iter():
            if etree.QName(el).namespace != MATHML_NS:
                assert "$" not in (el.text or "") + (el.tail or ""), name
    assert formulas > 100


def test_qti30_player_lays_out_mathml(
    qti_components: Path,  # noqa: F811
    statistics: Bank,
    extract: Callable[[bytes, str], Path],
) -> None:
    folder = extract(EXPORTERS["qti30"].export(statistics).data, "qti30-math")
    script = qti_components / "qti_math.mjs"  # with its page in site/, beside the player harness
    shot = folder / "math.png"
    run = subprocess.run(
        [
            "node",
            str(script),
            "--samples",
            str(folder),
            "--item",
            "/samples/items/stat-critical-value-name.xml",
            "--shot",
            str(shot),
        ],
        cwd=qti_components,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = json.loads(run.stdout)
    assert result["status"] == "loaded", result
    assert result["count"] == 5  # two in the stem, three in the explanation (shown after answering)
    assert result["namespaces"] == [MATHML_NS]
    assert result["mathml"]
    frac, sqrt = result["frac"], result["sqrt"]
    assert frac["num"]["y"] + frac["num"]["h"] <= frac["den"]["y"] + 1  # numerator above denominator
    assert sqrt["box"]["w"] > sqrt["body"]["w"] + 2  # the radical sign takes room
    assert "\\frac" not in result["text"]
    assert result["blocked"] == []
    assert shot.stat().st_size > 0
    shots = Path(tempfile.gettempdir()) / "qbank-shots"
    shots.mkdir(exist_ok=True)
    shutil.copyfile(shot, shots / "math-qti30-player.png")
