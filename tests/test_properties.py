"""Property tests: generated questions survive dump/load; arbitrary bytes never raise."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qbank
from qbank.core.diagnostics import FORMAT_CODES
from qbank.core.model import Question, comparison_key, question_adapter
from qbank.io.serialize import dump_questions

_ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60
)
_words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


def _distinct(strategy: st.SearchStrategy[str], lo: int, hi: int) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, min_size=lo, max_size=hi, unique_by=comparison_key)


@st.composite
def _common(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"id": draw(_ids), "stem": draw(_text)}
    if draw(st.booleans()):
        data["explanation"] = draw(_text)
    if draw(st.booleans()):
        data["difficulty"] = draw(st.sampled_from(["easy", "medium", "hard"]))
    if draw(st.booleans()):
        data["points"] = draw(st.floats(min_value=0.01, max_value=1000, allow_nan=False))
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(_words, max_size=3))
    if draw(st.booleans()):
        data["objective"] = draw(st.sampled_from(["1.1", "2.3", "4.2"]))
    if draw(st.booleans()):
        data["shuffle"] = False
    if draw(st.booleans()):
        data["status"] = draw(st.sampled_from(["draft", "review", "retired"]))
    return data


@st.composite
def questions(draw: st.DrawFn) -> Question:
    data = draw(_common())
    kind = draw(
        st.sampled_from(
            [
                "single_choice",
                "multiple_response",
                "true_false",
                "short_answer",
                "numerical",
                "matching",
                "ordering",
                "essay",
            ]
        )
    )
    if kind in ("single_choice", "multiple_response"):
        texts = draw(_distinct(_text, 3 if kind == "multiple_response" else 2, 10))
        n_keys = 1 if kind == "single_choice" else draw(st.integers(2, len(texts) - 1))
        keys = set(draw(st.permutations(range(len(texts))))[:n_keys])
        data["choices"] = [
            {"text": t, "correct": i in keys} | ({"feedback": t[::-1]} if i == 0 else {})
            for i, t in enumerate(texts)
        ]
    elif kind == "true_false":
        data["answer"] = draw(st.booleans())
    elif kind == "short_answer":
        data["accept"] = draw(_distinct(_text, 1, 4))
        data["case_sensitive"] = draw(st.booleans())
    elif kind == "numerical":
        data["answer"] = draw(st.floats(allow_nan=False, allow_infinity=False, width=32))
        data["tolerance"] = draw(st.floats(min_value=0, max_value=100, allow_nan=False))
    elif kind == "matching":
        prompts = draw(_distinct(_text, 2, 5))
        data["pairs"] = [{"prompt": p, "match": draw(_words)} for p in prompts]
        data["distractors"] = draw(st.lists(_words, max_size=2))
    elif kind == "ordering":
        data["order"] = draw(_distinct(_words, 2, 6))
    if kind != "single_choice":
        data["type"] = kind
    return question_adapter().validate_python(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(questions(), min_size=1, max_size=4, unique_by=lambda q: q.id))
def test_dump_then_load_gives_the_same_questions(generated: list[Question]) -> None:
    text = dump_questions(generated)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bank.yaml"
        path.write_text(text, encoding="utf-8")
        result = qbank.load(path)
    assert result.diagnostics == [], text
    assert result.bank.questions == generated


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([".yaml", ".json"]))
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"any{suffix}"
        path.write_bytes(data)
        result = qbank.load(path)
    for d in result.diagnostics:
        assert d.line >= 1
        assert d.col >= 1


_yamlish = st.text(alphabet=st.sampled_from(list("qustion:s- \n\t[]{}\"'#&*!|>%@`,?id0x")), max_size=120)


@settings(max_examples=300, deadline=None)
@given(_yamlish)
def test_yaml_like_text_never_raises(text: str) -> None:
    source = "questions:\n" + text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.yaml"
        path.write_text(source, encoding="utf-8")
        result = qbank.load(path)
    # a problem, not an exception: each one a known code, placed inside the text
    lines = source.split("\n")
    for d in result.diagnostics:
        assert d.code in FORMAT_CODES, d
        assert 1 <= d.line <= len(lines), d
        assert 1 <= d.col <= len(lines[d.line - 1]) + 1, d
    # whatever loads without errors is a list of questions the file really holds
    if result.ok:
        assert len(result.bank.questions) <= source.count("id")
