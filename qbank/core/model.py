"""The question and blueprint models (format version 1).

One pydantic model per question type, discriminated by ``type`` (``single_choice`` when absent).
Models are strict (no string-to-number coercion), frozen and reject unknown keys, so a loaded
:class:`Question` is always well formed. Invariants the JSON Schema cannot express (exactly one
key, distinct choices ...) raise errors whose type is a catalogue code such as ``QB101``.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    Tag,
    TypeAdapter,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from qbank.core.fielddocs import describe_fields

__all__ = [
    "DEFAULTABLE_FIELDS",
    "FIELD_ORDER",
    "GAP_FIELD_ORDER",
    "GAP_NAME_PATTERN",
    "MAX_VARIANTS",
    "QUESTION_TYPES",
    "TEMPLATE_FIELDS",
    "TEMPLATE_TYPES",
    "Bank",
    "Blueprint",
    "BlueprintFile",
    "Choice",
    "ChoiceQuestion",
    "ChoiceVariable",
    "Cloze",
    "Defaults",
    "DerivedVariable",
    "Difficulty",
    "Domain",
    "DropdownGap",
    "Essay",
    "Exam",
    "Form",
    "FormStatistics",
    "Gap",
    "GapOption",
    "GapRef",
    "ItemStatistics",
    "LintSuppression",
    "MatchPair",
    "Matching",
    "MathSyntax",
    "MultipleResponse",
    "NumberGap",
    "Numerical",
    "Objective",
    "Ordering",
    "Origin",
    "Pool",
    "PoolDeclarations",
    "PoolsOnly",
    "Question",
    "QuestionFile",
    "QuestionType",
    "RangeVariable",
    "ShortAnswer",
    "SingleChoice",
    "Status",
    "TextGap",
    "TrueFalse",
    "Variable",
    "Variant",
    "comparison_key",
    "gap_key",
    "gap_refs",
    "is_template",
    "question_adapter",
    "string_gap_names",
]

QuestionType = Literal[
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "ordering",
    "essay",
    "cloze",
]
Difficulty = Literal["easy", "medium", "hard"]
#: How math is written in Markdown fields: ``$``/``$$`` and ``\\(``/``\\[`` (``dollars``), only the
#: brackets (``brackets``), or not at all (``off``). See :mod:`qbank.core.math`.
MathSyntax = Literal["dollars", "brackets", "off"]
Status = Literal["draft", "review", "approved", "retired"]

QUESTION_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
RULE_CODE_PATTERN = r"^QB[0-9]{3}$"

Id = Annotated[str, Field(pattern=QUESTION_ID_PATTERN, max_length=200, description="Stable question id.")]
Markdown = Annotated[
    str, Field(min_length=1, description="CommonMark text (fenced code, tables and LaTeX math allowed).")
]
Text = Annotated[str, Field(min_length=1)]
BlueprintId = Annotated[str, Field(min_length=1, max_length=100)]
PoolName = Annotated[
    str, Field(pattern=QUESTION_ID_PATTERN, max_length=200, description="A pool name (same form as an id).")
]


class _Strict(BaseModel):
    # schemas are built on first use, after describe_fields has put the attribute docstrings in
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        describe_fields(cls)


class Choice(_Strict):
    """An answer option of a choice question."""

    text: Markdown
    """The option as shown to the learner (Markdown)."""
    correct: bool = False
    """Whether this option is a key."""
    feedback: Markdown | None = None
    """Shown to a learner who picked this option."""


class MatchPair(_Strict):
    """One prompt and the match it belongs to."""

    prompt: Markdown
    match: Text


class LintSuppression(_Strict):
    """Per-question rule suppression."""

    ignore: list[Annotated[str, Field(pattern=RULE_CODE_PATTERN)]] = Field(min_length=1)
    """Rule codes not to report for this question."""
    reason: str | None = None
    """Why the rule does not apply (shown in reviews)."""


def _iso_date(value: Any) -> Any:
    # YAML reads an unquoted 2025-01-31 as a date; the format keeps it as the text it is
    return value.isoformat() if isinstance(value, datetime.date) else value


IsoDate = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD")]
Fraction = Annotated[float, Field(ge=0, le=1)]
Correlation = Annotated[float, Field(ge=-1, le=1)]


class ItemStatistics(_Strict):
    """Item analysis of a question from learner responses (``qbank stats --write``)."""

    n: int = Field(ge=0)
    """Respondents the question was shown to: the number behind every figure."""
    p: Fraction | None = None
    """Facility: mean score as a fraction of the points (0..1)."""
    discrimination: Correlation | None = None
    """Corrected item-total correlation (-1..1)."""
    omitted: Fraction | None = None
    """Share of respondents who were shown the question and left it unanswered."""
    shares: list[Fraction] | None = None
    """Share choosing each choice, in file order (true/false: true, false)."""
    pbis: list[Correlation | None] | None = None
    """Point-biserial correlation of each choice with the rest score (``null``: nobody or everybody chose it)."""
    source: str | None = None
    """Where the responses came from (file names)."""
    date: IsoDate | None = None
    """When the statistics were computed."""

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return _iso_date(value)


class FormStatistics(_Strict):
    """Reliability of an assembled form from learner responses (``qbank stats --write``)."""

    n: int = Field(ge=0)
    """Respondents who took the form."""
    k: int = Field(ge=0)
    """Questions shown to every one of them (those the reliability is about)."""
    alpha: Annotated[float, Field(le=1)] | None = None
    """Cronbach's alpha."""
    sem: Annotated[float, Field(ge=0)] | None = None
    """Standard error of measurement, in points."""
    source: str | None = None
    date: IsoDate | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return _iso_date(value)


