"""Reading question files: bytes -> text -> data, and data paths -> line:col.

Clean files take the fast road: ruamel's C-accelerated safe loader (or :mod:`json`) and nothing
else. Positions are computed only when something must be reported: :meth:`SourceFile.position`
reads the file's YAML parser events once (or scans its JSON tokens) and caches a map from data path
(``("questions", 3, "choices", 1, "text")``) to the line and column of its key and value, which
:meth:`SourceFile.pack_positions` can keep compactly, question by question. Every way a file can be
unreadable becomes a located :class:`~qbank.core.diagnostics.Diagnostic`.
"""

from __future__ import annotations

import bisect
import json
import marshal
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from qbank.core.diagnostics import FORMAT_CODES, Diagnostic, Severity

__all__ = [
    "QUESTION_SUFFIXES",
    "DataPath",
    "NodePosition",
    "SourceFile",
    "discover",
    "read_source",
]

QUESTION_SUFFIXES = (".yaml", ".yml", ".json")
DataPath = tuple[str | int, ...]
FileKind = Literal["questions", "blueprint", "other", "empty", "invalid"]

_local = threading.local()


class _Resolver(VersionedResolver):
    """ruamel's resolver, with the YAML version looked up once instead of for every scalar.

    With the C parser the lookup fails over to the loader's default version by raising and catching
    an exception, which costs more than the rest of composing a document; that default never
    changes for one loader, so the first answer is kept.
    """

    _version: Any = None

    @property
    def processing_version(self) -> Any:
        if self._version is None:
            self._version = VersionedResolver.processing_version.fget(self)  # type: ignore[attr-defined]
        return self._version


def _fast_yaml() -> YAML:
    if not hasattr(_local, "fast"):
        fast = YAML(typ="safe", pure=False)
        fast.Resolver = _Resolver
        _local.fast = fast
    loader: YAML = _local.fast
    return loader


class NodePosition(NamedTuple):
    """1-based position of a mapping key (if any) and of its value."""

    key_line: int
    key_col: int
    line: int
    col: int
    style: str | None = None
    """The YAML scalar style (``|``, ``>``, ``"``, ``'``, or empty for plain); ``"`` for JSON strings."""
    end_line: int | None = None
    value: str | None = None
    """The text of a string scalar (so offsets inside it can be placed without the parsed data)."""


def diagnostic(code: str, message: str, path: str, line: int = 1, col: int = 1, **kw: Any) -> Diagnostic:
    """A diagnostic with the default severity of a format code."""
    severity = kw.pop("severity", None) or FORMAT_CODES[code][1]
    return Diagnostic(code, severity, message, path, line, col, **kw)


