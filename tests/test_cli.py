"""The command line, run in-process: exit codes, formats, config, output files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from qbank import __version__
from qbank.cli import main

Write = Callable[..., Path]

GOOD = """
    questions:
      - id: q1
        stem: Which service stores objects?
        choices:
          - {text: Amazon S3, correct: true}
          - {text: Amazon EBS}
"""
BAD = """
    questions:
      - id: q1
        stem: Which service stores objects?
        choises: []
        choices:
          - {text: Amazon S3, correct: true}
          - {text: Amazon EBS}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert __version__ in out


def test_clean_bank_exits_0(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", GOOD)
    code, out, _ = run(capsys, "validate", str(path), "--format", "text")
    assert code == 0
    assert out.strip().endswith("(1 file, 1 questions)")


def test_errors_exit_1_with_location(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", BAD)
    code, out, _ = run(capsys, "check", str(path), "--format", "text")
    assert code == 1
    assert f"{path}:4:5: error QB010 unknown field 'choises'" in out


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(tmp_path / "nope"), "--format", "text")
    assert code == 2
    assert "QB001" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--format", "yaml", ".")
    assert code == 2
    assert "Invalid value" in err
    assert run(capsys, "frobnicate")[0] == 2


def test_strict_fails_on_warnings(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("empty.yaml", "")
    assert run(capsys, "validate", str(path))[0] == 0
    assert run(capsys, "validate", str(path), "--strict")[0] == 1


def test_json_format(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", BAD)
    code, out, _ = run(capsys, "validate", str(path), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["summary"]["errors"] == 1
    (diag,) = doc["diagnostics"]
    assert (diag["line"], diag["col"], diag["code"], diag["question_id"]) == (4, 5, "QB010", "q1")
    assert diag["name"] == "unknown-field"


def test_github_format(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", BAD)
    _, out, _ = run(capsys, "validate", str(path), "--format", "github")
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={path},line=4,col=5,title=QB010 unknown-field::")


def test_auto_format_under_github_actions(
    write: Write, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("a.yaml", BAD)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = run(capsys, "validate", str(path))
    assert out.startswith("::error ")
    monkeypatch.delenv("GITHUB_ACTIONS")
    _, out, _ = run(capsys, "validate", str(path))
    assert out.startswith(str(path))


def test_sarif_format(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", BAD)
    _, out, _ = run(capsys, "validate", str(path), "--format", "sarif")
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    assert run_["tool"]["driver"]["rules"][0]["id"] == "QB010"
    result = run_["results"][0]
    assert result["ruleId"] == "QB010"
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (4, 5)


def test_junit_format(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write("a.yaml", BAD)
    write("b.yaml", GOOD.replace("q1", "q2"))
    _, out, _ = run(capsys, "validate", str(bad.parent), "--format", "junit")
    root = etree.fromstring(out.encode())
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("type") == "QB010"


def test_output_file_and_quiet(write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", BAD)
    report = tmp_path / "out" / "report.json"
    code, out, err = run(capsys, "check", str(path), "--format", "json", "--output", str(report))
    assert code == 1
    assert out == ""
    assert "1 error" in err
    assert json.loads(report.read_text())["summary"]["errors"] == 1
    code, out, err = run(capsys, "check", str(path), "--format", "text", "--quiet")
    assert out.count("\n") == 1
    assert err == ""


def test_config_ignore_and_severity(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("bank/a.yaml", BAD)
    write("qbank.toml", 'ignore = ["QB010"]\n')
    assert run(capsys, "check", str(path))[0] == 0
    write("qbank.toml", 'severity = {QB010 = "warning"}\n')
    assert run(capsys, "check", str(path))[0] == 0
    assert run(capsys, "check", str(path), "--strict")[0] == 1
    write("qbank.toml", '[per-path-ignores]\n"bank/*.yaml" = ["QB0"]\n')
    assert run(capsys, "check", str(path))[0] == 0


def test_bad_config_exits_2_with_location(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("bank/a.yaml", GOOD)
    toml = write(
        "pyproject.toml", '[project]\nname = "x"\n\n[tool.qbank]\nprofile = "aws"\nignor = ["QB1"]\n'
    )
    code, _, err = run(capsys, "check", str(path))
    assert code == 2
    assert f"{toml}:6:1: error QB014 unknown setting 'ignor'" in err
    write("pyproject.toml", '[tool.qbank]\nprofile = "fast"\n')
    code, _, err = run(capsys, "check", str(path))
    assert code == 2
    assert ":2:1:" in err


def test_explicit_config_flag(write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("a.yaml", BAD)
    cfg = write("elsewhere/custom.toml", 'select = ["QB8"]\n')
    assert run(capsys, "check", str(path), "--config", str(cfg))[0] == 0
    assert run(capsys, "check", str(path), "--config", str(tmp_path / "missing.toml"))[0] == 2


def test_jobs_give_the_same_result(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(6):
        write(f"f{i}.yaml", BAD.replace("q1", f"q{i}"))
    one = run(capsys, "check", str(write("x.yaml", GOOD).parent), "--format", "json")
    two = run(capsys, "check", str(write("x.yaml", GOOD).parent), "--format", "json", "--jobs", "2")
    assert one == two
    assert json.loads(one[1])["summary"]["errors"] == 6


def test_validate_in_parallel_places_problems_that_span_files_as_one_process_does(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(6):
        write(f"f{i}.yaml", (GOOD if i % 2 else BAD).replace("q1", "same-id" if i % 2 else f"q{i}"))
    folder = str(write("x.yaml", GOOD).parent)
    one = run(capsys, "validate", folder, "--format", "json")
    two = run(capsys, "validate", folder, "--format", "json", "--jobs", "2")
    assert one == two
    again = [d for d in json.loads(one[1])["diagnostics"] if d["code"] == "QB804"]
    assert [(d["line"], d["col"]) for d in again] == [(2, 9), (2, 9)]  # at the repeated id


def test_schemas_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "schemas", "--check", str(tmp_path))[0] == 1
    assert run(capsys, "schemas", str(tmp_path))[0] == 0
    assert run(capsys, "schemas", "--check", str(tmp_path))[0] == 0


def test_python_dash_m(write: Write) -> None:
    import subprocess
    import sys

    path = write("a.yaml", GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "qbank", "validate", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_example_banks_are_fmt_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """What CI runs: ``qbank fmt --check questions/ examples/`` (the fmt hook rewrites nothing)."""
    from conftest import EXAMPLE_BANK, REPO

    code, _, err = run(capsys, "fmt", "--check", str(EXAMPLE_BANK), str(REPO / "examples"))
    assert code == 0, err
    assert "0 file(s) would be reformatted" in err


HEAVY = (
    "numpy",
    "scipy",
    "polars",
    "tokenizers",
    "safetensors",
    "lxml",
    "rapidfuzz",
    "rich",
    "math_core",
    "markdown_it",
    "nh3",
    "jsonschema",
)


def _loaded_after(code: str) -> set[str]:
    """Top-level packages a fresh interpreter has imported after running ``code``."""
    import subprocess
    import sys

    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_import_qbank_loads_only_the_package() -> None:
    loaded = _loaded_after("import qbank")
    assert {m for m in loaded if m.startswith("qbank")} == {"qbank"}
    assert not loaded & {*HEAVY, "pydantic", "ruamel", "click"}


def test_version_and_validate_load_only_what_they_need(tmp_path: Path) -> None:
    run_cli = "from qbank.cli import main\nimport contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n    main({})"
    version = _loaded_after(run_cli.format(["--version"]))
    assert not version & {*HEAVY, "pydantic", "ruamel"}
    path = tmp_path / "a.yaml"
    path.write_text("questions: []\n", encoding="utf-8")
    validate = _loaded_after(run_cli.format(["validate", str(path)]))
    assert "qbank.io.validation" in validate
    assert not validate & {
        *HEAVY,
        "qbank.lint.engine",
        "qbank.lint.rules",
        "qbank.analysis",
        "qbank.exporters",
    }