class _Common(_Strict):
    """Fields every question type shares."""

    id: Id
    """Required, unique in the whole bank; used by every export and import."""
    stem: Markdown
    """The question (Markdown)."""
    explanation: Markdown | None = None
    """The rationale shown after answering (Markdown)."""
    domain: BlueprintId | None = None
    """A blueprint domain id; implied by ``objective`` when absent."""
    objective: BlueprintId | None = None
    """A blueprint objective (task statement) id."""
    difficulty: Difficulty | None = None
    points: float = Field(default=1.0, gt=0)
    """Score for a fully correct answer."""
    shuffle: bool = True
    """Whether a front end may shuffle the choices."""
    tags: list[Text] = Field(default_factory=list)
    references: list[Annotated[str, Field(min_length=1, pattern=r"^\S+$")]] = Field(default_factory=list)
    """URLs for further reading."""
    followups: list[Text] = Field(default_factory=list)
    """Related prompts a learner can explore next."""
    status: Status = "approved"
    author: Text | None = None
    source: Text | None = None
    lint: LintSuppression | None = None
    pool: PoolName | None = None
    """The pool the question belongs to: a test draws ``pick`` questions of a pool (see ``pools:``)."""
    stats: ItemStatistics | None = None
    """Item analysis from learner responses, written by ``qbank stats --write``."""

    _origin: Origin | None = PrivateAttr(default=None)

    kind: ClassVar[str]

    def __eq__(self, other: object) -> bool:
        # the origin (a private attribute) is where a question was read, not part of its value
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), self.id, self.stem))

    @property
    def origin(self) -> Origin | None:
        """Where the question was read from (``None`` for questions built in code)."""
        return self._origin

    @property
    def exportable(self) -> bool:
        """Retired questions are never exported."""
        return self.status != "retired"


def comparison_key(text: str) -> str:
    """The form in which two choices (or items) count as the same: case and spacing removed.

    Punctuation stays: in code answers ``"abc"`` and ``abc`` are different choices. Choices that
    differ only in a trailing period or a plural are near duplicates (lint rule QB106), not errors.
    """
    return " ".join(text.split()).casefold()


def _check_distinct(texts: Sequence[str], what: str) -> None:
    seen: dict[str, int] = {}
    for index, text in enumerate(texts):
        key = comparison_key(text)
        if key in seen:
            raise PydanticCustomError(
                "QB105",
                "{what} {index} repeats {what} {first}",
                {"what": what, "index": index + 1, "first": seen[key] + 1, "text": text, "at": index},
            )
        seen[key] = index


class ChoiceQuestion(_Common):
    """Shared behaviour of ``single_choice`` and ``multiple_response``."""

    choices: list[Choice] = Field(min_length=2, max_length=10)

    @property
    def keys(self) -> list[int]:
        """0-based indexes of the correct choices."""
        return [i for i, c in enumerate(self.choices) if c.correct]

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, choices: list[Choice]) -> list[Choice]:
        _check_distinct([c.text for c in choices], "choice")
        return choices


class SingleChoice(ChoiceQuestion):
    """One key among 2-10 choices."""

    kind: ClassVar[str] = "single_choice"
    type: Literal["single_choice"] = "single_choice"

    @field_validator("choices")
    @classmethod
    def _one_key(cls, choices: list[Choice]) -> list[Choice]:
        keys = sum(c.correct for c in choices)
        if keys != 1:
            raise PydanticCustomError(
                "QB101",
                "a single_choice question needs exactly one correct choice, found {keys}",
                {"keys": keys},
            )
        return choices


class MultipleResponse(ChoiceQuestion):
    """Two or more keys and at least one distractor."""

    kind: ClassVar[str] = "multiple_response"
    type: Literal["multiple_response"]

    @field_validator("choices")
    @classmethod
    def _key_count(cls, choices: list[Choice]) -> list[Choice]:
        keys = sum(c.correct for c in choices)
        if keys < 2 or keys == len(choices):
            raise PydanticCustomError(
                "QB102",
                "a multiple_response question needs at least two correct and one incorrect choice, "
                "found {keys} correct of {n}",
                {"keys": keys, "n": len(choices)},
            )
        return choices


