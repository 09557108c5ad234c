"""The on-disk cache: round trip, keys, corruption, an unwritable folder, the git ignore file."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.io.cache import CACHE_DIR_NAME, Store, cache_key, cache_root


def test_put_then_get_round_trips_and_ignores_itself_in_git(tmp_path: Path) -> None:
    store = Store(tmp_path / CACHE_DIR_NAME, "check")
    key = cache_key("content", "0.1.0")
    assert store.get(key) is None
    store.put(key, b"payload")
    assert store.get(key) == b"payload"
    assert (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text().splitlines()[-1] == "*"
    assert store.problems == []


def test_keys_depend_on_every_part_and_its_boundaries() -> None:
    assert cache_key("ab", "c") != cache_key("a", "bc")
    assert cache_key("a") == cache_key(b"a")
    assert cache_key("a", "b") != cache_key("b", "a")


def test_corrupt_entry_is_a_miss_with_a_note_and_is_removed(tmp_path: Path) -> None:
    store = Store(tmp_path, "ns")
    key = cache_key("x")
    store.put(key, b"0123456789")
    entry = next(p for p in (tmp_path / "ns").rglob(key))
    entry.write_bytes(entry.read_bytes()[:-3])
    assert store.get(key) is None
    assert len(store.problems) == 1
    assert "corrupt" in store.problems[0]
    assert not entry.exists()


def test_unwritable_cache_degrades_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = Store(blocker, "ns")
    store.put(cache_key("k"), b"v")
    store.put(cache_key("k2"), b"v")
    assert store.get(cache_key("k")) is None
    assert len(store.problems) == 1


def test_cache_root_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QBANK_CACHE_DIR", raising=False)
    assert cache_root(tmp_path) == tmp_path / CACHE_DIR_NAME
    monkeypatch.setenv("QBANK_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cache_root(tmp_path) == tmp_path / "elsewhere"
