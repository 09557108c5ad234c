"""Data-driven rule tests: every ``cases/<CODE>.yaml`` holds passing and failing banks.

Case file format::

    cases:
      - name: what the case shows
        profile: aws                 # optional: default | aws | strict
        options: {ratio: 1.5}        # optional: options of the rule under test
        codes: [QB301, QB304]        # optional: codes to compare (default: the file's code)
        file: bank.json              # optional: file name (the suffix picks YAML or JSON)
        bank: |                      # the question file; expected positions are within this text
          questions:
            - id: q1
              ...
        generate:                    # optional: questions appended to `bank` (bank rules need 20+)
          count: 24
          keys: [0, 1, 2, 3]         # key position of question i is keys[i % len(keys)]
          key_suffix: " longer"      # optional: ${w0}..${w9} is this text at the key position, else ""
          template: |                # ${i} is the number, ${k0}..${k9} are true/false by key position
            - id: g${i}
              ...
        blueprint: |                 # optional: a blueprint file written next to the bank
          blueprint: ...
        expect:                      # every expected diagnostic; [] = passes
          - [5, 11, QB401]           # [line, col, CODE]
          - [blueprint.yaml, 4, 7, QB803]   # a finding in another file names it first
          - at: [6, 15, QB401]       # the same, with what the diagnostic must say
            severity: warning        # exact severity after the profile
            message: longest choice  # a substring of the message
        fixed: |                     # optional: the bank text after `qbank check --fix`
          questions: ...

Every failing case of a rule that offers fixes states ``fixed``; a case whose findings are not
fixable (or are suppressed) states the unchanged text.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from qbank.check import check
from qbank.core.config import Config, ConfigModel
from qbank.core.diagnostics import FORMAT_CODES
from qbank.lint.fixes import fix_files
from qbank.lint.rules import registry

CASES = Path(__file__).parent / "cases"


def load_case_file(path: Path) -> list[dict[str, Any]]:
    """The cases of one file."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    cases = data["cases"]
    assert isinstance(cases, list)
    return cases


def bank_text(case: dict[str, Any]) -> str:
    """The bank text of a case, with generated questions appended."""
    text: str = case["bank"]
    gen = case.get("generate")
    if gen:
        template = string.Template(gen["template"])
        keys: list[int] = gen.get("keys", [0])
        parts = [text]
        for i in range(gen["count"]):
            key = keys[i % len(keys)]
            values = {f"k{j}": "true" if j == key else "false" for j in range(10)}
            values.update({f"w{j}": gen.get("key_suffix", "") if j == key else "" for j in range(10)})
            parts.append(template.substitute(i=i, **values))
        text = "".join(parts)
    return text


def case_config(code: str, case: dict[str, Any]) -> Config:
    """The configuration a case runs with: its profile and the options of the rule under test."""
    return Config(
        ConfigModel(
            profile=case.get("profile", "default"),
            rules={code: case["options"]} if "options" in case else {},
        )
    )


def write_case(case: dict[str, Any], tmp_path: Path) -> Path:
    """Write the case's bank (and blueprint); return what to check: the bank file or the folder."""
    path = tmp_path / case.get("file", "bank.yaml")
    path.write_text(bank_text(case), encoding="utf-8")
    if "blueprint" in case:
        (tmp_path / "blueprint.yaml").write_text(case["blueprint"], encoding="utf-8")
        return tmp_path
    return path


def run_case(
    code: str, case: dict[str, Any], tmp_path: Path
) -> tuple[list[tuple[str, int, int, str]], list[Any]]:
    """Run ``check`` on the case's bank; return the (file, line, col, code) found and the diagnostics."""
    result = check(write_case(case, tmp_path), config=case_config(code, case))
    codes = set(case.get("codes", [code]))
    found = sorted((Path(d.path).name, d.line, d.col, d.code) for d in result.diagnostics if d.code in codes)
    return found, result.diagnostics


def expectation(entry: Any, bank_name: str) -> tuple[tuple[str, int, int, str], dict[str, str]]:
    """(file, line, col, code) of one ``expect`` entry and what its diagnostic must say."""
    claims: dict[str, str] = {}
    if isinstance(entry, dict):
        claims = {k: str(v) for k, v in entry.items() if k != "at"}
        assert set(claims) <= {"severity", "message"}, f"unknown keys in {entry}"
        entry = entry["at"]
    if len(entry) == 4:
        return (str(entry[0]), int(entry[1]), int(entry[2]), str(entry[3])), claims
    return (bank_name, int(entry[0]), int(entry[1]), str(entry[2])), claims


def _params() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("QB*.yaml")):
        for index, case in enumerate(load_case_file(path)):
            out.append(pytest.param(path.stem, case, id=f"{path.stem}-{index}-{case['name']}"))
    return out


@pytest.mark.parametrize(("code", "case"), _params())
def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    found, diagnostics = run_case(code, case, tmp_path)
    bank_name = case.get("file", "bank.yaml")
    if not case["expect"] and not registry()[code].enforced_by:
        # a passing case must reach the rule: a bank that does not load passes every rule
        unloaded = [d for d in diagnostics if d.code in FORMAT_CODES and d.severity == "error"]
        assert not unloaded, "the passing case does not load:\n" + "\n".join(d.message for d in unloaded)
    expected = [expectation(e, bank_name) for e in case["expect"]]
    shown = "\n".join(f"{d.location} {d.severity.value} {d.code} {d.message}" for d in diagnostics)
    assert found == sorted(where for where, _ in expected), shown
    for where, claims in expected:
        if not claims:
            continue
        matching = [d for d in diagnostics if (Path(d.path).name, d.line, d.col, d.code) == where]
        assert any(
            d.severity.value == claims.get("severity", d.severity.value)
            and claims.get("message", "") in d.message
            for d in matching
        ), f"no diagnostic at {where} says {claims}:\n{shown}"
    if "fixed" in case:
        target = write_case(case, tmp_path)
        results = fix_files([target], case_config(code, case))
        texts = {r.path.name: r.text for r in results if r.text is not None}
        assert texts.get(bank_name, bank_text(case)) == case["fixed"]
