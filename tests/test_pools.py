"""Templates and pools in the analyses: duplicates, coverage and assembly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import qbank
from qbank.analysis.dupes import find_duplicates

Write = Callable[..., Path]

BLUEPRINT = """
blueprint:
  id: bp
  title: Test blueprint
  exam: {questions: 4}
  domains:
    - id: "1"
      title: One
      weight: 100
      objectives:
        - {id: "1.1", title: Storage}
"""

SIBLINGS = """
questions:
  - id: storage
    objective: "1.1"
    variables:
      kind: {choice: [large, big, huge, massive, enormous, giant]}
    variants: 6
    stem: Which AWS service stores {{ kind }} binary objects durably for a web application?
    explanation: Amazon S3 keeps {{ kind }} objects durably; block and file storage attach to compute.
    choices:
      - {text: Amazon S3, correct: true}
      - {text: Amazon EBS}
      - {text: Amazon EFS}
      - {text: AWS Storage Gateway}
  - {id: plain-1, objective: "1.1", stem: 'Which service runs containers without servers?', choices: [{text: AWS Fargate, correct: true}, {text: Amazon EC2}, {text: Amazon EMR}]}
  - {id: plain-2, objective: "1.1", stem: 'Which service queues messages between services?', choices: [{text: Amazon SQS, correct: true}, {text: Amazon SNS}, {text: Amazon MQ}]}
  - {id: plain-3, objective: "1.1", stem: 'Which service stores secrets with rotation?', choices: [{text: AWS Secrets Manager, correct: true}, {text: AWS KMS}, {text: AWS IAM}]}
