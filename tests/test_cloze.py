"""Cloze questions in the format: gap markers, gap kinds, validation at the gap, points, layout."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import qbank
from qbank.core.model import Cloze, DropdownGap, NumberGap, TextGap, gap_refs, question_adapter
from qbank.io.fmt import format_text
from qbank.io.serialize import dump_questions

Write = Callable[..., Path]


def located(path: Path) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.code) for d in qbank.load(path).diagnostics]


def cloze(stem: str, gaps: dict[str, object], **extra: object) -> Cloze:
    question = question_adapter().validate_python(
        {"id": "c", "type": "cloze", "stem": stem, "gaps": gaps, **extra}
    )
    assert isinstance(question, Cloze)
    return question


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("a [[x]] b [[y-2]] c", ["x", "y-2"]),
        ("escaped \\[[x]] is text, [[y]] is a gap", ["y"]),
        ("an escaped backslash \\\\[[x]] leaves the gap", ["x"]),
        ("not names: [[a b]] [[-x]] [[]] [x] [[[1]]]", ["1"]),
        ('`code [[cmd]]` and\n```\n{"Effect": "[[effect]]"}\n```', ["cmd", "effect"]),
    ],
)
def test_gap_markers(text: str, names: list[str]) -> None:
    assert [r.name for r in gap_refs(text)] == names
    for ref in gap_refs(text):
        assert text[ref.start : ref.end] == f"[[{ref.name}]]"


def test_the_three_gap_kinds_and_their_defaults() -> None:
    q = cloze(
        "[[a]] [[n]] [[d]]",
        {
            "a": {"accept": ["SQS", "Amazon SQS"]},
            "n": {"answer": 30, "tolerance": 0.5, "points": 2},
            "d": {"options": [{"text": "Event", "correct": True}, {"text": "RequestResponse"}]},
        },
    )
    a, n, d = q.gaps["a"], q.gaps["n"], q.gaps["d"]
    assert isinstance(a, TextGap)
    assert (a.case_sensitive, a.points) == (False, 1)
    assert isinstance(n, NumberGap)
    assert (n.answer, n.tolerance, n.points) == (30, 0.5, 2)
    assert isinstance(d, DropdownGap)
    assert d.key == 0
    assert q.points == 4  # the sum of the gaps' points
    assert q.gap_order == ["a", "n", "d"]
    assert q.filled() == "SQS 30 Event"


def test_numbered_gaps_read_from_yaml(write: Write) -> None:
    path = write(
        "c.yaml",
        """
        questions:
          - id: c1
            type: cloze
            stem: "[[1]] and [[2]]"
            gaps:
              1: {accept: [a]}
              2: {answer: 2}
        """,
    )
    result = qbank.load(path)
    assert result.ok, result.diagnostics
    (q,) = result.bank.questions
    assert isinstance(q, Cloze)
    assert list(q.gaps) == ["1", "2"]


BAD = """
defaults:
  points: 3
questions:
  - id: c1
    type: cloze
    stem: |
      Hello [[a]] and [[b]].
    gaps:
      a: {accept: []}
      b:
        answer: 3
        tolerance: -1
  - id: c2
    type: cloze
    stem: |
      The [[x]] and [[y]] here,
      and [[x]] again.
    gaps:
      x: {accept: [a]}
      z: {answer: 1}
  - id: c3
    type: cloze
    stem: The [[d]] here.
    gaps:
      d:
        options:
          - {text: a, correct: true}
          - {text: b, correct: true}
  - id: c4
    type: cloze
    stem: The [[e]] here.
    gaps:
      e: {points: 2}
  - id: c5
    type: cloze
    stem: The [[x]] here.
    gaps:
      x: {accept: [a], options: [{text: a, correct: true}, {text: b}]}
  - id: c6
    type: cloze
    stem: The [[x]] here.
    gaps:
      x: {accept: [a, A]}
    points: 5
