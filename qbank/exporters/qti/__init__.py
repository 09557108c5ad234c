"""IMS QTI 2.1 and 3.0 content packages (``--to qti21``, ``--to qti30``): items, a test and media in a zip.

One exporter, parametrised by a :class:`~qbank.exporters.qti.dialect.QtiVersion`, writes both
versions, so they carry exactly the same items. The package's modules are shared with the Canvas
(QTI 1.2) exporter: the test plan (:mod:`.plan`) and packaged media (:mod:`.media`).
See ``exporters/qti21/README.md`` and ``exporters/qti30/README.md`` for the field mapping.
"""

from __future__ import annotations

from typing import ClassVar

from qbank.core.markup import renders_math
from qbank.core.math import MathTarget
from qbank.core.model import Bank
from qbank.exporters import register
from qbank.exporters.base import ExportOutput, exportable_questions, metadata_not_carried, unique_questions
from qbank.exporters.qti.dialect import QTI21_VERSION, QTI30_VERSION, QtiVersion
from qbank.exporters.qti.items import NOT_CARRIED
from qbank.exporters.qti.package import build_qti_package

__all__ = ["Qti21Exporter", "Qti30Exporter", "QtiExporter"]


class QtiExporter:
    """A QTI content package: ``imsmanifest.xml``, ``assessment_test.xml``, ``items/<id>.xml``,
    ``items/media/``, in the version of :attr:`version`."""

    version: ClassVar[QtiVersion]
    name: ClassVar[str]
    description: ClassVar[str]
    suffix: ClassVar[str] = ".zip"

    @renders_math(MathTarget.MATHML)
    def export(self, bank: Bank) -> ExportOutput:
        """Render every exportable question and the test of the bank (or form)."""
        questions, diagnostics = unique_questions(exportable_questions(bank))
        data, notes = build_qti_package(bank, questions, self.version)
        dropped = metadata_not_carried(questions, self.version.label, NOT_CARRIED)
        # the objective travels on the taxon path below its domain: without a domain it cannot
        dropped += metadata_not_carried(
            [q for q in questions if bank.domain_of(q) is None], self.version.label, ("objective",)
        )
        return ExportOutput(data, diagnostics + notes + dropped, len(questions))


def _description(version: QtiVersion) -> str:
    return f"IMS {version.label} content package (zip): items, a test with one section per domain"


class Qti21Exporter(QtiExporter):
    """QTI 2.1 (IMS names)."""

    version = QTI21_VERSION
    name = QTI21_VERSION.name
    description = _description(QTI21_VERSION)


class Qti30Exporter(QtiExporter):
    """QTI 3.0 (1EdTech ``qti-`` kebab-case names)."""

    version = QTI30_VERSION
    name = QTI30_VERSION.name
    description = _description(QTI30_VERSION)


register(Qti21Exporter())
register(Qti30Exporter())
