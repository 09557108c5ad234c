"""The example bank exported and imported back keeps every question's domain and objective.

The ids are blueprint outline numbers ("1", "1.1"); each format carries them its own way (QTI test
sections and LOM classifications, Canvas question groups and item metadata, Moodle and GIFT
categories named "1 Development with AWS Services"), and each must give the same ids back, with
and without the blueprint at import.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.core.model import Bank
from qbank.exporters import EXPORTERS, export
from qbank.importers import IMPORT_FORMAT_OF_EXPORT, import_bank
from qbank.io.loader import load

BANK = Path(__file__).resolve().parents[2] / "questions" / "dva-c02"

#: Exporters whose output names the domain and objective.
FORMATS = ["qti21", "qti30", "canvas", "moodle", "gift", "json"]


@pytest.fixture(scope="module")
def bank() -> Bank:
    result = load(BANK, jobs=1)
    assert result.ok, result.diagnostics
    return result.bank


@pytest.mark.parametrize("with_blueprint", [True, False], ids=["blueprint", "no-blueprint"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_domains_and_objectives_survive(bank: Bank, fmt: str, with_blueprint: bool, tmp_path: Path) -> None:
    out = export(bank, fmt)
    path = tmp_path / f"bank{EXPORTERS[fmt].suffix}"
    path.write_bytes(out.data)
    blueprint = bank.blueprint if with_blueprint else None
    result = import_bank(path, IMPORT_FORMAT_OF_EXPORT[fmt], blueprint=blueprint)
    assert not result.failed, result.diagnostics
    assert result.imported == out.exported > 100
    assert bank.blueprint is not None
    outline = {d.id for d in bank.blueprint.domains} | {o.id for _, o in bank.blueprint.objectives()}
    expected = {q.id: (bank.domain_of(q), q.objective) for q in bank.questions}
    got = {q.id: (bank.domain_of(q), q.objective) for q in result.questions}
    assert {i: expected[i] for i in got} == got
    assert {v for pair in got.values() for v in pair} <= outline | {None}
    assert all(objective is not None for _, objective in got.values())