class TrueFalse(_Common):
    """A statement that is true or false."""

    kind: ClassVar[str] = "true_false"
    type: Literal["true_false"]
    answer: bool


class ShortAnswer(_Common):
    """Free text compared with a list of accepted answers."""

    kind: ClassVar[str] = "short_answer"
    type: Literal["short_answer"]
    accept: list[Text] = Field(min_length=1)
    case_sensitive: bool = False

    @field_validator("accept")
    @classmethod
    def _distinct_accept(cls, accept: list[str]) -> list[str]:
        _check_distinct(accept, "accepted answer")
        return accept


class Numerical(_Common):
    """A number, right within an absolute tolerance."""

    kind: ClassVar[str] = "numerical"
    type: Literal["numerical"]
    answer: float
    tolerance: float = Field(default=0.0, ge=0)


class Matching(_Common):
    """Prompts matched to answers, optionally with extra distractor answers."""

    kind: ClassVar[str] = "matching"
    type: Literal["matching"]
    pairs: list[MatchPair] = Field(min_length=2)
    distractors: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct_prompts(self) -> Matching:
        _check_distinct([p.prompt for p in self.pairs], "prompt")
        return self


class Ordering(_Common):
    """Items to put in order."""

    kind: ClassVar[str] = "ordering"
    type: Literal["ordering"]
    order: list[Text] = Field(min_length=2)
    """The items in their correct order."""

    @field_validator("order")
    @classmethod
    def _distinct_items(cls, order: list[str]) -> list[str]:
        _check_distinct(order, "item")
        return order


class Essay(_Common):
    """An open answer, graded by a person."""

    kind: ClassVar[str] = "essay"
    type: Literal["essay"]


# ---------------------------------------------------------------------------------------------- cloze

#: A gap name: letters, digits, ``_`` and ``-``, starting with a letter or digit (``[[1]]``, ``[[region]]``).
GAP_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$"
_GAP_MARKER = re.compile(r"\[\[([A-Za-z0-9][A-Za-z0-9_-]{0,49})\]\]")


@dataclass(frozen=True, slots=True)
class GapRef:
    """A gap marker ``[[name]]`` in a cloze text: the gap's name and the marker's character offsets."""

    name: str
    start: int
    end: int


def gap_refs(text: str) -> list[GapRef]:
    """Every gap marker of a cloze text, in text order.

    A marker is ``[[name]]`` with a valid gap name; a backslash before it (``\\[[name]]``, Markdown's
    own escape of ``[``) makes it literal text.
    """
    refs: list[GapRef] = []
    for match in _GAP_MARKER.finditer(text):
        slashes = 0
        at = match.start() - 1
        while at >= 0 and text[at] == "\\":
            slashes += 1
            at -= 1
        if slashes % 2 == 0:
            refs.append(GapRef(match.group(1), match.start(), match.end()))
    return refs


GapName = Annotated[str, Field(pattern=GAP_NAME_PATTERN)]


class GapOption(_Strict):
    """An option of a drop-down gap: plain text, since every format shows it inside a select box."""

    text: Text
    """The option as shown in the drop-down (plain text)."""
    correct: bool = False
    """Whether this option is the gap's key (exactly one is)."""
    feedback: Markdown | None = None
    """Shown to a learner who picked this option."""


class _Gap(_Strict):
    """What every gap has: its points and its feedback."""

    points: float = Field(default=1.0, gt=0)
    """What the gap is worth; the question scores the sum of its right gaps."""
    feedback: Markdown | None = None
    """Shown with the gap after answering, whatever the answer."""


class TextGap(_Gap):
    """A typed answer compared with a list of accepted answers."""

    kind: ClassVar[str] = "text"
    accept: list[Text] = Field(min_length=1)
    """Accepted answers (plain text)."""
    case_sensitive: bool = False

    @field_validator("accept")
    @classmethod
    def _distinct_accept(cls, accept: list[str]) -> list[str]:
        _check_distinct(accept, "accepted answer")
        return accept


class NumberGap(_Gap):
    """A number, right within an absolute tolerance."""

    kind: ClassVar[str] = "number"
    answer: float
    tolerance: float = Field(default=0.0, ge=0)
    """Absolute: any number within ``answer`` +/- ``tolerance`` is right."""


class DropdownGap(_Gap):
    """A drop-down of plain-text options, exactly one of them correct."""

    kind: ClassVar[str] = "dropdown"
    options: list[GapOption] = Field(min_length=2, max_length=20)

    @property
    def key(self) -> int:
        """0-based index of the correct option."""
        return next(i for i, o in enumerate(self.options) if o.correct)

    @field_validator("options")
    @classmethod
    def _one_key(cls, options: list[GapOption]) -> list[GapOption]:
        _check_distinct([o.text for o in options], "option")
        keys = sum(o.correct for o in options)
        if keys != 1:
            raise PydanticCustomError(
                "QB101",
                "a drop-down gap needs exactly one correct option, found {keys}",
                {"keys": keys},
            )
        return options


