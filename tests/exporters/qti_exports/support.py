"""Helpers for the QTI 2.1 / 3.0 / Canvas exporter tests: fixture banks, unzip, the schema cache."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from qbank.core.model import Bank
from qbank.io.loader import load

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[3]
GOLDEN = REPO / "tests" / "exporters" / "golden"
XSD = REPO / "tests" / "data" / "xsd"
"""The official XSDs, kept as test data (provenance and terms: ``tests/data/xsd/README.md``)."""

#: key -> entry schema under tests/data/xsd
SCHEMA_FILES = {
    "qti21": "qti21/imsqti_v2p1.xsd",
    "qti30": "qti30/imsqti_asiv3p0_sbacv1p0_v1p0.xsd",
    "qti30cp": "qti30/imsqtiv3p0_imscpv1p2_v1p0.xsd",
    "qti12": "qti12/ims_qtiasiv1p2p1.xsd",
    "imscp": "imscp/imscp_v1p1.xsd",
}


def load_bank(name: str) -> Bank:
    """A fixture bank, loaded the way the CLI loads it (in-process)."""
    result = load(FIXTURES / name, jobs=1)
    assert result.ok, result.diagnostics
    return result.bank


def unzip(data: bytes) -> dict[str, bytes]:
    """Entries of a zip archive by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


class Schemas:
    """Compiles each official schema at most once per test session, on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, etree.XMLSchema] = {}

    def __getitem__(self, key: str) -> etree.XMLSchema:
        if key not in self._cache:
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            doc = etree.parse(str(self.root / SCHEMA_FILES[key]), parser)
            self._cache[key] = etree.XMLSchema(doc)
        return self._cache[key]

    def errors(self, key: str, data: bytes) -> list[str]:
        """Validation errors of one document (empty when valid)."""
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        doc = etree.fromstring(data, parser)
        schema = self[key]
        if schema.validate(doc):
            return []
        return [f"{e.line}:{e.column}: {e.message}" for e in schema.error_log]
