"""`qbank fmt`: canonical layout, comments kept, idempotent, JSON, --check/--diff, broken files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from qbank.cli import main
from qbank.io.fmt import format_text
from qbank.io.loader import load
from qbank.io.serialize import dump_questions

MESSY = """\
# header comment
questions:
  # first question
  - stem: "Which service stores objects?"   # inline stem comment
    id: q1
    choices:
    - correct: true
      text: 'Amazon S3'
    - text: Amazon EBS  # not object storage
    - text: Amazon EFS
    tags: [storage, s3]
    explanation: "Line one.\\nLine two."
  - id: q2
    type: true_false
    answer: false
    stem: S3 is block storage.
defaults:
  tags: [x]
"""

CANONICAL = """\
# header comment
defaults:
  tags: [x]
questions:
  # first question
  - id: q1
    tags: [storage, s3]
    stem: Which service stores objects?     # inline stem comment
    choices:
      - text: Amazon S3
        correct: true
      - text: Amazon EBS # not object storage
      - text: Amazon EFS
    explanation: |-
      Line one.
      Line two.
  - id: q2
    type: true_false
    stem: S3 is block storage.
    answer: false
"""


def _data(text: str) -> Any:
    return YAML(typ="safe").load(text)


def test_canonical_layout_keeps_comments() -> None:
    out = format_text(MESSY)
    assert out == CANONICAL
    assert _data(out) == _data(MESSY)
    assert format_text(out) == out


def test_json_layout() -> None:
    raw = json.dumps(
        {
            "questions": [
                {"stem": "S?", "choices": [{"correct": True, "text": "a"}, {"text": "b"}], "id": "q1"}
            ],
            "defaults": {"tags": ["t"]},
        }
    )
    out = format_text(raw, json_file=True)
    assert out.startswith('{\n  "defaults": {\n    "tags": [\n')
    assert list(json.loads(out)["questions"][0]) == ["id", "stem", "choices"]
    assert list(json.loads(out)["questions"][0]["choices"][0]) == ["text", "correct"]
    assert json.loads(out) == json.loads(raw)
    assert format_text(out, json_file=True) == out


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff") | st.just("\n"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")
question = st.fixed_dictionaries(
    {"id": st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), "stem": texts},
    optional={
        "explanation": texts,
        "tags": st.lists(texts, max_size=4),
        "difficulty": st.sampled_from(["easy", "medium", "hard"]),
        "choices": st.lists(
            st.fixed_dictionaries({"text": texts}, optional={"correct": st.booleans(), "feedback": texts}),
            min_size=1,
            max_size=4,
        ),
        "points": st.integers(1, 5),
    },
)


def _shuffled_dump(doc: dict[str, Any], order: list[int]) -> str:
    import io

    yaml = YAML(typ="rt")
    yaml.width = 60
    stream = io.StringIO()
    questions = [
        dict(sorted(q.items(), key=lambda kv: order[len(kv[0]) % len(order)])) for q in doc["questions"]
    ]
    yaml.dump({"questions": questions}, stream)
    return stream.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(question, min_size=1, max_size=3), st.permutations([0, 1, 2, 3, 4]))
def test_idempotent_and_meaning_preserving(questions: list[dict[str, Any]], order: list[int]) -> None:
    source = _shuffled_dump({"questions": questions}, order)
    once = format_text(source)
    assert _data(once) == _data(source)
    assert format_text(once) == once
    as_json = json.dumps({"questions": questions}, ensure_ascii=False)
    once_json = format_text(as_json, json_file=True)
    assert json.loads(once_json) == json.loads(as_json)
    assert format_text(once_json, json_file=True) == once_json


def test_cli_check_diff_and_write(write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    messy = write("bank/a.yaml", MESSY)
    clean = write("bank/b.yaml", CANONICAL.replace("q1", "q3").replace("q2", "q4"))
    write("bank/blueprint.yaml", "blueprint: {id: x}\n")
    folder = str(messy.parent)
    assert main(["fmt", "--check", folder]) == 1
    err = capsys.readouterr().err
    assert f"would reformat {messy}" in err
    assert str(clean) not in err
    assert main(["fmt", "--diff", folder]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"--- {messy}\n+++ {messy} (formatted)\n")
    assert "+defaults:" in out
    assert messy.read_text(encoding="utf-8") == MESSY  # --check/--diff write nothing
    assert main(["fmt", folder]) == 0
    assert messy.read_text(encoding="utf-8") == CANONICAL
    assert main(["fmt", "--check", folder]) == 0
    assert [q.id for q in load(messy).bank] == ["q1", "q2"]


def test_cli_syntax_error_is_never_written(
    write: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write("a.yaml", "questions:\n  - id: q1\n    stem: [unclosed\n")
    before = broken.read_bytes()
    assert main(["fmt", str(broken)]) == 2
    assert "QB003" in capsys.readouterr().err
    assert broken.read_bytes() == before
    bad_json = write("b.json", '{"questions": [}')
    assert main(["fmt", "--check", str(bad_json)]) == 2


@pytest.mark.parametrize("name", ["example"])
def test_example_bank_is_stable(name: str) -> None:
    from tests.conftest import EXAMPLE_BANK

    files = sorted(EXAMPLE_BANK.rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "questions" not in (_data(text) or {}):
            continue
        once = format_text(text)
        assert _data(once) == _data(text)
        assert format_text(once) == once


def test_quotes_only_where_yaml_needs_them_in_the_authors_style(write: Callable[..., Path]) -> None:
    source = (
        "defaults:\n"
        '  domain: "2"\n'
        "questions:\n"
        "  - id: q1\n"
        "    objective: '2.1'\n"
        "    tags: ['plain', \"1\"]\n"
        '    stem: "Which command lists buckets?"\n'
        "    choices:\n"
        "      - text: '`aws s3 ls`'\n"
        "        correct: true\n"
        '      - text: "it\'s: a key"\n'
    )
    expected = (
        "defaults:\n"
        '  domain: "2"\n'
        "questions:\n"
        "  - id: q1\n"
        "    objective: '2.1'\n"
        '    tags: [plain, "1"]\n'
        "    stem: Which command lists buckets?\n"
        "    choices:\n"
        "      - text: '`aws s3 ls`'\n"
        "        correct: true\n"
        '      - text: "it\'s: a key"\n'
    )
    out = format_text(source)
    assert out == expected
    assert _data(out) == _data(source)
    # written from the models (import, assemble): double quotes where quotes are needed
    (question,) = load(write("bank.yaml", out)).bank.questions
    dumped = dump_questions([question])
    assert '    domain: "2"\n    objective: "2.1"\n' in dumped
    assert '      - text: "`aws s3 ls`"\n' in dumped


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\u2028", "\u2029", "\x85", "\x7f", "\r"])
def test_text_yaml_cannot_hold_unescaped_stays_quoted(char: str) -> None:
    source = f'questions:\n  - id: a\n    stem: "Line one.\\nLine {ord(char):04x}: \\u{ord(char):04x}"\n'
    out = format_text(source)
    assert "|" not in out
    assert _data(out) == _data(source)
    assert format_text(out) == out