def _gap_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "options" in value:
            return "dropdown"
        if "answer" in value or "tolerance" in value:
            return "number"
        if "accept" in value or "case_sensitive" in value:
            return "text"
        return None
    return getattr(value, "kind", None)


Gap: TypeAlias = Annotated[
    Union[  # noqa: UP007 -- tagged members need the Union spelling
        Annotated[TextGap, Tag("text")],
        Annotated[NumberGap, Tag("number")],
        Annotated[DropdownGap, Tag("dropdown")],
    ],
    Discriminator(
        _gap_tag,
        custom_error_type="invalid_gap",
        custom_error_message="a gap needs `accept` (a typed answer), `answer` (a number) or `options` (a drop-down)",
    ),
]


def string_gap_names(gaps: Any) -> Any:
    """Gap names as strings: YAML reads the keys of numbered gaps (``1:``) as integers."""
    if isinstance(gaps, dict):
        return {str(k) if isinstance(k, int) and not isinstance(k, bool) else k: v for k, v in gaps.items()}
    return gaps


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class Cloze(_Common):
    """A text with gaps: typed answers, numbers and drop-downs, each scored on its own.

    The stem holds the gaps as ``[[name]]`` markers; ``gaps`` defines each of them. The question is
    worth the sum of its gaps' points and scores the points of every right gap (partial credit).
    """

    kind: ClassVar[str] = "cloze"
    type: Literal["cloze"]
    gaps: Annotated[dict[GapName, Gap], BeforeValidator(string_gap_names)] = Field(
        min_length=1, json_schema_extra={"additionalProperties": False}
    )
    """Each gap of the stem by name: ``accept`` (typed answer), ``answer`` (number) or ``options``
    (drop-down), with optional ``points`` (default 1) and ``feedback``."""
    points: float = Field(default=1.0, gt=0, json_schema_extra=_drop_default)
    """The sum of the gaps' points (computed when absent; when given it must equal that sum)."""

    @model_validator(mode="before")
    @classmethod
    def _total_points(cls, data: Any) -> Any:
        if isinstance(data, dict) and "points" not in data and isinstance(data.get("gaps"), dict):
            total = 0.0
            for gap in data["gaps"].values():
                points = gap.get("points", 1.0) if isinstance(gap, dict) else 1.0
                if isinstance(points, bool) or not isinstance(points, int | float):
                    return data  # the gap's own error is reported
                total += points
            return {**data, "points": float(total)}
        return data

    @model_validator(mode="after")
    def _gaps_match_text(self) -> Cloze:
        problems: list[tuple[str, tuple[str | int, ...], int | None]] = []
        seen: set[str] = set()
        for ref in gap_refs(self.stem):
            if ref.name in seen:
                problems.append((f"gap {ref.name!r} is used twice in the text", ("stem",), ref.start))
            elif ref.name not in self.gaps:
                problems.append(
                    (f"gap {ref.name!r} is used in the text but not defined in `gaps`", ("stem",), ref.start)
                )
            seen.add(ref.name)
        for name in self.gaps:
            if name not in seen:
                problems.append(
                    (f"gap {name!r} is defined but the text has no [[{name}]]", ("gaps", name), None)
                )
        if problems:
            message, at, offset = problems[0]
            raise PydanticCustomError(
                "QB109", message, {"at": at, "offset": offset, "more": tuple(problems[1:])}
            )
        total = sum(g.points for g in self.gaps.values())
        if not math.isclose(self.points, total, rel_tol=1e-9, abs_tol=1e-9):
            raise PydanticCustomError(
                "QB012",
                "a cloze question is worth the sum of its gaps' points ({total}); "
                "leave `points` out or set it to that sum",
                {"total": _number_text(round(total, 6)), "at": ("points",)},
            )
        return self

    def worth(self, points: float) -> Cloze:
        """A copy worth ``points`` in all: every gap's points scaled by the same factor."""
        factor = points / self.points
        gaps = {
            name: gap.model_copy(update={"points": gap.points * factor}) for name, gap in self.gaps.items()
        }
        copy = self.model_copy(update={"points": points, "gaps": gaps})
        copy._origin = self._origin
        return copy

    @property
    def gap_order(self) -> list[str]:
        """Gap names in the order the text uses them."""
        return [ref.name for ref in gap_refs(self.stem)]

    def filled(self, fill: Callable[[str, Gap], str] | None = None, *, upto: int | None = None) -> str:
        """The stem with every gap marker replaced: by ``fill(name, gap)`` when given, else by the gap's key
        (the first accepted answer, the number, the correct option); with ``upto``, only the text
        before that offset."""
        stem = self.stem if upto is None else self.stem[:upto]
        out: list[str] = []
        last = 0
        for ref in gap_refs(stem):
            gap = self.gaps[ref.name]
            out.append(stem[last : ref.start])
            out.append(fill(ref.name, gap) if fill is not None else gap_key(gap))
            last = ref.end
        out.append(stem[last:])
        return "".join(out)


