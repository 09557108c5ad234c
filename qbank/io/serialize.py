"""Writing questions back out as YAML (the format of ``docs/format.md``), in the canonical key order.

Used by ``qbank assemble`` (forms), ``qbank import`` and ``qbank fmt``. Values equal to their
defaults are left out, multi-line Markdown becomes a literal block scalar, and the output loads
back to equal questions.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from qbank.core.model import FIELD_ORDER, GAP_FIELD_ORDER, Cloze, Form, Pool, Question

__all__ = [
    "NEEDS_ESCAPE",
    "QuotingEmitter",
    "dump_questions",
    "pool_to_data",
    "question_to_data",
    "to_yaml_value",
]

_FORM_ORDER = (
    "title", "count", "time_limit", "seed", "blueprint", "passing_score", "domains", "objectives", "stats",
)  # fmt: skip


def question_to_data(question: Question) -> dict[str, Any]:
    """A question as plain data in canonical key order, defaults left out (``type`` always kept
    except for ``single_choice``)."""
    data = question.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    if question.kind != "single_choice":
        data["type"] = question.kind
    if isinstance(question, Cloze):
        data.pop("points", None)  # always the sum of the gaps' points
        gaps = data.get("gaps", {})
        for name, gap in gaps.items():
            _whole_numbers(gap)
            gaps[name] = {key: gap[key] for key in GAP_FIELD_ORDER if key in gap}
    _whole_numbers(data)
    return {key: data[key] for key in FIELD_ORDER if key in data}


def _whole_numbers(data: dict[str, Any]) -> None:
    """``points``, ``answer`` and ``tolerance`` written as integers when they are whole."""
    for name in ("points", "answer", "tolerance"):
        value = data.get(name)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            data[name] = int(value)


def pool_to_data(pool: Pool) -> dict[str, Any]:
    """A pool declaration as plain data (``pick`` always written, whole points as integers)."""
    data = pool.model_dump(mode="json", exclude_none=True)
    points = data.get("points")
    if isinstance(points, float) and points.is_integer():
        data["points"] = int(points)
    return data


def to_yaml_value(value: Any) -> Any:
    """Plain data -> ruamel nodes: multi-line strings as ``|`` blocks, mappings keep their order."""
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = to_yaml_value(v)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(to_yaml_value(v) for v in value)
        words = len(value) <= 6 and all(isinstance(v, str) and _FLOW_SAFE.fullmatch(v) for v in value)
        numbers = len(value) <= 10 and all(
            v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in value
        )
        if value and (words or numbers):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        if NEEDS_ESCAPE.search(value):
            return DoubleQuotedScalarString(value)  # escapes what no other style can carry
        if "\n" in value and not _needs_quotes(value):
            return LiteralScalarString(value)
    return value


_FLOW_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9 ._/+-]{0,28}[A-Za-z0-9]|[A-Za-z]")
#: characters YAML reads as line breaks (CR, NEL, LS, PS), or cannot hold unescaped: a string with one
#: is written double-quoted with escapes, never plain or as a ``|`` block
NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _needs_quotes(text: str) -> bool:
    # block scalars cannot keep trailing spaces on lines or leading blank lines faithfully
    lines = text.split("\n")
    return any(line != line.rstrip(" \t") for line in lines) or text.startswith(("\n", " ")) or "\t" in text


class QuotingEmitter(RoundTripEmitter):
    """Writes strings the way the README and the example banks do.

    A string is plain where YAML allows it; one that needs quotes (``"2"``, ``"a: b"``) and has
    no style of its own gets double quotes (single quotes when it holds a double quote and no
    single one, so that nothing needs escaping). A style the document already has (quotes kept by
    a round trip, a ``|`` block) is kept.
    """

    def choose_scalar_style(self) -> Any:
        """ruamel's choice, with double quotes where it would pick single quotes on its own."""
        style = super().choose_scalar_style()
        value = self.event.value
        # ruamel writes a null in a flow sequence as `null` only from its own "'" choice
        null = not value and str(self.event.ctag) == "tag:yaml.org,2002:null"
        if style == "'" and not self.event.style and not null and '"' not in value:
            return '"'
        return style


def _dumper() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Emitter = QuotingEmitter
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    return yaml


def dump_questions(
    questions: Iterable[Question],
    *,
    form: Form | None = None,
    defaults: Mapping[str, Any] | None = None,
    header: str | None = None,
    pools: Mapping[str, Pool] | None = None,
) -> str:
    """YAML text of a question file (optionally with a ``form:`` header, ``defaults:``, ``pools:``
    and a comment). The questions of a form lose their ``pool``: a form fixes its questions."""
    doc = CommentedMap()
    if form is not None:
        form_data = form.model_dump(mode="json", exclude_defaults=True)
        form_data.setdefault("title", form.title)
        form_data.setdefault("count", form.count)
        doc["form"] = to_yaml_value({k: form_data[k] for k in _FORM_ORDER if k in form_data})
    if defaults:
        doc["defaults"] = to_yaml_value(dict(defaults))
    items = [question_to_data(q) for q in questions]
    if form is not None:
        for item in items:
            item.pop("pool", None)  # a form fixes its questions: nothing is drawn from pools
    if pools:
        doc["pools"] = to_yaml_value({name: pool_to_data(pool) for name, pool in pools.items()})
    doc["questions"] = CommentedSeq(to_yaml_value(item) for item in items)
    stream = io.StringIO()
    if header:
        for line in header.splitlines():
            stream.write(f"# {line}\n" if line else "#\n")
    _dumper().dump(doc, stream)
    return stream.getvalue()
