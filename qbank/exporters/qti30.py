"""IMS QTI 3.0 content package (``--to qti30``): items, an assessment test and media in a zip.

See ``exporters/qti30/README.md`` for the field mapping and how to import the package.
"""

from __future__ import annotations

from typing import ClassVar

from qbank.core.model import Bank
from qbank.exporters import register
from qbank.exporters.base import ExportOutput, exportable_questions, metadata_not_carried
from qbank.exporters.qti.items import NOT_CARRIED, QTI30_PACKAGE, build_qti_package, unique_questions

__all__ = ["Qti30Exporter"]


class Qti30Exporter:
    """QTI 3.0 (1EdTech ``qti-`` names): manifest, ``assessment_test.xml``, ``items/<id>.xml``, media."""

    name: ClassVar[str] = "qti30"
    description: ClassVar[str] = (
        "IMS QTI 3.0 content package (zip): items, a test with one section per domain"
    )
    suffix: ClassVar[str] = ".zip"

    def export(self, bank: Bank) -> ExportOutput:
        """Render every exportable question and the test of the bank (or form)."""
        questions, diagnostics = unique_questions(exportable_questions(bank))
        data, notes = build_qti_package(bank, questions, QTI30_PACKAGE)
        dropped = metadata_not_carried(questions, "QTI 3.0", NOT_CARRIED)
        return ExportOutput(data, diagnostics + notes + dropped, len(questions))


register(Qti30Exporter())