def gap_key(gap: Gap) -> str:
    """The key of a gap as text: its first accepted answer, its number, or its correct option."""
    if isinstance(gap, TextGap):
        return gap.accept[0]
    if isinstance(gap, NumberGap):
        return _number_text(gap.answer)
    return gap.options[gap.key].text


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _question_tag(value: Any) -> str:
    if isinstance(value, dict):
        tag = value.get("type", "single_choice")
        return tag if isinstance(tag, str) else "?"
    return getattr(value, "kind", "?")


Question: TypeAlias = Annotated[
    Union[  # noqa: UP007 -- tagged members need the Union spelling
        Annotated[SingleChoice, Tag("single_choice")],
        Annotated[MultipleResponse, Tag("multiple_response")],
        Annotated[TrueFalse, Tag("true_false")],
        Annotated[ShortAnswer, Tag("short_answer")],
        Annotated[Numerical, Tag("numerical")],
        Annotated[Matching, Tag("matching")],
        Annotated[Ordering, Tag("ordering")],
        Annotated[Essay, Tag("essay")],
        Annotated[Cloze, Tag("cloze")],
    ],
    Discriminator(
        _question_tag,
        custom_error_type="invalid_question_type",
        custom_error_message="`type` must be one of the nine question types",
    ),
]

QUESTION_TYPES: dict[str, type[_Common]] = {
    m.kind: m
    for m in (
        SingleChoice,
        MultipleResponse,
        TrueFalse,
        ShortAnswer,
        Numerical,
        Matching,
        Ordering,
        Essay,
        Cloze,
    )
}

#: Canonical key order of a question (``qbank fmt`` and every writer use it).
FIELD_ORDER: tuple[str, ...] = (
    "id", "type", "domain", "objective", "difficulty", "points", "shuffle", "status", "tags", "pool",
    "variables", "constraints", "variants", "seed",
    "stem", "gaps", "choices", "answer", "tolerance", "accept", "case_sensitive", "pairs", "distractors", "order",
    "explanation", "references", "followups", "author", "source", "lint", "stats",
)  # fmt: skip

#: Canonical key order of a cloze gap.
GAP_FIELD_ORDER: tuple[str, ...] = (
    "accept", "case_sensitive", "answer", "tolerance", "options", "points", "feedback",
)  # fmt: skip

#: Fields a file's ``defaults:`` may set (not ``type``: the schema must validate each question alone).
DEFAULTABLE_FIELDS: tuple[str, ...] = (
    "domain", "objective", "difficulty", "points", "shuffle", "status", "tags",
    "references", "author", "source", "lint", "pool",
)  # fmt: skip


class Defaults(_Strict):
    """Values applied to every question of a file; a question's own value wins."""

    domain: BlueprintId | None = None
    objective: BlueprintId | None = None
    difficulty: Difficulty | None = None
    points: float | None = Field(default=None, gt=0)
    shuffle: bool | None = None
    status: Status | None = None
    tags: list[Text] | None = None
    references: list[Annotated[str, Field(min_length=1, pattern=r"^\S+$")]] | None = None
    author: Text | None = None
    source: Text | None = None
    lint: LintSuppression | None = None
    pool: PoolName | None = None


class Form(_Strict):
    """Header of an assembled practice test: a question file with a ``form:`` key is a form."""

    title: Text
    count: int = Field(gt=0)
    """Number of questions on the form."""
    time_limit: int | None = Field(default=None, gt=0)
    """Minutes; ``None`` means unlimited."""
    seed: int | None = None
    """The seed the form was drawn with (same seed, same form)."""
    blueprint: BlueprintId | None = None
    """Id of the blueprint the form was drawn from."""
    passing_score: float | None = Field(default=None, gt=0, le=100)
    """Passing score in percent of the points."""
    domains: list[BlueprintId] = Field(default_factory=list)
    """Domains the form was drawn from (empty: all)."""
    objectives: list[BlueprintId] = Field(default_factory=list)
    """Objectives the form was drawn from (empty: all of the chosen domains)."""
    stats: FormStatistics | None = None
    """Reliability from learner responses, written by ``qbank stats --write``."""


# ---------------------------------------------------------------------------------------------- templates and pools

VariableName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=40)]
Expression = Annotated[
    str, Field(min_length=1, max_length=1000, description="A safe expression (see the README: templates).")
]
INTERPOLATION_PATTERN = r"^\s*\{\{[\s\S]*\}\}\s*$"
_INTERPOLATION = re.compile(INTERPOLATION_PATTERN)
_EXPRESSION_SCHEMA = {
    "type": "string",
    "pattern": INTERPOLATION_PATTERN,
    "description": "`{{ expression }}`: the value is computed for each variant.",
}