@dataclass
class SourceFile:
    """One file of a bank: its text, parsed data and (on demand) positions of every value."""

    path: Path
    display: str
    text: str = ""
    _data: Any = field(default=None, repr=False)
    kind: FileKind = "invalid"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _positions: dict[DataPath, NodePosition] | None = field(default=None, repr=False, compare=False)
    _line_starts: list[int] | None = field(default=None, repr=False, compare=False)
    _released: bool = field(default=False, repr=False)
    _packed: _Packed | None = field(default=None, repr=False, compare=False)
    """Positions kept compactly by :meth:`pack_positions`."""

    def __getstate__(self) -> dict[str, Any]:
        # positions and line starts are derived from the text: a pickle keeps them only packed
        state = dict(self.__dict__)
        state["_positions"] = state["_line_starts"] = None
        return state

    @property
    def data(self) -> Any:
        """The parsed document (re-parsed on demand after :meth:`release`)."""
        if self._data is None and self._released:
            self._released = False
            self._data = json.loads(self.text) if self.is_json else _fast_yaml().load(self.text)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value
        self._released = False

    def release(self) -> None:
        """Drop the parsed document to save memory; :attr:`data` parses the text again if needed."""
        if self.kind == "questions" and self._data is not None:
            self._data = None
            self._released = True

    @property
    def is_json(self) -> bool:
        """Whether the file is parsed as JSON (by its suffix)."""
        return self.path.suffix.lower() == ".json"

    # -------------------------------------------------------------- positions

    def positions(self) -> dict[DataPath, NodePosition]:
        """Map of every data path to its position (computed once, on first use)."""
        if self._positions is None:
            try:
                self._positions = _json_positions(self.text) if self.is_json else _yaml_positions(self.text)
            except (YAMLError, ValueError, RecursionError):
                self._positions = {}
        return self._positions

    def pack_positions(self) -> None:
        """Keep the positions, once computed, in a compact form that is also what a pickle of this
        file holds: each question's share is unpacked only when a path inside it is placed. Saves
        memory and time where files are kept (the check cache) or sent between processes."""
        if self._positions is None:
            return
        self._packed = _Packed.of(self._positions)
        self._positions = None

    def _find(self, parts: DataPath) -> tuple[DataPath, NodePosition | None]:
        """The longest prefix of ``parts`` that has a position, and that position."""
        packed = self._packed
        if packed is not None and self._positions is None:
            found = packed.find(parts)
            if found is not None:
                return found
            return packed.find_rest(parts)
        positions = self.positions()
        while parts and parts not in positions:
            parts = parts[:-1]
        return parts, positions.get(parts)

    def position(
        self, path: Iterable[str | int], *, key: bool = False, offset: int | None = None
    ) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path`` (of its key with ``key=True``).

        ``offset`` is a character offset inside a string value; it is mapped to the exact line and
        column for literal block scalars, one-line scalars and JSON strings, and to the start of the
        value otherwise. A path that does not exist falls back to its nearest existing parent.
        """
        whole = tuple(path)
        parts, pos = self._find(whole)
        if pos is None:
            return (1, 1)
        if key and parts == whole:
            return (pos.key_line, pos.key_col)
        if offset is not None and parts == whole:
            return self._offset_position(pos, parts, offset)
        return (pos.line, pos.col)

    def _offset_position(self, pos: NodePosition, parts: DataPath, offset: int) -> tuple[int, int]:
        value = pos.value
        if value is None:
            return (pos.line, pos.col)
        before = value[:offset]
        line_index = before.count("\n")
        col_index = offset - (before.rfind("\n") + 1)
        if pos.style == "|":
            indent = self._block_indent(pos.line)  # from the line after the indicator
            return (pos.line + 1 + line_index, indent + col_index + 1)
        if line_index == 0 and (pos.end_line is None or pos.end_line == pos.line):
            quote = 1 if pos.style in ('"', "'") else 0
            return (pos.line, pos.col + quote + col_index)
        return (pos.line, pos.col)

    def _block_indent(self, first: int) -> int:
        """Indentation of the first non-blank line of :attr:`text` from line ``first`` (0-based, lines
        as :meth:`str.splitlines` counts them) on; 0 when there is none."""
        text = self.text
        if _OTHER_BREAKS.search(text) is None:  # lines end at "\n" only: walk from that line on
            starts = self._starts()
            if first >= len(starts):
                return 0
            at = starts[first]
            while True:
                end = text.find("\n", at)
                raw = text[at:] if end < 0 else text[at:end]
                if raw.strip():
                    return len(raw) - len(raw.lstrip(" "))
                if end < 0:
                    return 0
                at = end + 1
        for raw in text.splitlines()[first:]:
            if raw.strip():
                return len(raw) - len(raw.lstrip(" "))
        return 0

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = _line_starts(self.text)
        return self._line_starts

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and column of a character index into :attr:`text`."""
        starts = self._starts()
        line = bisect.bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    def diag(
        self, code: str, message: str, path: Iterable[str | int] = (), *, key: bool = False, **kw: Any
    ) -> Diagnostic:
        """A diagnostic placed at a data path of this file."""
        line, col = self.position(path, key=key, offset=kw.pop("offset", None))
        return diagnostic(code, message, self.display, line, col, **kw)


