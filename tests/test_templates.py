"""Question templates: deterministic expansion, located problems, and pool declarations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import qbank
from qbank.core.model import Numerical, SingleChoice
from qbank.io.templates import MAX_DRAWS, _SplitMix64, default_seed

Write = Callable[..., Path]

RCU = """
questions:
  - id: rcu
    type: numerical
    variables:
      items: {min: 10, max: 100, step: 10}
      size: {min: 0.5, max: 8, step: 0.5}
      mode: {choice: [strongly consistent, eventually consistent]}
      units: {expr: "ceil(size / 4) * items * (1 if mode == 'strongly consistent' else 0.5)"}
    constraints:
      - units == int(units)
    variants: 6
    seed: 11
    stem: |
      An application reads {{ items }} items per second, each {{ size }} KB, with
      {{ mode }} reads. How many read capacity units does the table need?
    answer: "{{ units }}"
    explanation: Each read of up to 4 KB costs one unit ({{ fixed(units, 1) }} in all).
"""


def _codes(result: qbank.LoadResult) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.col, d.message) for d in result.diagnostics]


def test_a_template_expands_to_distinct_valid_variants_reproducibly(write: Write) -> None:
    path = write("t.yaml", RCU)
    first = qbank.load(path)
    assert first.ok, _codes(first)
    questions = first.bank.questions
    assert [q.id for q in questions] == [f"rcu.{n}" for n in range(1, 7)]
    assert all(isinstance(q, Numerical) for q in questions)
    assert len({q.stem for q in questions}) == 6
    for q in questions:
        assert isinstance(q, Numerical)
        values = dict(q.origin.variant.values)  # type: ignore[union-attr]
        expected = (
            -(-values["size"] // 4)
            * values["items"]
            * (1 if values["mode"] == "strongly consistent" else 0.5)
        )
        assert q.answer == expected
        assert f"{values['items']} items per second" in q.stem
        assert q.pool == "rcu"
        assert q.origin.index == 0  # type: ignore[union-attr]
    again = qbank.load(path)
    assert [(q.id, q.stem, q.answer) for q in again.bank.questions] == [  # type: ignore[attr-defined]
        (q.id, q.stem, q.answer)
        for q in questions  # type: ignore[attr-defined]
    ]
    assert first.bank.pools["rcu"].pick == 1


def test_another_seed_draws_other_variants(write: Write) -> None:
    one = qbank.load(write("a.yaml", RCU)).bank.questions
    other = qbank.load(write("b.yaml", RCU.replace("seed: 11", "seed: 12"))).bank.questions
    assert [q.stem for q in one] != [q.stem for q in other]


def test_the_generator_is_pinned_so_variants_never_change_across_versions() -> None:
    rng = _SplitMix64(0)
    assert [rng.next() for _ in range(3)] == [
        0xE220A8397B1DCDAF,
        0x6E789E6AA1B965F4,
        0x06C45D188009454F,
    ]
    assert default_seed("rcu") == default_seed("rcu") != default_seed("rcv")
    draws = _SplitMix64(5)
    assert all(0 <= draws.below(7) < 7 for _ in range(100))
    assert 0 <= _SplitMix64(9).below(10**30) < 10**30


def test_decimal_ranges_have_no_float_noise(write: Write) -> None:
    result = qbank.load(
        write(
            "d.yaml",
            """
            questions:
              - id: d
                type: numerical
                variables:
                  x: {min: 0.1, max: 0.9, step: 0.1}
                variants: 9
                stem: "What is {{ x }} times ten?"
                answer: "{{ x * 10 }}"
                tolerance: 0.001
            """,
        )
    )
    assert result.ok, _codes(result)
    stems = sorted(q.stem for q in result.bank.questions)
    assert stems == [f"What is 0.{n} times ten?" for n in range(1, 10)]


def test_computed_keys_validate_per_variant_and_report_at_the_template(write: Write) -> None:
    path = write(
        "k.yaml",
        """
        questions:
          - id: parity
            variables:
              n: {min: 1, max: 12}
            variants: 12
            stem: "Is {{ n }} even?"
            choices:
              - text: "yes"
                correct: "{{ n % 2 == 0 }}"
              - text: "no"
                correct: "{{ n % 3 == 0 }}"
        """,
    )
    result = qbank.load(path)
    problems = [d for d in result.diagnostics if d.code == "QB101"]
    assert len(problems) == 1, _codes(result)  # one finding however many variants share it
    diag = problems[0]
    assert (diag.line, diag.col) == (7, 5)  # the choices of the template
    assert "[variant " in diag.message
    assert "n=" in diag.message
    assert "other variant" in diag.message
    assert result.bank.questions == []  # a template with a broken variant yields nothing


def test_a_template_whose_keys_always_hold_yields_choice_questions(write: Write) -> None:
    result = qbank.load(
        write(
            "k.yaml",
            """
            questions:
              - id: parity
                variables:
                  n: {min: 1, max: 12}
                variants: 12
                stem: "Is {{ n }} even?"
                choices:
                  - {text: "yes", correct: "{{ n % 2 == 0 }}"}
                  - {text: "no", correct: "{{ n % 2 == 1 }}"}
            """,
        )
    )
    assert result.ok, _codes(result)
    assert all(isinstance(q, SingleChoice) and len(q.keys) == 1 for q in result.bank.questions)


@pytest.mark.parametrize(
    ("stem", "line", "col", "message"),
    [
        ("  stem: |\n      First line\n      uses {{ x.real }} here\n", 9, 17, "attribute access"),
        ("  stem: 'Value {{ y }}'\n", 7, 21, "unknown name 'y'"),
        ('  stem: "Value {{ 10 ** 10 ** 10 }}"\n', 7, 21, "too large"),
        ('  stem: "Value {{ x"\n', 7, 18, "not closed"),
        ("  stem: \"Value {{ open('f') }}\"\n", 7, 21, "unknown function 'open'"),
    ],
)
def test_expression_problems_are_located_inside_the_template(
    write: Write, stem: str, line: int, col: int, message: str
) -> None:
    text = (
        "questions:\n"
        "  - id: t\n"
        "    type: essay\n"
        "    variables:\n"
        "      x: {min: 1, max: 20}\n"
        "    variants: 3\n" + "  " + stem.replace("\n      ", "\n        ")
    )
    path = write("e.yaml", "")
    path.write_text(text)
    result = qbank.load(path)
    found = [(d.code, d.line, d.col) for d in result.diagnostics if message in d.message]
    assert found == [("QB015", line, col)], _codes(result)


def test_failing_values_are_named_in_the_message(write: Write) -> None:
    result = qbank.load(
        write(
            "z.yaml",
            """
            questions:
              - id: z
                type: numerical
                variables:
                  x: {min: 0, max: 3}
                variants: 4
                stem: "One over {{ x }}?"
                answer: "{{ 1 / x }}"
            """,
        )
    )
    [diag] = [d for d in result.diagnostics if d.code == "QB015"]
    assert "division by zero (with x=0)" in diag.message
    assert (diag.line, diag.col) == (8, 17)


def test_unsatisfiable_constraints_are_an_error(write: Write) -> None:
    result = qbank.load(
        write(
            "c.yaml",
            """
            questions:
              - id: c
                type: essay
                variables:
                  x: {min: 1, max: 100000}
                constraints: ["x < 0"]
                variants: 2
                stem: "{{ x }}"
            """,
        )
    )
    [diag] = [d for d in result.diagnostics if d.code == "QB015"]
    assert f"{MAX_DRAWS} draws" in diag.message
    assert (diag.line, diag.col) == (7, 5)


def test_too_few_combinations_is_an_exact_error(write: Write) -> None:
    result = qbank.load(
        write(
            "c.yaml",
            """
            questions:
              - id: c
                type: essay
                variables:
                  x: {min: 1, max: 4}
                constraints: ["x != 2"]
                variants: 4
                stem: "{{ x }}"
            """,
        )
    )
    [diag] = [d for d in result.diagnostics if d.code == "QB015"]
    assert "only 3 of the 4 combinations" in diag.message


def test_identical_variants_are_an_error(write: Write) -> None:
    result = qbank.load(
        write(
            "i.yaml",
            """
            questions:
              - id: i
                type: essay
                variables:
                  x: {min: 1, max: 5}
                  unused: {choice: [a, b]}
                variants: 6
                stem: "Explain {{ x }}."
            """,
        )
    )
    [diag] = [d for d in result.diagnostics if d.code == "QB015"]
    assert "are identical" in diag.message
    assert (diag.line, diag.col) == (4, 5)


def test_expressions_are_refused_outside_computed_fields(write: Write) -> None:
    result = qbank.load(
        write(
            "o.yaml",
            """
            questions:
              - id: o
                type: essay
                variables:
                  x: {min: 1, max: 20}
                variants: 2
                tags: ["{{ x }}"]
                stem: "{{ x }}"
            """,
        )
    )
    [diag] = [d for d in result.diagnostics if d.code == "QB015"]
    assert "not evaluated in `tags`" in diag.message
    assert (diag.line, diag.col) == (7, 13)


def test_template_fields_without_variables_are_unknown(write: Write) -> None:
    result = qbank.load(write("u.yaml", "questions:\n  - {id: u, type: essay, stem: s, variants: 3}\n"))
    assert [d.code for d in result.diagnostics] == ["QB010"]


def test_a_variant_id_that_clashes_is_a_duplicate_id(write: Write) -> None:
    result = qbank.load(
        write(
            "v.yaml",
            """
            questions:
              - {id: t.1, type: essay, stem: plain}
              - id: t
                type: essay
                variables: {x: {min: 1, max: 9}}
                variants: 2
                stem: "{{ x }}"
            """,
        )
    )
    assert [(d.code, d.line) for d in result.diagnostics] == [("QB804", 3)]


# ---------------------------------------------------------------------------------------------- pools

POOLED = """
pools:
  p: {pick: 2, points: 3}
