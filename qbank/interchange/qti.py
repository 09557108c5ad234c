"""QTI conventions shared by the QTI 2.1/3.0 and Canvas (QTI 1.2) exporters and importers.

* identifiers: a question id is the item identifier, with ``Q_`` put before ids that start with a
  digit (QTI identifiers and the ``xs:ID`` of manifest resources must not), and the item title;
  :func:`qti_identifier` writes it, :func:`question_id` reads it back;
* test sections: one per blueprint domain titled ``Domain <id>: <title>``, plus ``General``;
  :func:`section_title` writes the title, :func:`section_domain` reads the domain back;
* response processing: the response of a one-interaction item is ``RESPONSE``; an item's score is
  the outcome ``SCORE`` (0 to its points), its maximum ``MAXSCORE``, the feedback shown the outcome
  ``FEEDBACK``; a test sums ``SCORE`` and ``MAXSCORE`` over its items and sets ``PASS``;
* the general feedback (explanation, references, follow-ups) has the identifier ``general_fb``;
* the blueprint place of an item (domain and objective): in a QTI 2.1/3.0 package, the item
  resource's IEEE LOM metadata holds a classification of purpose ``educational objective`` whose
  taxon path runs from the domain to the objective (:func:`outline_taxa`, read back by
  :func:`taxa_fields`) (a Canvas quiz: :data:`qbank.interchange.canvas.OBJECTIVE_FIELD`);
* cloze gaps: the response of gap ``name`` is ``GAP_<name>`` (:func:`gap_identifier`, read back by
  :func:`gap_name`); a drop-down option is ``<response>.<letter>`` and a gap's own feedback
  ``<response>.feedback``;
* QTI 3.0 names are the QTI 2.1 names in kebab case (elements prefixed ``qti-``):
  :func:`qti3_name` and :func:`qti2_name` convert between them;
* content-package resource types of items and tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qbank.core.model import GAP_NAME_PATTERN, QUESTION_ID_PATTERN, Bank, Question

__all__ = [
    "FEEDBACK",
    "GAP_PREFIX",
    "GENERAL_FEEDBACK_ID",
    "GENERAL_SECTION_TITLE",
    "ID_PREFIX",
    "ITEM_RESOURCE_TYPE",
    "LOM_NS",
    "LOM_SOURCE",
    "MAXSCORE",
    "OBJECTIVE_PURPOSE",
    "PASS",
    "RESPONSE",
    "SCORE",
    "TEST_RESOURCE_TYPES",
    "gap_feedback_identifier",
    "gap_identifier",
    "gap_name",
    "gap_option_identifier",
    "outline_taxa",
    "pool_name",
    "pool_section_identifier",
    "qti2_name",
    "qti3_name",
    "qti_identifier",
    "question_id",
    "section_domain",
    "section_title",
    "taxa_fields",
]

RESPONSE = "RESPONSE"
"""Identifier of the response of an item with one interaction."""
SCORE = "SCORE"
"""Outcome holding an item's score (0 to its points), and a test's total."""
MAXSCORE = "MAXSCORE"
"""Outcome holding an item's points, and a test's total of them."""
FEEDBACK = "FEEDBACK"
"""Outcome listing the identifiers of the feedback shown after a response."""
PASS = "PASS"
"""Test outcome: whether ``SCORE`` reaches the passing share of ``MAXSCORE``."""

ID_PREFIX = "Q_"
"""Put before question ids that start with a digit."""

GENERAL_FEEDBACK_ID = "general_fb"
"""Identifier of the general feedback (the explanation), as an outcome value and feedback id."""

GENERAL_SECTION_TITLE = "General"
"""Title of the test section of questions without a domain."""

ITEM_RESOURCE_TYPE = "imsqti_item_xml"
"""Manifest resource type of an item, before the version (``imsqti_item_xmlv2p1``)."""
TEST_RESOURCE_TYPES = ("imsqti_test_xml", "imsqti_assessment_xml")
"""Manifest resource types of a test, before the version (qbank writes the first)."""

LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
"""Namespace of the IEEE LOM metadata written in the item resources of a package's manifest."""
OBJECTIVE_PURPOSE = "educational objective"
"""LOM classification purpose (LOMv1.0 vocabulary) of the taxon path from domain to objective."""
LOM_SOURCE = "LOMv1.0"
"""Source of the LOM vocabulary the purpose comes from."""

GAP_PREFIX = "GAP_"
"""Put before a gap's name to make the identifier of its response (gap names may start with a digit)."""

_QUESTION_ID = re.compile(QUESTION_ID_PATTERN)
_GAP_NAME = re.compile(GAP_NAME_PATTERN)
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def qti_identifier(question_id: str) -> str:
    """The QTI identifier of a question id.

    qbank ids match ``^[a-z0-9][a-z0-9._-]*$``; QTI identifiers (and the ``xs:ID`` of manifest
    resources) must not start with a digit, so such ids get the prefix ``Q_`` (``2-kms-key`` ->
    ``Q_2-kms-key``). Other ids are kept as they are. qbank ids are lower case, so a prefixed id
    never collides with an unprefixed one.
    """
    return f"{ID_PREFIX}{question_id}" if question_id[:1].isdigit() else question_id


