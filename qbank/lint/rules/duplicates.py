"""Bank rules about questions that repeat or give each other away: QB704 and QB705."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from qbank.analysis.dupes import (
    DEFAULT_MEANING_THRESHOLD,
    DEFAULT_THRESHOLD,
    describe_pair,
    find_duplicates,
    pair_data,
)
from qbank.core.config import ConfigModel
from qbank.core.diagnostics import Severity
from qbank.core.model import Bank, Question
from qbank.io.cache import Store
from qbank.lint.cueing import cue_facts, search
from qbank.lint.rules.base import BankFacts, Finding, Rule, RuleContext
from qbank.lint.rules.text import Item, RuleOptions

__all__ = ["CrossItemCueing", "DuplicateItems"]

QuestionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]


class DuplicateItemsOptions(RuleOptions):
    """Options of QB704 (``[tool.qbank.rules.QB704]``)."""

    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0, le=100)
    """Whole-item score (0-100) at which two questions are near duplicates."""
    allow: list[Annotated[list[QuestionId], Field(min_length=2)]] = Field(default_factory=list)
    """Groups of ids that are intentional variants of each other."""
    meaning: bool = True
    """Also report reworded duplicates (the same key, the same meaning in other words)."""
    threshold_meaning: float = Field(default=DEFAULT_MEANING_THRESHOLD, ge=0, le=100)
    """Meaning score (0-100) at which same-key questions are reworded duplicates."""


class DuplicateItems(Rule[DuplicateItemsOptions]):
    """Two questions ask the same thing, or the same question has two different keys.

    What it does
        Compares every question with every other one on the whole item: the stem, the keyed
        answer(s) and the choice set, each scored 0-100 (the message shows all three). It reports
        exact duplicates (same stem and choice set after normalisation), near duplicates (whole-item
        score at or above ``threshold``, same key, same numbers and negations in the stem), reworded
        duplicates (the same key and numbers, a meaning score from a packaged embedding model at or
        above ``threshold-meaning``, 5 points less for keys that are the same text: the same question in other words) and key conflicts: the same stem and choices keyed differently, which is an error. Template siblings
        that ask for another fact or use other numbers are not reported. The search is
        sub-quadratic (MinHash/LSH candidates verified with rapidfuzz), so it runs on 100,000
        questions; ``qbank dupes`` gives the same findings grouped in clusters.

    Why it matters
        Duplicates inflate how well a bank seems to cover its blueprint, and two copies on one
        practice test let the first answer the second. A key conflict means one of the two copies is
        miskeyed, so learners are marked wrong for a right answer.

    Example
        ``sqs-visibility-a``: "An SQS consumer sometimes processes a message twice. Which setting
        should the developer increase?" keyed "The visibility timeout", and ``sqs-visibility-b`` with
        the same stem and choices shuffled, keyed "The message retention period".

    Use instead
        Delete or rewrite one copy; fix the wrong key. A deliberate variant (same scenario, a
        different fact) goes into ``[tool.qbank.dupes] allow = [["sqs-visibility-a", "sqs-visibility-b"]]``
        or the rule's own ``allow`` option.
    """

    code: ClassVar[str] = "QB704"
    name: ClassVar[str] = "duplicate-items"
    severity: ClassVar[Severity] = Severity.WARNING
    scope: ClassVar[Literal["item", "bank"]] = "bank"

    @classmethod
    def option_defaults(cls, config: ConfigModel) -> dict[str, Any]:
        """``[tool.qbank.dupes]`` (threshold, allow) applies to ``qbank check`` as to ``qbank dupes``."""
        dupes = config.dupes
        return {
            "threshold": dupes.threshold,
            "allow": dupes.allow,
            "meaning": dupes.meaning,
            "threshold_meaning": dupes.threshold_meaning,
        }

    def bank_findings(self, bank: Bank, ctx: RuleContext[DuplicateItemsOptions]) -> Iterable[Finding]:
        """One finding per question that duplicates an earlier one (at its stem)."""
        options = ctx.options
        report = find_duplicates(
            bank.questions,
            threshold=options.threshold,
            allow=options.allow,
            meaning=options.meaning,
            meaning_threshold=options.threshold_meaning,
            cache=Store(ctx.cache, "embeddings") if ctx.cache is not None else None,
            jobs=ctx.jobs,
        )
        by_id = bank.by_id()
        for pair in report.pairs:
            question = by_id.get(pair.b)
            if ctx.focus is not None and not _in(question, ctx.focus) and _in(by_id.get(pair.a), ctx.focus):
                # only some files are reported on: the pair is told from the side that is
                pair = replace(pair, a=pair.b, b=pair.a)
                question = by_id.get(pair.b)
            yield Finding(
                describe_pair(pair, report.locations.get(pair.a)),
                question,
                ("stem",),
                severity=Severity.ERROR if pair.kind == "key-conflict" else None,
                data=pair_data(pair),
            )


class CrossItemCueingOptions(RuleOptions):
    """Options of QB705 (``[tool.qbank.rules.QB705]``)."""

    min_score: float = Field(default=90.0, ge=0, le=100)
    """``partial_ratio`` (0-100) at which a key counts as appearing in another text."""
    min_words: int = Field(default=4, ge=1)
    """Shorter keys (a service name) are not searched: they appear everywhere harmlessly."""


class CrossItemCueing(Rule[CrossItemCueingOptions]):
    """The key of one question appears in the stem or explanation of another.

    What it does
        Looks for the correct answer text of every choice question (and the accepted answers of
        short-answer questions) of at least ``min-words`` words inside the stems and explanations
        of the other questions (``rapidfuzz`` ``partial_ratio`` >= ``min-score``), and reports the
        question whose text gives the answer away.

    Why it matters
        Items on one test must be independent: when one item's stem or explanation states another
        item's answer, a test-wise learner answers the second item from the first, and the bank
        measures reading, not knowledge ("hinged" items).

    Example
        ``kms-envelope`` is keyed "Encrypt the data with a data key and encrypt the data key with
        the KMS key", and the stem of ``s3-large-object-encryption`` says "...the team decided to
        encrypt the data with a data key and encrypt the data key with the KMS key. Which ...?"

    Use instead
        Rephrase the other stem so it does not state the answer ("the team uses envelope
        encryption"), move the fact into the explanation of the same item, or keep the two items
        off the same form.
    """

    code: ClassVar[str] = "QB705"
    name: ClassVar[str] = "cross-item-cueing"
    severity: ClassVar[Severity] = Severity.INFO
    scope: ClassVar[Literal["item", "bank"]] = "bank"
    on_facts: ClassVar[bool] = True

    def fact(self, item: Item, ctx: RuleContext[CrossItemCueingOptions]) -> Any:
        """The question's keys and texts, and the template it is a variant of (if any)."""
        origin = item.question.origin
        template = origin.variant.template if origin is not None and origin.variant is not None else None
        return cue_facts(item.question, ctx.options.min_words), template

    def judge(self, facts: BankFacts, ctx: RuleContext[CrossItemCueingOptions]) -> Iterable[Finding]:
        """One finding per (key, other question, field) where the key appears."""
        templates = [fact[1] if fact is not None else None for fact in facts.values]
        cues = [fact[0] if fact is not None else None for fact in facts.values]
        for k, key, other, where, score in search(cues, ctx.options.min_score):
            if templates[k] is not None and templates[k] == templates[other]:
                continue  # variants of one template share their wording by design
            shown = key if len(key) <= 80 else key[:77] + "..."
            key_id = facts.ids[k]
            yield Finding(
                f"the {where} states the key of {key_id!r} ({shown!r}, partial_ratio {score:.0f})",
                where=(where,),
                data=(("key_of", key_id), ("score", f"{score:.1f}")),
                ordinal=other,
            )


def _in(question: Question | None, files: frozenset[str]) -> bool:
    origin = question.origin if question is not None else None
    return origin is not None and origin.source.display in files