"""


def _bank(write: Write, text: str = SIBLINGS) -> qbank.Bank:
    write("bank/blueprint.yaml", BLUEPRINT)
    result = qbank.load(write("bank/q.yaml", text).parent)
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    return result.bank


# the variable only changes the explanation: the variants are the same item to a learner
SAME_STEM = SIBLINGS.replace("stores {{ kind }} binary", "stores large binary")


def test_variants_of_one_template_are_never_duplicates_of_each_other(write: Write) -> None:
    bank = _bank(write, SAME_STEM)
    assert find_duplicates(bank).pairs == []
    # the same questions without their template are exact duplicates
    loose = [q.model_copy() for q in bank.questions]
    for question in loose:
        question._origin = None
    assert sum(p.kind == "exact" for p in find_duplicates(loose).pairs) == 5


def test_a_variant_still_duplicates_a_question_outside_its_template(write: Write) -> None:
    copy = (
        "  - {id: copy, objective: '1.1', stem: 'Which AWS service stores large binary objects durably for a web "
        "application?', choices: [{text: Amazon S3, correct: true}, {text: Amazon EBS}, {text: Amazon EFS}, "
        "{text: AWS Storage Gateway}]}\n"
    )
    bank = _bank(write, SAME_STEM + copy)
    pairs = find_duplicates(bank).pairs
    assert pairs
    assert all("copy" in (p.a, p.b) for p in pairs)


def test_check_reports_no_duplicate_findings_among_siblings(write: Write) -> None:
    bank_dir = _bank(write, SAME_STEM).files[0].path.parent
    checked = qbank.check(bank_dir)
    assert not [d for d in checked.diagnostics if d.code in ("QB704", "QB705")]


def test_coverage_counts_a_pool_as_the_questions_it_yields(write: Write) -> None:
    report = qbank.coverage(_bank(write))
    assert report.total == 4  # one variant of the template, three plain questions
    assert report.excluded == {"pool": 5}
    assert report.objective("1.1").count == 4
    from qbank.analysis.coverage import render_text

    assert "Not counted: 5 beyond their pool's pick" in render_text(report)


def test_coverage_counts_pick_questions_of_a_declared_pool(write: Write) -> None:
    text = "pools:\n  storage: {pick: 2}\n" + SIBLINGS.replace(
        "    variants: 6\n", "    variants: 6\n    pool: storage\n"
    )
    report = qbank.coverage(_bank(write, text))
    assert report.total == 5
    assert report.excluded == {"pool": 4}


def test_coverage_counts_a_pool_once_per_form_asked_for(write: Write) -> None:
    bank = _bank(write)
    two = qbank.coverage(bank, forms=2)
    assert two.total == 5  # two variants, one for each disjoint form, and three plain questions
    assert two.excluded == {"pool": 4}
    assert qbank.coverage(bank, forms=6).excluded == {}


def test_full_forms_count_a_pools_pick_on_every_form(write: Write) -> None:
    # two-question forms: three plain questions plus one variant per form; the k-th form uses the
    # k-th variant, so three forms fit (3 + 3 >= 6) and a fourth does not (3 + 4 < 8)
    write("bank/blueprint.yaml", BLUEPRINT.replace("questions: 4", "questions: 2"))
    bank = qbank.load(write("bank/q.yaml", SIBLINGS).parent).bank
    report = qbank.coverage(bank)
    assert report.total == 4
    assert report.full_forms == 3
    assert report.domains[0].forms == 3
    assert report.domains[0].objectives[0].forms == 3
    result = qbank.assemble(bank, count=2, forms=3, seed=5)
    assert result.ok
    drawn = [q.id for form in result.forms for q in form.questions]
    assert len(drawn) == len(set(drawn)) == 6  # three forms that share no question


def test_assembly_puts_at_most_pick_questions_of_a_pool_on_a_form(write: Write) -> None:
    bank = _bank(write)
    for seed in range(20):
        result = qbank.assemble(bank, count=4, seed=seed)
        assert result.ok
        pools = Counter(q.pool for q in result.forms[0].questions if q.pool)
        assert pools == {"storage": 1}
    short = qbank.assemble(bank, count=5, seed=1)
    assert not short.ok
    assert "4 eligible (5 more beyond their pool's pick)" in str(short.shortfalls[0])


def test_assembly_draws_up_to_pick_from_a_declared_pool(write: Write) -> None:
    text = "pools:\n  storage: {pick: 2}\n" + SIBLINGS.replace(
        "    variants: 6\n", "    variants: 6\n    pool: storage\n"
    )
    result = qbank.assemble(_bank(write, text), count=5, seed=3)
    assert result.ok
    assert Counter(q.pool for q in result.forms[0].questions if q.pool) == {"storage": 2}


def test_a_written_form_drops_pools(write: Write) -> None:
    from qbank.io.serialize import dump_questions

    result = qbank.assemble(_bank(write), count=4, seed=2)
    text = dump_questions(result.forms[0].questions, form=result.forms[0].form)
    assert "pool:" not in text
    reread = qbank.load(write("form.yaml", text))
    assert reread.ok, [(d.code, d.message) for d in reread.diagnostics]


# ---------------------------------------------------------------------------------------------- exports


def _effective(bank: qbank.Bank) -> dict[str, tuple[int, float, str | None]]:
    """Each pool as a test sees it: pick, points of a drawn question, title."""
    out = {}
    for name, pool in bank.pools.items():
        members = [q for q in bank if q.pool == name]
        out[name] = (pool.pick, pool.points if pool.points is not None else members[0].points, pool.title)
    return out


def test_json_carries_pools_and_variants_and_imports_them_back(write: Write, tmp_path: Path) -> None:
    import json

    import jsonschema
    from conftest import REPO

    text = "pools:\n  storage: {pick: 2, title: Storage}\n" + SIBLINGS.replace(
        "    variants: 6\n", "    variants: 6\n    pool: storage\n"
    )
    bank = _bank(write, text)
    out = tmp_path / "bank.json"
    qbank.export(bank, "json", out)
    document = json.loads(out.read_text())
    schema = json.loads((REPO / "schemas" / "export.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    [pool] = document["pools"]
    assert pool["name"] == "storage"
    assert pool["pick"] == 2
    assert pool["template"] == "storage"
    assert pool["questions"] == [f"storage.{n}" for n in range(1, 7)]
    first = document["questions"][0]
    assert first["pool"] == "storage"
    assert first["variant"]["template"] == "storage"
    assert set(first["variant"]["values"]) == {"kind"}
    assert "pool" not in document["questions"][-1]  # omitted when unset: old documents are unchanged

    imported = qbank.import_bank([out], "json")
    from qbank.importers import write_import

    write_import(imported, tmp_path / "back")
    back = qbank.load(tmp_path / "back")
    assert back.ok, [(d.code, d.message) for d in back.diagnostics]
    assert [(q.id, q.pool) for q in back.bank] == [(q.id, q.pool) for q in bank]
    assert _effective(back.bank) == _effective(bank)


def test_moodle_writes_a_category_per_pool_and_says_it_cannot_draw(write: Write, tmp_path: Path) -> None:
    text = "pools:\n  storage: {pick: 2, points: 4, title: Storage}\n" + SIBLINGS.replace(
        "    variants: 6\n", "    variants: 6\n    pool: storage\n"
    )
    bank = _bank(write, text)
    result = qbank.export(bank, "moodle", tmp_path / "bank.xml")
    xml = (tmp_path / "bank.xml").read_text()
    assert "$course$/top/Test blueprint/1 One/1.1 Storage/Pool: Storage</text>" in xml
    assert xml.count("<defaultgrade>4.0000000</defaultgrade>") == 6  # the pool's points
    [note] = [d for d in result.diagnostics if d.code == "QB902" and "random question" in d.message]
    assert note.severity == "info"
    assert "drawing 2" in note.message
