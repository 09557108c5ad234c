"""Moodle and GIFT conventions written by the exporters and read back by the importers."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbank.core.model import Bank, Blueprint, Question, question_adapter
from qbank.interchange.gift import comment_token, comment_tokens, gift_escape, protect, restore
from qbank.interchange.moodle import (
    category_fields,
    category_names,
    category_path,
    choice_grades,
    escape_wildcards,
    has_wildcard,
    question_tags,
    response_keys,
    split_category_path,
    tag_difficulty,
    unescape_wildcards,
)

BLUEPRINT = Blueprint.model_validate(
    {
        "id": "demo",
        "title": "Demo / exam",
        "domains": [
            {
                "id": "1",
                "title": "Development",
                "weight": 60,
                "objectives": [{"id": "1.1", "title": "Queues/topics"}],
            },
            {"id": "2", "title": "2 Security", "weight": 40},
        ],
    }
)


def _question(**fields: object) -> Question:
    return question_adapter().validate_python({"id": "q", "type": "essay", "stem": "Explain.", **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [({"domain": "1", "objective": "1.1"}, ("1", "1.1")), ({"domain": "2"}, ("2", None)), ({}, (None, None))],
)
def test_category_round_trip(fields: dict[str, str], expected: tuple[str | None, str | None]) -> None:
    bank = Bank(questions=[_question(**fields)], blueprint=BLUEPRINT)
    question = bank.questions[0]
    names = split_category_path(category_path(bank, question))
    assert names == category_names(bank, question)  # "/" in a title survives the path escaping
    assert category_fields(names, BLUEPRINT) == expected
    # without the blueprint, the outline number each name starts with is the id
    assert category_fields(names, None) == expected


def test_category_names_without_outline_numbers() -> None:
    # ids that are not outline numbers, and names the blueprint does not know, come back as written
    assert category_fields(["bank", "networking", "vpc peering"], None) == ("networking", "vpc peering")
    assert category_fields(["bank", "Networking basics"], BLUEPRINT) == ("Networking basics", None)
    # a blueprint id that looks like a titled name is matched as the id, not cut at its number
    blueprint = Blueprint.model_validate(
        {"id": "b", "title": "B", "domains": [{"id": "3 Deployment", "title": "Deploy", "weight": 100}]}
    )
    assert category_fields(["bank", "3 Deployment"], blueprint) == ("3 Deployment", None)
    assert category_fields(["bank", "3 Deployment"], None) == ("3", None)


@given(
    st.lists(st.booleans(), min_size=3, max_size=10).filter(lambda keys: sum(keys) >= 2 and not all(keys)),
)
def test_multiple_response_grades_read_back(keys: list[bool]) -> None:
    choices = [{"text": f"choice {i}", "correct": k} for i, k in enumerate(keys)]
    question = question_adapter().validate_python(
        {"id": "q", "type": "multiple_response", "stem": "Pick.", "choices": choices}
    )
    try:
        grades = choice_grades(question)  # type: ignore[arg-type]
    except ValueError:
        return  # no even Moodle split for this many keys: the exporter reports it
    percents = [float(g * 100) for g in grades]
    assert response_keys(percents) == ([i for i, k in enumerate(keys) if k], True)


def test_uneven_grades_are_flagged() -> None:
    assert response_keys([50.0, 50.0, 0.0]) == ([0, 1], False)  # a distractor should cost -50
    assert response_keys([Fraction(1, 3) * 100, 200 / 3, -50.0]) == ([0, 1], False)


def test_difficulty_tag_round_trip() -> None:
    question = _question(tags=["sqs"], difficulty="hard")
    tags = question_tags(question)
    assert tags == ["sqs", "difficulty-hard"]
    assert [tag_difficulty(t) for t in tags] == [None, "hard"]
    assert tag_difficulty("difficulty-extreme") is None


@given(st.text(max_size=20).filter(lambda t: "\\" not in t))
def test_wildcards_round_trip(text: str) -> None:
    written = escape_wildcards(text)
    assert not has_wildcard(written)
    assert unescape_wildcards(written) == text


def test_wildcard_detection() -> None:
    assert has_wildcard("s3*")
    assert not has_wildcard("s3\\*")


@given(st.text(max_size=30))
def test_gift_escape_round_trip(text: str) -> None:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    hidden = protect(gift_escape(text))
    assert not any(ch in hidden for ch in "~=#{}:")  # nothing left to split on
    assert restore(hidden) == normalised


@given(st.sampled_from(["id", "tag"]), st.text(min_size=1, max_size=20).filter(lambda t: t.strip()))
def test_comment_tokens_round_trip(kind: str, value: str) -> None:
    line = "// " + comment_token(kind, value) + " " + comment_token("tag", "x]y")
    assert comment_tokens(line) == [(kind, " ".join(value.split())), ("tag", "x]y")]