"""


def test_every_gap_problem_is_located_on_the_gap(write: Write) -> None:
    path = write("bad.yaml", BAD)
    assert located(path) == [
        (9, 11, "QB012"),  # empty accepted-answer list: at the list
        (12, 20, "QB012"),  # negative tolerance: at the value
        (16, 21, "QB109"),  # used in the text but not defined: at the marker
        (17, 11, "QB109"),  # used twice: at the second marker
        (20, 7, "QB109"),  # defined but not used: at its key
        (26, 9, "QB101"),  # a drop-down without exactly one correct option: at its options
        (33, 7, "QB011"),  # a gap of no kind
        (38, 11, "QB010"),  # a field of another kind
        (43, 23, "QB105"),  # repeated accepted answer
    ]


def test_json_positions(write: Write) -> None:
    doc = {
        "questions": [
            {"id": "j1", "type": "cloze", "stem": "One [[a]] two [[b]].", "gaps": {"a": {"accept": ["x"]}}}
        ]
    }
    path = write("c.json", json.dumps(doc, indent=2))
    (diag,) = qbank.load(path).diagnostics
    line = path.read_text().splitlines()[diag.line - 1]
    assert diag.code == "QB109"
    assert line[diag.col - 1 :].startswith("[[b]]")


def test_points_must_equal_the_sum_of_the_gaps(write: Write) -> None:
    path = write(
        "p.yaml",
        """
        questions:
          - {id: ok, type: cloze, stem: "[[a]] [[b]]", gaps: {a: {accept: [x]}, b: {answer: 1, points: 2}}, points: 3}
          - {id: bad, type: cloze, stem: "[[a]]", gaps: {a: {accept: [x]}}, points: 2}
        """,
    )
    diags = qbank.load(path).diagnostics
    assert [(d.line, d.code) for d in diags] == [(3, "QB012")]
    assert "sum of its gaps' points (1)" in diags[0].message


def test_default_points_of_a_file_do_not_apply_to_cloze(write: Write) -> None:
    path = write(
        "d.yaml",
        """
        defaults: {points: 3}
        questions:
          - {id: c, type: cloze, stem: "[[a]] [[b]]", gaps: {a: {accept: [x]}, b: {answer: 1}}}
          - {id: s, type: short_answer, stem: s, accept: [x]}
        """,
    )
    result = qbank.load(path)
    assert result.ok, result.diagnostics
    assert [q.points for q in result.bank] == [2, 3]


def test_written_back_and_formatted(write: Write) -> None:
    q = cloze(
        "Run `aws lambda invoke --invocation-type [[t]]` and expect [[s]].",
        {
            "t": {"options": [{"text": "Event", "correct": True, "feedback": "Queued."}, {"text": "DryRun"}]},
            "s": {"answer": 202.0, "points": 2.0, "feedback": "Accepted."},
        },
    )
    text = dump_questions([q])
    assert "points:" not in text.split("gaps:")[0]  # the question's points are the sum, never written
    assert "answer: 202\n" in text
    assert "points: 2\n" in text
    path = write("w.yaml", text)
    again = qbank.load(path)
    assert again.ok
    assert again.bank.questions == [q]
    assert format_text(text) == text  # already canonical


def test_fmt_orders_gap_keys(write: Write) -> None:
    text = """\
questions:
  - id: c
    gaps:
      d:
        feedback: Why.
        points: 2
        options:
          - correct: true
            text: a
          - text: b
    stem: The [[d]].
    type: cloze
