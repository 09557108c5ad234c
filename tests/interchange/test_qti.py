"""QTI conventions written by the exporters and read back by the importers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qbank.core.model import QUESTION_ID_PATTERN
from qbank.interchange.qti import (
    GENERAL_SECTION_TITLE,
    qti2_name,
    qti3_name,
    qti_identifier,
    question_id,
    section_domain,
    section_title,
)

question_ids = st.from_regex(QUESTION_ID_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 200)


@given(question_ids)
def test_identifier_round_trip(qid: str) -> None:
    identifier = qti_identifier(qid)
    assert not identifier[0].isdigit()  # QTI identifiers and xs:ID may not start with a digit
    assert identifier == (f"Q_{qid}" if qid[0].isdigit() else qid)
    # read back with the title the exporters write, and without one (other tools drop it)
    assert question_id(identifier, qid) == qid
    assert question_id(identifier, None) == qid


def test_foreign_identifiers_are_kept() -> None:
    assert question_id("ITEM_0001", "Capital of France") == "ITEM_0001"
    assert question_id("Q_A", None) == "Q_A"  # the prefix only comes off before a digit


@given(
    st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True),
    st.none() | st.text(min_size=1, max_size=30).filter(lambda t: t == t.strip() and t),
)
def test_section_title_round_trip(domain: str, title: str | None) -> None:
    written = section_title(domain, title)
    assert written == (f"Domain {domain}: {title}" if title is not None else f"Domain {domain}")
    assert section_domain(written) == domain


def test_other_section_titles_have_no_domain() -> None:
    assert section_domain(GENERAL_SECTION_TITLE) is None
    assert section_domain("Week 3 quiz") is None


@given(st.from_regex(r"[a-z]+(?:[A-Z][a-z]+){0,3}", fullmatch=True))
def test_qti3_names_round_trip(name: str) -> None:
    element = qti3_name(name, element=True)
    attribute = qti3_name(name, element=False)
    assert element == "qti-" + attribute
    assert attribute == attribute.lower()
    assert qti2_name(element, element=True) == name
    assert qti2_name(attribute, element=False) == name


def test_qti3_names() -> None:
    assert qti3_name("choiceInteraction", element=True) == "qti-choice-interaction"
    assert qti3_name("responseIdentifier", element=False) == "response-identifier"
    assert qti2_name("qti-assessment-item-ref", element=True) == "assessmentItemRef"
