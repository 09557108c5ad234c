"""Pools in QTI 2.1 / 3.0 and Canvas packages: sub-sections that draw ``pick`` items, question
groups with ``pick`` and points, schema-valid, and read back into pools by the importers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

import qbank
from qbank.exporters import EXPORTERS
from qbank.importers import import_bank, write_import

from .support import Schemas, unzip

POOLED = """
pools:
  capacity: {pick: 2, points: 3, title: Capacity units}
questions:
  - id: rcu
    type: numerical
    domain: "1"
    pool: capacity
    variables:
      items: {min: 10, max: 100, step: 10}
    variants: 4
    stem: "A table serves {{ items }} strongly consistent reads of 4 KB per second. How many RCUs?"
    answer: "{{ items }}"
    explanation: One RCU is one strongly consistent read per second of up to 4 KB.
  - id: wcu
    type: numerical
    domain: "1"
    variables:
      writes: {min: 5, max: 50, step: 5}
    variants: 3
    stem: "A service writes {{ writes }} items of 1 KB per second. How many WCUs?"
    answer: "{{ writes }}"
  - id: plain
    type: true_false
    domain: "1"
    stem: Provisioned capacity is set per table or per global secondary index.
    answer: true
"""

QTI_NS = {
    "qti21": "http://www.imsglobal.org/xsd/imsqti_v2p1",
    "qti30": "http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
}


@pytest.fixture(scope="module")
def pooled_bank(tmp_path_factory: pytest.TempPathFactory) -> qbank.Bank:
    folder = tmp_path_factory.mktemp("pooled")
    (folder / "bank.yaml").write_text(POOLED)
    loaded = qbank.load(folder)
    assert loaded.ok, [(d.code, d.message) for d in loaded.diagnostics]
    return loaded.bank


def _name(fmt: str, local: str) -> str:
    """The element name in a version: ``assessmentItemRef`` or ``qti-assessment-item-ref``."""
    return (
        local if fmt == "qti21" else "qti-" + "-".join(p.lower() for p in re.findall(r"[A-Z]?[a-z]+", local))
    )


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_a_pool_is_a_sub_section_that_draws_pick_items(
    fmt: str, pooled_bank: qbank.Bank, schemas: Schemas
) -> None:
    files = unzip(EXPORTERS[fmt].export(pooled_bank).data)
    test_xml = files["assessment_test.xml"]
    assert schemas.errors(fmt, test_xml) == []
    for name, data in files.items():
        if name.startswith("items/") and name.endswith(".xml"):
            assert schemas.errors(fmt, data) == [], name
    ns = {"q": QTI_NS[fmt]}
    root = etree.fromstring(test_xml)
    section = _name(fmt, "assessmentSection")
    pools = root.findall(f".//q:{section}/q:{section}", ns)
    by_id = {p.get("identifier"): p for p in pools}
    assert set(by_id) == {"POOL_capacity", "POOL_wcu"}
    capacity = by_id["POOL_capacity"]
    assert capacity.get("title") == "Capacity units"
    assert capacity.find(f"q:{_name(fmt, 'selection')}", ns).get("select") == "2"
    refs = [r.get("identifier") for r in capacity.findall(f"q:{_name(fmt, 'assessmentItemRef')}", ns)]
    assert refs == [f"rcu.{n}" for n in range(1, 5)]
    assert by_id["POOL_wcu"].find(f"q:{_name(fmt, 'selection')}", ns).get("select") == "1"
    # the pool's points replace the question's own in the item
    item = etree.fromstring(files["items/rcu.1.xml"])
    maxscore = next(e for e in item.iter() if isinstance(e.tag, str) and e.get("identifier") == "MAXSCORE")
    assert "".join(maxscore.itertext()).strip() == "3"


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_qti_selections_come_back_as_pools(fmt: str, pooled_bank: qbank.Bank, tmp_path: Path) -> None:
    package = tmp_path / f"{fmt}.zip"
    package.write_bytes(EXPORTERS[fmt].export(pooled_bank).data)
    imported = import_bank([package], "qti")
    write_import(imported, tmp_path / "back")
    back = qbank.load(tmp_path / "back")
    assert back.ok, [(d.code, d.message) for d in back.diagnostics]
    assert {q.id: q.pool for q in back.bank} == {q.id: q.pool for q in pooled_bank}
    assert back.bank.pools["capacity"].pick == 2
    assert back.bank.pools["capacity"].title == "Capacity units"
    assert back.bank.pools["wcu"].pick == 1
    assert {q.points for q in back.bank if q.pool == "capacity"} == {3.0}


def test_canvas_pools_are_question_groups_with_pick_and_points(
    pooled_bank: qbank.Bank, schemas: Schemas, extract: Callable[[bytes, str], Path]
) -> None:
    files = unzip(EXPORTERS["canvas"].export(pooled_bank).data)
    quiz = next(data for name, data in files.items() if name.endswith(".xml") and b"<questestinterop" in data)
    assert schemas.errors("qti12", quiz) == []
    root = etree.fromstring(quiz)
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    groups = {
        s.get("title"): s for s in root.iter("{*}section") if s.find("q:selection_ordering", ns) is not None
    }
    group = groups["Capacity units"]
    assert group.find(".//q:selection_number", ns).text == "2"
    assert group.find(".//q:points_per_item", ns).text == "3"
    assert [i.get("ident") for i in group.findall("q:item", ns)] == [f"rcu.{n}" for n in range(1, 5)]


def test_canvas_question_groups_come_back_as_pools(pooled_bank: qbank.Bank, tmp_path: Path) -> None:
    package = tmp_path / "canvas.zip"
    package.write_bytes(EXPORTERS["canvas"].export(pooled_bank).data)
    imported = import_bank([package], "canvas")
    write_import(imported, tmp_path / "back")
    back = qbank.load(tmp_path / "back")
    assert back.ok, [(d.code, d.message) for d in back.diagnostics]
    assert {q.id: q.pool for q in back.bank} == {q.id: q.pool for q in pooled_bank}
    assert back.bank.pools["capacity"].pick == 2
    assert {q.points for q in back.bank if q.pool == "capacity"} == {3.0}


def test_qti_convert_keeps_the_pool_draw_when_upgrading_to_qti30(
    pooled_bank: qbank.Bank, schemas: Schemas, tmp_path: Path
) -> None:
    """citolab-qti-convert (a real consumer) upgrades the QTI 2.1 package: the 3.0 test it writes
    is schema-valid and still draws two of the pool's four items."""
    import shutil
    import subprocess
    import sys

    beside = Path(sys.executable).parent / "qti-convert"
    tool = str(beside) if beside.is_file() else shutil.which("qti-convert")
    assert tool is not None, "qti-convert is part of the test extra (citolab-qti-convert)"
    package = tmp_path / "qti21.zip"
    package.write_bytes(EXPORTERS["qti21"].export(pooled_bank).data)
    up = tmp_path / "qti30"
    subprocess.run([tool, "upgrade", str(package), str(up)], check=True, capture_output=True, timeout=120)
    [test_file] = [p for p in up.rglob("*.xml") if b"qti-assessment-test" in p.read_bytes()[:2000]]
    data = test_file.read_bytes()
    assert schemas.errors("qti30", data) == []
    ns = {"q": QTI_NS["qti30"]}
    pool = etree.fromstring(data).find(".//q:qti-assessment-section[@identifier='POOL_capacity']", ns)
    assert pool is not None
    assert pool.find("q:qti-selection", ns).get("select") == "2"
    assert len(pool.findall("q:qti-assessment-item-ref", ns)) == 4
