"""What the Moodle XML and GIFT exporters share: grade fractions, category paths, feedback text.

Moodle accepts an answer's grade only when it is on a fixed list (``question/engine/bank.php``)
within 1e-5 (as a fraction of 1), so every percentage written comes from :data:`MOODLE_GRADES` and
is checked again with :func:`on_grade_list` before it is written.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from qbank.core.model import Bank, Blueprint, Question

__all__ = [
    "GRADE_TOLERANCE",
    "MOODLE_GRADES",
    "bank_title",
    "category_path",
    "category_segment",
    "format_grade",
    "format_number",
    "general_feedback_markdown",
    "key_share",
    "on_grade_list",
]

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


def general_feedback_markdown(question: Question) -> str:
    """The explanation followed by the references and follow-up prompts, as one Markdown text.

    Moodle has no fields for references and follow-ups, so both travel in the general feedback.
    """
    parts: list[str] = []
    if question.explanation:
        parts.append(question.explanation.strip())
    if question.references:
        parts.append("**References**\n\n" + "\n".join(f"- <{url}>" for url in question.references))
    if question.followups:
        parts.append("**Explore next**\n\n" + "\n".join(f"- {_escape_md(f)}" for f in question.followups))
    return "\n\n".join(parts)


def _escape_md(text: str) -> str:
    # follow-ups are plain text: keep Markdown from reading them as markup
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in " ".join(text.split()))
