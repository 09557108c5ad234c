"""Configuration: discovery, validation with locations, and how it filters diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.core.config import Config, ConfigError, ConfigModel, find_config, load_config
from qbank.core.diagnostics import Diagnostic, Severity

Write = Callable[..., Path]


def diag(code: str, path: str = "q/a.yaml", severity: Severity = Severity.WARNING) -> Diagnostic:
    return Diagnostic(code, severity, "m", path, 1, 1)


def test_nearest_config_wins(write: Write) -> None:
    write("pyproject.toml", "[tool.qbank]\nprofile = 'aws'\n")
    inner = write("bank/qbank.toml", "profile = 'strict'\n")
    write("bank/sub/a.yaml", "questions: []\n")
    assert find_config(inner.parent / "sub" / "a.yaml") == inner
    assert load_config(inner).model.profile == "strict"


def test_pyproject_without_table_is_skipped(write: Write, tmp_path: Path) -> None:
    write("pyproject.toml", "[project]\nname = 'x'\n")
    # nothing above the temporary folder names [tool.qbank] either
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[tool.qbank]\nprofle = 'aws'\n", (2, 1)),
        ("[tool.qbank]\nprofile = 'aws'\n\n[tool.qbank.dupes]\nthreshhold = 90\n", (5, 1)),
        ("[tool.qbank]\nselect = ['XX1']\n", (2, 1)),
        ("[tool.qbank]\nseverity = {QB401 = 'fatal'}\n", (2, 13)),
        ("[tool.qbank\n", (1, 12)),
    ],
)
def test_errors_are_located(write: Write, text: str, where: tuple[int, int]) -> None:
    path = write("pyproject.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    first = info.value.diagnostics[0]
    assert (first.line, first.col, first.code) == (*where, "QB014")


def test_select_ignore_prefixes_and_severity() -> None:
    config = Config(
        ConfigModel.model_validate(
            {
                "select": ["QB4", "QB5"],
                "ignore": [{"code": "QB501", "reason": "r"}],
                "severity": {"QB402": "error"},
            }
        )
    )
    out = config.apply([diag("QB401"), diag("QB402"), diag("QB501"), diag("QB601")])
    assert [(d.code, d.severity) for d in out] == [("QB401", Severity.WARNING), ("QB402", Severity.ERROR)]


def test_strict_profile_promotes_warnings() -> None:
    config = Config(ConfigModel.model_validate({"profile": "strict"}))
    out = config.apply([diag("QB401"), diag("QB205", severity=Severity.INFO)])
    assert [d.severity for d in out] == [Severity.ERROR, Severity.INFO]


def test_per_path_ignores_relative_to_config(tmp_path: Path) -> None:
    config = Config(
        ConfigModel.model_validate({"per-path-ignores": {"legacy/**": ["QB2"]}}), tmp_path / "qbank.toml"
    )
    legacy = str(tmp_path / "legacy" / "old" / "a.yaml")
    out = config.apply(
        [diag("QB201", legacy), diag("QB301", legacy), diag("QB201", str(tmp_path / "new.yaml"))]
    )
    assert [(d.code, Path(d.path).name) for d in out] == [("QB301", "a.yaml"), ("QB201", "new.yaml")]


def test_blueprint_path_is_relative_to_the_config_file(write: Write) -> None:
    path = write("conf/qbank.toml", "blueprint = '../bp.yaml'\n")
    assert load_config(path).blueprint_path == path.parent / "../bp.yaml"
