"""Fixtures for the QTI 2.1 / 3.0 / Canvas exporter tests (the official schemas compile once per session)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.core.model import Bank
from qbank.exporters import EXPORTERS
from qbank.exporters.base import ExportOutput

from .support import XSD, Schemas, load_bank


@pytest.fixture(scope="session")
def full_bank() -> Bank:
    """All eight types, feedback, images, references, a form with a time limit and a blueprint."""
    return load_bank("full")


@pytest.fixture(scope="session")
def full_exports(full_bank: Bank) -> dict[str, ExportOutput]:
    """``fmt -> ExportOutput`` of the full fixture bank for every format of this module."""
    return {fmt: EXPORTERS[fmt].export(full_bank) for fmt in ("qti21", "qti30", "canvas")}


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    """The official XSDs kept under tests/data/xsd, each compiled once per session."""
    return Schemas(XSD)


@pytest.fixture
def extract(tmp_path: Path) -> Callable[[bytes, str], Path]:
    """Unzip export bytes into a fresh folder and return it."""

    def _extract(data: bytes, name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(folder)
        return folder

    return _extract
