"""``qbank fmt``: rewrite question files in the canonical layout without changing their meaning.

:func:`format_text` lays a question file out canonically - top-level keys ``$schema``, ``form``,
``defaults``, ``questions``; question keys in :data:`qbank.core.model.FIELD_ORDER`; multi-line Markdown
as ``|`` blocks; plain scalars where YAML allows them and the author's quotes where it needs quotes
(double quotes for a string that had none, as in the README and the example banks); 2-space
indentation with ``- `` items indented under their key - and keeps comments (ruamel round trip:
mappings are reordered in place with their comment attributes). JSON files get the same key order
and a 2-space indent. The result is idempotent: formatting it again changes nothing.

:func:`apply_edits` changes located strings of a file the same way (``qbank check --fix`` uses it).
Nothing here writes except :func:`write_results`, atomically.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.model import FIELD_ORDER, GAP_FIELD_ORDER
from qbank.io.fsutil import atomic_write
from qbank.io.serialize import NEEDS_ESCAPE, QuotingEmitter
from qbank.io.source import SourceFile, diagnostic, discover, read_source

__all__ = [
    "FormatResult",
    "apply_edits",
    "format_data",
    "format_paths",
    "format_text",
    "set_values",
    "write_results",
]

TOP_ORDER = ("$schema", "form", "defaults", "pools", "questions")
FORM_ORDER = (
    "title", "count", "time_limit", "seed", "blueprint", "passing_score", "domains", "objectives", "stats",
)  # fmt: skip
ITEM_STATS_ORDER = ("n", "p", "discrimination", "omitted", "shares", "pbis", "source", "date")
FORM_STATS_ORDER = ("n", "k", "alpha", "sem", "source", "date")
CHOICE_ORDER = ("text", "correct", "feedback")
PAIR_ORDER = ("prompt", "match")
LINT_ORDER = ("ignore", "reason")


class FormatError(Exception):
    """A file cannot be formatted (syntax error, not a mapping)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass
class FormatResult:
    """One file: its text before and after, or why it could not be formatted."""

    path: Path
    display: str
    original: str
    formatted: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: bool = False
    """Not a question file (no ``questions`` key): left alone."""

    @property
    def changed(self) -> bool:
        """Whether formatting changes the file."""
        return self.formatted is not None and self.formatted != self.original

    @property
    def failed(self) -> bool:
        """Whether the file could not be formatted."""
        return any(d.severity == Severity.ERROR for d in self.diagnostics)

    def diff(self) -> str:
        """A unified diff from the original to the formatted text."""
        if self.formatted is None:
            return ""
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.formatted.splitlines(keepends=True),
                fromfile=self.display,
                tofile=f"{self.display} (formatted)",
            )
        )


# ---------------------------------------------------------------------------------------------- YAML


class _CanonicalEmitter(QuotingEmitter):
    """Keeps the author's quotes where YAML needs quotes and drops them where it does not."""

    def choose_scalar_style(self) -> Any:
        """Plain when a plain scalar reads back as the same string, else the quoting emitter's choice."""
        event = self.event
        if event.style in ("'", '"') and event.implicit[0] and event.value:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            analysis = self.analysis
            plain = analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain
            if plain and not analysis.multiline:
                return ""
        return super().choose_scalar_style()


def _yaml(*, canonical: bool = True) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Emitter = _CanonicalEmitter if canonical else QuotingEmitter
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    return yaml


def _reorder(mapping: CommentedMap, order: Sequence[str]) -> None:
    """Move keys into ``order`` (unknown keys keep their relative order, after the known ones)."""
    rank = {key: i for i, key in enumerate(order)}
    keys = list(mapping.keys())
    wanted = sorted(keys, key=lambda k: (rank.get(str(k), len(rank)), keys.index(k)))
    if wanted == keys:
        return
    for key in wanted:
        mapping.move_to_end(key)


def _block_ok(text: str) -> bool:
    lines = text.split("\n")
    return not (
        any(line != line.rstrip(" \t") for line in lines)
        or text.startswith((" ", "\n"))
        or "\t" in text
        or NEEDS_ESCAPE.search(text.replace("\n", " "))
    )


