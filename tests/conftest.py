"""Shared fixtures: a temporary bank builder and paths to the shared conformance data."""

from __future__ import annotations

import os
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

# benchmarks/ holds the synthetic bank generators; tests reuse them
sys.path.insert(0, str(REPO / "benchmarks"))


def need_shared(*parts: str) -> Path:
    """A path under ../shared; the test is skipped when the shared folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


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
