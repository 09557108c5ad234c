"""Coverage: placement on the blueprint, apportionment, the coverage report, QB801-QB803, the CLI."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from blueprint_helpers import bank_of, make_blueprint, mr, per_objective, sc, write_bank
from conftest import DATA, EXAMPLE_BANK
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from ruamel.yaml import YAML

import qbank
from qbank.analysis.coverage import Misplaced, Placement, apportion, coverage, locate, render_text
from qbank.cli import main
from qbank.core.config import Config, ConfigModel
from qbank.core.diagnostics import Severity
from qbank.lint.rules import DOC_SECTIONS, RuleContext, registry
from qbank.lint.rules.blueprint import CoverageGapOptions, WeightDriftOptions
from qbank.report.coverage_html import render_html

DVA = EXAMPLE_BANK / "dva-c02"

BP = make_blueprint({"A": (60, ["A.1", "A.2"]), "B": (40, ["B.1"])}, questions=10, minutes=20)


def fixture_questions() -> list[qbank.Question]:
    return [
        sc("a1-0", "A.1", difficulty="easy"),
        sc("a1-1", "A.1", difficulty="medium"),
        sc("a1-2", "A.1", difficulty="hard"),
        mr("a1-3", "A.1", difficulty="hard"),
        sc("a2-0", "A.2", difficulty="easy"),
        *(sc(f"b1-{i}", "B.1") for i in range(4)),
        sc("r-0", "A.2", status="retired"),
        sc("d-0", "B.1", status="draft"),
        sc("x-0", "Z.9"),
    ]


# ---------------------------------------------------------------------------------------------- locate


@pytest.mark.parametrize(
    ("domain", "objective", "expected"),
    [
        (None, "A.2", Placement("A", "A.2")),
        ("A", "A.1", Placement("A", "A.1")),
        (None, "Z.1", "objective"),
        ("B", "A.1", "domain"),
        ("Q", "A.1", "domain"),
        ("A", None, "domain"),
        ("Q", None, "domain"),
        (None, None, None),
    ],
)
def test_locate(domain: str | None, objective: str | None, expected: Placement | str | None) -> None:
    where = locate(sc("q", objective, domain=domain), BP)
    if isinstance(expected, Placement):
        assert where == expected
    else:
        assert isinstance(where, Misplaced)
        assert where.field == expected


def test_locate_domain_without_objectives() -> None:
    bp = make_blueprint({"A": (50, ["A.1"]), "B": (50, [])})
    assert locate(sc("q", domain="B"), bp) == Placement("B", None)
    assert isinstance(locate(sc("q", domain="A"), bp), Misplaced)


# ---------------------------------------------------------------------------------------------- apportion


def test_apportion_dva_c02_full_length_matches_the_derived_facts() -> None:
    loaded = qbank.load(DVA / "blueprint.yaml")
    blueprint = loaded.bank.blueprint
    assert blueprint is not None
    facts = YAML(typ="safe").load((DATA / "dva-c02.blueprint.yaml").read_text(encoding="utf-8"))
    expected = {str(k): v for k, v in facts["derived"]["full_length_items_by_domain"].items()}
    assert blueprint.exam is not None
    seats = apportion(blueprint.exam.questions, {d.id: d.weight for d in blueprint.domains})
    assert seats == expected
    assert list(seats.values()) == [21, 17, 15, 12]
    scored = {str(k): v for k, v in facts["derived"]["scored_items_by_domain"].items()}
    assert (
        apportion(facts["exam"]["questions"]["scored"], {d.id: d.weight for d in blueprint.domains}) == scored
    )


@given(
    total=st.integers(min_value=0, max_value=500),
    weights=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8),
)
def test_apportion_properties(total: int, weights: list[int]) -> None:
    keyed = {f"k{i}": float(w) for i, w in enumerate(weights)}
    seats = apportion(total, keyed)
    assert sum(seats.values()) == total
    whole = sum(weights) or len(weights)
    for i, w in enumerate(weights):
        quota = Fraction(total * (w if sum(weights) else 1), whole)
        assert abs(seats[f"k{i}"] - quota) < 1


def test_apportion_tie_goes_to_the_preferred_key() -> None:
    assert apportion(2, {"a": 1, "b": 1, "c": 1}, prefer={"a": 1, "b": 5, "c": 3}) == {"a": 0, "b": 1, "c": 1}
    assert apportion(1, {"a": 1, "b": 1}) == {"a": 1, "b": 0}
    with pytest.raises(ValueError, match="negative"):
        apportion(-1, {"a": 1})


# ---------------------------------------------------------------------------------------------- coverage


def test_coverage_numbers_on_a_fixture_bank() -> None:
    report = coverage(bank_of(fixture_questions(), BP), BP)
    assert report.total == 9
    assert report.length == 10
    assert report.excluded == {"draft": 1, "retired": 1}
    assert [u.question_id for u in report.unplaced] == ["x-0"]
    a, b = report.domains
    assert (a.count, b.count) == (5, 4)
    assert a.share == pytest.approx(500 / 9)
    assert a.drift == pytest.approx(500 / 9 - 60)
    assert (a.seats, b.seats) == (6, 4)
    assert a.by_type == {"single_choice": 4, "multiple_response": 1}
    assert a.by_difficulty == {"easy": 2, "medium": 1, "hard": 2}
    a1, a2 = a.objectives
    assert (a1.count, a1.seats, a1.forms, a1.needed) == (4, 3, 1, 0)
    assert (a2.count, a2.seats, a2.forms, a2.needed) == (1, 3, 0, 2)
    assert report.objective("B.1").forms == 1
    assert (report.full_forms, report.balanced_forms) == (0, 0)
    assert report.needed == 2
    assert a.needed == 1


def test_coverage_for_k_forms_and_drafts() -> None:
    bank = bank_of(fixture_questions(), BP)
    report = coverage(bank, forms=2)
    assert [o.needed for d in report.domains for o in d.objectives] == [2, 5, 4]
    assert report.needed == 11
    with_drafts = coverage(bank, forms=2, include_drafts=True)
    assert with_drafts.domain("B").count == 5
    assert with_drafts.excluded == {"retired": 1}


def test_full_forms_when_the_bank_is_large_enough() -> None:
    counts = {"A.1": 7, "A.2": 6, "B.1": 9}
    report = coverage(bank_of(per_objective(BP, counts), BP), BP, forms=3)
    # A: 13 // 6 = 2 forms, B: 9 // 4 = 2; objectives: A.1 7 // 3, A.2 6 // 3, B.1 9 // 4
    assert report.full_forms == 2
    assert report.balanced_forms == 2
    assert report.objective("A.1").needed == 2
    assert report.domain("B").needed == 3


def test_coverage_without_exam_length_and_with_a_domain_without_objectives() -> None:
    bp = make_blueprint({"A": (50, ["A.1"]), "B": (50, [])})
    bank = bank_of([sc("q1", "A.1"), sc("q2", domain="B"), sc("q3", domain="B")], bp)
    report = coverage(bank)
    assert report.length is None
    assert report.full_forms is None
    assert report.domain("B").count == 2
    assert report.domain("B").objectives[0].id is None
    sized = coverage(bank, length=4)
    assert (sized.domain("A").seats, sized.domain("B").seats) == (2, 2)
    assert sized.full_forms == 0
    assert sized.domain("B").forms == 1


def test_coverage_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="no blueprint"):
        coverage(bank_of([], None))
    with pytest.raises(ValueError, match="forms"):
        coverage(bank_of([], BP), forms=0)


def test_text_and_json_rendering() -> None:
    report = coverage(bank_of(fixture_questions(), BP), BP)
    text = render_text(report)
    assert "A.2" in text
    assert "Not placed: x-0" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["domains"][0]["objectives"][1]["needed"] == 2
    assert data["full_forms"] == 0


# ---------------------------------------------------------------------------------------------- HTML


def test_html_report_is_well_formed_self_contained_and_has_charts() -> None:
    report = coverage(bank_of([*fixture_questions(), sc("z", "A.1", stem="<b>&'\"")], BP), BP, forms=2)
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    root = etree.fromstring(page.split("\n", 1)[1].encode("utf-8"))  # well-formed XML
    svg = "{http://www.w3.org/2000/svg}svg"
    charts = root.findall(f".//{svg}")
    assert len(charts) == 2
    for element in root.iter():
        for attr in ("src", "href", "{http://www.w3.org/1999/xlink}href"):
            value = element.get(attr)
            assert value is None or not re.match(r"\s*(https?:)?//", value)
    assert root.find(".//script") is None
    assert root.find(".//link") is None
    assert "@import" not in page
    assert "url(" not in page
    doc = lxml_html.document_fromstring(page)  # and HTML parses it to the same structure
    assert len(doc.findall(".//table/tbody/tr")) == 5
    bars = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(bars) == 2 + 3  # a bar per domain and per objective


# ---------------------------------------------------------------------------------------------- rules


def _run(code: str, bank: qbank.Bank, options: object = None) -> list[tuple[str, str | None, Severity]]:
    rule = registry()[code]()
    ctx = RuleContext(bank) if options is None else RuleContext(bank, options=options)
    findings = list(rule.check_bank(bank, ctx))
    for question in bank.questions:
        findings.extend(rule.check_question(question, ctx))
    return [(f.message, f.question.id if f.question else None, f.severity or rule.severity) for f in findings]


def test_rules_are_registered_and_documented() -> None:
    rules = registry()
    for code, scope in (("QB801", "item"), ("QB802", "bank"), ("QB803", "bank")):
        rule = rules[code]
        assert rule.scope == scope
        doc = rule.__doc__ or ""
        for section in DOC_SECTIONS:
            assert re.search(rf"^\s*{section}\s*$", doc, re.M), f"{code} lacks {section}"


def test_qb801_unknown_or_missing_objective() -> None:
    questions = [
        sc("ok", "A.1"),
        sc("wrong-domain", "A.1", domain="B"),
        sc("unknown", "Z.1"),
        sc("nothing"),
        sc("retired", "Z.1", status="retired"),
    ]
    found = _run("QB801", bank_of(questions, BP))
    assert sorted(qid for _, qid, _ in found if qid) == ["nothing", "unknown", "wrong-domain"]
    assert _run("QB801", bank_of(questions, None)) == []


def test_qb802_coverage_gap() -> None:
    bank = bank_of([*per_objective(BP, {"A.1": 5, "A.2": 2})], BP)
    found = _run("QB802", bank)
    messages = [m for m, _, _ in found]
    assert any("objective A.2" in m for m in messages)
    assert not any("objective A.1" in m for m in messages)
    assert any("domain B" in m and sev == Severity.ERROR for m, _, sev in found)
    assert _run("QB802", bank, CoverageGapOptions(min_items_per_objective=2)) == [
        f for f in found if f[2] == Severity.ERROR
    ]
    assert CoverageGapOptions.model_validate({"min-items-per-objective": 3}).min_items_per_objective == 3


def test_qb803_weight_drift_and_full_form_quota() -> None:
    balanced = bank_of(per_objective(BP, {"A.1": 3, "A.2": 3, "B.1": 4}), BP)
    assert _run("QB803", balanced) == []
    skewed = bank_of(per_objective(BP, {"A.1": 3, "A.2": 3, "B.1": 1}), BP)
    messages = [m for m, _, _ in _run("QB803", skewed)]
    assert any("domain B" in m and "drift" in m for m in messages)
    assert any("domain B" in m and "needs 4" in m for m in messages)
    assert any("domain A" in m and "drift" in m for m in messages)
    loose = _run("QB803", skewed, WeightDriftOptions(max_drift_pp=50))
    assert all("drift" not in m for m, _, _ in loose)


def test_qb803_points_basis() -> None:
    questions = per_objective(BP, {"A.1": 3, "A.2": 3, "B.1": 4})
    heavy = [q.model_copy(update={"points": 5.0}) if q.objective == "B.1" else q for q in questions]
    bank = bank_of(heavy, BP)
    assert _run("QB803", bank) == []
    assert any("points" in m for m, _, _ in _run("QB803", bank, WeightDriftOptions(basis="points")))


# ---------------------------------------------------------------------------------------------- example bank


def test_example_bank_coverage() -> None:
    loaded = qbank.load(DVA)
    assert loaded.bank.blueprint is not None
    report = coverage(loaded.bank)
    assert report.length == 65
    assert [d.seats for d in report.domains] == [21, 17, 15, 12]
    assert sum(d.count for d in report.domains) == report.total
    assert report.total + len(report.unplaced) + sum(report.excluded.values()) == len(loaded.bank)
    assert not report.unplaced
    assert _run("QB801", loaded.bank) == []
    # every pool member counts once the forms asked for reach the pool's size
    every_member = coverage(loaded.bank, forms=10)
    assert report.full_forms == min(d.count // d.seats for d in every_member.domains)


def test_example_bank_supplies_two_balanced_forms_from_approved_questions() -> None:
    loaded = qbank.load(DVA)
    report = coverage(loaded.bank)
    # two pools of two questions, pick 1: one form counts one of each, two forms both
    assert report.total == 132
    assert report.excluded == {"review": 4, "pool": 2}
    assert coverage(loaded.bank, forms=2).total == 134
    assert report.full_forms == 2
    assert report.balanced_forms == 2
    assert coverage(loaded.bank, forms=2).needed == 0
    assert coverage(loaded.bank, forms=3).needed > 0
    with_review = coverage(loaded.bank, include_drafts=True)
    assert with_review.total == 136
    assert with_review.excluded == {"pool": 2}


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_coverage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_bank(tmp_path / "bank", BP, fixture_questions())
    assert main(["coverage", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "A.2" in out
    assert "need for 1" in out
    assert main(["coverage", str(folder), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 9
    # the bank cannot supply one full form: asking for it explicitly fails
    assert main(["coverage", str(folder), "--forms", "1"]) == 1
    html = tmp_path / "report.html"
    assert main(["coverage", str(folder), "--html", str(html)]) == 0
    assert "<svg" in html.read_text(encoding="utf-8")
    assert main(["coverage", str(folder), "--html", str(html)]) == 2
    assert main(["coverage", str(folder), "--html", str(html), "--force"]) == 0


def test_cli_coverage_enough_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_bank(tmp_path / "bank", BP, per_objective(BP, {"A.1": 6, "A.2": 6, "B.1": 8}))
    assert main(["coverage", str(folder), "--forms", "2"]) == 0
    assert main(["coverage", str(folder), "--forms", "3"]) == 1


def test_cli_coverage_needs_a_blueprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_bank(tmp_path / "bank", BP, fixture_questions())
    (folder / "blueprint.yaml").unlink()
    assert main(["coverage", str(folder)]) == 2
    assert "no blueprint" in capsys.readouterr().err
    other = write_bank(tmp_path / "elsewhere", BP, [])
    assert main(["coverage", str(folder), "--blueprint", str(other / "blueprint.yaml")]) == 0
    assert main(["coverage", str(folder), "--blueprint", str(tmp_path / "missing.yaml")]) == 2
    assert main(["coverage", str(tmp_path / "nowhere")]) == 2


def test_blueprint_rules_run_in_check_with_locations(tmp_path: Path) -> None:
    (tmp_path / "blueprint.yaml").write_text(
        "blueprint:\n"
        "  id: t\n"
        "  title: T\n"
        "  domains:\n"
        "    - id: A\n"
        "      title: Domain A\n"
        "      weight: 100\n"
        "      objectives:\n"
        "        - {id: A.1, title: One}\n"
        "        - {id: A.2, title: Two}\n",
        encoding="utf-8",
    )
    (tmp_path / "q.yaml").write_text(
        "questions:\n"
        "  - id: q1\n"
        "    objective: A.1\n"
        "    stem: Which storage class suits rarely read archives?\n"
        "    choices:\n"
        "      - {text: S3 Glacier Deep Archive, correct: true}\n"
        "      - {text: S3 Standard}\n"
        "  - id: q2\n"
        "    objective: B.7\n"
        "    stem: Which service rotates database credentials?\n"
        "    choices:\n"
        "      - {text: AWS Secrets Manager, correct: true}\n"
        "      - {text: Amazon S3}\n",
        encoding="utf-8",
    )
    result = qbank.check(tmp_path, config=Config(ConfigModel(select=["QB8"])))
    found = {(Path(d.path).name, d.line, d.col, d.code) for d in result.diagnostics}
    assert ("q.yaml", 9, 16, "QB801") in found
    assert ("blueprint.yaml", 9, 11, "QB802") in found  # objective A.1: 1 question
    assert ("blueprint.yaml", 10, 11, "QB802") in found  # objective A.2: none