def _scalar(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{{") and "\n" not in value:
        return DoubleQuotedScalarString(value)  # `answer: "{{ x }}"`, the way templates are written
    if isinstance(value, str) and not isinstance(value, bool):
        text = str(value)
        if "\n" in text.rstrip("\n") and _block_ok(text):
            return LiteralScalarString(text)
        if isinstance(value, SingleQuotedScalarString | DoubleQuotedScalarString):
            return value  # the emitter keeps the quotes only where YAML needs them
        return text if isinstance(value, ScalarString) else value
    return value


_FLOW_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*(?: [A-Za-z0-9_./+-]+)*")


def _flow_ok(seq: CommentedSeq) -> bool:
    if seq.ca.items or seq.ca.comment or not seq:
        return False
    short_words = len(seq) <= 6 and all(
        isinstance(v, str) and len(v) < 30 and _FLOW_SAFE.fullmatch(v) for v in seq
    )
    # figures such as stats shares: [0.62, 0.21, 0.12, 0.05]
    numbers = len(seq) <= 10 and all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in seq
    )
    return short_words or numbers


def _canonical_values(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        for key in list(node.keys()):
            node[key] = _canonical_values(node[key])
        node.fa.set_block_style()
        return node
    if isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            node[index] = _canonical_values(item)
        if _flow_ok(node):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    return _scalar(node)


def format_data(doc: CommentedMap) -> None:
    """Reorder keys and normalise scalar styles of a round-trip-loaded question file, in place."""
    _reorder(doc, TOP_ORDER)
    form = doc.get("form")
    if isinstance(form, CommentedMap):
        _reorder(form, FORM_ORDER)
        if isinstance(form.get("stats"), CommentedMap):
            _reorder(form["stats"], FORM_STATS_ORDER)
    defaults = doc.get("defaults")
    if isinstance(defaults, CommentedMap):
        _reorder(defaults, FIELD_ORDER)
        if isinstance(defaults.get("lint"), CommentedMap):
            _reorder(defaults["lint"], LINT_ORDER)
    questions = doc.get("questions")
    if isinstance(questions, CommentedSeq):
        for question in questions:
            if not isinstance(question, CommentedMap):
                continue
            _reorder(question, FIELD_ORDER)
            for name, order in (("choices", CHOICE_ORDER), ("pairs", PAIR_ORDER)):
                items = question.get(name)
                if isinstance(items, CommentedSeq):
                    for item in items:
                        if isinstance(item, CommentedMap):
                            _reorder(item, order)
            gaps = question.get("gaps")
            if isinstance(gaps, CommentedMap):
                for gap in gaps.values():
                    if isinstance(gap, CommentedMap):
                        _reorder(gap, GAP_FIELD_ORDER)
                        for option in gap.get("options") or ():
                            if isinstance(option, CommentedMap):
                                _reorder(option, CHOICE_ORDER)
            if isinstance(question.get("lint"), CommentedMap):
                _reorder(question["lint"], LINT_ORDER)
            if isinstance(question.get("stats"), CommentedMap):
                _reorder(question["stats"], ITEM_STATS_ORDER)
    _canonical_values(doc)
    _keep_template_layout(doc)


def _keep_template_layout(doc: CommentedMap) -> None:
    """Variable specifications and pool declarations stay one line each (``{min: 1, max: 9}``),
    the way templates are written; everything else of a template is laid out like any question."""
    specs: list[Any] = []
    pools = doc.get("pools")
    if isinstance(pools, CommentedMap):
        specs.extend(pools.values())
    questions = doc.get("questions")
    for question in questions if isinstance(questions, CommentedSeq) else ():
        variables = question.get("variables") if isinstance(question, CommentedMap) else None
        if isinstance(variables, CommentedMap):
            specs.extend(variables.values())
    for spec in specs:
        if isinstance(spec, CommentedMap) and not spec.ca.items:
            spec.fa.set_flow_style()


def _format_yaml(text: str, display: str) -> str:
    yaml = _yaml()
    try:
        doc = yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise FormatError(diagnostic("QB003", f"YAML syntax error: {exc}", display, line, col)) from None
    if not isinstance(doc, CommentedMap):
        raise FormatError(diagnostic("QB006", "the top level must be a mapping", display))
    format_data(doc)
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


# ---------------------------------------------------------------------------------------------- JSON


def _ordered(mapping: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(order)}
    keys = list(mapping)
    return {k: mapping[k] for k in sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))}


def _ordered_gap(gap: dict[str, Any]) -> dict[str, Any]:
    gap = _ordered(gap, GAP_FIELD_ORDER)
    if isinstance(gap.get("options"), list):
        gap["options"] = [_ordered(o, CHOICE_ORDER) if isinstance(o, dict) else o for o in gap["options"]]
    return gap


def _format_json_data(doc: dict[str, Any]) -> dict[str, Any]:
    doc = _ordered(doc, TOP_ORDER)
    if isinstance(doc.get("form"), dict):
        doc["form"] = _ordered(doc["form"], FORM_ORDER)
        if isinstance(doc["form"].get("stats"), dict):
            doc["form"]["stats"] = _ordered(doc["form"]["stats"], FORM_STATS_ORDER)
    if isinstance(doc.get("defaults"), dict):
        doc["defaults"] = _ordered(doc["defaults"], FIELD_ORDER)
    questions = doc.get("questions")
    if isinstance(questions, list):
        out = []
        for question in questions:
            if isinstance(question, dict):
                question = _ordered(question, FIELD_ORDER)
                for name, order in (("choices", CHOICE_ORDER), ("pairs", PAIR_ORDER)):
                    if isinstance(question.get(name), list):
                        question[name] = [
                            _ordered(i, order) if isinstance(i, dict) else i for i in question[name]
                        ]
                if isinstance(question.get("gaps"), dict):
                    question["gaps"] = {
                        name: _ordered_gap(gap) if isinstance(gap, dict) else gap
                        for name, gap in question["gaps"].items()
                    }
                if isinstance(question.get("lint"), dict):
                    question["lint"] = _ordered(question["lint"], LINT_ORDER)
                if isinstance(question.get("stats"), dict):
                    question["stats"] = _ordered(question["stats"], ITEM_STATS_ORDER)
            out.append(question)
        doc["questions"] = out
    return doc


def _format_json(text: str, display: str) -> str:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            diagnostic("QB003", f"JSON syntax error: {exc.msg}", display, exc.lineno, exc.colno)
        ) from None
    except RecursionError:
        raise FormatError(diagnostic("QB003", "JSON nesting is too deep", display)) from None
    if not isinstance(doc, dict):
        raise FormatError(diagnostic("QB006", "the top level must be an object", display))
    return json.dumps(_format_json_data(doc), indent=2, ensure_ascii=False) + "\n"


