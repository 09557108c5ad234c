"""The rule contract: one class per rule, its docstring is its documentation.

A rule has a catalogue ``code`` (``QB401``), a kebab-case ``name``, a default ``severity``, a
``scope`` (``item`` rules see one question at a time, ``bank`` rules see the whole bank) and typed
``Options`` (a pydantic model; values come from ``[tool.qbank.rules.QB401]``). Rules are pure:
they yield :class:`Finding` values that point at a field of a question by data path; the engine
turns them into located diagnostics, applies profiles and suppressions.

The docstring has four parts, each introduced by a heading line: ``What it does``,
``Why it matters``, ``Example`` and ``Use instead``. ``qbank rules CODE`` prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from qbank.core.config import ConfigModel
from qbank.core.diagnostics import Severity
from qbank.core.model import Bank, Question

__all__ = ["DOC_SECTIONS", "Finding", "NoOptions", "Rule", "RuleContext"]

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Use instead")


class NoOptions(BaseModel):
    """Options of a rule that has none."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found, relative to a question (``question=None`` for bank-wide findings).

    ``where`` is a data path inside the question, e.g. ``("choices", 2, "text")``; ``offset`` is a
    character offset inside that string, when the finding is about one spot (a stray line break).
    """

    message: str
    question: Question | None = None
    where: tuple[str | int, ...] = ()
    offset: int | None = None
    severity: Severity | None = None
    """Overrides the rule's severity for this finding (for example a lower one for a weaker signal)."""
    data: tuple[tuple[str, str], ...] = ()
    fix: Any = None
    """An optional meaning-preserving fix the engine may apply with ``--fix``."""


@dataclass
class RuleContext:
    """What a rule may consult besides the question: the bank, the profile and its own options."""

    bank: Bank
    profile: str = "default"
    options: BaseModel = field(default_factory=NoOptions)


class Rule:
    """Base class of every rule (see the module docstring)."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[Literal["item", "bank"]] = "item"
    Options: ClassVar[type[BaseModel]] = NoOptions
    enforced_by: ClassVar[str | None] = None
    """``"validation"`` or ``"loader"`` when the check is done while loading (the class documents it)."""
    profile_severity: ClassVar[Mapping[str, Severity]] = {}
    """Default severity per profile where it differs (``{"aws": Severity.ERROR}``)."""

    @classmethod
    def severity_for(cls, profile: str) -> Severity:
        """The rule's default severity under ``profile``."""
        return cls.profile_severity.get(profile, cls.severity)

    def check_question(self, question: Question, ctx: RuleContext) -> Iterable[Finding]:
        """Findings for one question (item rules)."""
        return ()

    def check_bank(self, bank: Bank, ctx: RuleContext) -> Iterable[Finding]:
        """Findings for the whole bank (bank rules)."""
        return ()

    @classmethod
    def option_defaults(cls, config: ConfigModel) -> dict[str, Any]:
        """Option values taken from other configuration sections; ``[tool.qbank.rules.CODE]`` wins."""
        return {}

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's documentation."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else cls.name