POOL_PREFIX = "POOL_"


def pool_section_identifier(pool: str) -> str:
    """The identifier of the sub-section that holds a pool (``POOL_<name>``): qbank pool names are
    lower case, so it never collides with an item identifier."""
    return f"{POOL_PREFIX}{pool}"


def pool_name(identifier: str) -> str | None:
    """The pool a section identifier written by :func:`pool_section_identifier` names, else ``None``."""
    return identifier[len(POOL_PREFIX) :] if identifier.startswith(POOL_PREFIX) else None


def question_id(identifier: str, title: str | None) -> str:
    """The question id behind a QTI identifier, undoing :func:`qti_identifier`.

    qbank's QTI and Canvas exports write the id as the item ``title`` and as the identifier, with
    ``Q_`` put before ids that start with a digit; other tools' identifiers are kept as they are.
    """
    if title and _QUESTION_ID.match(title) and identifier in (title, f"{ID_PREFIX}{title}"):
        return title
    if re.match(rf"^{ID_PREFIX}[0-9]", identifier) and _QUESTION_ID.match(identifier[len(ID_PREFIX) :]):
        return identifier[len(ID_PREFIX) :]
    return identifier


def gap_identifier(name: str) -> str:
    """The response identifier of a cloze gap (``1`` -> ``GAP_1``; QTI identifiers and Canvas blank
    names must not start with a digit)."""
    return f"{GAP_PREFIX}{name}"


def gap_name(identifier: str) -> str:
    """The gap name behind a response identifier, undoing :func:`gap_identifier` (other tools'
    identifiers are kept when they are valid gap names, else ``""``)."""
    if identifier.startswith(GAP_PREFIX) and _GAP_NAME.match(identifier[len(GAP_PREFIX) :]):
        return identifier[len(GAP_PREFIX) :]
    return identifier if _GAP_NAME.match(identifier) else ""


def gap_option_identifier(gap: str, index: int) -> str:
    """The identifier of option ``index`` (0-based) of the drop-down whose response is ``gap``."""
    return f"{gap}.{chr(ord('A') + index)}"


def gap_feedback_identifier(gap: str) -> str:
    """The identifier of the feedback of the gap whose response is ``gap``."""
    return f"{gap}.feedback"


def section_title(domain_id: str, domain_title: str | None) -> str:
    """The title of a domain's test section: ``Domain 2: Security`` (``Domain 2`` without a title)."""
    return f"Domain {domain_id}: {domain_title}" if domain_title is not None else f"Domain {domain_id}"


def section_domain(title: str) -> str | None:
    """The domain id in a test section title written by :func:`section_title` (``None`` for others)."""
    match = re.match(r"^Domain (.+?)(?:: .*)?$", title.strip(), re.DOTALL)
    return match.group(1)[:100] if match else None


def outline_taxa(bank: Bank, question: Question) -> list[tuple[str, str | None]]:
    """(id, title) of the question's domain and objective, outermost first: the taxon path of its
    ``educational objective`` classification (empty when it has no domain). Titles come from the
    blueprint (``None`` for ids it does not list)."""
    domain_id = bank.domain_of(question)
    if domain_id is None:
        return []
    domains = bank.blueprint.domains if bank.blueprint is not None else []
    domain = next((d for d in domains if d.id == domain_id), None)
    taxa: list[tuple[str, str | None]] = [(domain_id, domain.title if domain else None)]
    if question.objective is not None:
        objective = (
            next((o for o in domain.objectives if o.id == question.objective), None) if domain else None
        )
        taxa.append((question.objective, objective.title if objective else None))
    return taxa


def taxa_fields(ids: Sequence[str]) -> tuple[str | None, str | None]:
    """Domain and objective of a taxon path written by :func:`outline_taxa` (ids outermost first):
    one taxon is a domain, two are a domain and an objective; longer paths end in the objective."""
    ids = [i.strip()[:100] for i in ids if i.strip()]
    if not ids:
        return None, None
    if len(ids) == 1:
        return ids[0], None
    return ids[0], ids[-1]


def qti3_name(name: str, *, element: bool) -> str:
    """The QTI 3.0 spelling of a QTI 2.1 name: ``choiceInteraction`` -> ``qti-choice-interaction``
    (an element), ``responseIdentifier`` -> ``response-identifier`` (an attribute)."""
    kebab = _CAMEL.sub("-", name).lower()
    return f"qti-{kebab}" if element else kebab


def qti2_name(name: str, *, element: bool) -> str:
    """The QTI 2.1 spelling of a QTI 3.0 name, undoing :func:`qti3_name`."""
    if element and name.startswith("qti-"):
        name = name[4:]
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
