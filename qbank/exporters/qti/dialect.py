"""QTI versions: element and attribute names, namespaces and content-package names of QTI 2.1 and 3.0.

Items and tests are built once, with QTI 2.1 names; a :class:`Dialect` spells them in the version
written. A :class:`QtiVersion` adds what differs in the content package (manifest namespace,
resource types) and how the version is named to users.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

from lxml import etree

from qbank.core.markup import ALLOWED_TAGS
from qbank.interchange.qti import qti3_name

__all__ = [
    "QTI21",
    "QTI21_VERSION",
    "QTI30",
    "QTI30_VERSION",
    "XML_LANG",
    "XSI",
    "Dialect",
    "QtiVersion",
    "format_number",
    "namespaces",
    "xml_bytes",
]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def format_number(value: float) -> str:
    """A float as the shortest text that reads back as the same value (``1``, ``0.5``)."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def namespaces(default: str) -> dict[str, str]:
    """An ``nsmap`` with ``default`` as the default namespace and the ``xsi`` prefix."""
    # lxml takes None as the key of the default namespace; lxml-stubs only knows str keys
    return cast("dict[str, str]", {None: default, "xsi": XSI})


def xml_bytes(root: etree._Element) -> bytes:
    """Serialise an element as a UTF-8 document with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(frozen=True)
class Dialect:
    """QTI element and attribute names of one version.

    Items are built with QTI 2.1 names; QTI 3.0 spells QTI elements ``qti-`` plus kebab case and
    attributes in kebab case, while the embedded XHTML keeps its names in both.
    """

    namespace: str
    schema_location: str
    kebab: bool

    def tag(self, name: str) -> str:
        """The qualified element name."""
        if self.kebab and name not in ALLOWED_TAGS:
            name = qti3_name(name, element=True)
        return f"{{{self.namespace}}}{name}"

    def attr(self, name: str) -> str:
        """The attribute name."""
        return qti3_name(name, element=False) if self.kebab else name

    def sub(self, parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        """Append a child element with attributes (given in QTI 2.1 spelling)."""
        el = etree.SubElement(parent, self.tag(name))
        for key, value in attrs.items():
            el.set(self.attr(key), value)
        if text is not None:
            el.text = text
        return el

    def root(self, name: str, **attrs: str) -> etree._Element:
        """A document element with the namespace and schema location declared."""
        el = etree.Element(self.tag(name), nsmap=namespaces(self.namespace))
        el.set(f"{{{XSI}}}schemaLocation", f"{self.namespace} {self.schema_location}")
        for key, value in attrs.items():
            el.set(self.attr(key), value)
        return el

    def feedback_body(self, modal: etree._Element) -> etree._Element:
        """Where the content of a modal feedback goes (QTI 3.0 wraps it in ``qti-content-body``)."""
        return self.sub(modal, "contentBody") if self.kebab else modal


QTI21 = Dialect(
    "http://www.imsglobal.org/xsd/imsqti_v2p1",
    "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
    kebab=False,
)
QTI30 = Dialect(
    "http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd",
    kebab=True,
)


@dataclass(frozen=True)
class QtiVersion:
    """One QTI version as an export format: its dialect and the names of its content package."""

    name: str
    """The ``--to`` value."""
    label: str
    """How users know the version (``QTI 2.1``), in descriptions and diagnostics."""
    dialect: Dialect
    manifest_namespace: str
    manifest_schema_location: str
    schema: str
    schema_version: str
    item_type: str
    test_type: str


QTI21_VERSION = QtiVersion(
    "qti21",
    "QTI 2.1",
    QTI21,
    "http://www.imsglobal.org/xsd/imscp_v1p1",
    "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    "QTIv2.1 Package",
    "1.0.0",
    "imsqti_item_xmlv2p1",
    "imsqti_test_xmlv2p1",
)
QTI30_VERSION = QtiVersion(
    "qti30",
    "QTI 3.0",
    QTI30,
    "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd",
    "QTI Package",
    "3.0.0",
    "imsqti_item_xmlv3p0",
    "imsqti_test_xmlv3p0",
)