def format_text(text: str, *, json_file: bool = False, display: str = "<text>") -> str:
    """The canonical layout of a question file's text (raises :class:`FormatError` if unparsable)."""
    return _format_json(text, display) if json_file else _format_yaml(text, display)


def format_paths(paths: Iterable[str | os.PathLike[str]], config: Config | None = None) -> list[FormatResult]:
    """Format every question file under ``paths`` (in memory; see :func:`write_results`)."""
    config = config or Config()
    items, problems = discover(paths, config.model.exclude)
    results: list[FormatResult] = []
    for diag in problems:
        results.append(FormatResult(Path(diag.path), diag.path, "", None, [diag]))
    for path, shown in items:
        sf = read_source(path, shown)
        result = FormatResult(path, shown, sf.text)
        errors = [d for d in sf.diagnostics if d.severity == Severity.ERROR]
        if errors:
            result.diagnostics = errors
        elif sf.kind != "questions":
            result.skipped = True
        else:
            try:
                result.formatted = format_text(sf.text, json_file=sf.is_json, display=shown)
            except FormatError as exc:
                result.diagnostics = [exc.diagnostic]
            except (ValueError, TypeError, RecursionError) as exc:
                result.diagnostics = [diagnostic("QB003", f"cannot format: {exc}", shown)]
        results.append(result)
    return results