questions:
  - {id: a, type: essay, stem: first, pool: p}
  - {id: b, type: essay, stem: second, pool: p}
  - {id: c, type: essay, stem: third, pool: p}
"""


def test_declared_pools_reach_the_bank(write: Write) -> None:
    result = qbank.load(write("p.yaml", POOLED))
    assert result.ok, _codes(result)
    assert result.bank.pools["p"].pick == 2
    assert [q.pool for q in result.bank] == ["p", "p", "p"]


def test_defaults_can_put_a_whole_file_in_a_pool(write: Write) -> None:
    text = POOLED.replace("questions:", "defaults: {pool: p}\nquestions:").replace(", pool: p}", "}")
    result = qbank.load(write("p.yaml", text))
    assert result.ok, _codes(result)
    assert [q.pool for q in result.bank] == ["p", "p", "p"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (POOLED.replace("pool: p}", "pool: q}", 1), (4, 45), "pool 'q' is not declared"),
        (POOLED.replace("pick: 2", "pick: 4"), (2, 13), "picks 4 but holds 3 questions"),
        (
            POOLED.replace(", points: 3", "").replace("stem: first,", "stem: first, points: 2,"),
            (2, 3),
            "worth 1, 2 points",
        ),
    ],
)
def test_pool_problems_are_located(write: Write, text: str, where: tuple[int, int], message: str) -> None:
    result = qbank.load(write("p.yaml", text))
    found = [(d.line, d.col) for d in result.diagnostics if d.code == "QB016" and message in d.message]
    assert found == [where], _codes(result)


def test_a_pool_declared_twice_is_reported_at_the_second_declaration(write: Write) -> None:
    write("bank/a.yaml", POOLED)
    write("bank/b.yaml", "pools:\n  p: {pick: 1}\nquestions: []\n")
    result = qbank.load(write("bank/a.yaml", POOLED).parent)
    [diag] = [d for d in result.diagnostics if d.code == "QB016"]
    assert diag.path.endswith("b.yaml")
    assert (diag.line, diag.col) == (2, 3)
    assert "already declared at" in diag.message


def test_an_unused_pool_is_a_warning(write: Write) -> None:
    result = qbank.load(write("p.yaml", "pools:\n  lonely: {pick: 1}\nquestions: []\n"))
    [diag] = [d for d in result.diagnostics if d.code == "QB016"]
    assert diag.severity == "warning"
    assert result.ok


def test_a_template_can_join_a_declared_pool(write: Write) -> None:
    text = POOLED + (
        "  - id: t\n"
        "    type: essay\n"
        "    pool: p\n"
        "    variables: {x: {min: 1, max: 9}}\n"
        "    variants: 3\n"
        '    stem: "Explain {{ x }}."\n'
    )
    result = qbank.load(write("p.yaml", text))
    assert result.ok, _codes(result)
    assert set(result.bank.pools) == {"p"}
    assert sum(q.pool == "p" for q in result.bank) == 6


def test_fmt_keeps_a_template_as_written(write: Write) -> None:
    from qbank.io.fmt import format_text

    text = (
        "pools:\n"
        "  capacity: {pick: 2, points: 2}\n"
        "questions:\n"
        "  - id: rcu\n"
        "    type: numerical\n"
        "    pool: capacity\n"
        "    variables:\n"
        "      items: {min: 10, max: 100, step: 10}\n"
        "      mode: {choice: [strongly consistent, eventually consistent]}\n"
        "      units: {expr: 'max(items, 20) * (1 if mode == \"strongly consistent\" else 0.5)'}\n"
        "    constraints:\n"
        "      - units == int(units)\n"
        "    variants: 5\n"
        "    stem: |\n"
        "      An application reads {{ items }} items per second with\n"
        "      {{ mode }} reads. How many read capacity units does the table need?\n"
        '    answer: "{{ units }}"\n'
        "  - {id: other, type: essay, stem: Explain it., pool: capacity}\n"
        "  - {id: third, type: essay, stem: Explain that., pool: capacity}\n"
    )
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    head = formatted.split("  - id: other")[0]
    assert head == text.split("  - {id: other")[0]  # the template's lines are unchanged
    before = qbank.load(write("a.yaml", text))
    after = qbank.load(write("b.yaml", formatted))
    assert before.ok, _codes(before)
    assert [q.model_dump() for q in before.bank] == [q.model_dump() for q in after.bank]


# ---------------------------------------------------------------------------------------------- qbank expand


def test_expand_writes_variants_that_load_as_the_same_bank(write: Write, tmp_path: Path) -> None:
    from qbank.cli.app import main

    source = write(
        "bank/sub/t.yaml", RCU + POOLED.replace("pools:\n  p: {pick: 2, points: 3}\nquestions:\n", "")
    )
    write("bank/pools.json", '{"pools": {"p": {"pick": 2, "points": 3}}, "questions": []}')
    out = tmp_path / "out"
    assert main(["expand", str(source.parent.parent), "-o", str(out)]) == 0
    written = out / "sub" / "t.yaml"
    text = written.read_text()
    assert "{{" not in text
    assert "variables" not in text
    original = qbank.load(source.parent.parent)
    expanded = qbank.load(out)
    assert expanded.ok, _codes(expanded)
    assert [q.model_dump() for q in expanded.bank] == [q.model_dump() for q in original.bank]
    assert expanded.bank.pools == original.bank.pools
    # the same bank expands to the same bytes; an existing output needs --force
    assert main(["expand", str(source.parent.parent), "-o", str(out)]) == 2
    assert main(["expand", str(source.parent.parent), "-o", str(out), "--force"]) == 0
    assert written.read_text() == text


def test_expand_writes_nothing_when_a_template_is_broken(write: Write, tmp_path: Path) -> None:
    from qbank.cli.app import main

    source = write("t.yaml", RCU.replace("{{ units }}", "{{ units / 0 }}"))
    out = tmp_path / "out"
    assert main(["expand", str(source), "-o", str(out)]) == 1
    assert not out.exists()


# ---------------------------------------------------------------------------------------------- example


def test_the_template_example_bank_is_clean_and_schema_valid() -> None:
    import json

    import jsonschema
    from conftest import REPO
    from ruamel.yaml import YAML

    folder = REPO / "examples" / "templates"
    checked = qbank.check(folder)
    assert not checked.failed(strict=True), [f"{d.location} {d.message}" for d in checked.diagnostics]
    bank = checked.bank
    templates = {q.origin.variant.template for q in bank if q.origin and q.origin.variant}  # type: ignore[union-attr]
    assert len(templates) == 4
    assert len(bank) == 42
    assert bank.pools["dynamodb-capacity"].pick == 2
    schema = json.loads((REPO / "schemas" / "question.schema.json").read_text())
    for path in folder.glob("*.yaml"):
        errors = list(
            jsonschema.Draft202012Validator(schema).iter_errors(YAML(typ="safe").load(path.read_text()))
        )
        assert errors == [], errors[0].message


def test_an_unquoted_expression_value_gets_a_hint(write: Write) -> None:
    result = qbank.load(
        write(
            "u.yaml",
            """
            questions:
              - id: t
                type: numerical
                variables: {x: {min: 1, max: 20}}
                stem: "Value {{ x }}"
                answer: {{ x }}
            """,
        )
    )
    [diag] = result.diagnostics
    assert diag.code == "QB003"
    assert diag.line == 6
    assert "must be quoted" in diag.message
