"""``qbank check --fix``: apply the meaning-preserving fixes offered by lint findings.

Fixes are string edits located by the rules (QB601, QB603, QB605); :func:`qbank.io.fmt.apply_edits`
applies them to the source text with comments and layout kept, and a fixed file is re-validated
before it is offered.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from qbank.core.config import Config
from qbank.core.diagnostics import Diagnostic
from qbank.io.fmt import apply_edits
from qbank.io.loader import load
from qbank.io.source import SourceFile, diagnostic, parse_text
from qbank.io.validation import validate_question_file
from qbank.lint.engine import apply_suppressions, run_rules

__all__ = ["FIXABLE", "FixChange", "FixResult", "fix_files"]

FIXABLE = ("QB601", "QB603", "QB605")


@dataclass(frozen=True)
class FixChange:
    """One applied fix: where it was and what it did."""

    path: str
    line: int
    col: int
    code: str
    description: str


@dataclass
class FixResult:
    """The fixes of one file: the new text (``None`` if unchanged or unsafe) and what changed."""

    path: Path
    display: str
    text: str | None
    changes: list[FixChange]
    problems: list[Diagnostic] = field(default_factory=list)


def fix_files(
    paths: Iterable[str | os.PathLike[str]],
    config: Config | None = None,
) -> list[FixResult]:
    """Compute the meaning-preserving fixes (QB601, QB603, QB605) for the files under ``paths``.

    Only findings that survive suppressions and the configuration are fixed. A fixed file is
    re-validated; if it would lose a question or gain an error, it is left alone and reported.
    """
    config = config or Config()
    loaded = load(list(paths), config=config)
    located, _ = run_rules(loaded.bank, config, codes=FIXABLE)
    kept = {
        (d.code, d.path, d.line, d.col, d.message)
        for d in config.apply(apply_suppressions(loaded.bank, [x.diagnostic for x in located], config))
    }
    by_file: dict[str, tuple[SourceFile, dict[tuple[str | int, ...], list[Any]], list[FixChange]]] = {}
    for item in located:
        diag = item.diagnostic
        question = item.finding.question
        if (
            not item.edits
            or question is None
            or question.origin is None
            or (diag.code, diag.path, diag.line, diag.col, diag.message) not in kept
        ):
            continue
        sf: SourceFile = question.origin.source
        entry = by_file.setdefault(sf.display, (sf, {}, []))
        for edit in item.edits:
            path = ("questions", question.origin.index, *edit.where)
            entry[1].setdefault(path, []).append(edit)
            line, col = sf.position(path, offset=edit.start)
            entry[2].append(FixChange(sf.display, line, col, diag.code, edit.description))
    results: list[FixResult] = []
    for display, (sf, edits, changes) in sorted(by_file.items()):
        for group in edits.values():
            group[:] = _dedupe(group)
        try:
            new_text = apply_edits(sf, edits)
        except (YAMLError, ValueError, IndexError) as exc:
            results.append(
                FixResult(sf.path, display, None, [], [diagnostic("QB003", f"cannot fix: {exc}", display)])
            )
            continue
        check = SourceFile(path=sf.path, display=display, text=new_text)
        parse_text(check)
        questions, problems = ([], check.diagnostics) if check.diagnostics else validate_question_file(check)
        old_questions, old_problems = validate_question_file(sf)
        if len(questions) < len(old_questions) or len(problems) > len(old_problems):
            results.append(FixResult(sf.path, display, None, [], problems))
            continue
        changes.sort(key=lambda c: (c.line, c.col))
        results.append(FixResult(sf.path, display, new_text if new_text != sf.text else None, changes))
    return results


def _dedupe(edits: list[Any]) -> list[Any]:
    out: list[Any] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if out and edit.start < out[-1].end:
            continue
        out.append(edit)
    return out
