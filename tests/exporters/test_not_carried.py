"""Metadata a format has no place for is reported once per field, never dropped silently."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import qbank
from qbank.core.diagnostics import Severity
from qbank.exporters import export

Write = Callable[..., Path]

BANK = """
    defaults:
      tags: [storage]
    questions:
      - id: a
        difficulty: easy
        stem: Which service stores objects?
        choices: [{text: Amazon S3, correct: true}, {text: Amazon EBS}]
      - id: b
        stem: Which service queues messages?
        choices: [{text: Amazon SQS, correct: true}, {text: Amazon SNS}]
"""


@pytest.mark.parametrize(("fmt", "label"), [("qti21", "QTI 2.1"), ("qti30", "QTI 3.0"), ("canvas", "Canvas")])
def test_dropped_metadata_is_reported_once_per_field(write: Write, fmt: str, label: str) -> None:
    bank = qbank.load(write("bank.yaml", BANK)).bank
    notes = [d for d in export(bank, fmt).diagnostics if d.code == "QB902"]
    assert [(d.question_id, d.severity, d.message) for d in notes] == [
        ("a", Severity.INFO, f"{label} does not carry `tags` (set here and 1 more question)"),
        ("a", Severity.INFO, f"{label} does not carry `difficulty` (set here)"),
    ]
    # inherited tags point at the question, its own difficulty at the value
    assert [(d.line, d.col) for d in notes] == [(4, 5), (5, 17)]


def test_nothing_to_report_without_metadata(write: Write) -> None:
    bank = qbank.load(
        write(
            "bank.yaml",
            BANK.replace("defaults:\n      tags: [storage]\n    ", "").replace(
                "        difficulty: easy\n", ""
            ),
        )
    ).bank
    assert [d for d in export(bank, "qti21").diagnostics if d.code == "QB902"] == []
