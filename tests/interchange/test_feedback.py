"""The general feedback block and the Markdown escaper it uses for plain text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbank.core.markup import render
from qbank.core.model import Question, question_adapter
from qbank.interchange.feedback import (
    BOLD_HEADINGS,
    PLAIN_HEADINGS,
    FeedbackHeadings,
    general_feedback,
    general_feedback_fields,
    split_general_feedback,
)
from qbank.interchange.markdown import escape_markdown, unescape_markdown

_plain = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
    min_size=1,
    max_size=40,
)


@given(_plain)
def test_unescape_undoes_escape(text: str) -> None:
    assert unescape_markdown(escape_markdown(text)) == text


@pytest.mark.parametrize(
    "text",
    ["1. a numbered line", "- a dash", "# not a heading", "*not emphasis*", "[not](a link)", "a ~~b~~ c"],
)
def test_escaped_text_renders_as_itself(text: str) -> None:
    assert render(escape_markdown(text)).text.strip() == text


def _question(**fields: object) -> Question:
    return question_adapter().validate_python({"id": "q", "type": "essay", "stem": "Explain.", **fields})


@pytest.mark.parametrize("headings", [PLAIN_HEADINGS, BOLD_HEADINGS])
@given(
    explanation=st.none() | st.sampled_from(["Because.", "Two\n\nparagraphs."]),
    references=st.lists(
        st.from_regex(r"https://example\.com/[a-z0-9]{1,8}", fullmatch=True), max_size=3, unique=True
    ),
    followups=st.lists(_plain.filter(lambda t: t.strip()), max_size=3),
)
def test_general_feedback_round_trip(
    headings: FeedbackHeadings, explanation: str | None, references: list[str], followups: list[str]
) -> None:
    question = _question(explanation=explanation, references=references, followups=followups)
    markdown = general_feedback(question, headings)
    if not (explanation or references or followups):
        assert markdown is None
        return
    assert markdown is not None
    back = split_general_feedback(markdown)
    # a follow-up is one list item: its whitespace is collapsed
    assert back == (explanation, references, [" ".join(t.split()) for t in followups])
    expected = {"explanation": explanation, "references": references, "followups": back[2]}
    assert general_feedback_fields(markdown) == {k: v for k, v in expected.items() if v}


def test_headings_in_each_style() -> None:
    question = _question(explanation="Why.", references=["https://a.example/"], followups=["Next *step*?"])
    assert general_feedback(question, PLAIN_HEADINGS) == (
        "Why.\n\nReferences:\n\n- <https://a.example/>\n\nExplore next:\n\n- Next \\*step\\*?"
    )
    assert general_feedback(question, BOLD_HEADINGS) == (
        "Why.\n\n**References**\n\n- <https://a.example/>\n\n**Explore next**\n\n- Next \\*step\\*?"
    )


def test_an_explanation_without_lists_is_kept_whole() -> None:
    assert split_general_feedback("References:\n\nsee the manual") == (
        "References:\n\nsee the manual",
        [],
        [],
    )