def _computed(kind: str, minimum: float | None = None) -> Callable[[Any], Any]:
    """A validator of a template value: a literal of ``kind`` (``number`` or ``boolean``) or
    ``{{ expression }}``."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and _INTERPOLATION.match(value):
            return value
        if kind == "boolean":
            literal = isinstance(value, bool)
        else:
            literal = isinstance(value, int | float) and not isinstance(value, bool)
        if literal and (minimum is None or value >= minimum):
            return float(value) if kind == "number" else value
        floor = f" >= {minimum:g}" if minimum is not None else ""
        raise PydanticCustomError(
            "template_value", "expected a {kind}{floor} or `{{ expression }}`", {"kind": kind, "floor": floor}
        )

    return check


def _computed_schema(kind: str, minimum: float | None = None) -> WithJsonSchema:
    literal: dict[str, Any] = {"type": kind}
    if minimum is not None:
        literal["minimum"] = minimum
    return WithJsonSchema({"anyOf": [literal, _EXPRESSION_SCHEMA]})


ComputedNumber: TypeAlias = Annotated[Any, PlainValidator(_computed("number")), _computed_schema("number")]
ComputedTolerance: TypeAlias = Annotated[
    Any, PlainValidator(_computed("number", 0)), _computed_schema("number", 0)
]
ComputedBool: TypeAlias = Annotated[Any, PlainValidator(_computed("boolean")), _computed_schema("boolean")]

#: Most variants one template may ask for.
MAX_VARIANTS = 1000
#: Largest magnitude of a range variable's bounds (numbers stay exact as decimals).
MAX_RANGE = 1e15


class RangeVariable(_Strict):
    """A number from ``min`` to ``max`` (inclusive) in steps of ``step``: integers when all three
    are integers, decimals otherwise."""

    min: int | float = Field(ge=-MAX_RANGE, le=MAX_RANGE)
    max: int | float = Field(ge=-MAX_RANGE, le=MAX_RANGE)
    step: int | float = Field(default=1, gt=0, le=MAX_RANGE)

    @model_validator(mode="after")
    def _ordered(self) -> RangeVariable:
        if self.max < self.min:
            raise PydanticCustomError(
                "QB015",
                "`max` ({max}) is below `min` ({min})",
                {"max": self.max, "min": self.min, "at": ("max",)},
            )
        return self


class ChoiceVariable(_Strict):
    """One value of a list, drawn with equal chances."""

    choice: list[Annotated[str, Field(max_length=1000)] | int | float | bool] = Field(
        min_length=1, max_length=1000
    )


class DerivedVariable(_Strict):
    """A value computed from the variables declared before it."""

    expr: Expression


def _variable_tag(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if "expr" in value:
        return "expr"
    if "choice" in value:
        return "choice"
    return "range"


Variable: TypeAlias = Annotated[
    Union[  # noqa: UP007 -- tagged members need the Union spelling
        Annotated[RangeVariable, Tag("range")],
        Annotated[ChoiceVariable, Tag("choice")],
        Annotated[DerivedVariable, Tag("expr")],
    ],
    Discriminator(
        _variable_tag,
        custom_error_type="invalid_variable",
        custom_error_message="a variable is {min, max, step}, {choice: [...]} or {expr: ...}",
    ),
]


class _TemplateFields(_Strict):
    """What makes a question a template: variables, constraints, and how many variants to draw."""

    variables: Annotated[
        dict[VariableName, Variable], Field(json_schema_extra={"additionalProperties": False})
    ] = Field(min_length=1, max_length=50)
    """Drawn (``min``/``max``/``step`` or ``choice``) or derived (``expr``), in order."""
    constraints: list[Expression] = Field(default_factory=list, max_length=50)
    """Expressions every variant's values must satisfy (values are drawn again until they do)."""
    variants: int = Field(default=10, ge=1, le=MAX_VARIANTS)
    """How many distinct variants to expand."""
    seed: int | None = Field(default=None, ge=0, lt=2**64)
    """Seed of the draws (default: derived from the id); the same seed gives the same variants."""


class TemplateChoice(_Strict):
    """A choice of a template: ``correct`` may be computed."""

    text: Markdown
    correct: ComputedBool = False
    feedback: Markdown | None = None


class TemplateGapOption(_Strict):
    """A drop-down option of a cloze template: ``correct`` may be computed."""

    text: Text
    correct: ComputedBool = False
    feedback: Markdown | None = None


class TemplateNumberGap(_Gap):
    """A number gap of a cloze template: ``answer`` and ``tolerance`` may be computed."""

    answer: ComputedNumber
    tolerance: ComputedTolerance = 0.0


