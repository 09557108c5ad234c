"""Diagnostics: the one value every check in qbank reports.

A :class:`Diagnostic` is immutable and always located: file, 1-based line and column, rule code,
severity, message and (when known) the question id. Reporters turn lists of them into text, JSON,
GitHub annotations, SARIF or JUnit.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

__all__ = ["FORMAT_CODES", "Diagnostic", "Severity", "sort_diagnostics"]


class Severity(enum.StrEnum):
    """How serious a finding is. ``error`` fails a run; ``warning`` fails it with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for errors, 1 for warnings, 0 for info: larger is more serious."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True, order=False)
class Diagnostic:
    """One located finding.

    ``line`` and ``col`` are 1-based and point at the offending key or value. ``path`` is the file
    as the user named it (relative where the user gave a relative path). ``question_id`` is the id
    of the question the finding belongs to, or ``None`` for file- and bank-level findings.
    """

    code: str
    severity: Severity
    message: str
    path: str
    line: int = 1
    col: int = 1
    question_id: str | None = None
    end_line: int | None = None
    end_col: int | None = None
    #: Extra machine-readable facts (rule evidence, duplicate partners ...); never used for identity.
    data: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def with_severity(self, severity: Severity) -> Diagnostic:
        """A copy with another severity (config overrides and profiles use this)."""
        return replace(self, severity=severity)

    @property
    def location(self) -> str:
        """``path:line:col``, the form editors and terminals turn into links."""
        return f"{self.path}:{self.line}:{self.col}"

    def sort_key(self) -> tuple[str, int, int, str, str, str, int, int]:
        """Order by file, position, code, message, question and end (a total order: findings that
        share a place, such as one template's variants, come out the same way every run)."""
        return (
            self.path,
            self.line,
            self.col,
            self.code,
            self.message,
            self.question_id or "",
            self.end_line or 0,
            self.end_col or 0,
        )


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in a stable order (file, line, column, code), duplicates removed."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


#: Codes produced while reading and validating files (the lint catalogue uses QB1xx and up).
FORMAT_CODES: dict[str, tuple[str, Severity, str]] = {
    "QB001": (
        "unreadable-file",
        Severity.ERROR,
        "A path is missing, unreadable, a directory of nothing, or binary.",
    ),
    "QB002": ("encoding", Severity.ERROR, "A file is not valid UTF-8."),
    "QB003": ("syntax", Severity.ERROR, "YAML or JSON syntax error, including tabs used for indentation."),
    "QB004": ("duplicate-key", Severity.ERROR, "A mapping names the same key twice."),
    "QB005": ("empty-file", Severity.WARNING, "A question file holds nothing."),
    "QB006": ("not-a-mapping", Severity.ERROR, "The top level of a file is not a mapping."),
    "QB007": (
        "skipped-file",
        Severity.INFO,
        "A YAML/JSON file without a `questions` key is not a question file.",
    ),
    "QB008": (
        "unused-suppression",
        Severity.WARNING,
        "A suppression (`lint: {ignore: [...]}` or a per-path ignore) that matched no finding.",
    ),
    "QB010": (
        "unknown-field",
        Severity.ERROR,
        "A key the format does not define (a typo such as `choises`).",
    ),
    "QB011": ("missing-field", Severity.ERROR, "A required field is absent."),
    "QB012": (
        "invalid-value",
        Severity.ERROR,
        "A value has the wrong type, is out of range or breaks a rule.",
    ),
    "QB013": ("invalid-blueprint", Severity.ERROR, "A blueprint breaks one of its invariants."),
    "QB014": (
        "invalid-config",
        Severity.ERROR,
        "A configuration file is malformed or names unknown settings.",
    ),
    "QB015": (
        "invalid-template",
        Severity.ERROR,
        "A question template is refused: an expression outside the safe language or failing for some "
        "values, constraints no draw meets, or two identical variants.",
    ),
    "QB016": (
        "invalid-pool",
        Severity.ERROR,
        "A pool is used but not declared, declared twice, picks more questions than it holds, or its "
        "questions disagree on points.",
    ),
    # catalogue codes that validation itself enforces (the lint catalogue documents them too)
    "QB101": (
        "single-exactly-one-key",
        Severity.ERROR,
        "A single_choice question (or a drop-down gap) has exactly one key.",
    ),
    "QB102": (
        "multiple-key-count",
        Severity.ERROR,
        "multiple_response: at least two keys and one distractor.",
    ),
    "QB105": (
        "duplicate-option",
        Severity.ERROR,
        "Two choices (or items, prompts, accepted answers) are the same.",
    ),
    "QB109": (
        "cloze-gaps-match",
        Severity.ERROR,
        "Every gap of a cloze text is defined once and used once.",
    ),
    "QB804": ("duplicate-id", Severity.ERROR, "Question ids are unique across the bank."),
    # exports and imports
    "QB901": ("unsupported-type", Severity.WARNING, "The target format cannot carry this question type."),
    "QB902": (
        "unsupported-feature",
        Severity.WARNING,
        "The target format cannot carry a feature of a question.",
    ),
    "QB903": ("missing-media", Severity.ERROR, "An image the question shows is not found next to its file."),
    "QB910": ("import-skipped", Severity.WARNING, "An item of an imported file could not be converted."),
    "QB911": ("import-lossy", Severity.INFO, "An imported item lost something qbank cannot represent."),
    "QB912": (
        "unsafe-input",
        Severity.ERROR,
        "Hostile or oversized input was rejected (XXE, zip slip, bombs).",
    ),
    # learner responses (qbank stats)
    "QB920": (
        "responses-row-skipped",
        Severity.WARNING,
        "A row of a responses file cannot be used (unknown question, unreadable response or score): "
        "it is skipped and counted.",
    ),
    "QB921": (
        "responses-question-unmatched",
        Severity.WARNING,
        "A question of an LMS report matches no question of the bank (by id, mapping or text).",
    ),
    "QB922": (
        "responses-unreadable",
        Severity.ERROR,
        "A responses file cannot be read at all (unknown format, bad header, malformed file).",
    ),
}
