"""Reporters: pure functions from diagnostics to text in a format CI understands.

``REPORTERS`` maps a format name to its function; the CLI's ``--format`` choices are its keys.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.lint.catalogue import describe

__all__ = ["REPORTERS", "Reporter", "RunInfo", "diagnostic_dict", "report"]


@dataclass(frozen=True)
class RunInfo:
    """What a report says about the run besides its diagnostics."""

    tool_version: str = ""
    files: Sequence[str] = field(default_factory=tuple)
    """The files examined (for per-file JUnit test cases and summaries)."""
    questions: int = 0
    fail_on: Severity = Severity.ERROR
    """The least severe severity that fails the run (``warning`` with ``--strict``)."""


Reporter = Callable[[Sequence[Diagnostic], RunInfo], str]


def _fails(diag: Diagnostic, info: RunInfo) -> bool:
    return diag.severity.rank >= info.fail_on.rank


def _summary(diagnostics: Sequence[Diagnostic], info: RunInfo) -> str:
    counts = Counter(d.severity for d in diagnostics)
    parts = [
        f"{counts[Severity.ERROR]} error{'s' * (counts[Severity.ERROR] != 1)}",
        f"{counts[Severity.WARNING]} warning{'s' * (counts[Severity.WARNING] != 1)}",
        f"{counts[Severity.INFO]} info",
    ]
    scope = f"{len(info.files)} file{'s' * (len(info.files) != 1)}, {info.questions} questions"
    return f"{', '.join(parts)} ({scope})"


def report_text(diagnostics: Sequence[Diagnostic], info: RunInfo) -> str:
    """``path:line:col: severity CODE message [question id]`` lines and a summary line."""
    lines = []
    for d in diagnostics:
        qid = f" [{d.question_id}]" if d.question_id else ""
        lines.append(f"{d.location}: {d.severity.value} {d.code} {d.message}{qid}")
    lines.append(_summary(diagnostics, info))
    return "\n".join(lines) + "\n"


def diagnostic_dict(d: Diagnostic) -> dict[str, object]:
    """A diagnostic as the JSON reports write it."""
    out: dict[str, object] = {
        "code": d.code,
        "name": describe(d.code).name,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "col": d.col,
        "question_id": d.question_id,
    }
    if d.end_line is not None:
        out["end_line"] = d.end_line
        out["end_col"] = d.end_col
    if d.data:
        out["data"] = dict(d.data)
    return out


def report_json(diagnostics: Sequence[Diagnostic], info: RunInfo) -> str:
    """A JSON object: ``{"version", "summary", "diagnostics": [...]}``."""
    counts = Counter(d.severity.value for d in diagnostics)
    doc = {
        "version": 1,
        "tool": {"name": "qbank", "version": info.tool_version},
        "summary": {
            "files": len(info.files),
            "questions": info.questions,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "failed": any(_fails(d, info) for d in diagnostics),
        },
        "diagnostics": [diagnostic_dict(d) for d in diagnostics],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def report_github(diagnostics: Sequence[Diagnostic], info: RunInfo) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in diagnostics:
        props = [f"file={_gh_escape(d.path, prop=True)}", f"line={d.line}", f"col={d.col}"]
        if d.end_line is not None:
            props.append(f"endLine={d.end_line}")
        props.append(f"title={_gh_escape(f'{d.code} {describe(d.code).name}', prop=True)}")
        qid = f" [{d.question_id}]" if d.question_id else ""
        lines.append(f"::{level[d.severity]} {','.join(props)}::{_gh_escape(d.message + qid)}")
    lines.append(_summary(diagnostics, info))
    return "\n".join(lines) + "\n"


def report_sarif(diagnostics: Sequence[Diagnostic], info: RunInfo) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it (relative URIs, one run, rule metadata)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    codes = sorted({d.code for d in diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        meta = describe(code)
        rules.append(
            {
                "id": code,
                "name": meta.name,
                "shortDescription": {"text": meta.summary},
                "fullDescription": {"text": meta.summary},
                "defaultConfiguration": {"level": level[meta.severity]},
                "properties": {"tags": ["qbank"]},
            }
        )
    results = []
    for d in diagnostics:
        region: dict[str, int] = {"startLine": d.line, "startColumn": d.col}
        if d.end_line is not None:
            region["endLine"] = d.end_line
            if d.end_col is not None:
                region["endColumn"] = d.end_col
        qid = f" [{d.question_id}]" if d.question_id else ""
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": level[d.severity],
            "message": {"text": d.message + qid},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": PurePath(d.path).as_posix(), "uriBaseId": "%SRCROOT%"},
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {"qbank/v1": f"{d.code}:{d.question_id or ''}:{d.path}:{d.message}"},
        }
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qbank",
                        "version": info.tool_version,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def report_junit(diagnostics: Sequence[Diagnostic], info: RunInfo) -> str:
    """JUnit XML: one test case per failing finding, one passing case per clean file."""
    from lxml import etree  # only this format needs it

    failing = [d for d in diagnostics if _fails(d, info)]
    failed_files = {d.path for d in failing}
    clean = [f for f in info.files if f not in failed_files]
    suites = etree.Element("testsuites", name="qbank")
    suite = etree.SubElement(
        suites,
        "testsuite",
        name="qbank",
        tests=str(len(failing) + len(clean)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    for d in failing:
        case = etree.SubElement(suite, "testcase", classname=d.path, name=f"{d.code} {d.location}")
        failure = etree.SubElement(case, "failure", message=d.message, type=d.code)
        failure.text = f"{d.location}: {d.severity.value} {d.code} {d.message}" + (
            f" [{d.question_id}]" if d.question_id else ""
        )
    for path in clean:
        etree.SubElement(suite, "testcase", classname=path, name="valid")
    data: bytes = etree.tostring(suites, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return data.decode("utf-8")


REPORTERS: dict[str, Reporter] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
    "sarif": report_sarif,
    "junit": report_junit,
}


def report(diagnostics: Sequence[Diagnostic], fmt: str, info: RunInfo | None = None) -> str:
    """Render ``diagnostics`` with the reporter named ``fmt``."""
    return REPORTERS[fmt](diagnostics, info or RunInfo())
