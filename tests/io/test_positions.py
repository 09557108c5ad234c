"""Positions of data paths: read from the parser's events (YAML) or tokens (JSON), they must be exactly
those of the composed tree and of a plain recursive JSON scanner."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from qbank.io.source import (
    DataPath,
    NodePosition,
    SourceFile,
    _fast_yaml,
    _json_positions,
    _line_starts,
    _tree_positions,
    _yaml_positions,
    read_source,
)


def composed(text: str) -> dict[DataPath, NodePosition]:
    """Positions from the round of composing the document into nodes (the reference)."""
    try:
        return _tree_positions(_fast_yaml().compose(text))
    except Exception:
        return {}


def from_events(text: str) -> dict[DataPath, NodePosition]:
    try:
        return _yaml_positions(text)
    except Exception:
        return {}


YAML_CASES = {
    "block scalars": """
questions:
  - id: q1
    stem: |
      Which command lists the buckets?

          aws s3 ls
    explanation: >
      Folded text
      on two lines.
    choices:
      - text: |-
          kept
      - {text: "quoted \\"inside\\"", correct: true}
      - text: 'single ''quoted'''
""",
    "flow style": """
questions: [{id: a, stem: "x?", choices: [{text: one, correct: true}, {text: two}]},
  {id: b, stem: y, tags: [p, q, [r, s]]}]
defaults: {difficulty: easy, points: 2}
""",
    "aliases": """
shared: &choices
  - {text: one, correct: true}
  - {text: two}
questions:
  - id: a
    choices: *choices
  - id: b
    choices: *choices
    meta: &m {k: v}
  - id: c
    meta: *m
""",
    "merge keys": """
base: &base {difficulty: hard, tags: [x]}
questions:
  - <<: *base
    id: a
    stem: s
""",
    "duplicate keys": """
questions:
  - id: a
    stem: first
    stem: second
    choices: [{text: x}]
    choices:
      - {text: y}
      - {text: z}
""",
    "collection keys": """
? [a, b]
: {c: d}
? {e: f}
: g
plain: 1
""",
    "scalars of every kind": """
a: 1
b: 1.5
c: true
d: ~
e: 2024-01-02
f: !!str 12
g: ""
h:
i: - not a list
j: "multi
  line"
k: plain
  continued
"l": 'x'
""",
    "root sequence": "- 1\n- [2, 3]\n- {a: b}\n",
    "root scalar": "just text\n",
    "explicit document": "%YAML 1.2\n---\na: 1\n...\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "comments only": "# nothing\n",
    "deep": "a:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, 30)) + "  " * 30 + "- end\n",
    "crlf": "questions:\r\n  - id: a\r\n    stem: |\r\n      line one\r\n      line two\r\n",
    "undefined alias": "a: *nothing\n",
    "syntax error": "a: [1, 2\nb: 3\n",
    "unicode": "q: \u00e9t\u00e9 \u2014 caf\u00e9\nr: [\u4e2d, \u6587]\nlong: \U0001f600 x\n",
    "recursive alias": "a: &x [1, *x]\n",
}


@pytest.mark.parametrize("name", YAML_CASES)
def test_yaml_positions_from_events_are_those_of_the_composed_tree(name: str) -> None:
    text = YAML_CASES[name]
    assert from_events(text) == composed(text)


def test_positions_of_a_small_file_are_where_an_editor_shows_them() -> None:
    found = _yaml_positions(YAML_CASES["block scalars"])
    assert found[("questions", 0, "stem")] == NodePosition(
        4, 5, 4, 11, "|", 8, "Which command lists the buckets?\n\n    aws s3 ls\n"
    )
    assert found[("questions", 0)][:4] == (3, 5, 3, 5)
    assert found[("questions", 0, "choices", 1, "text")][:5] == (14, 10, 14, 16, '"')
    assert found[("questions", 0, "choices", 2, "text")].value == "single 'quoted'"
    assert _yaml_positions(YAML_CASES["duplicate keys"])[("questions", 0, "stem")].value == "first"
    assert _yaml_positions(YAML_CASES["two documents"]) == {}


def test_an_offset_in_a_literal_block_is_placed_on_its_line_whatever_the_line_breaks(tmp_path: Path) -> None:
    for name, newline in (("unix.yaml", "\n"), ("windows.yaml", "\r\n")):
        path = tmp_path / name
        path.write_bytes(YAML_CASES["block scalars"].lstrip().replace("\n", newline).encode())
        sf = read_source(path, name)
        stem = sf.data["questions"][0]["stem"]
        offset = stem.index("aws s3")
        assert sf.position(("questions", 0, "stem"), offset=offset) == (6, 11)
        assert sf.position(("questions", 0, "stem"), offset=0) == (4, 7)


def dumped(data: Any, flow: bool | None, width: int) -> str:
    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = flow
    yaml.width = width
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


scalars = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.sampled_from(["a\nb", "  lead", "trail ", "x: y", "- z", "#c", "'q'", '"d"', "\u2028", "\t"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from([None, True, False]), st.sampled_from([20, 80]))
def test_yaml_positions_agree_on_generated_documents(data: Any, flow: bool | None, width: int) -> None:
    text = dumped(data, flow, width)
    assert from_events(text) == composed(text)


# ---------------------------------------------------------------------------------------------- JSON


def scanned(text: str) -> dict[DataPath, NodePosition]:
    """A plain recursive scanner over JSON text: the reference for the token-based one."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    out: dict[DataPath, NodePosition] = {}
    i = 0

    def lc(index: int) -> tuple[int, int]:
        line = max(n for n, s in enumerate(starts, start=1) if s <= index)
        return line, index - starts[line - 1] + 1

    def ws() -> None:
        nonlocal i
        while i < len(text) and text[i] in " \t\r\n":
            i += 1

    def string() -> str:
        nonlocal i
        end = i + 1
        while text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        raw, i = text[i : end + 1], end + 1
        value: str = json.loads(raw)
        return value

    def value(path: DataPath, key_at: int) -> None:
        nonlocal i
        ws()
        start, ch = i, text[i]
        if path not in out:
            out[path] = NodePosition(*lc(key_at), *lc(start), '"' if ch == '"' else None, lc(start)[0])
        if ch in "{[":
            i += 1
            ws()
            if text[i] in "}]":
                i += 1
                return
            index = 0
            while True:
                ws()
                if ch == "{":
                    at = i
                    name = string()
                    ws()
                    i += 1
                    value((*path, name), at)
                else:
                    value((*path, index), i)
                    index += 1
                ws()
                i += 1
                if text[i - 1] in "}]":
                    return
        elif ch == '"':
            out[path] = out[path]._replace(value=string())
        else:
            while i < len(text) and text[i] not in ",]} \t\r\n":
                i += 1

    ws()
    if i < len(text):
        value((), i)
    return out