class _Packed:
    """Positions packed by question: ``questions[i]`` holds (marshalled) the positions of the paths
    under ``("questions", i)`` relative to it, ``rest`` those of every other path."""

    __slots__ = ("_open", "questions", "rest")

    def __init__(self, rest: bytes, questions: list[bytes]) -> None:
        self.rest = rest
        self.questions = questions
        self._open: dict[int, dict[DataPath, NodePosition]] = {}

    @classmethod
    def of(cls, positions: dict[DataPath, NodePosition]) -> _Packed:
        rest: dict[DataPath, tuple[Any, ...]] = {}
        by_question: dict[int, dict[DataPath, tuple[Any, ...]]] = {}
        for path, pos in positions.items():
            if len(path) >= 2 and path[0] == "questions" and type(path[1]) is int:
                by_question.setdefault(path[1], {})[path[2:]] = tuple(pos)
            else:
                rest[path] = tuple(pos)
        count = max(by_question, default=-1) + 1
        if len(by_question) != count or any(() not in own for own in by_question.values()):
            return cls(marshal.dumps({p: tuple(v) for p, v in positions.items()}), [])
        return cls(marshal.dumps(rest), [marshal.dumps(by_question[i]) for i in range(count)])

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Packed, (self.rest, self.questions))

    def find(self, parts: DataPath) -> tuple[DataPath, NodePosition] | None:
        """The longest prefix of ``parts`` that has a position, when ``parts`` is inside a question."""
        if len(parts) < 2 or parts[0] != "questions" or not isinstance(parts[1], int):
            return None
        index = parts[1]
        if not 0 <= index < len(self.questions):
            return None
        own = self._open.get(index)
        if own is None:
            own = self._open[index] = _unpack(self.questions[index])
        inner = parts[2:]
        while inner not in own:  # the question itself is there, as ()
            inner = inner[:-1]
        return (*parts[:2], *inner), own[inner]

    def find_rest(self, parts: DataPath) -> tuple[DataPath, NodePosition | None]:
        """The longest prefix of ``parts`` that has a position outside the questions."""
        rest = self._open.get(-1)
        if rest is None:
            rest = self._open[-1] = _unpack(self.rest)
        while parts and parts not in rest:
            parts = parts[:-1]
        return parts, rest.get(parts)


def _unpack(blob: bytes) -> dict[DataPath, NodePosition]:
    return {path: NodePosition(*pos) for path, pos in marshal.loads(blob).items()}


def _line_starts(text: str) -> list[int]:
    """The index at which each line of ``text`` starts (lines end at ``\\n``)."""
    return list(accumulate(map(_one_more, map(len, text.split("\n")[:-1])), initial=0))


_one_more = (1).__add__

