"""``qbank check`` keeps each file's result in the cache and never reports a stale one."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from qbank.check import FileChecker, FileResult, check, check_cache
from qbank.cli import main
from qbank.core.config import Config, ConfigModel, find_config, load_config
from qbank.core.diagnostics import Diagnostic
from qbank.io.loader import load
from qbank.lint.engine import apply_suppressions, lint_diagnostics
from tests.conftest import EXAMPLE_BANK

FIRST = """
questions:
  - id: sqs-visibility
    stem: An SQS consumer sometimes processes the same message twice. Which setting should the developer increase?
    choices:
      - {text: The visibility timeout of the queue, correct: true}
      - {text: The message retention period of the queue}
      - {text: The delivery delay of the queue}
      - {text: The maximum message size of the queue}
  - id: lambda-memory
    stem: A Lambda function is slow because it is short of CPU. What should the developer change?
    choices:
      - {text: Raise the memory setting of the function, correct: true}
      - {text: Raise the timeout of the function}
      - {text: Add a dead-letter queue to the function}
      - {text: Turn on provisioned concurrency for the function}
"""

SECOND = """
questions:
  - id: dynamodb-ttl
    stem: Which DynamoDB feature deletes expired session items without any cost in write capacity?
    choices:
      - {text: Time to live, correct: true}
      - {text: DynamoDB Streams}
      - {text: Global tables}
      - {text: Point-in-time recovery}
"""

COPY = """
  - id: sqs-visibility-copy
    stem: An SQS consumer sometimes processes the same message twice. Which setting should the developer increase?
    choices:
      - {text: The visibility timeout of the queue, correct: true}
      - {text: The message retention period of the queue}
      - {text: The delivery delay of the queue}
      - {text: The maximum message size of the queue}