def write_results(results: Iterable[FormatResult]) -> list[FormatResult]:
    """Write every changed file atomically; return those written."""
    written = []
    for result in results:
        if result.changed and result.formatted is not None:
            atomic_write(result.path, result.formatted)
            written.append(result)
    return written


# ------------------------------------------------------------------------------------ located edits


def _navigate(doc: Any, path: Sequence[str | int]) -> tuple[Any, str | int] | None:
    node = doc
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    try:
        node[path[-1]]
    except (KeyError, IndexError, TypeError):
        return None
    return node, path[-1]


def _edited(value: str, edits: Sequence[Any]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        value = value[: edit.start] + edit.replacement + value[edit.end :]
    return value


def _apply_yaml(text: str, edits: dict[tuple[str | int, ...], list[Any]]) -> str:
    yaml = _yaml(canonical=False)
    doc = yaml.load(text)
    for path, group in edits.items():
        found = _navigate(doc, path)
        if found is None:
            continue
        parent, key = found
        old = parent[key]
        if not isinstance(old, str):
            continue
        new = _edited(str(old), group)
        if isinstance(old, LiteralScalarString) or ("\n" in new.rstrip("\n") and _block_ok(new)):
            parent[key] = LiteralScalarString(new) if "\n" in new.rstrip("\n") and _block_ok(new) else new
        elif isinstance(old, ScalarString):
            parent[key] = type(old)(new)
        else:
            parent[key] = new
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def _apply_json(sf: SourceFile, edits: dict[tuple[str | int, ...], list[Any]]) -> str:
    text = sf.text
    spans: list[tuple[int, int, str]] = []
    for path, group in edits.items():
        pos = sf.positions().get(path)
        if pos is None or pos.style != '"':
            continue
        start = _index(text, pos.line, pos.col)
        end = start + 1
        while text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        value = json.loads(text[start : end + 1])
        spans.append((start, end + 1, json.dumps(_edited(value, group), ensure_ascii=False)))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _index(text: str, line: int, col: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset + col - 1


def apply_edits(sf: SourceFile, edits: dict[tuple[str | int, ...], list[Any]]) -> str:
    """The text of ``sf`` with string edits applied at data paths, comments and layout kept.

    Each edit has ``start``, ``end`` and ``replacement`` (offsets into the string's value).
    Raises ``YAMLError``, ``ValueError`` or ``IndexError`` when the file cannot be edited.
    """
    return _apply_json(sf, edits) if sf.is_json else _apply_yaml(sf.text, edits)


# ------------------------------------------------------------------------------------ set values


def _set_yaml(text: str, updates: dict[tuple[str | int, ...], Any]) -> str:
    from qbank.io.serialize import to_yaml_value

    yaml = _yaml()
    yaml.preserve_quotes = True
    doc = yaml.load(text)
    for path, value in updates.items():
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        if value is None:
            if isinstance(parent, CommentedMap) and key in parent:
                del parent[key]
            continue
        node = to_yaml_value(value)
        if isinstance(node, CommentedMap):
            node.fa.set_block_style()
        parent[key] = node
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def _set_json(text: str, updates: dict[tuple[str | int, ...], Any]) -> str:
    doc = json.loads(text)
    for path, value in updates.items():
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        if value is None:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value
    return json.dumps(_format_json_data(doc), indent=2, ensure_ascii=False) + "\n"


def set_values(sf: SourceFile, updates: dict[tuple[str | int, ...], Any]) -> str:
    """The text of ``sf`` with values put at data paths (``None`` removes the key).

    YAML keeps its comments and layout (a new key goes last in its mapping, where the canonical
    order puts ``stats``); JSON is written back in the ``qbank fmt`` layout. Raises ``YAMLError``,
    ``ValueError``, ``KeyError`` or ``IndexError`` when a path's parent does not exist.
    """
    return _set_json(sf.text, updates) if sf.is_json else _set_yaml(sf.text, updates)
