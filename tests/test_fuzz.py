"""Mutation fuzzing: the example bank's files, damaged at random, never crash qbank.

Each case takes one file of the example bank, damages it one to three times (lines deleted,
repeated, swapped or re-indented, YAML punctuation, tags, anchors, complex keys, control characters
or bad bytes inserted, values replaced by values of another type, keys misspelt, the text cut
short), and runs what a user runs on it: ``qbank check`` and ``qbank dupes`` (in-process, JSON
reports), every exporter on whatever loaded, and every importer on a damaged copy of the matching
export. Nothing may raise, and every diagnostic must name a known code and a line inside the file
it points at.

The cases come from a fixed seed, so CI runs the same ones every time. ``QBANK_FUZZ_CASES=5000``
runs more (and ``QBANK_FUZZ_SEED`` others) locally.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from conftest import EXAMPLE_BANK

import qbank
from qbank.cli import main
from qbank.core.diagnostics import Diagnostic
from qbank.core.model import Bank
from qbank.exporters import EXPORTERS
from qbank.lint.catalogue import all_codes

CASES = int(os.environ.get("QBANK_FUZZ_CASES", "40"))
SEED = int(os.environ.get("QBANK_FUZZ_SEED", "20240613"))
SOURCES = sorted((EXAMPLE_BANK / "dva-c02").glob("*.yaml"))
BLUEPRINT = EXAMPLE_BANK / "dva-c02" / "blueprint.yaml"

#: export format -> the importer that reads it back
READ_BACK = {
    "gift": "gift",
    "aiken": "aiken",
    "moodle": "moodle",
    "json": "json",
    "qti21": "qti",
    "qti30": "qti",
    "canvas": "canvas",
}
TEXT_EXPORTS = ("gift", "aiken", "moodle", "json")

TOKENS = [
    ":", ": ", "- ", "[", "]", "{", "}", ",", '"', "'", "#", "|", ">", "\\", "@", "`", "%", "?", "~",
    "&a ", "*a", "!!str ", "!!binary ", "!!python/object:os.system ", "!custom ", "? [a, b]\n: x\n",
    "? {k: v}\n: x\n", "[a, b]: 1\n", "\t", "\x00", "\x07", "\x1b", "\ufeff", "\u2028", "\u200b",
    "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n", "\r", "\r\n",
    # markup the importers parse
    "<", ">", "&", "&amp;", "<![CDATA[", "]]>", "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    "&e;", "::", "{=", "~%50%", "#", "=", "->", "}", "ANSWER: ", "A. ", "\\u0000", '{"', '"}', "null",
]  # fmt: skip
VALUES = [
    "[a, b]", "{x: 1}", "~", "null", "true", "no", "3.5", "-1", "0", "1e400", ".nan", ".inf", '"2"',
    "''", "[]", "{}", "2024-01-01", "12:30:00", "0x1F", "*undefined", "&x [*x]", "!!int '7'",
    "[[[[[[]]]]]]", "'" + "x" * 3000 + "'", "|\n  block\n", "- item",
]  # fmt: skip
KNOWN = set(all_codes())


def mutate(text: str, rng: random.Random) -> str:
    """One random damage to a text file."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    op = rng.randrange(11)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[i])
    elif op == 2 and len(lines) > 1:
        j = min(i + 1, len(lines) - 1)
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:
        lines[i] = (" " * rng.choice([1, 2, 4])) + lines[i]
    elif op == 4:
        lines[i] = lines[i][rng.choice([1, 2]) :]
    elif op == 5 and ": " in lines[i]:
        key, _, _ = lines[i].partition(": ")
        lines[i] = f"{key}: {rng.choice(VALUES)}"
    elif op == 6 and ":" in lines[i]:
        key, sep, rest = lines[i].partition(":")
        stripped = key.strip()
        if stripped:
            cut = rng.randrange(len(stripped))
            key = key.replace(stripped, stripped[:cut] + stripped[cut + 1 :] + rng.choice(["", "s", "x"]), 1)
        lines[i] = key + sep + rest
    elif op == 7:
        out = "\n".join(lines)
        return out[: rng.randrange(len(out) + 1)]
    else:
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + rng.choice(TOKENS) + lines[i][at:]
    return "\n".join(lines)


