"""``qbank check FILE...`` judged against the whole bank, and ``--changed-since REF`` from git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qbank.cli import main
from tests.test_check_cache import COPY, FIRST, SECOND

GIT = shutil.which("git")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bank whose second file's first question copies the first file's first question."""
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "a.yaml").write_text(FIRST.lstrip(), encoding="utf-8")
    (folder / "b.yaml").write_text(SECOND.lstrip(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def add_copy_to_b(repo: Path) -> None:
    second = repo / "questions" / "b.yaml"
    second.write_text(second.read_text(encoding="utf-8") + COPY, encoding="utf-8")


def reported_files(out: str) -> set[str]:
    return {line.split(":", 1)[0] for line in out.splitlines() if line.startswith("questions/")}


def test_a_file_is_judged_against_the_bank_given_with_bank(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_copy_to_b(repo)
    # the copy is in b.yaml, the original in a.yaml: checking a.yaml alone still reports the pair
    code, out, _ = run(capsys, "check", "--bank", "questions", "questions/a.yaml")
    assert code == 0
    assert reported_files(out) == {"questions/a.yaml"}
    duplicate = [line for line in out.splitlines() if " QB704 " in line]
    assert len(duplicate) == 1
    assert "'sqs-visibility-copy' at questions/b.yaml:" in duplicate[0]
    assert duplicate[0].endswith("[sqs-visibility]")
    # the other side, and the whole bank, report it at the copy
    _, out, _ = run(capsys, "check", "--bank", "questions", "questions/b.yaml")
    assert reported_files(out) == {"questions/b.yaml"}
    assert "exact duplicate of 'sqs-visibility' at questions/a.yaml:" in out
    _, whole, _ = run(capsys, "check", "questions")
    assert [line for line in whole.splitlines() if " QB704 " in line] == [
        line for line in out.splitlines() if " QB704 " in line
    ]


def test_the_bank_setting_names_the_bank(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_copy_to_b(repo)
    (repo / "qbank.toml").write_text('bank = "questions"\n', encoding="utf-8")
    code, out, _ = run(capsys, "check", "questions/a.yaml")
    assert code == 0
    assert " QB704 " in out
    assert reported_files(out) == {"questions/a.yaml"}
    assert out.rstrip().endswith("(2 files, 4 questions)")  # counted on the whole bank


def test_the_bank_setting_alone_checks_the_whole_bank(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_copy_to_b(repo)
    (repo / "qbank.toml").write_text('bank = "questions"\n', encoding="utf-8")
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert reported_files(out) == {"questions/a.yaml", "questions/b.yaml"}
    assert code == main(["check", "--no-progress", "--no-cache", "questions"])
    assert capsys.readouterr().out == out


def test_without_a_bank_the_files_given_are_the_bank(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_copy_to_b(repo)
    _, out, _ = run(capsys, "check", "questions/a.yaml")
    assert " QB704 " not in out


def test_a_missing_bank_folder_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--bank", "nowhere", "questions/a.yaml")
    assert code == 2
    assert "the bank folder nowhere does not exist" in err


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def committed(repo: Path) -> Path:
    if GIT is None:
        pytest.skip("git is not installed")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "bank")
    return repo


def test_changed_since_reports_changed_and_new_files_only(
    committed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", "--changed-since", "HEAD", "questions")
    assert code == 0
    assert reported_files(out) == set()
    add_copy_to_b(committed)
    (committed / "questions" / "c.yaml").write_text(
        FIRST.replace("sqs-visibility", "sqs-visibility-again").replace("lambda-memory", "lambda-memory-2"),
        encoding="utf-8",
    )
    (committed / "questions" / "notes.md").write_text("not a question file\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--changed-since", "HEAD", "questions")
    assert reported_files(out) == {"questions/b.yaml", "questions/c.yaml"}
    assert "QB704" in out
    assert "notes.md" not in out


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("no-such-branch", "does not name a commit"),
        ("--output=written.txt", "is not a git revision"),
        ("HEAD~5", "does not name a commit"),
        ("", "is not a git revision"),
    ],
)
def test_a_bad_ref_is_a_clear_error(
    committed: Path, capsys: pytest.CaptureFixture[str], ref: str, says: str
) -> None:
    code, out, err = run(capsys, "check", "--changed-since", ref, "questions")
    assert code == 2
    assert says in err
    assert "Traceback" not in err + out
    assert not (committed / "written.txt").exists()


def test_changed_since_outside_a_repository_is_a_clear_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if GIT is None:
        pytest.skip("git is not installed")
    code, _, err = run(capsys, "check", "--changed-since", "HEAD", "questions")
    assert code == 2
    assert "git:" in err
    assert "Traceback" not in err