_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Characters other than ``\\n`` at which :meth:`str.splitlines` ends a line."""


# ------------------------------------------------------------------------------------------ YAML positions


class _Alias(Exception):
    """The document uses an alias: it is placed from the composed tree instead."""


def _yaml_positions(text: str) -> dict[DataPath, NodePosition]:
    """The position of every data path of a YAML document.

    Read from the C parser's event stream, which needs neither node objects nor tag resolution; a
    document with aliases (whose nodes are shared between paths) is composed and walked instead.
    """
    events = _fast_yaml().parse(text)
    try:
        return _event_positions(events)
    except _Alias:
        return _tree_positions(_fast_yaml().compose(text))
    finally:
        events.close()


# the fields of an open collection while its events are read
_PATH, _NEXT, _KEY_LINE, _KEY_COL, _AT_KEY, _OWN_KEY_LINE, _OWN_KEY_COL, _LINE, _COL, _PLACED = range(10)


def _event_positions(events: Iterator[Any]) -> dict[DataPath, NodePosition]:
    """Positions from the parser's events, exactly as :func:`_tree_positions` finds them in the
    composed tree: the first of duplicate keys wins (the others' values are not walked), keys that
    are collections are skipped with their values, and nothing is placed for a stream of several
    documents (which does not compose)."""
    out: dict[DataPath, NodePosition] = {}
    open_: list[list[Any]] = []  # the collections being read, innermost last (fields above)
    mappings: list[bool] = []  # whether each of ``open_`` is a mapping
    skip = 0  # depth inside a collection that is not placed
    documents = 0
    for event in events:
        kind = type(event)
        if skip:
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                skip += 1
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                skip -= 1
            elif kind is AliasEvent:
                raise _Alias
            continue
        if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            path: DataPath
            if not open_:
                path, key_line, key_col = (), line, col
                out[()] = NodePosition(line, col, line, col)
                placed = False
            elif not mappings[-1]:
                parent = open_[-1]
                index = parent[_NEXT]
                parent[_NEXT] = index + 1
                path, key_line, key_col = (*parent[_PATH], index), line, col
                placed = True
            else:
                parent = open_[-1]
                if parent[_AT_KEY]:
                    parent[_AT_KEY] = False
                    if kind is ScalarEvent:
                        parent[_NEXT], parent[_KEY_LINE], parent[_KEY_COL] = event.value, line, col
                    else:  # a collection as a key: neither it nor its value is placed
                        parent[_NEXT] = None
                        skip = 1
                    continue
                parent[_AT_KEY] = True
                name = parent[_NEXT]
                if name is None or (*parent[_PATH], name) in out:
                    if kind is not ScalarEvent:
                        skip = 1
                    continue
                path, key_line, key_col = (*parent[_PATH], name), parent[_KEY_LINE], parent[_KEY_COL]
                placed = True
            if kind is ScalarEvent:
                if placed:
                    value = event.value
                    out[path] = NodePosition(
                        key_line, key_col, line, col, event.style, event.end_mark.line + 1, value
                    )
            else:
                open_.append([path, 0, 0, 0, True, key_line, key_col, line, col, placed])
                mappings.append(kind is MappingStartEvent)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = open_.pop()
            mappings.pop()
            if done[_PLACED]:
                out[done[_PATH]] = NodePosition(
                    done[_OWN_KEY_LINE],
                    done[_OWN_KEY_COL],
                    done[_LINE],
                    done[_COL],
                    None,
                    event.end_mark.line + 1,
                )
        elif kind is AliasEvent:
            raise _Alias
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                return {}
    return out


def _tree_positions(root: Node | None) -> dict[DataPath, NodePosition]:
    out: dict[DataPath, NodePosition] = {}
    if root is None:
        return out
    line, col = root.start_mark.line + 1, root.start_mark.column + 1
    out[()] = NodePosition(line, col, line, col)
    stack: list[tuple[Node, DataPath]] = [(root, ())]
    seen: set[int] = set()  # an alias is the anchored node again: its insides are placed once
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    continue
                child = (*path, str(key_node.value))
                if child in out:  # a duplicate key: keep the first, like the loader
                    continue
                out[child] = _pos(value_node, key_node)
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                out[child] = _pos(item, item)
                stack.append((item, child))
    return out


def _pos(value: Node, key: Node) -> NodePosition:
    style: str | None = None
    text: str | None = None
    if isinstance(value, ScalarNode):
        style = value.style
        text = value.value if isinstance(value.value, str) else None
    return NodePosition(
        key.start_mark.line + 1,
        key.start_mark.column + 1,
        value.start_mark.line + 1,
        value.start_mark.column + 1,
        style,
        value.end_mark.line + 1,
        text,
    )


def mapping_nodes(root: Node | None) -> Iterator[MappingNode]:
    """Every mapping of a composed YAML tree, each once (a node reached again through an alias
    is not walked again); keys are not walked into."""
    stack: list[Node] = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            yield node
            stack.extend(value_node for _, value_node in node.value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def duplicate_keys(root: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """Every (key, first key node, repeated key node) in a composed YAML tree."""
    for node in mapping_nodes(root):
        first: dict[str, Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                name = str(key_node.value)
                if name in first:
                    yield name, first[name], key_node
                else:
                    first[name] = key_node


# ------------------------------------------------------------------------------------------ JSON positions


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s,:\[\]{}"]+|[\[{]|[\]}]')
"""A JSON string, number or literal, an opening or a closing bracket (``,`` and ``:`` are skipped)."""


def _json_string(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    value: str = json.loads(token)
    return value


def _json_positions(text: str) -> dict[DataPath, NodePosition]:
    """The position of every data path of a JSON document (already known to be valid).

    Where a key is repeated, each path keeps its first position, but a string keeps the text of its
    last occurrence; the values of repeated keys are walked too.
    """
    out: dict[DataPath, NodePosition] = {}
    starts = _line_starts(text)
    where = bisect.bisect_right
    # the containers being read, innermost last: [path, is an object, next index or key, key index, at a key]
    open_: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        at = match.start()
        if first == "]" or first == "}":
            open_.pop()
            if not open_:
                break
            continue
        path: DataPath
        if not open_:
            path, key_at = (), at
        else:
            parent = open_[-1]
            if not parent[1]:
                path, key_at = (*parent[0], parent[2]), at
                parent[2] += 1
            elif parent[4]:
                parent[2], parent[3], parent[4] = _json_string(token), at, False
                continue
            else:
                path, key_at = (*parent[0], parent[2]), parent[3]
                parent[4] = True
        value = _json_string(token) if first == '"' else None
        known = out.get(path)
        if known is None:
            key_line = where(starts, key_at)
            line = where(starts, at)
            out[path] = NodePosition(
                key_line,
                key_at - starts[key_line - 1] + 1,
                line,
                at - starts[line - 1] + 1,
                '"' if first == '"' else None,
                line,
                value,
            )
        elif value is not None:
            out[path] = known._replace(value=value)
        if first == "{" or first == "[":
            open_.append([path, first == "{", 0, 0, True])
        elif not open_:
            break
    return out


# ------------------------------------------------------------------------------------------ reading


def discover(
    paths: Iterable[str | os.PathLike[str]], exclude: Iterable[str] = ()
) -> tuple[list[tuple[Path, str]], list[Diagnostic]]:
    """Question-file candidates under ``paths`` (recursively, sorted) as (path, display name).

    Missing paths become ``QB001`` diagnostics. ``exclude`` holds glob patterns matched against
    the display path (``fnmatch`` semantics, ``**`` allowed).
    """
    from fnmatch import fnmatch

    patterns = list(exclude)
    found: dict[Path, str] = {}
    problems: list[Diagnostic] = []
    for raw in paths:
        given = Path(raw)
        if not given.exists():
            problems.append(diagnostic("QB001", f"no such file or directory: {raw}", str(raw)))
            continue
        if given.is_dir():
            children = sorted(
                p for p in given.rglob("*")
                if p.suffix.lower() in QUESTION_SUFFIXES and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(given).parts)
            )  # fmt: skip
            if not children:
                problems.append(
                    diagnostic("QB001", f"no *.yaml, *.yml or *.json files under {raw}", str(raw))
                )
            for child in children:
                found.setdefault(child.resolve(), str(Path(raw) / child.relative_to(given)))
        else:
            found.setdefault(given.resolve(), str(raw))
    kept = [
        (path, shown)
        for path, shown in sorted(found.items(), key=lambda item: item[1])
        if not any(fnmatch(shown, pat) or fnmatch(path.as_posix(), pat) for pat in patterns)
    ]
    return kept, problems


def read_source(path: Path, display: str | None = None) -> SourceFile:
    """Read and parse one file; problems land in ``SourceFile.diagnostics``, never as exceptions."""
    shown = display or str(path)
    sf = SourceFile(path=path, display=shown)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        sf.diagnostics.append(diagnostic("QB001", f"cannot read file: {exc.strerror or exc}", shown))
        return sf
    text = _decode(raw, sf)
    if text is None:
        return sf
    sf.text = text
    if not text.strip():
        sf.kind = "empty"
        sf.diagnostics.append(diagnostic("QB005", "the file is empty", shown))
        return sf
    parse_text(sf)
    if sf.diagnostics:
        return sf
    data = sf.data
    if data is None:
        sf.kind = "empty"
        sf.diagnostics.append(
            diagnostic("QB005", "the file holds no data (only comments or an empty document)", shown)
        )
    elif not isinstance(data, dict):
        line, col = sf.position(())
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        sf.diagnostics.append(
            diagnostic(
                "QB006",
                f"the top level must be a mapping with a `questions` key, found {kind}",
                shown,
                line,
                col,
            )
        )
    elif "questions" in data:
        sf.kind = "questions"
    elif "blueprint" in data:
        sf.kind = "blueprint"
    else:
        sf.kind = "other"
    return sf


def parse_text(sf: SourceFile) -> None:
    """Parse ``sf.text`` (YAML or JSON by the file's suffix) into ``sf.data``; problems go to ``sf.diagnostics``."""
    if sf.is_json:
        _parse_json(sf)
    else:
        _parse_yaml(sf)


def _decode(raw: bytes, sf: SourceFile) -> str | None:
    if b"\x00" in raw[:8192]:
        sf.diagnostics.append(
            diagnostic("QB002", "binary file: not UTF-8 text (contains NUL bytes)", sf.display)
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start]
        line = head.count(b"\n") + 1
        col = len(head) - (head.rfind(b"\n") + 1) + 1
        sf.diagnostics.append(
            diagnostic(
                "QB002",
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded (save the file as UTF-8)",
                sf.display,
                line,
                col,
            )
        )
        return None


def _parse_yaml(sf: SourceFile) -> None:
    try:
        data = _fast_yaml().load(sf.text)
    except DuplicateKeyError:
        pass  # reported, all of them, from the composed tree below
    except MarkedYAMLError as exc:
        # a mapping used as a key; `answer: {{ x }}` is an unquoted expression, which the
        # syntax error's hint explains
        if exc.problem == _UNHASHABLE and "{{" not in _line_of(sf, exc):
            sf.diagnostics.extend(_collection_keys(sf))
            if sf.diagnostics:
                return
        sf.diagnostics.append(_yaml_error(exc, sf))
        return
    except ReaderError as exc:
        line, col = sf.line_col(max(0, exc.position)) if isinstance(exc.position, int) else (1, 1)
        sf.diagnostics.append(
            diagnostic("QB003", f"{_char_name(exc.character)} is not allowed in YAML", sf.display, line, col)
        )
        return
    except (YAMLError, RecursionError, ValueError) as exc:
        sf.diagnostics.append(diagnostic("QB003", f"YAML error: {exc}", sf.display))
        return
    else:
        if _has_collection_key(data):  # a sequence used as a key (loaded as a tuple)
            sf.diagnostics.extend(_collection_keys(sf))
        if not sf.diagnostics:
            sf.data = data
        return
    try:
        root = _fast_yaml().compose(sf.text)
    except MarkedYAMLError as exc:
        sf.diagnostics.append(_yaml_error(exc, sf))
        return
    for name, first, again in duplicate_keys(root):
        sf.diagnostics.append(
            _at_node(
                "QB004",
                f"duplicate key {name!r} (first defined at line {first.start_mark.line + 1})",
                sf,
                again,
            )
        )


def _at_node(code: str, message: str, sf: SourceFile, node: Node) -> Diagnostic:
    """A diagnostic placed at the start of a composed node."""
    return diagnostic(code, message, sf.display, node.start_mark.line + 1, node.start_mark.column + 1)


_UNHASHABLE = "found unhashable key"


def _line_of(sf: SourceFile, exc: MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    lines = sf.text.split("\n")
    return lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""


def _has_collection_key(data: Any) -> bool:
    """Whether any mapping in the loaded data has a key that is itself a sequence or mapping."""
    stack = [data]
    seen: set[int] = set()  # aliases share (and may contain) nodes: visit each one once
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            if any(isinstance(k, tuple) for k in value):
                return True
            stack.extend(v for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, dict | list))
    return False


def _collection_keys(sf: SourceFile) -> list[Diagnostic]:
    """QB012 at every mapping key that is a sequence or mapping (``? [a, b]``, ``[a, b]: x``)."""
    try:
        root = _fast_yaml().compose(sf.text)
    except (YAMLError, RecursionError, ValueError):
        return []
    out: list[Diagnostic] = []
    for node in mapping_nodes(root):
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                kind = "sequence" if isinstance(key_node, SequenceNode) else "mapping"
                out.append(
                    _at_node(
                        "QB012",
                        f"a key must be a single value such as a field name, not a {kind}",
                        sf,
                        key_node,
                    )
                )
    return sorted(out, key=Diagnostic.sort_key)


def _char_name(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"control character U+{code:04X}"


def _yaml_error(exc: MarkedYAMLError, sf: SourceFile) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (exc.problem or exc.context or "syntax error").strip()
    lines = sf.text.split("\n")
    if line > len(lines):  # the end of a file without a final line break: its last character
        line, col = len(lines), len(lines[-1]) + 1
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if mark is not None and 0 <= mark.index < len(sf.text) and sf.text[mark.index] == "\t":
        problem = "tab character: YAML indentation must use spaces"
    elif "\t" in bad_line:
        problem += " (the line contains a tab; YAML indentation must use spaces)"
    elif "{{" in bad_line:
        problem += ' (a value that starts with `{{` must be quoted: "{{ expression }}")'

    context = f" ({exc.context.strip()})" if exc.context and exc.problem else ""
    return diagnostic("QB003", f"YAML syntax error: {problem}{context}", sf.display, line, col)


def _parse_json(sf: SourceFile) -> None:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            seen: set[str] = set()
            for k, _ in items:
                if k in seen:
                    duplicates.append(k)
                seen.add(k)
        return out

    try:
        sf.data = json.loads(sf.text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        sf.diagnostics.append(
            diagnostic("QB003", f"JSON syntax error: {exc.msg}", sf.display, exc.lineno, exc.colno)
        )
        return
    except RecursionError:
        sf.diagnostics.append(diagnostic("QB003", "JSON nesting is too deep", sf.display))
        return
    for name in dict.fromkeys(duplicates):
        line, col = _json_duplicate_position(sf, name)
        sf.diagnostics.append(diagnostic("QB004", f"duplicate key {name!r}", sf.display, line, col))


def _json_duplicate_position(sf: SourceFile, name: str) -> tuple[int, int]:
    quoted = json.dumps(name)
    first = sf.text.find(quoted)
    second = sf.text.find(quoted, first + 1) if first >= 0 else -1
    return sf.line_col(second) if second >= 0 else (1, 1)


def severity_of(code: str) -> Severity:
    """Default severity of a format code."""
    return FORMAT_CODES[code][1]