"""
    out = format_text(text)
    assert out.index("type:") < out.index("stem:") < out.index("gaps:")
    gap = out[out.index("d:") :]
    assert gap.index("options:") < gap.index("points:") < gap.index("feedback:")
    assert gap.index("text: a") < gap.index("correct: true")


def test_readme_example_is_a_valid_cloze_question(write: Write) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("~~~yaml\n", 1)[1].split("~~~", 1)[0]
    path = write("readme.yaml", "questions:\n" + block)
    result = qbank.load(path)
    assert result.ok, result.diagnostics
    (q,) = result.bank.questions
    assert isinstance(q, Cloze)
    assert q.gap_order == ["effect", "action"]
    assert q.points == 2


def _visibility(qid: str, key: str, *, stem: str | None = None, seconds: int = 30) -> Cloze:
    return question_adapter().validate_python(
        {
            "id": qid,
            "type": "cloze",
            "objective": "A.1",
            "stem": stem
            or "Amazon SQS hides a received message for the [[hide]], by default [[secs]] seconds.",
            "gaps": {
                "hide": {
                    "options": [
                        {"text": "visibility timeout", "correct": key == "visibility timeout"},
                        {"text": "delivery delay", "correct": key == "delivery delay"},
                    ]
                },
                "secs": {"answer": seconds},
            },
        }
    )


def test_duplicates_compare_the_text_with_blank_gaps_and_the_gaps_keys() -> None:
    from qbank.analysis.dupes import find_duplicates

    same = find_duplicates([_visibility("a", "visibility timeout"), _visibility("b", "visibility timeout")])
    assert [c.kind for c in same.clusters] == ["exact"]
    option = find_duplicates([_visibility("a", "visibility timeout"), _visibility("b", "delivery delay")])
    assert [c.kind for c in option.clusters] == ["key-conflict"]
    number = find_duplicates(
        [_visibility("a", "visibility timeout"), _visibility("b", "visibility timeout", seconds=60)]
    )
    assert [c.kind for c in number.clusters] == ["key-conflict"]
    reworded = _visibility(
        "b",
        "visibility timeout",
        stem="After a consumer receives a message, Amazon SQS hides it for the [[hide]], by default [[secs]] seconds.",
    )
    assert [c.kind for c in find_duplicates([_visibility("a", "visibility timeout"), reworded]).clusters] == [
        "near"
    ]


def test_coverage_and_assembly_count_cloze_questions() -> None:
    from blueprint_helpers import make_blueprint

    from qbank.analysis.assemble import assemble
    from qbank.analysis.coverage import coverage
    from qbank.core.model import Bank

    blueprint = make_blueprint({"A": (100, ["A.1"])}, questions=2)
    bank = Bank(
        questions=[
            _visibility("a", "visibility timeout"),
            _visibility("b", "delivery delay", stem="Messages wait for the [[hide]] of [[secs]] seconds."),
        ],
        blueprint=blueprint,
    )
    report = coverage(bank)
    assert report.by_type == {"cloze": 2}
    result = assemble(bank, count=2, seed=1)
    assert result.ok
    assert sorted(q.id for q in result.forms[0].questions) == ["a", "b"]


def test_rendered_once_with_a_placeholder_per_gap() -> None:
    from lxml import html as lxml_html

    from qbank.core.cloze import fill_gaps, misplaced_gaps, place_gaps, render_cloze
    from qbank.core.model import Bank
    from qbank.exporters import EXPORTERS

    q = cloze(
        "Use **[[a]]** in `cmd [[b]]` and ![alt [[c]]](https://example.com/x.png).",
        {"a": {"accept": ["x"]}, "b": {"answer": 1}, "c": {"accept": ["y"]}},
    )
    text = render_cloze(q)
    assert text.names == ("a", "b", "c")
    assert fill_gaps(text.rendered.html, lambda i: f"<{text.names[i]}>") == (
        '<p>Use <strong><a></strong> in <code>cmd <b></code> and <img src="https://example.com/x.png" alt="alt ___">.</p>'
    )
    assert misplaced_gaps(text) == ["c"]
    holder = lxml_html.fragment_fromstring(text.rendered.html, create_parent="div")
    placed = place_gaps(holder, lambda i: lxml_html.Element("input", name=text.names[i]))
    # a gap inside an image's alt text cannot hold an input: it shows as a blank there
    assert placed == {0, 1}
    assert [i.get("name") for i in holder.iter("input")] == ["a", "b"]
    assert holder.find(".//img").get("alt") == "alt ___"
    out = EXPORTERS["qti21"].export(Bank(questions=[q]))
    assert [(d.code, "gap 'c'" in d.message) for d in out.diagnostics] == [("QB902", True)]


def test_a_cloze_template_computes_gap_answers_options_and_texts(write: Write) -> None:
    path = write(
        "t.yaml",
        """
        questions:
          - id: rcu
            type: cloze
            variables:
              items: {min: 1, max: 4}
              units: {expr: "items * 2"}
            variants: 3
            seed: 5
            stem: "{{ items }} strongly consistent reads of 8 KB per second need [[1]] RCUs, [[2]] reads."
            gaps:
              1:
                answer: "{{ units }}"
                feedback: "{{ items }} reads of two 4 KB units each."
              2:
                options:
                  - {text: strong, correct: "{{ items > 0 }}"}
                  - {text: "eventual ({{ items }})", correct: "{{ items < 0 }}"}
        """,
    )
    result = qbank.load(path)
    assert result.ok, result.diagnostics
    assert len(result.bank.questions) == 3
    for q in result.bank.questions:
        assert isinstance(q, Cloze)
        items = int(q.stem.split()[0])
        number, dropdown = q.gaps["1"], q.gaps["2"]
        assert isinstance(number, NumberGap)
        assert isinstance(dropdown, DropdownGap)
        assert number.answer == 2 * items
        assert number.feedback == f"{items} reads of two 4 KB units each."
        assert [o.text for o in dropdown.options] == ["strong", f"eventual ({items})"]
        assert dropdown.key == 0


def test_a_pool_gives_a_cloze_question_its_points_by_scaling_the_gaps(write: Write) -> None:
    from qbank.core.pools import pool_groups, with_pool_points

    path = write(
        "p.yaml",
        """
        pools:
          fill: {pick: 1, points: 2}
        questions:
          - {id: c, type: cloze, pool: fill, stem: "[[a]] [[b]]", gaps: {a: {accept: [x]}, b: {answer: 1, points: 3}}}
        """,
    )
    bank = qbank.load(path).bank
    (q,) = bank.questions
    repointed = with_pool_points(q, pool_groups(bank, bank.questions))
    assert isinstance(repointed, Cloze)
    assert repointed.points == 2
    assert [g.points for g in repointed.gaps.values()] == [0.5, 1.5]