"""


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A two-file bank with a configuration, the cache beside it, run from its folder."""
    monkeypatch.delenv("QBANK_CACHE_DIR", raising=False)
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "a.yaml").write_text(FIRST.lstrip(), encoding="utf-8")
    (folder / "b.yaml").write_text(SECOND.lstrip(), encoding="utf-8")
    (tmp_path / "qbank.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display names of the files checked afresh (not taken from the cache)."""
    seen: list[str] = []
    original = FileChecker.__call__

    def spy(self: FileChecker, item: tuple[Path, str]) -> FileResult:
        seen.append(item[1])
        return original(self, item)

    monkeypatch.setattr(FileChecker, "__call__", spy)
    return seen


def config_at(folder: Path) -> Config:
    return load_config(find_config(folder))


def run_check(folder: Path, *, cache: bool = True) -> tuple[list[Diagnostic], list[str]]:
    config = config_at(folder)
    result = check("questions", config=config, cache=check_cache(config) if cache else None)
    return result.diagnostics, result.notes


def codes(diagnostics: list[Diagnostic]) -> list[tuple[str, int, str, str | None]]:
    return [(d.path, d.line, d.code, d.question_id) for d in diagnostics]


def test_the_cache_lives_beside_the_configuration_and_is_ignored_by_git(bank: Path) -> None:
    run_check(bank)
    assert (bank / ".qbank_cache" / "check").is_dir()
    assert (bank / ".qbank_cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_warm_run_checks_no_file_and_reports_the_same(bank: Path, computed: list[str]) -> None:
    cold, _ = run_check(bank)
    assert computed == ["questions/a.yaml", "questions/b.yaml"]
    computed.clear()
    warm, notes = run_check(bank)
    assert computed == []
    assert warm == cold
    assert notes == []


def test_cached_uncached_and_parallel_runs_agree_on_the_example_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_at(EXAMPLE_BANK)
    loaded = load(EXAMPLE_BANK, config=config)
    found = [*loaded.diagnostics, *lint_diagnostics(loaded.bank, config)]
    before = sorted(codes(config.apply(apply_suppressions(loaded.bank, found, config))))
    store = check_cache(config)
    assert sorted(codes(check(EXAMPLE_BANK, config=config).diagnostics)) == before
    assert codes(check(EXAMPLE_BANK, config=config, cache=store).diagnostics) == sorted(before)
    assert codes(check(EXAMPLE_BANK, config=config, cache=store).diagnostics) == sorted(before)
    assert codes(check(EXAMPLE_BANK, config=config, jobs=2).diagnostics) == sorted(before)


def test_a_changed_file_is_checked_again(bank: Path, computed: list[str]) -> None:
    run_check(bank)
    computed.clear()
    second = bank / "questions" / "b.yaml"
    second.write_text(second.read_text(encoding="utf-8") + COPY, encoding="utf-8")
    found, _ = run_check(bank)
    assert computed == ["questions/b.yaml"]
    assert ("questions/b.yaml", "QB704", "sqs-visibility-copy") in {
        (d.path, d.code, d.question_id) for d in found
    }


def test_a_changed_configuration_checks_every_file_again(bank: Path, computed: list[str]) -> None:
    first, _ = run_check(bank)
    assert any(d.code == "QB501" for d in first)  # no explanations
    computed.clear()
    (bank / "qbank.toml").write_text('ignore = ["QB501"]\n', encoding="utf-8")
    found, _ = run_check(bank)
    assert computed == ["questions/a.yaml", "questions/b.yaml"]
    assert not any(d.code == "QB501" for d in found)
    computed.clear()
    (bank / "qbank.toml").write_text('ignore = ["QB501"]\n[rules.QB401]\nratio = 1.01\n', encoding="utf-8")
    run_check(bank)
    assert computed == ["questions/a.yaml", "questions/b.yaml"]


def test_a_new_qbank_version_checks_every_file_again(
    bank: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_check(bank)
    computed.clear()
    monkeypatch.setattr("qbank.io.cache.release", lambda: "99.0.0")
    run_check(bank)
    assert computed == ["questions/a.yaml", "questions/b.yaml"]


def test_a_deleted_file_leaves_no_stale_finding(bank: Path) -> None:
    second = bank / "questions" / "b.yaml"
    second.write_text(second.read_text(encoding="utf-8") + COPY, encoding="utf-8")
    found, _ = run_check(bank)
    assert any(d.code == "QB704" for d in found)
    second.unlink()
    found, _ = run_check(bank)
    assert not any(d.code == "QB704" or d.path == "questions/b.yaml" for d in found)
    assert found == run_check(bank, cache=False)[0]


def test_a_renamed_file_is_reported_under_its_new_name(bank: Path) -> None:
    run_check(bank)
    shutil.move(bank / "questions" / "b.yaml", bank / "questions" / "c.yaml")
    found, _ = run_check(bank)
    assert {d.path for d in found if d.path.startswith("questions/")} <= {
        "questions/a.yaml",
        "questions/c.yaml",
    }
    assert found == run_check(bank, cache=False)[0]


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / ".qbank_cache" / "check").rglob("*") if p.is_file())


def test_a_corrupt_entry_is_ignored_with_a_warning_and_rebuilt(
    bank: Path, computed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    expected, _ = run_check(bank)
    first = entries(bank)
    assert len(first) == 2
    raw = bytearray(first[0].read_bytes())
    raw[-1] ^= 0xFF
    first[0].write_bytes(bytes(raw))
    computed.clear()
    code = main(["check", "questions", "--no-progress"])
    err = capsys.readouterr().err
    assert "warning: ignored a corrupt cache entry" in err
    assert "it will be rebuilt" in err
    assert code == 0
    assert len(computed) == 1
    computed.clear()
    found, notes = run_check(bank)  # rebuilt: read from the cache again, silently
    assert (computed, notes, found) == ([], [], expected)


def test_an_entry_that_does_not_unpickle_is_ignored_with_a_warning(bank: Path, computed: list[str]) -> None:
    from qbank.io.cache import Store

    expected, _ = run_check(bank)
    store = Store(bank / ".qbank_cache", "check")
    for path in entries(bank):
        store.put(path.name, b"not a pickle")  # a valid checksum around garbage
    computed.clear()
    found, notes = run_check(bank)
    assert found == expected
    assert len(notes) == 2
    assert all("unreadable cache entry" in n for n in notes)
    assert len(computed) == 2


def test_no_cache_reads_and_writes_none(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "questions", "--no-cache", "--no-progress"]) == 0
    assert not (bank / ".qbank_cache").exists()
    capsys.readouterr()


def test_template_variants_and_suppressions_survive_the_cache(bank: Path) -> None:
    (bank / "questions" / "t.yaml").write_text(
        textwrap.dedent(
            """
            questions:
              - id: ttl
                stem: A table keeps items for {{days}} days. Which feature removes them without write cost?
                variables:
                  days: {choice: [7, 30]}
                variants: 2
                lint:
                  ignore: [QB501, QB302]
                choices:
                  - {text: Time to live, correct: true}
                  - {text: DynamoDB Streams}
                  - {text: Global tables}
                  - {text: Point-in-time recovery}
            """
        ).lstrip(),
        encoding="utf-8",
    )
    cold, _ = run_check(bank)
    warm, _ = run_check(bank)
    assert warm == cold == run_check(bank, cache=False)[0]
    assert any(d.code == "QB008" and d.path == "questions/t.yaml" for d in cold)  # unused QB302
    assert not any(d.code in ("QB501", "QB015") for d in cold if d.path == "questions/t.yaml")


def test_the_library_default_keeps_no_cache(bank: Path) -> None:
    check("questions", config=Config(ConfigModel()))
    assert not (bank / ".qbank_cache").exists()


def test_kept_results_are_out_of_the_collectors_sight_until_the_check_ends(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from qbank.lint import engine

    frozen_while_judging: list[int] = []
    original = engine.judge_bank

    def spy(*args: Any, **kwargs: Any) -> Any:
        frozen_while_judging.append(gc.get_freeze_count())
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "judge_bank", spy)
    assert gc.get_freeze_count() == 0
    found, _ = run_check(bank)
    assert frozen_while_judging
    assert frozen_while_judging[0] > 0
    assert gc.get_freeze_count() == 0
    assert found == run_check(bank, cache=False)[0]


def test_objects_a_caller_froze_stay_frozen(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    calls: list[str] = []
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 1000)  # the caller froze objects of its own
    found, _ = run_check(bank)
    assert calls == []
    assert found == run_check(bank, cache=False)[0]


def test_files_go_to_the_workers_in_order_in_batches_of_about_equal_size(tmp_path: Path) -> None:
    from qbank.io.loader import BATCHES_PER_WORKER, batches

    sizes = [100] * 150 + [20_000] + [10] * 40 + [0] + [500] * 30
    items = []
    for n, size in enumerate(sizes):
        path = tmp_path / f"f{n:03d}.yaml"
        path.write_bytes(b"x" * size)
        items.append((path, path.name))
    items.append((tmp_path / "gone.yaml", "gone.yaml"))  # vanished since it was found
    runs = batches(items, 2)
    assert [item for run in runs for item in run] == items
    target = sum(sizes) // (2 * BATCHES_PER_WORKER)
    for run in runs:
        held = sum(path.stat().st_size for path, _ in run if path.exists())
        assert len(run) == 1 or held <= target
    assert [run for run in runs if items[150] in run] == [[items[150]]]  # the large file goes alone
    assert len(runs) >= 2 * BATCHES_PER_WORKER // 2


def test_automatic_process_count_follows_the_size_of_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qbank.io import loader

    small = tmp_path / "small.yaml"
    small.write_text("questions: []\n", encoding="utf-8")
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (loader.PARALLEL_BYTES // 10 + 1), encoding="utf-8")
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 4)
    items = [(small, "small.yaml"), (big, "big.yaml")]
    assert loader.worker_count(items, None) == 4
    assert loader.worker_count(items[:1] * 2, None) == 1  # small files: one process
    assert loader.worker_count(items[1:], None) == 1  # a single file cannot be shared
    assert loader.worker_count(items, 1) == 1
    assert loader.worker_count(items, 3) == 3
    assert loader.worker_count(items, 0) == 4
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 1)
    assert loader.worker_count(items, None) == 1
