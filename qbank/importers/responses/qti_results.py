"""QTI results reporting: ``assessmentResult`` documents (QTI 2.1, 2.2 and 3.0), read as hostile XML.

One document holds one candidate's session: ``context/@sourcedId`` (the candidate), a
``testResult`` (its ``identifier`` names the form) and one ``itemResult`` per item with the
candidate's ``responseVariable`` and the ``SCORE`` outcome. A file may also wrap several
``assessmentResult`` elements in any root element. Element names are matched without their
namespace, so every QTI version reads the same way.

Items and choices are recognised by the identifiers qbank's QTI exports write (the question id,
with ``Q_`` before an id that starts with a digit; choices ``A``, ``B`` ...; ``TRUE``/``FALSE``;
ordering items ``O1``, ``O2`` ...). The ``SCORE`` outcome is the score (scaled by ``MAXSCORE``
when the result carries it); without one, the key scores the response.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from lxml import etree

from qbank.analysis.stats.responses import interpret, parse_number
from qbank.analysis.stats.table import ResponseTable, TableBuilder
from qbank.core.model import ChoiceQuestion, Ordering, Question, TrueFalse
from qbank.importers.responses.common import Context, Problems, UnreadableResponses, resolve_id
from qbank.io.safe import MAX_INPUT_BYTES, UnsafeInput, XmlSyntax, parse_xml

__all__ = ["is_results_xml", "read_qti_results"]

_CHOICE = re.compile(r"^[A-J]$")
_ORDER_ITEM = re.compile(r"^O([0-9]+)$")


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def is_results_xml(head: bytes) -> bool:
    """Whether the start of an XML file looks like QTI results reporting."""
    return b"assessmentResult" in head


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _values(variable: etree._Element, holder: str) -> list[str] | None:
    """The ``value`` texts under ``holder`` (``None`` when the holder is absent)."""
    found = _children(variable, holder)
    if not found:
        return None
    return [(v.text or "").strip() for v in found[0] if _local(v) == "value"]


def _encode(question: Question, values: list[str]) -> str | None:
    """Candidate response values in qbank's response encoding (``None``: not readable)."""
    if not values:
        return ""
    if isinstance(question, ChoiceQuestion):
        if not all(_CHOICE.match(v) for v in values):
            return None
        return ";".join(str(ord(v) - ord("A") + 1) for v in sorted(values))
    if isinstance(question, TrueFalse):
        value = values[0].upper()
        return value.lower() if value in ("TRUE", "FALSE") else None
    if isinstance(question, Ordering):
        positions = [_ORDER_ITEM.match(v) for v in values]
        if not all(positions):
            return None
        return ";".join(m.group(1) for m in positions if m)
    if question.kind == "matching":
        return None  # pair identifiers depend on the package: the SCORE outcome is used
    return values[0]


def read_qti_results(path: Path, display: str, context: Context, problems: Problems) -> ResponseTable:
    """Read one QTI results file (one or more ``assessmentResult`` elements)."""
    data = path.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableResponses(f"the file is larger than {MAX_INPUT_BYTES} bytes; refused")
    try:
        root = parse_xml(data)
    except UnsafeInput as exc:
        raise UnreadableResponses(exc.message, exc.line) from None
    except XmlSyntax as exc:
        raise UnreadableResponses(exc.message, exc.line, exc.col) from None
    results = (
        [root]
        if _local(root) == "assessmentResult"
        else [e for e in root.iter() if _local(e) == "assessmentResult"]
    )
    if not results:
        raise UnreadableResponses("no assessmentResult element: not a QTI results file")
    builder = TableBuilder()
    builder.sources.append(display)
    forms: list[int] = []
    records: list[tuple[int, int, float, int, bool]] = []
    for result in results:
        tests = _children(result, "testResult")
        form = tests[0].get("identifier") if tests else None
        respondent = len(forms)
        forms.append(builder.form(form or display))
        seen: set[str] = set()
        for item in _children(result, "itemResult"):
            line = item.sourceline if isinstance(item.sourceline, int) else 1
            raw = item.get("identifier") or ""
            qid = resolve_id(raw, context.questions)
            if qid is None:
                problems.add("QB920", f"item {raw!r} is not a question of the bank (skipped)", line)
                continue
            if qid in seen:
                problems.add("QB920", f"item {raw!r} appears twice in one result (skipped)", line)
                continue
            question = context.questions[qid]
            response_values: list[str] = []
            outcome: dict[str, str] = {}
            for variable in item:
                name = variable.get("identifier") or ""
                if _local(variable) == "responseVariable" and name == "RESPONSE":
                    response_values = _values(variable, "candidateResponse") or []
                elif _local(variable) == "outcomeVariable" and name in ("SCORE", "MAXSCORE"):
                    values = [(v.text or "").strip() for v in variable if _local(v) == "value"]
                    if values:
                        outcome[name] = values[0]
            response = _encode(question, response_values)
            if response is None:
                if "SCORE" not in outcome:
                    problems.add(
                        "QB920",
                        f"response {' '.join(response_values)!r} of item {raw!r} cannot be read and there is no SCORE (skipped)",
                        line,
                    )
                    continue
                response = ""  # scored by the outcome; no option analysis for it
                omitted = False
                meaning = interpret(question, "")
                chosen = 0
            else:
                meaning = interpret(question, response)
                if meaning.error is not None:
                    problems.add("QB920", f"{meaning.error} for item {raw!r} (skipped)", line)
                    continue
                omitted, chosen = meaning.omitted, meaning.chosen
            score = meaning.score
            if "SCORE" in outcome:
                value = parse_number(outcome["SCORE"])
                top = parse_number(outcome.get("MAXSCORE", "")) or question.points
                if value is None or top <= 0 or not 0 <= value <= top * (1 + 1e-9):
                    problems.add(
                        "QB920", f"SCORE {outcome['SCORE']!r} of item {raw!r} is not usable (skipped)", line
                    )
                    continue
                score = value / top * question.points
            if score is None:
                continue  # an essay nobody scored
            seen.add(qid)
            records.append((builder.item(qid), respondent, score, chosen, omitted))
    builder.add_respondents(np.asarray(forms, dtype=np.int32))
    builder.add_records(records)
    return builder.build()
