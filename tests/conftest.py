"""Shared fixtures: a temporary bank builder, the test data in the repository, the Node consumers, and
the third-party corpora in ../shared (tests marked ``corpus`` only)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed so that a run never fails by luck of the draw;
# local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()
EXAMPLE_BANK = REPO / "questions"
DATA = REPO / "tests" / "data"
"""Test data kept in the repository (official schemas, domain facts); see ``tests/data/README.md``."""
NODE = REPO / "tests" / "node"
"""The Node consumers of the exports (``package.json``, the QTI player harness); see its README."""

# benchmarks/ holds the synthetic bank generators; tests reuse them
sys.path.insert(0, str(REPO / "benchmarks"))


# which test is running and whether it is marked ``corpus``, kept in the environment because this
# module is imported twice (as ``conftest`` by pytest and as ``tests.conftest`` by some tests)
_CORPUS_ENV = "QBANK_TEST_MARKED_CORPUS"


@pytest.fixture(autouse=True)
def _corpus_mark(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    marked = request.node.get_closest_marker("corpus") is not None
    monkeypatch.setenv(_CORPUS_ENV, f"{int(marked)} {request.node.nodeid}")


@pytest.fixture(autouse=True)
def _cache_elsewhere(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that keep a cache (``qbank check``) write it to a fresh folder, never into the
    repository or a test's own folder; tests of the cache's place unset this."""
    monkeypatch.setenv("QBANK_CACHE_DIR", str(tmp_path_factory.mktemp("qbank-cache")))


def need_shared(*parts: str) -> Path:
    """A path under ../shared (third-party corpora); the test is skipped when it is absent.

    Only tests marked ``corpus`` may use it: everything else runs on a fresh clone.
    """
    marked, _, nodeid = os.environ.get(_CORPUS_ENV, "0 ").partition(" ")
    if marked != "1":
        pytest.fail(
            f"{nodeid or 'this test'} reads ../shared/{'/'.join(parts)}: mark it "
            "@pytest.mark.corpus, or keep what it needs under tests/data (see tests/data/README.md)"
        )
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party corpus not available: {path} (marked corpus; needs ../shared)")
    return path


#: npm's error codes for a registry it cannot reach
_OFFLINE = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network"
)


def _installed(folder: Path) -> bool:
    wanted = json.loads((NODE / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return all((folder / "node_modules" / name / "package.json").is_file() for name in wanted)


@pytest.fixture(scope="session")
def node_consumers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``tests/node`` with its npm packages installed (by ``.ci/run``, else once into a temporary copy).

    Skipped when node or npm is missing or npm cannot reach its registry; other npm failures fail.
    """
    if _installed(NODE):
        return NODE
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node and npm are not installed (needed by the Node consumers in tests/node)")
    work = tmp_path_factory.mktemp("node") / "node"
    shutil.copytree(NODE, work, ignore=shutil.ignore_patterns("node_modules", "*.png"))
    try:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=work, capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm ci in tests/node timed out (is the npm registry reachable?)")
    if done.returncode != 0:
        offline = _OFFLINE.search(done.stderr)
        if offline:
            pytest.skip(
                f"npm cannot reach its registry ({offline.group()}): the Node consumers are not installed"
            )
        pytest.fail(f"npm ci in tests/node failed:\n{done.stderr}")
    return work


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write("a.yaml", text)`` writes dedented text under a temporary folder and returns its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write