def damaged(data: bytes, rng: random.Random) -> bytes:
    """One to three damages; now and then a byte that is not UTF-8."""
    text = data.decode("utf-8")
    for _ in range(rng.randint(1, 3)):
        text = mutate(text, rng)
    raw = text.encode("utf-8")
    if rng.random() < 0.08 and raw:
        at = rng.randrange(len(raw))
        raw = raw[:at] + bytes([rng.choice([0x80, 0xC3, 0xFF, 0xFE])]) + raw[at:]
    return raw


def assert_located(diagnostics: Iterable[Diagnostic | dict[str, object]], files: dict[str, bytes]) -> None:
    """Every diagnostic has a known code and a line and column inside the file it names."""
    for d in diagnostics:
        item = d if isinstance(d, dict) else {"code": d.code, "path": d.path, "line": d.line, "col": d.col}
        code, path, line, col = item["code"], str(item["path"]), item["line"], item["col"]
        assert code in KNOWN, item
        assert isinstance(line, int), item
        assert isinstance(col, int), item
        assert line >= 1, item
        assert col >= 1, item
        if path in files:
            n_lines = files[path].count(b"\n") + 1
            assert line <= n_lines, (item, n_lines)


def run_cli(*args: str) -> tuple[int, dict[str, object]]:
    """Run the CLI in-process with a JSON report; a traceback fails the test by itself."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--format", "json"])
    assert code in (0, 1, 2), (args, code, err.getvalue())
    assert "Traceback" not in err.getvalue() + out.getvalue()
    text = out.getvalue()
    return code, json.loads(text) if text.strip().startswith("{") else {}


def cases() -> list[tuple[int, Path]]:
    rng = random.Random(SEED)
    return [(n, rng.choice(SOURCES)) for n in range(CASES)]


@pytest.fixture(scope="module")
def example() -> Bank:
    """The example bank (importers are fuzzed with damaged exports of a few of its questions)."""
    return qbank.load(EXAMPLE_BANK).bank


@pytest.mark.parametrize(("case", "source"), cases(), ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_damaged_file_gives_located_diagnostics_never_a_traceback(
    case: int, source: Path, example: Bank, tmp_path: Path
) -> None:
    rng = random.Random(f"{SEED}:{case}")
    folder = tmp_path / "bank"
    folder.mkdir()
    raw = damaged(source.read_bytes(), rng)
    target = folder / source.name
    target.write_bytes(raw)
    if source != BLUEPRINT:
        (folder / BLUEPRINT.name).write_bytes(BLUEPRINT.read_bytes())
    files = {str(p): p.read_bytes() for p in folder.iterdir()}

    _, checked = run_cli("check", str(folder), "--no-progress")
    assert isinstance(checked.get("diagnostics"), list), checked
    assert_located(checked["diagnostics"], files)  # type: ignore[arg-type]
    _, dupes = run_cli("dupes", str(folder))
    assert_located(dupes.get("diagnostics", []), files)  # type: ignore[arg-type]

    # every exporter on whatever loaded; one export (a different format each case) read back
    loaded = qbank.load(folder)
    assert_located(loaded.diagnostics, files)
    back = list(READ_BACK)[case % len(READ_BACK)]
    for fmt in EXPORTERS:
        result = qbank.export(loaded.bank, fmt)
        assert_located(result.diagnostics, files)
        if fmt == back and result.data:
            _read_back(fmt, result.data, tmp_path / f"{fmt}-back", _never)

    # every text importer on a damaged export of a few questions of the example bank
    few = Bank(questions=rng.sample(example.questions, 6), blueprint=example.blueprint)
    for fmt in TEXT_EXPORTS:
        data = qbank.export(few, fmt).data
        _read_back(fmt, data, tmp_path / f"{fmt}-damaged", lambda data: damaged(data, rng))


def _never(data: bytes) -> bytes:
    return data


def _read_back(fmt: str, data: bytes, folder: Path, change: Callable[[bytes], bytes]) -> None:
    folder.mkdir()
    suffix = {"gift": ".gift", "aiken": ".txt", "moodle": ".xml", "json": ".json"}.get(fmt, ".zip")
    path = folder / f"export{suffix}"
    path.write_bytes(change(data))
    result = qbank.import_bank([path], READ_BACK[fmt])
    assert_located(result.diagnostics, {str(path): path.read_bytes()})
    for d in result.diagnostics:
        assert re.fullmatch(r"QB\d{3}", d.code), d
