"""Validation: every problem in every file, located at the offending key or value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import qbank
from qbank.core.diagnostics import Severity

Write = Callable[..., Path]


def located(path: Path | str) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.code) for d in qbank.load(path).diagnostics]


GOOD = """
    questions:
      - id: q1
        stem: Which service stores objects?
        choices:
          - text: Amazon S3
            correct: true
          - text: Amazon EBS
"""


def test_clean_file_has_no_diagnostics(write: Write) -> None:
    path = write("good.yaml", GOOD)
    result = qbank.load(path)
    assert result.diagnostics == []
    assert [q.id for q in result.bank] == ["q1"]
    assert result.bank.questions[0].origin is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unknown key: at the key
        (
            """
            questions:
              - id: q1
                stem: x?
                choises: []
                choices: [{text: a, correct: true}, {text: b}]
            """,
            [(4, 5, "QB010")],
        ),
        # missing required field: at the question
        (
            """
            questions:
              - id: q1
                choices: [{text: a, correct: true}, {text: b}]
            """,
            [(2, 5, "QB011")],
        ),
        # wrong type: at the value
        (
            """
            questions:
              - id: q1
                type: numerical
                stem: How many?
                answer: "3"
            """,
            [(5, 13, "QB012")],
        ),
        # bad id pattern
        (
            """
            questions:
              - id: Not Valid
                stem: x?
                choices: [{text: a, correct: true}, {text: b}]
            """,
            [(2, 9, "QB012")],
        ),
        # two keys on a single_choice: at the choices
        (
            """
            questions:
              - id: q1
                stem: x?
                choices:
                  - {text: a, correct: true}
                  - {text: b, correct: true}
            """,
            [(4, 5, "QB101")],
        ),
        # multiple_response with one key
        (
            """
            questions:
              - id: q1
                type: multiple_response
                stem: x?
                choices:
                  - {text: a, correct: true}
                  - {text: b}
                  - {text: c}
            """,
            [(5, 5, "QB102")],
        ),
        # identical choices: at the repeated choice's text
        (
            """
            questions:
              - id: q1
                stem: x?
                choices:
                  - text: Amazon SQS
                    correct: true
                  - text: amazon  sqs
            """,
            [(7, 15, "QB105")],
        ),
        # negative tolerance
        (
            """
            questions:
              - id: q1
                type: numerical
                stem: x?
                answer: 3
                tolerance: -0.5
            """,
            [(6, 16, "QB012")],
        ),
        # one matching pair
        (
            """
            questions:
              - id: q1
                type: matching
                stem: Match
                pairs:
                  - {prompt: a, match: b}
            """,
            [(5, 5, "QB012")],
        ),
        # ordering with repeated items
        (
            """
            questions:
              - id: q1
                type: ordering
                stem: Order
                order: [build, test, build]
            """,
            [(5, 26, "QB105")],
        ),
        # unknown type: at the type value
        (
            """
            questions:
              - id: q1
                type: fill_in
                stem: x
            """,
            [(3, 11, "QB012")],
        ),
        # ten is the most choices
        (
            """
            questions:
              - id: q1
                stem: x?
                choices: [{text: a, correct: true}, {text: b}, {text: c}, {text: d}, {text: e}, {text: f},
                          {text: g}, {text: h}, {text: i}, {text: j}, {text: k}]
            """,
            [(4, 5, "QB012")],
        ),
        # a bad default is reported once, at the default
        (
            """
            defaults:
              difficulty: extreme
            questions:
              - id: q1
                stem: x?
                choices: [{text: a, correct: true}, {text: b}]
              - id: q2
                stem: y?
                choices: [{text: a, correct: true}, {text: b}]
            """,
            [(2, 15, "QB012")],
        ),
        # `type` cannot be a default
        (
            """
            defaults:
              type: essay
            questions:
              - id: q1
                type: essay
                stem: Write.
            """,
            [(2, 3, "QB010")],
        ),
        # an unknown top-level key
        (
            """
            question:
              - id: q1
            questions: []
            """,
            [(1, 1, "QB010")],
        ),
        # a question that is not a mapping
        (
            """
            questions:
              - just text
            """,
            [(2, 5, "QB012")],
        ),
    ],
)
def test_model_errors_are_located(write: Write, text: str, expected: list[tuple[int, int, str]]) -> None:
    assert located(write("bank.yaml", text)) == expected


def test_every_error_in_every_file_in_one_run(write: Write) -> None:
    write(
        "a.yaml",
        """
        questions:
          - id: a1
            stem: x?
            choises: []
            choices: [{text: a, correct: true}, {text: b}]
          - id: a2
            type: true_false
            stem: y
        """,
    )
    write("b.yaml", "questions: [\n")
    write("c/d.json", '{"questions": [{"id": "d1", "stem": "x", "type": "essay", "points": 0}]}')
    codes = [
        (Path(d.path).name, d.line, d.col, d.code) for d in qbank.load(write("x.txt", "").parent).diagnostics
    ]
    assert codes == [
        ("a.yaml", 4, 5, "QB010"),
        ("a.yaml", 6, 5, "QB011"),
        ("b.yaml", 2, 1, "QB003"),
        ("d.json", 1, 69, "QB012"),
    ]


def test_duplicate_ids_across_files(write: Write) -> None:
    write("a.yaml", GOOD)
    write("b.yaml", GOOD)
    diags = qbank.load(write("a.yaml", GOOD).parent).diagnostics
    assert [(Path(d.path).name, d.line, d.col, d.code) for d in diags] == [("b.yaml", 2, 9, "QB804")]
    assert "a.yaml:2:9" in diags[0].message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("syntax.yaml", "questions: [\n", [(2, 1, "QB003")]),
        ("tab.yaml", "questions:\n\t- id: x\n", [(2, 1, "QB003")]),
        ("dupkey.yaml", "questions: []\nquestions: []\n", [(2, 1, "QB004")]),
        ("dupnested.yaml", "questions:\n  - id: a\n    id: b\n", [(3, 5, "QB004")]),
        ("empty.yaml", "", [(1, 1, "QB005")]),
        ("comments.yaml", "# nothing here\n", [(1, 1, "QB005")]),
        ("list.yaml", "- a\n- b\n", [(1, 1, "QB006")]),
        ("scalar.yaml", "just text\n", [(1, 1, "QB006")]),
        ("latin1.yaml", "questions:\n  - id: caf\xe9\n".encode("latin-1"), [(2, 12, "QB002")]),
        ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00", [(1, 1, "QB002")]),
        ("other.yaml", "title: not a bank\n", [(1, 1, "QB007")]),
        ("bad.json", '{"questions": [}', [(1, 16, "QB003")]),
        ("dupkey.json", '{"questions": [],\n "questions": []}', [(2, 2, "QB004")]),
        ("top.json", "[1, 2]", [(1, 1, "QB006")]),
        # a key that is itself a sequence or mapping: at that key, not a traceback
        (
            "seqkey.yaml",
            "questions:\n  - id: a\n    followups:\n      ? [a, b]\n      : x\n",
            [(4, 9, "QB012")],
        ),
        ("flowkey.yaml", "questions:\n  - id: a\n    [a, b]: 1\n", [(3, 5, "QB012")]),
        ("mapkey.yaml", "questions:\n  - id: a\n    ? {a: 1}\n    : x\n", [(3, 7, "QB012")]),
        ("topkey.yaml", "? [x]\n: 1\nquestions: []\n? [y]\n: 2\n", [(1, 3, "QB012"), (4, 3, "QB012")]),
    ],
)
def test_file_level_problems(
    write: Write, name: str, content: str | bytes, expected: list[tuple[int, int, str]]
) -> None:
    path = write(name, content) if isinstance(content, bytes) else _raw(write, name, content)
    assert located(path) == expected


def _raw(write: Write, name: str, content: str) -> Path:
    # no dedent: the text is exact
    return write(name, content.encode("utf-8"))


def test_bom_is_accepted(write: Write) -> None:
    path = write("bom.yaml", b"\xef\xbb\xbf" + GOOD.replace("\n    ", "\n").lstrip("\n").encode())
    assert qbank.load(path).diagnostics == []


def test_missing_path(tmp_path: Path) -> None:
    diags = qbank.load(tmp_path / "nope").diagnostics
    assert [(d.code, d.severity) for d in diags] == [("QB001", Severity.ERROR)]


def test_json_positions(write: Write) -> None:
    path = write(
        "q.json",
        """
        {
          "questions": [
            {"id": "j1", "stem": "x?",
             "choices": [{"text": "a", "correct": true}, {"text": "b", "extra": 1}]}
          ]
        }
        """,
    )
    assert located(path) == [(4, 64, "QB010")]


def test_defaults_apply_and_question_wins(write: Write) -> None:
    path = write(
        "d.yaml",
        """
        defaults:
          domain: "2"
          tags: [security]
          points: 2
        questions:
          - id: a
            stem: x?
            choices: [{text: a, correct: true}, {text: b}]
          - id: b
            points: 3
            tags: [other]
            stem: y?
            choices: [{text: a, correct: true}, {text: b}]
        """,
    )
    a, b = qbank.load(path).bank.questions
    assert (a.domain, a.tags, a.points) == ("2", ["security"], 2)
    assert (b.domain, b.tags, b.points) == ("2", ["other"], 3)


def test_all_nine_types_load(write: Write) -> None:
    path = write(
        "types.yaml",
        """
        questions:
          - {id: t1, stem: "s?", choices: [{text: a, correct: true}, {text: b}]}
          - id: t2
            type: multiple_response
            stem: "m?"
            choices: [{text: a, correct: true}, {text: b, correct: true}, {text: c}]
          - {id: t3, type: true_false, stem: t, answer: false}
          - {id: t4, type: short_answer, stem: s, accept: [x, y], case_sensitive: true}
          - {id: t5, type: numerical, stem: n, answer: 2.5, tolerance: 0.1}
          - id: t6
            type: matching
            stem: m
            pairs: [{prompt: a, match: "1"}, {prompt: b, match: "2"}]
            distractors: ["3"]
          - {id: t7, type: ordering, stem: o, order: [a, b, c]}
          - {id: t8, type: essay, stem: e}
          - {id: t9, type: cloze, stem: "c [[1]] d", gaps: {1: {accept: [x]}}}
        """,
    )
    result = qbank.load(path)
    assert result.diagnostics == []
    assert [q.kind for q in result.bank] == [
        "single_choice",
        "multiple_response",
        "true_false",
        "short_answer",
        "numerical",
        "matching",
        "ordering",
        "essay",
        "cloze",
    ]


def test_blueprint_is_found_and_validated(write: Write) -> None:
    write("bank.yaml", GOOD)
    write(
        "blueprint.yaml",
        """
        blueprint:
          id: demo
          title: Demo
          domains:
            - {id: "1", title: One, weight: 60, objectives: [{id: "1.1", title: A}]}
            - {id: "2", title: Two, weight: 30}
        """,
    )
    result = qbank.load(write("bank.yaml", GOOD).parent)
    assert result.bank.blueprint is None
    assert [(d.line, d.col, d.code) for d in result.diagnostics] == [(4, 3, "QB013")]
    assert "sum to 90" in result.diagnostics[0].message


@pytest.mark.parametrize(("name", "size"), [("dva-c02", 52), ("statistics", 12)])
def test_example_bank_is_clean(name: str, size: int) -> None:
    from conftest import EXAMPLE_BANK

    result = qbank.check(EXAMPLE_BANK / name)
    assert result.bank.blueprint is not None
    assert len(result.bank) >= size
    assert not result.failed(strict=True), [d.location + " " + d.message for d in result.diagnostics]


def test_example_banks_check_together() -> None:
    from conftest import EXAMPLE_BANK

    result = qbank.check(EXAMPLE_BANK)
    assert not result.failed(), [d.location + " " + d.message for d in result.diagnostics]


def test_error_values_that_json_cannot_write_are_shown() -> None:
    from qbank.io.validation import _short

    assert _short({("a", "b"): "x"}) == "{('a', 'b'): 'x'}"


def test_circular_alias_is_a_located_error(write: Write) -> None:
    path = write(
        "alias.yaml",
        """
        questions:
          - id: q1
            stem: x?
            choices:
              - text: a
                correct: &x [*x]
              - text: b
        """,
    )
    [diag] = qbank.load(path).diagnostics
    assert (diag.line, diag.col, diag.code) == (6, 9, "QB012")  # a list where a value belongs: at its key
    assert "[[...]]" in diag.message


def test_aliases_that_multiply_are_reported_in_bounded_text(write: Write) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    lines += ["questions:", "  - id: q1", "    stem: x?", "    tags: *i", "    type: essay"]
    diags = qbank.load(write("laughs.yaml", "\n".join(lines) + "\n")).diagnostics
    assert [d.code for d in diags].count("QB010") == 9  # the nine anchors are unknown top-level keys
    tags = [d for d in diags if d.code == "QB012"]
    assert tags
    assert all(len(d.message) < 200 for d in tags)