class TemplateDropdownGap(_Gap):
    """A drop-down gap of a cloze template (exactly one key is checked on each variant)."""

    options: list[TemplateGapOption] = Field(min_length=2, max_length=20)


TemplateGap: TypeAlias = Annotated[
    Union[  # noqa: UP007 -- tagged members need the Union spelling
        Annotated[TextGap, Tag("text")],
        Annotated[TemplateNumberGap, Tag("number")],
        Annotated[TemplateDropdownGap, Tag("dropdown")],
    ],
    Discriminator(
        _gap_tag,
        custom_error_type="invalid_gap",
        custom_error_message="a gap needs `accept` (a typed answer), `answer` (a number) or `options` (a drop-down)",
    ),
]


def _template_model(model: type[_Common]) -> type[_TemplateFields]:
    """The template form of a question type: the same fields (``{{ }}`` allowed where the value
    is not text) plus the template fields. Invariants are checked on each expanded variant."""
    changed: dict[str, Any] = {
        "choices": (list[TemplateChoice], Field(min_length=2, max_length=10)),
    }
    if model is Numerical:
        changed["answer"] = (ComputedNumber, ...)
        changed["tolerance"] = (ComputedTolerance, 0.0)
    elif model is TrueFalse:
        changed["answer"] = (ComputedBool, ...)
    elif model is Cloze:
        changed["gaps"] = (
            Annotated[dict[GapName, TemplateGap], BeforeValidator(string_gap_names)],
            Field(min_length=1, json_schema_extra={"additionalProperties": False}),
        )
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        fields[name] = changed.get(name, (info.annotation, info))
    return create_model(
        f"{model.__name__}Template",
        __base__=_TemplateFields,
        __doc__=f"A {model.kind} question template.",
        **fields,
    )


TEMPLATE_TYPES: dict[str, type[_TemplateFields]] = {
    kind: _template_model(model) for kind, model in QUESTION_TYPES.items()
}
"""The template model of each question type (used for the JSON Schema and the template's own fields)."""

#: Keys that only a template may have.
TEMPLATE_FIELDS: tuple[str, ...] = tuple(_TemplateFields.model_fields)

TemplateQuestion: Any = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for k, m in TEMPLATE_TYPES.items())],  # noqa: UP007
    Discriminator(
        _question_tag,
        custom_error_type="invalid_question_type",
        custom_error_message="`type` must be one of the nine question types",
    ),
]


def is_template(raw: Any) -> bool:
    """Whether a raw question mapping is a template (it declares ``variables``)."""
    return isinstance(raw, dict) and "variables" in raw


def _entry_tag(value: Any) -> str:
    return "template" if is_template(value) else "question"


QuestionEntry: Any = Annotated[
    Union[Annotated[Question, Tag("question")], Annotated[TemplateQuestion, Tag("template")]],  # noqa: UP007
    Discriminator(_entry_tag),
]


class Pool(_Strict):
    """A pool declaration: a test draws ``pick`` of the pool's questions, each worth ``points``."""

    pick: int = Field(default=1, ge=1)
    """How many questions a test draws from the pool."""
    points: float | None = Field(default=None, gt=0)
    """Points of each drawn question (default: the questions' own, which must then agree)."""
    title: Text | None = None
    """A name shown by exports that title their groups (QTI sections, Canvas groups)."""


PoolDeclarations: TypeAlias = Annotated[
    dict[PoolName, Pool], Field(json_schema_extra={"additionalProperties": False})
]
"""Pool name -> declaration, as a question file's ``pools`` holds them."""


