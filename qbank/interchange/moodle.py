"""Moodle conventions shared by the Moodle XML and GIFT exporters and importers.

* question types: :data:`QTYPES` names the ``<question type="...">`` of each qbank type (and
  :data:`QTYPE_ALIASES` the other names Moodle reads for them); every choice-like type carries the
  three combined feedbacks (:data:`COMBINED_FEEDBACK`);
* grades: Moodle accepts an answer's grade only when it is on a fixed list
  (``question/engine/bank.php``) within 1e-5 (as a fraction of 1), so every percentage written
  comes from :data:`MOODLE_GRADES` and is checked again with :func:`on_grade_list` before it is
  written; a multiple-response question splits its grade evenly over the keys
  (:func:`choice_grades`, read back by :func:`response_keys`);
* categories: ``$course$/top/<bank>/<domain>/<objective>`` (:func:`category_path`), read back into
  domain and objective by :func:`split_category_path` and :func:`category_fields`;
* tags: the question's tags, then ``difficulty-<level>`` (:func:`question_tags`,
  :func:`tag_difficulty`);
* short answers: ``*`` is Moodle's wildcard, so a literal asterisk is written ``\\*``;
* images: ``@@PLUGINFILE@@/<name>`` refers to a file attached to the text;
* cloze ("embedded answers", ``multianswer``): each gap is ``{marks:TYPE:alternatives}`` in the
  question text (:func:`cloze_gap`); an alternative is ``=answer`` (right) or ``%0%answer``, with
  ``#feedback``; text is entity-encoded where Moodle's syntax would read it
  (:func:`cloze_escape`, undone by :func:`cloze_unescape`), and :data:`CLOZE_GAP` finds the gaps
  the way Moodle does; a gap's type (``SHORTANSWER``, ``NUMERICAL``, ``MULTICHOICE`` and their
  variants) says how it is answered (:data:`CLOZE_TEXT_TYPES` ...).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from qbank.core.model import Bank, Blueprint, ChoiceQuestion, Question, SingleChoice

__all__ = [
    "CLOZE_CASE_TYPES",
    "CLOZE_CATCH_ALL",
    "CLOZE_DROPDOWN",
    "CLOZE_DROPDOWN_SHUFFLED",
    "CLOZE_GAP",
    "CLOZE_LAYOUT_TYPES",
    "CLOZE_NUMBER",
    "CLOZE_NUMBER_TYPES",
    "CLOZE_SHUFFLED_TYPES",
    "CLOZE_TEXT",
    "CLOZE_TEXT_CASE",
    "CLOZE_TEXT_TYPES",
    "COMBINED_FEEDBACK",
    "GRADE_TOLERANCE",
    "MOODLE_GRADES",
    "PLUGINFILE",
    "QTYPES",
    "QTYPE_ALIASES",
    "bank_title",
    "category_fields",
    "category_names",
    "category_order",
    "category_path",
    "category_segment",
    "choice_grades",
    "cloze_alternatives",
    "cloze_escape",
    "cloze_gap",
    "cloze_html",
    "cloze_text",
    "cloze_unescape",
    "escape_wildcards",
    "format_grade",
    "format_number",
    "has_wildcard",
    "key_share",
    "on_grade_list",
    "question_tags",
    "response_keys",
    "split_category_path",
    "tag_difficulty",
    "unescape_wildcards",
]

QTYPES: dict[str, str] = {
    "single_choice": "multichoice",
    "multiple_response": "multichoice",
    "true_false": "truefalse",
    "short_answer": "shortanswer",
    "numerical": "numerical",
    "matching": "matching",
    "ordering": "ordering",
    "essay": "essay",
    "cloze": "cloze",
}
"""qbank type -> the Moodle XML question type written for it."""
QTYPE_ALIASES: dict[str, str] = {"match": "matching", "multianswer": "cloze"}
"""Other names Moodle reads for a type of :data:`QTYPES` -> the name written."""
COMBINED_FEEDBACK = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
"""The combined feedback elements of choice, matching, ordering and cloze questions."""

PLUGINFILE = "@@PLUGINFILE@@"
"""How a Moodle text refers to the files attached to it (``@@PLUGINFILE@@/<name>``)."""

GRADE_TOLERANCE = 1e-5
"""How far (as a fraction of 1) a written grade may be from a listed one (Moodle's own tolerance)."""


def _grade_list() -> tuple[Fraction, ...]:
    # Moodle builds its list from p/q for q <= 6, tenths, unit fractions 1/q for q <= 10, and 1/20.
    values: set[Fraction] = {Fraction(0)}
    for q in range(1, 7):
        values.update(Fraction(p, q) for p in range(1, q + 1))
    values.update(Fraction(p, 10) for p in range(1, 11))
    values.update(Fraction(1, q) for q in range(1, 11))
    values.add(Fraction(1, 20))
    return tuple(sorted(values | {-v for v in values}, reverse=True))


MOODLE_GRADES: tuple[Fraction, ...] = _grade_list()
"""Every grade Moodle accepts, exact, as a fraction of full marks (1 = 100 %), negatives included."""


def format_grade(value: Fraction) -> str:
    """A grade as the percentage Moodle files carry: 7 decimals, trailing zeros removed.

    Raises ``ValueError`` for a value that is not on Moodle's list (a bug in the caller).
    """
    if value not in MOODLE_GRADES:
        raise ValueError(f"{value} is not one of Moodle's grades")
    text = f"{float(value * 100):.7f}".rstrip("0").rstrip(".")
    text = "0" if text in {"-0", ""} else text
    if not on_grade_list(text):
        raise ValueError(f"{text} does not match Moodle's grade list")
    return text


def on_grade_list(percent: str | float) -> bool:
    """Whether a written percentage matches one of Moodle's grades within :data:`GRADE_TOLERANCE`."""
    fraction = float(percent) / 100
    return any(abs(fraction - float(g)) <= GRADE_TOLERANCE for g in MOODLE_GRADES)


def key_share(keys: int) -> Fraction:
    """The grade of each key of a multiple-response question with ``keys`` keys (even split)."""
    share = Fraction(1, keys)
    if share not in MOODLE_GRADES:
        raise ValueError(f"no even Moodle grade split for {keys} keys")
    return share


def choice_grades(question: ChoiceQuestion) -> list[Fraction]:
    """Moodle grades of a choice question's options, in option order.

    Single choice: the key 100 %, the rest 0. Multiple response with *k* keys: each key ``1/k``
    (they sum to exactly 100 %), each distractor ``-1/k``, so ticking everything scores no more than
    ticking the keys only minus one key per distractor (Moodle clamps the total at 0).
    """
    if isinstance(question, SingleChoice):
        return [Fraction(1) if c.correct else Fraction(0) for c in question.choices]
    share = key_share(len(question.keys))
    return [share if c.correct else -share for c in question.choices]


def response_keys(percents: Sequence[float]) -> tuple[list[int], bool]:
    """The keys of a multiple-response answer list (the answers with a positive grade, in percent)
    and whether the grades are the even split :func:`choice_grades` writes (within 0.001 %)."""
    keys = [i for i, p in enumerate(percents) if p > 1e-3]
    share = 100 / len(keys) if keys else 0
    even = all(abs(p - (share if i in keys else -share)) <= 1e-3 for i, p in enumerate(percents))
    return keys, even


def format_number(value: float) -> str:
    """A number in plain decimal notation (no exponent), shortest form that reads back the same."""
    if value.is_integer():
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def bank_title(bank: Bank) -> str:
    """The name of the bank's top category: the form title, else the blueprint title, else ``qbank``."""
    if bank.form is not None:
        return bank.form.title
    if bank.blueprint is not None:
        return bank.blueprint.title
    return "qbank"


def category_segment(name: str) -> str:
    """One category name as a path segment: ``/`` doubled, padded when it starts or ends with ``/``."""
    segment = " ".join(name.split()).replace("/", "//")
    if segment.startswith("/"):
        segment = " " + segment
    if segment.endswith("/"):
        segment += " "
    return segment


def _titled(ident: str, title: str) -> str:
    # Moodle lists categories alphabetically: a leading outline number keeps the blueprint order.
    return title if title.startswith(ident) else f"{ident} {title}"


def category_names(bank: Bank, question: Question) -> list[str]:
    """Category names (unescaped) below ``top`` for a question: bank, domain, objective."""
    names = [bank_title(bank)]
    blueprint: Blueprint | None = bank.blueprint
    domain_id = bank.domain_of(question)
    if domain_id is None:
        return names
    domain = next((d for d in blueprint.domains if d.id == domain_id), None) if blueprint else None
    names.append(_titled(domain.id, domain.title) if domain else domain_id)
    if question.objective is not None:
        objective = (
            next((o for o in domain.objectives if o.id == question.objective), None) if domain else None
        )
        names.append(_titled(objective.id, objective.title) if objective else question.objective)
    return names


def category_path(bank: Bank, question: Question) -> str:
    """``$course$/top/<bank>/<domain>/<objective>`` with every segment escaped."""
    return "/".join(["$course$", "top", *(category_segment(n) for n in category_names(bank, question))])


def category_order(bank: Bank, question: Question) -> tuple[int, int]:
    """Sort key putting questions in blueprint outline order (unknown domains and objectives last)."""
    blueprint = bank.blueprint
    if blueprint is None:
        return (0, 0)
    domain_id = bank.domain_of(question)
    domains = [d.id for d in blueprint.domains]
    d_index = domains.index(domain_id) if domain_id in domains else len(domains)
    objectives = [o.id for d in blueprint.domains for o in d.objectives]
    o_index = objectives.index(question.objective) if question.objective in objectives else -1
    return (d_index, o_index if question.objective is not None else -1)


def split_category_path(path: str) -> list[str]:
    """Category names of a Moodle path (``//`` is a literal slash), without ``$context$`` and ``top``."""
    names = [n.replace("\0", "/").strip() for n in path.replace("//", "\0").split("/")]
    names = [n for n in names if n]
    if names and re.fullmatch(r"\$[a-z]+\$", names[0]):
        names = names[1:]
    if names and names[0] == "top":
        names = names[1:]
    return names


#: A category name that starts with an outline number (``3.2 Test applications``): the number is the id.
_OUTLINE_NAME = re.compile(r"^([0-9]+(?:\.[0-9]+)*)\s+\S")


def _match_id(name: str, candidates: list[tuple[str, str]]) -> str:
    """The id of the candidate a category name stands for, else the outline number it starts with,
    else the name itself."""
    for ident, title in candidates:
        if name in (ident, title, f"{ident} {title}"):
            return ident
    match = _OUTLINE_NAME.match(name)
    return match.group(1) if match else name


def category_fields(names: list[str], blueprint: Blueprint | None) -> tuple[str | None, str | None]:
    """Domain and objective named by category levels 2 and 3 (level 1 is the bank), undoing
    :func:`category_names`: with a blueprint, titled names map back to domain and objective ids;
    names the blueprint does not know (or all names, without one) that start with an outline
    number, as :func:`category_names` writes titled ones (``3.2 Test applications ...``), give that
    number."""
    domain = names[1] if len(names) >= 2 else None
    objective = names[2] if len(names) >= 3 else None
    domains = [(d.id, d.title) for d in blueprint.domains] if blueprint is not None else []
    objectives = [(o.id, o.title) for _, o in blueprint.objectives()] if blueprint is not None else []
    domain = _match_id(domain, domains) if domain else None
    objective = _match_id(objective, objectives) if objective else None
    return (domain[:100] if domain else None), (objective[:100] if objective else None)


_DIFFICULTY_TAG = re.compile(r"^difficulty-(easy|medium|hard)$")


def question_tags(question: Question) -> list[str]:
    """Tags written for a question: its own tags, then ``difficulty-<level>`` when it has one."""
    tags = list(question.tags)
    if question.difficulty is not None:
        tags.append(f"difficulty-{question.difficulty}")
    return tags


def tag_difficulty(tag: str) -> str | None:
    """The difficulty a tag written by :func:`question_tags` stands for (``None`` for other tags)."""
    match = _DIFFICULTY_TAG.match(tag)
    return match.group(1) if match else None


def escape_wildcards(text: str) -> str:
    """A short answer as Moodle's matcher reads it literally: ``*`` (a wildcard) written ``\\*``."""
    return text.replace("*", "\\*")


def unescape_wildcards(text: str) -> str:
    """Undo :func:`escape_wildcards`."""
    return text.replace("\\*", "*")


def has_wildcard(text: str) -> bool:
    """Whether a Moodle short answer uses the ``*`` wildcard (an unescaped asterisk)."""
    return re.search(r"(?<!\\)\*", text) is not None


# ---------------------------------------------------------------------------------------------- cloze

CLOZE_CATCH_ALL = "*"
"""The wildcard answer (any other response) that carries a gap's own feedback."""

_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"(?:{_FRACTION})?(?:{_ANSWER})(?:#(?:{_FEEDBACK}))?"
_ALTERNATIVE_PARTS = re.compile(f"~?({_FRACTION})?({_ANSWER})(?:#({_FEEDBACK}))?", re.S)
_TYPES = (
    "NUMERICAL|NM|MULTICHOICE_VS|MCVS|MULTICHOICE_HS|MCHS|MULTICHOICE_S|MCS|MULTICHOICE_V|MCV|"
    "MULTICHOICE_H|MCH|MULTICHOICE|MC|SHORTANSWER_C|SAC|MWC|SHORTANSWER|SA|MW|"
    "MULTIRESPONSE_HS|MRHS|MULTIRESPONSE_S|MRS|MULTIRESPONSE_H|MRH|MULTIRESPONSE|MR"
)
CLOZE_TEXT = "SHORTANSWER"
"""Embedded answer type of a typed gap (case-insensitive)."""
CLOZE_TEXT_CASE = "SAC"
"""Embedded answer type of a case-sensitive typed gap (short for ``SHORTANSWER_C``)."""
CLOZE_NUMBER = "NUMERICAL"
"""Embedded answer type of a number gap."""
CLOZE_DROPDOWN = "MULTICHOICE"
"""Embedded answer type of a drop-down whose options keep their order."""
CLOZE_DROPDOWN_SHUFFLED = "MCS"
"""Embedded answer type of a shuffled drop-down (short for ``MULTICHOICE_S``)."""
CLOZE_TEXT_TYPES = frozenset({"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"})
"""Embedded answer types read as a typed gap."""
CLOZE_CASE_TYPES = frozenset({"SHORTANSWER_C", "SAC", "MWC"})
"""Embedded answer types compared case-sensitively."""
CLOZE_NUMBER_TYPES = frozenset({"NUMERICAL", "NM"})
"""Embedded answer types read as a number gap."""
CLOZE_SHUFFLED_TYPES = frozenset({"MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"})
"""Drop-down (or radio-button) types whose options are shuffled."""
CLOZE_LAYOUT_TYPES = frozenset(
    {"MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"}
)
"""Multiple-choice types Moodle shows as radio buttons, not a drop-down."""

CLOZE_GAP = re.compile(rf"\{{([0-9]*):({_TYPES}):({_ALTERNATIVE}(?:~{_ALTERNATIVE})*)\}}", re.S)
"""An embedded answer as Moodle's ``qtype_multianswer`` reads it: marks, type, alternatives."""

#: Characters Moodle's embedded-answer syntax reads, written as character references.
_CLOZE_SPECIAL = {"{": "&#123;", "}": "&#125;", "~": "&#126;", "#": "&#35;", "\\": "&#92;"}


def cloze_text(text_html: str) -> str:
    """HTML outside the gaps of a cloze question, with ``{`` and ``}`` as character references, so
    that no text of the question is read as an embedded answer."""
    return text_html.replace("{", "&#123;").replace("}", "&#125;")


def cloze_html(fragment: str) -> str:
    """An HTML feedback written inside an embedded answer: the syntax characters ``{ } ~ \\`` as
    character references (valid anywhere in HTML, decoded by Moodle after splitting the gap)."""
    return "".join(_CLOZE_SPECIAL.get(ch, ch) if ch != "#" else ch for ch in fragment)


def cloze_escape(text: str, *, html_value: bool = False) -> str:
    """Text of an alternative (an answer, an option or a feedback) written inside an embedded answer.

    Moodle decodes character references in an alternative after splitting the gap, so HTML-special
    characters and the syntax characters ``{ } ~ # \\`` are written as references. A drop-down
    option is stored as HTML (``html_value``): its text is escaped once more, so it shows as written.
    """
    if html_value:
        text = html.escape(text, quote=False)
    escaped = html.escape(text, quote=False).replace('"', "&quot;")
    return "".join(_CLOZE_SPECIAL.get(ch, ch) for ch in escaped)


def cloze_unescape(text: str) -> str:
    """Undo :func:`cloze_escape` (and Moodle's own ``\\}`` / ``\\#`` escapes) for an answer or feedback."""
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def cloze_gap(marks: int, kind: str, alternatives: Sequence[tuple[bool, str, str | None]]) -> str:
    """An embedded answer: ``{marks:kind:=right#feedback~%0%wrong#feedback}``; texts already escaped."""
    parts = [
        f"{'=' if right else '%0%'}{text}" + (f"#{feedback}" if feedback else "")
        for right, text, feedback in alternatives
    ]
    return "{" + f"{marks}:{kind}:" + "~".join(parts) + "}"


def cloze_alternatives(body: str) -> list[tuple[float, str, str | None]]:
    """(fraction of the marks, raw answer, raw feedback) of each alternative of an embedded answer."""
    out: list[tuple[float, str, str | None]] = []
    rest = body
    while rest:
        match = _ALTERNATIVE_PARTS.match(rest)
        if match is None or not match.group(0):
            break
        fraction_text, percent, answer, feedback = (
            match.group(1),
            match.group(2),
            match.group(3),
            match.group(4),
        )
        if fraction_text == "=":
            fraction = 1.0
        elif percent is not None:
            fraction = float(percent.replace(",", ".")) / 100
        else:
            fraction = 0.0
        out.append((fraction, answer, feedback))
        rest = rest[match.end() :]
    return out
