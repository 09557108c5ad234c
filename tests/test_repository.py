"""The repository itself: test data intact, only corpus tests depend on ../shared."""

from __future__ import annotations

import hashlib

import pytest
from conftest import DATA, need_shared


def test_schema_files_match_their_recorded_checksums() -> None:
    root = DATA / "xsd"
    listed: dict[str, str] = {}
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            listed[name.removeprefix("./")] = digest
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.suffix == ".xsd"}
    assert present == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name


def test_only_tests_marked_corpus_may_read_shared() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"mark it @pytest\.mark\.corpus"):
        need_shared("corpora")


@pytest.mark.corpus
def test_a_corpus_test_is_skipped_or_given_the_path() -> None:
    path = need_shared("corpora")  # skips with the reason when ../shared is absent
    assert path.is_dir()


def test_the_format_is_cited_from_inside_the_repository() -> None:
    """Code and docs point at docs/format.md, never at a FORMAT.md a clone does not have."""
    from conftest import REPO

    texts = [REPO / "README.md", *(REPO / "qbank").rglob("*.py"), *(REPO / "docs").rglob("*.md")]
    citing = [p.relative_to(REPO).as_posix() for p in texts if "FORMAT.md" in p.read_text(encoding="utf-8")]
    assert citing == []
    assert (REPO / "docs" / "format.md").is_file()
