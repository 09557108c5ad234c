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
        expect:                      # [line, col, CODE] of every expected diagnostic; [] = passes
          - [5, 11, QB401]
          - [blueprint.yaml, 4, 7, QB803]   # a finding in another file names it first
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from qbank.check import check
from qbank.core.config import Config, ConfigModel

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


def run_case(
    code: str, case: dict[str, Any], tmp_path: Path
) -> tuple[list[tuple[str, int, int, str]], list[Any]]:
    """Run ``check`` on the case's bank; return the (file, line, col, code) found and the diagnostics."""
    path = tmp_path / case.get("file", "bank.yaml")
    path.write_text(bank_text(case), encoding="utf-8")
    if "blueprint" in case:
        (tmp_path / "blueprint.yaml").write_text(case["blueprint"], encoding="utf-8")
    model = ConfigModel(
        profile=case.get("profile", "default"),
        rules={code: case["options"]} if "options" in case else {},
    )
    result = check(tmp_path if "blueprint" in case else path, config=Config(model))
    codes = set(case.get("codes", [code]))
    found = sorted((Path(d.path).name, d.line, d.col, d.code) for d in result.diagnostics if d.code in codes)
    return found, result.diagnostics


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
    expected = sorted(
        (str(e[0]), int(e[1]), int(e[2]), str(e[3]))
        if len(e) == 4
        else (bank_name, int(e[0]), int(e[1]), str(e[2]))
        for e in case["expect"]
    )
    assert found == expected, "\n".join(f"{d.location} {d.code} {d.message}" for d in diagnostics)