JSON_CASES = {
    "bank": '{"questions": [\n {"id": "a", "stem": "x?",\n  "choices": [{"text": "one", "correct": true}]}]}',
    "escapes": '{"k\\"ey": "a \\"quoted\\" \\\\ \\u00e9 \\n", "\\u0041": [1, -2.5e3, null, false]}',
    "duplicate keys": '{"a": "first", "b": {"x": 1}, "a": "second", "b": {"y": 2}, "c": 1, "c": "s"}',
    "empty containers": '{"a": {}, "b": [], "c": [[], {}],\n\n "d": [ ]}',
    "root array": '[1, "two", {"three": 3}]',
    "root scalar": '  "text"  ',
    "whitespace": '{\r\n\t"a" :\t[ 1 ,2\n,3 ] ,"b":{ "c" : "d" } }\n',
    "unicode": '{"\u00e9t\u00e9": "\u4e2d\u6587 \U0001f600", "x": ["\u2028"]}',
}


@pytest.mark.parametrize("name", JSON_CASES)
def test_json_positions_are_those_of_a_recursive_scanner(name: str) -> None:
    text = JSON_CASES[name]
    json.loads(text)  # the cases are valid JSON
    assert _json_positions(text) == scanned(text)


json_values = st.recursive(
    st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 0, 1, 2]), st.booleans())
def test_json_positions_agree_on_generated_documents(data: Any, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    assert _json_positions(text) == scanned(text)


# ---------------------------------------------------------------------------------------------- lines


@pytest.mark.parametrize("text", ["", "a", "\n", "a\nb", "a\n", "\n\nx\n\n", "a\r\nb\rc\u2028d"])
def test_line_starts_are_the_indexes_after_each_line_feed(text: str) -> None:
    assert _line_starts(text) == [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def test_line_and_column_of_an_index(tmp_path: Path) -> None:
    sf = SourceFile(tmp_path / "x.yaml", "x.yaml", text="ab\ncd\n\nef")
    assert [sf.line_col(i) for i in (0, 1, 3, 6, 7, 8)] == [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1), (4, 2)]


# ---------------------------------------------------------------------------------------------- packed


PACKED_BANK = """
defaults: {difficulty: easy}
pools: {p1: {pick: 1}}
questions:
  - id: a
    stem: |
      First line.
      Second line with a `code span`.
    choices:
      - {text: "one", correct: true}
      - text: two
  - id: b
    stem: 'Quoted ''stem''?'
    choices: [{text: x, correct: true}, {text: y}]
"""


def every_path(sf: SourceFile) -> list[DataPath]:
    known = list(sf.positions())
    return [
        *known,
        *((*path, "missing") for path in known),
        *((*path, 7, "deeper") for path in known),
        ("questions", 2),
        ("questions", -1, "stem"),
        ("questions", "a"),
        ("nowhere", 0),
        (),
    ]


def answers(sf: SourceFile, paths: list[DataPath]) -> list[tuple[int, int]]:
    out = []
    for path in paths:
        out.append(sf.position(path))
        out.append(sf.position(path, key=True))
        out.append(sf.position(path, offset=3))
    return out


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("bank.yaml", PACKED_BANK),
        ("bank.json", json.dumps(YAML().load(PACKED_BANK), indent=2)),
        ("aliases.yaml", YAML_CASES["aliases"]),
        ("flow.yaml", YAML_CASES["flow style"]),
        ("mapping.yaml", "questions: {a: {stem: x}}\n"),
        ("scalar.yaml", "just text\n"),
    ],
)
def test_packed_positions_place_every_path_as_the_whole_map_does(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    whole = read_source(path, name)
    paths = every_path(whole)
    expected = answers(whole, paths)
    packed = read_source(path, name)
    packed.positions()
    packed.pack_positions()
    assert packed._positions is None
    assert answers(packed, paths) == expected
    again = pickle.loads(pickle.dumps(packed))
    assert again._packed is not None
    assert answers(again, paths) == expected


def test_a_pickled_file_keeps_no_derived_positions(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(PACKED_BANK, encoding="utf-8")
    sf = read_source(path, "bank.yaml")
    expected = sf.position(("questions", 1, "stem"))
    sf.line_col(10)
    data = pickle.dumps(sf)
    assert sf._positions is not None  # the file itself keeps them
    again = pickle.loads(data)
    assert (again._positions, again._line_starts, again._packed) == (None, None, None)
    assert again.position(("questions", 1, "stem")) == expected  # computed again from the text
    assert len(data) < len(pickle.dumps(sf.positions()))
