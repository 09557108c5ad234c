"""What the README says about the example bank, the rules and the commands, checked against them.

When one of these fails, the README and the thing it describes have drifted apart: update the
README's number or command to the new truth (the failure message says where).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import EXAMPLE_BANK, REPO
from ruamel.yaml import YAML

import qbank
from qbank.analysis.coverage import apportion, coverage
from qbank.lint.rules import registry

README = (REPO / "README.md").read_text(encoding="utf-8")
DVA = EXAMPLE_BANK / "dva-c02"


def claim(pattern: str) -> re.Match[str]:
    found = re.search(pattern, README)
    assert found, f"README.md no longer says {pattern!r}: update this test with the README"
    return found


def test_example_bank_size_and_objectives() -> None:
    said = claim(r"the exam blueprint and (\d+) questions covering all (\d+) objectives")
    bank = qbank.load(DVA).bank
    assert bank.blueprint is not None
    objectives = [o.id for _, o in bank.blueprint.objectives()]
    covered = {q.objective for q in bank}
    assert int(said.group(1)) == len(bank), (
        f"README.md says the example bank has {said.group(1)} questions; it has {len(bank)}"
    )
    assert int(said.group(2)) == len(objectives), (
        f"README.md says {said.group(2)} objectives; the blueprint has {len(objectives)}"
    )
    assert set(objectives) <= covered, f"objectives without a question: {sorted(set(objectives) - covered)}"


def test_example_bank_statuses_and_forms() -> None:
    said = claim(
        r"(\d+) are `approved` \(enough for (\w+) full-length (\d+)-question forms that share no question, "
        r"every\s+objective at its share: `qbank assemble questions/\S* -n (\d+) --forms (\d+)`\); (\d+) are "
        r"still in `review`"
    )
    approved, forms_word, length, count, forms, review = said.groups()
    bank = qbank.load(DVA).bank
    assert bank.blueprint is not None
    assert bank.blueprint.exam is not None
    statuses = Counter(q.status for q in bank)
    assert int(approved) == statuses["approved"], f"README.md: {approved} approved; the bank has {statuses}"
    assert int(review) == statuses["review"], f"README.md: {review} in review; the bank has {statuses}"
    assert {"one": 1, "two": 2, "three": 3, "four": 4}[forms_word] == int(forms)
    assert int(length) == int(count) == bank.blueprint.exam.questions
    report = coverage(bank, forms=int(forms))
    assert report.balanced_forms is not None
    assert report.balanced_forms >= int(forms), "the README promises forms the bank cannot supply"


def test_template_examples() -> None:
    said = claim(
        r"\[`examples/templates/`\]\(examples/templates\) holds question templates[\s\S]*?expand into (\d+) variants, and a pool"
    )
    bank = qbank.load(REPO / "examples" / "templates").bank
    variants = [q for q in bank if q.origin is not None and q.origin.variant is not None]
    assert int(said.group(1)) == len(variants) == len(bank)
    declared = {name for name, pool in bank.pools.items() if pool.title is not None}
    assert declared


def test_statistics_bank() -> None:
    said = claim(
        r"\[`questions/statistics/`\]\(questions/statistics\) \((\d+) original introductory\s+statistics "
        r"questions, (\w+) of them templates that expand into (\d+) variants"
    )
    written, templates, variants = said.groups()
    bank = qbank.load(EXAMPLE_BANK / "statistics").bank
    expanded = [q for q in bank if q.origin is not None and q.origin.variant is not None]
    made = {q.origin.variant.template for q in expanded if q.origin is not None and q.origin.variant}
    assert int(written) == len(bank) - len(expanded) + len(made)
    assert {"one": 1, "two": 2, "three": 3}[templates] == len(made)
    assert int(variants) == len(expanded)


def test_full_length_split() -> None:
    said = claim(r"DVA-C02 at (\d+)\s+questions: (\d+(?:/\d+)+)")
    bank = qbank.load(DVA).bank
    assert bank.blueprint is not None
    assert bank.blueprint.exam is not None
    assert int(said.group(1)) == bank.blueprint.exam.questions
    seats = apportion(bank.blueprint.exam.questions, {d.id: d.weight for d in bank.blueprint.domains})
    assert said.group(2) == "/".join(str(n) for n in seats.values())


def test_rule_count() -> None:
    said = claim(r"(\d+) rules in families")
    assert int(said.group(1)) == len(registry()), (
        f"README.md says the lint catalogue has {said.group(1)} rules; it has {len(registry())}"
    )


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"Run the test suite.*?```sh\n(.*?)\n```", README, flags=re.S)
    assert len(blocks) == 1
    (command,) = blocks
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci.count(command) == 1, f".ci/run must run the README's test command exactly: {command}"
    assert ci[-1] == command, "the README's test command is the last step of .ci/run"


def test_quick_start_checks_the_example_bank() -> None:
    assert "python3 -m pip install -e . && python3 -m qbank check questions/" in README
    assert EXAMPLE_BANK.is_dir()


def _yaml_blocks() -> list[str]:
    """The README's YAML examples of question and blueprint files (``...`` marks a fragment)."""
    return [
        block
        for block in re.findall(r"^```yaml\n(.*?)^```$", README, flags=re.M | re.S)
        if re.search(r"^(questions|blueprint):", block, flags=re.M) and "..." not in block
    ]


@pytest.mark.parametrize("index", range(len(_yaml_blocks())))
def test_yaml_examples_load_clean(index: int, tmp_path: Path) -> None:
    text = _yaml_blocks()[index]
    assert isinstance(YAML(typ="safe").load(text), dict)
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    assert qbank.load(path).diagnostics == []
