"""IMS QTI 2.1 content package (``--to qti21``): items, an assessment test and media in a zip.

See ``exporters/qti21/README.md`` for the field mapping and how to import the package.
"""

from __future__ import annotations

from typing import ClassVar

from qbank.core.model import Bank
from qbank.exporters import register
from qbank.exporters.base import ExportOutput, exportable_questions, metadata_not_carried
from qbank.exporters.qti.items import NOT_CARRIED, QTI21_PACKAGE, build_qti_package, unique_questions

__all__ = ["Qti21Exporter"]


class Qti21Exporter:
    """QTI 2.1: ``imsmanifest.xml``, ``assessment_test.xml``, ``items/<id>.xml``, ``items/media/``."""

    name: ClassVar[str] = "qti21"
    description: ClassVar[str] = (
        "IMS QTI 2.1 content package (zip): items, a test with one section per domain"
    )
    suffix: ClassVar[str] = ".zip"

    def export(self, bank: Bank) -> ExportOutput:
        """Render every exportable question and the test of the bank (or form)."""
        questions, diagnostics = unique_questions(exportable_questions(bank))
        data, notes = build_qti_package(bank, questions, QTI21_PACKAGE)
        dropped = metadata_not_carried(questions, "QTI 2.1", NOT_CARRIED)
        return ExportOutput(data, diagnostics + notes + dropped, len(questions))


register(Qti21Exporter())