class QuestionFile(_Strict):
    """A question file: optional ``defaults`` and a list of questions."""

    model_config = ConfigDict(
        title="qbank question file",
        json_schema_extra={"$comment": "qbank question format, version 1"},
    )
    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema URL, for editors that read it from the document."""
    form: Form | None = None
    """Present in assembled practice tests (``qbank assemble``)."""
    defaults: Defaults | None = None
    pools: PoolDeclarations | None = None
    """Pools declared by this file (names are bank-wide)."""
    questions: list[QuestionEntry]


class PoolsOnly(_Strict):
    """The ``pools`` of a question file alone: validates the declarations without building the
    validator of every question type."""

    pools: PoolDeclarations


@functools.cache
def question_adapter() -> TypeAdapter[Question]:
    """The pydantic adapter that validates one raw question mapping (built on first use)."""
    return TypeAdapter(Question)


# ---------------------------------------------------------------------------------------------- blueprint


class Objective(_Strict):
    """A task statement of an exam domain."""

    id: BlueprintId
    title: Text
    description: str | None = None


class Domain(_Strict):
    """An exam domain with its weight (percent) and objectives."""

    id: BlueprintId
    title: Text
    weight: float = Field(ge=0, le=100)
    objectives: list[Objective] = Field(default_factory=list)


class Exam(_Strict):
    """Facts of the real exam: length, time and passing score."""

    questions: int = Field(gt=0)
    minutes: int | None = Field(default=None, gt=0)
    passing_score: float | None = Field(default=None, gt=0, le=100)
    """Passing score in percent of the points."""


class Blueprint(_Strict):
    """An exam outline: domains with weights, objectives inside them."""

    id: BlueprintId
    title: Text
    exam: Exam | None = None
    domains: list[Domain] = Field(min_length=1)

    @model_validator(mode="after")
    def _invariants(self) -> Blueprint:
        total = sum(d.weight for d in self.domains)
        if abs(total - 100) > 1e-6:
            raise PydanticCustomError(
                "QB013",
                "domain weights must sum to 100, they sum to {total}",
                {"total": round(total, 6), "at": ("domains",)},
            )
        seen: set[str] = set()
        for di, dom in enumerate(self.domains):
            if dom.id in seen:
                raise PydanticCustomError(
                    "QB013", "domain id {id!r} is used twice", {"id": dom.id, "at": ("domains", di, "id")}
                )
            seen.add(dom.id)
        seen_obj: set[str] = set()
        for di, dom in enumerate(self.domains):
            for oi, obj in enumerate(dom.objectives):
                if obj.id in seen_obj:
                    raise PydanticCustomError(
                        "QB013",
                        "objective id {id!r} is used twice",
                        {"id": obj.id, "at": ("domains", di, "objectives", oi, "id")},
                    )
                seen_obj.add(obj.id)
        return self

    def domain_of(self, objective_id: str) -> Domain | None:
        """The domain holding an objective, or ``None``."""
        for dom in self.domains:
            if any(o.id == objective_id for o in dom.objectives):
                return dom
        return None

    def objectives(self) -> Iterator[tuple[Domain, Objective]]:
        """Every (domain, objective) in outline order."""
        for dom in self.domains:
            for obj in dom.objectives:
                yield dom, obj


class BlueprintFile(_Strict):
    """A blueprint file: a single top-level ``blueprint`` key."""

    model_config = ConfigDict(title="qbank blueprint file")
    blueprint: Blueprint


# ---------------------------------------------------------------------------------------------- bank


@dataclass(frozen=True, slots=True)
class Variant:
    """Which variant of a template a question is, and the values it was drawn with."""

    template: str
    """The template's id."""
    number: int
    """1-based."""
    values: tuple[tuple[str, bool | int | float | str], ...]
    """Every variable's value, in declaration order."""
    spans: tuple[tuple[tuple[str | int, ...], tuple[tuple[int, int, bool], ...]], ...] = ()
    """Per computed text field: ``(rendered start, template start, literal)`` segments."""

    def template_offset(self, path: Sequence[str | int], offset: int) -> int:
        """The offset in the template's text of ``offset`` in this variant's field at ``path``.

        Inside literal text the offset moves with it; inside a computed value it is the offset
        of the ``{{`` that produced it. Fields without expressions are unchanged.
        """
        for where, segments in self.spans:
            if where == tuple(path):
                start, origin, literal = next(s for s in reversed(segments) if s[0] <= offset)
                return origin + (offset - start) if literal else origin
        return offset

    def describe(self) -> str:
        """``variant 3 of t: a=2, b=0.5`` (values as a template prints them)."""
        shown = ", ".join(f"{name}={_shown(value)}" for name, value in self.values)
        return f"variant {self.number} of {self.template}: {shown}"


def _shown(value: bool | int | float | str) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".12g")
    return str(value)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a question came from: its file and position in that file's ``questions`` list."""

    source: Any  # qbank.io.source.SourceFile; typed loosely so that the model imports nothing from qbank
    index: int
    variant: Variant | None = None
    """Set on the variants of a template (``index`` is then the template's position)."""


@dataclass(slots=True)
class Bank:
    """Questions loaded from one or more files, plus the blueprint when one was found."""

    questions: list[Question] = field(default_factory=list)
    blueprint: Blueprint | None = None
    blueprint_path: str | None = None
    form: Form | None = None
    """The form header when the bank is an assembled practice test."""
    files: list[Any] = field(default_factory=list)
    """The :class:`qbank.io.source.SourceFile` objects read, in path order."""
    pools: dict[str, Pool] = field(default_factory=dict)
    """Every pool a question names: declared ones, and one per template without a declaration."""
    math: MathSyntax = "dollars"
    """How the bank writes math (the ``math`` setting of its configuration)."""

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def by_id(self) -> dict[str, Question]:
        """Questions by id (the first one wins when ids repeat)."""
        out: dict[str, Question] = {}
        for q in self.questions:
            out.setdefault(q.id, q)
        return out

    def domain_of(self, question: Question) -> str | None:
        """The question's domain: its own, or the one its objective belongs to."""
        if question.domain is not None:
            return question.domain
        if question.objective is not None and self.blueprint is not None:
            dom = self.blueprint.domain_of(question.objective)
            return dom.id if dom else None
        return None
