"""Every registered rule is documented (four sections) and has passing and failing test cases."""

from __future__ import annotations

import inspect
import re

import pytest

from qbank.lint.fixes import FIXABLE
from qbank.lint.rules import DOC_SECTIONS, registry
from qbank.lint.rules.text import RuleOptions

from .test_cases import CASES, load_case_file


@pytest.mark.parametrize("code", sorted(registry()))
def test_rule_has_documentation(code: str) -> None:
    rule = registry()[code]
    doc = inspect.cleandoc(rule.__doc__ or "")
    headings = [line for line in doc.splitlines() if line and not line[0].isspace()]
    for section in DOC_SECTIONS:
        assert section in headings, f"{code}: docstring lacks the section {section!r}"
        body = doc.split(f"\n{section}\n", 1)[1].split("\n\n")[0].strip()
        assert body, f"{code}: section {section!r} is empty"
    assert [h for h in headings if h in DOC_SECTIONS] == list(DOC_SECTIONS), f"{code}: sections out of order"
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.name), f"{code}: name is not kebab-case"
    assert rule.summary()
    assert rule.summary() != rule.name


@pytest.mark.parametrize("code", sorted(registry()))
def test_rule_has_cases(code: str) -> None:
    path = CASES / f"{code}.yaml"
    assert path.is_file(), f"{code}: no case file {path.name}"
    cases = load_case_file(path)
    assert any(not c["expect"] for c in cases), f"{code}: no passing case"
    assert any(c["expect"] for c in cases), f"{code}: no failing case"


@pytest.mark.parametrize("code", FIXABLE)
def test_fixable_rule_cases_state_the_fixed_text(code: str) -> None:
    cases = load_case_file(CASES / f"{code}.yaml")
    missing = [c["name"] for c in cases if c["expect"] and "fixed" not in c]
    assert not missing, f"{code}: failing cases without `fixed`: {missing}"


@pytest.mark.parametrize("code", sorted(registry()))
def test_options_are_kebab_case(code: str) -> None:
    options = registry()[code].Options
    if options.model_fields:
        assert issubclass(options, RuleOptions), f"{code}: options must derive from RuleOptions"
