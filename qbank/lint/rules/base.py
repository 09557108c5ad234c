"""The rule contract: one class per rule, its docstring is its documentation.

A rule has a catalogue ``code`` (``QB401``), a kebab-case ``name``, a default ``severity``, a
``scope`` (``item`` rules see one question at a time, ``bank`` rules see the whole bank) and typed
options: ``class LongestOptionIsKey(Rule[LongestOptions])`` makes ``LongestOptions`` (a pydantic
model; values come from ``[tool.qbank.rules.QB401]``) the rule's :attr:`Rule.Options` and the type
of ``ctx.options`` inside the rule. Rules are pure: item rules implement :meth:`Rule.item_findings`,
bank rules :meth:`Rule.bank_findings`; both yield :class:`Finding` values that point at a field of
a question by data path. The engine turns them into located diagnostics and applies profiles and
suppressions.

The docstring has four parts, each introduced by a heading line: ``What it does``,
``Why it matters``, ``Example`` and ``Use instead``. ``qbank rules CODE`` prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from qbank.core.config import ConfigModel
from qbank.core.diagnostics import Severity
from qbank.core.model import Bank, Question
from qbank.lint.rules.text import Item, TextEdit

__all__ = ["DOC_SECTIONS", "BankFacts", "Finding", "NoOptions", "OptionsT", "Rule", "RuleContext"]

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Use instead")


class NoOptions(BaseModel):
    """Options of a rule that has none."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=BaseModel)


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
    fix: tuple[TextEdit, ...] = ()
    """Meaning-preserving text edits the engine may apply with ``--fix`` (none: not fixable)."""
    ordinal: int | None = None
    """For rules that judge per-question facts (:meth:`Rule.judge`): the question's place in the bank."""


@dataclass(frozen=True, slots=True)
class BankFacts:
    """What a facts rule kept of every question of the bank, in bank order.

    ``values[i]`` is what :meth:`Rule.fact` returned for the i-th question (``None`` when the rule
    does not look at it), ``ids[i]`` its id and ``files[i]`` the number of the file it comes from,
    so that a rule can group by file.
    """

    values: Sequence[Any]
    ids: Sequence[str]
    files: Sequence[int]


def _no_options() -> Any:
    return NoOptions()


@dataclass
class RuleContext(Generic[OptionsT]):
    """What a rule may consult besides the question: the bank, the profile, its own options, the
    files being reported on and the cache.

    A context built without options (``RuleContext(bank)``) gets the rule's defaults when it is
    passed to :meth:`Rule.check_question` or :meth:`Rule.check_bank`.
    """

    bank: Bank
    profile: str = "default"
    options: OptionsT = field(default_factory=_no_options)
    focus: frozenset[str] | None = None
    """Display names of the files whose findings are reported (``None``: every file). A bank rule
    that finds a pair of questions reports it on the one in these files."""
    cache: Path | None = None
    """The cache folder (:func:`qbank.io.cache.cache_root`) a rule may keep derived data in."""
    jobs: int = 1
    """Threads a bank rule may use for its native work (0 = one per core): the run's ``--jobs``."""


class Rule(Generic[OptionsT]):
    """Base class of every rule (see the module docstring)."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[Literal["item", "bank"]] = "item"
    Options: ClassVar[type[BaseModel]] = NoOptions
    """The options model: the type argument of ``Rule[...]`` (set when the class is created)."""
    enforced_by: ClassVar[str | None] = None
    """``"validation"`` or ``"loader"`` when the check is done while loading (the class documents it)."""
    profile_severity: ClassVar[Mapping[str, Severity]] = {}
    """Default severity per profile where it differs (``{"aws": Severity.ERROR}``)."""
    on_facts: ClassVar[bool] = False
    """A rule that judges small per-question facts (:meth:`fact`, :meth:`judge`) instead of the
    questions themselves: facts are taken where each file is checked (in parallel, and kept in the
    cache with the file), and only the judgement sees the whole bank. Bank rules that need other
    questions and item rules that need the blueprint work this way."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in cls.__dict__.get("__orig_bases__", ()):
            origin = get_origin(base)
            if isinstance(origin, type) and issubclass(origin, Rule):
                (options,) = get_args(base)
                if isinstance(options, TypeVar):
                    continue  # a generic base of rules; its subclasses name the model
                if not (isinstance(options, type) and issubclass(options, BaseModel)):
                    raise TypeError(f"{cls.__name__}: Rule[...] takes a pydantic model, got {options!r}")
                cls.Options = options

    @classmethod
    def severity_for(cls, profile: str) -> Severity:
        """The rule's default severity under ``profile``."""
        return cls.profile_severity.get(profile, cls.severity)

    def item_findings(self, item: Item, ctx: RuleContext[OptionsT]) -> Iterable[Finding]:
        """Findings for one question (item rules implement this)."""
        return ()

    def bank_findings(self, bank: Bank, ctx: RuleContext[OptionsT]) -> Iterable[Finding]:
        """Findings for the whole bank (bank rules implement this, or :meth:`fact` and :meth:`judge`)."""
        if not self.on_facts:
            return
        displays: dict[str, int] = {}
        files = [
            displays.setdefault(
                q.origin.source.display if q.origin is not None else "<memory>", len(displays)
            )
            for q in bank.questions
        ]
        facts = BankFacts([self.fact(Item(q), ctx) for q in bank.questions], [q.id for q in bank], files)
        for finding in self.judge(facts, ctx):
            if finding.ordinal is None:
                yield finding
            else:
                yield replace(finding, question=bank.questions[finding.ordinal], ordinal=None)

    def fact(self, item: Item, ctx: RuleContext[OptionsT]) -> Any:
        """What a facts rule keeps of one question (small and picklable; ``None``: nothing)."""
        return None

    def judge(self, facts: BankFacts, ctx: RuleContext[OptionsT]) -> Iterable[Finding]:
        """Findings of a facts rule; each names its question by ``ordinal`` (its place in ``facts``)."""
        return ()

    def context(self, ctx: RuleContext[Any]) -> RuleContext[OptionsT]:
        """``ctx`` with this rule's default options when it carries options of another model."""
        if isinstance(ctx.options, self.Options):
            return cast("RuleContext[OptionsT]", ctx)
        return cast("RuleContext[OptionsT]", replace(ctx, options=self.Options()))

    def check_question(self, question: Question, ctx: RuleContext[Any]) -> list[Finding]:
        """Findings for one question, outside the engine (tests and scripts)."""
        return list(self.item_findings(Item(question), self.context(ctx)))

    def check_bank(self, bank: Bank, ctx: RuleContext[Any]) -> list[Finding]:
        """Findings for the whole bank, outside the engine (tests and scripts)."""
        return list(self.bank_findings(bank, self.context(ctx)))

    @classmethod
    def option_defaults(cls, config: ConfigModel) -> dict[str, Any]:
        """Option values taken from other configuration sections; ``[tool.qbank.rules.CODE]`` wins."""
        return {}

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's documentation."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else cls.name
