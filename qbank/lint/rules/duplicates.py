"""Bank rules about questions that repeat or give each other away: QB704 and QB705."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from qbank.analysis.dupes import (
    DEFAULT_MEANING_THRESHOLD,
    DEFAULT_THRESHOLD,
    cross_item_cues,
    describe_pair,
    find_duplicates,
    pair_data,
)
from qbank.core.config import ConfigModel
from qbank.core.diagnostics import Severity
from qbank.core.model import Bank, Question
from qbank.lint.rules.base import Finding, Rule, RuleContext
from qbank.lint.rules.text import RuleOptions

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


class DuplicateItems(Rule):
    """Two questions ask the same thing, or the same question has two different keys.

    What it does
        Compares every question with every other one on the whole item: the stem, the keyed
        answer(s) and the choice set, each scored 0-100 (the message shows all three). It reports
        exact duplicates (same stem and choice set after normalisation), near duplicates (whole-item
        score at or above ``threshold``, same key, same numbers and negations in the stem), reworded
        duplicates (the same key and numbers, a meaning score from a packaged embedding model at or
        above ``threshold-meaning``: the same question in other words) and key conflicts: the same stem and choices keyed differently, which is an error. Template siblings
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
    Options: ClassVar[type[BaseModel]] = DuplicateItemsOptions

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

    def check_bank(self, bank: Bank, ctx: RuleContext) -> Iterable[Finding]:
        """One finding per question that duplicates an earlier one (at its stem)."""
        options = ctx.options if isinstance(ctx.options, DuplicateItemsOptions) else DuplicateItemsOptions()
        report = find_duplicates(
            bank.questions,
            threshold=options.threshold,
            allow=options.allow,
            meaning=options.meaning,
            meaning_threshold=options.threshold_meaning,
        )
        by_id = bank.by_id()
        for pair in report.pairs:
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


class CrossItemCueing(Rule):
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
    Options: ClassVar[type[BaseModel]] = CrossItemCueingOptions

    def check_bank(self, bank: Bank, ctx: RuleContext) -> Iterable[Finding]:
        """One finding per (key, other question, field) where the key appears."""
        options = ctx.options if isinstance(ctx.options, CrossItemCueingOptions) else CrossItemCueingOptions()
        by_id = bank.by_id()
        for cue in cross_item_cues(bank.questions, min_score=options.min_score, min_words=options.min_words):
            if _siblings(by_id.get(cue.key_id), by_id.get(cue.other_id)):
                continue  # variants of one template share their wording by design
            shown = cue.key if len(cue.key) <= 80 else cue.key[:77] + "..."
            yield Finding(
                f"the {cue.field} states the key of {cue.key_id!r} ({shown!r}, partial_ratio {cue.score:.0f})",
                by_id.get(cue.other_id),
                (cue.field,),
                data=(("key_of", cue.key_id), ("score", f"{cue.score:.1f}")),
            )


def _siblings(a: Question | None, b: Question | None) -> bool:
    """Whether two questions are variants of the same template."""
    if a is None or b is None or a.origin is None or b.origin is None:
        return False
    va, vb = a.origin.variant, b.origin.variant
    return va is not None and vb is not None and va.template == vb.template
