"""QB609-QB610: LaTeX math that no export can show (see :mod:`qbank.core.math` for the syntax)."""

from __future__ import annotations

from collections.abc import Iterable

from qbank.core.diagnostics import Severity
from qbank.core.math import check_latex, find_math, loose_dollars
from qbank.lint.rules.base import Finding, NoOptions, Rule, RuleContext
from qbank.lint.rules.text import Item

__all__ = ["InvalidMath", "LooseDollar"]


class InvalidMath(Rule[NoOptions]):
    """A formula does not convert: unbalanced braces, an unknown command, ``\\begin`` without ``\\end``.

    What it does
        Converts every formula of the stem, choices, feedback, explanation, matching and ordering
        texts (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``, per the ``math`` setting) the way
        the exports do, and reports the ones that fail at their opening delimiter, with the reason
        and the position inside the formula.

    Why it matters
        A formula that does not convert cannot become MathML: QTI, the HTML page and the JSON export
        show its LaTeX source instead, and MathJax in Moodle or Canvas shows an error in its place.

    Example
        ```yaml
        stem: "What is $\\frac{1}{2$ of 10?"
        ```

    Use instead
        ```yaml
        stem: "What is $\\frac{1}{2}$ of 10?"
        ```
        A dollar sign that is not math is written ``\\$``.
    """

    code = "QB609"
    name = "invalid-math"
    severity = Severity.ERROR

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        syntax = ctx.bank.math
        for where, text in item.fields:
            if "$" not in text and "\\" not in text:
                continue  # no delimiter of any syntax
            for span in find_math(text, syntax):
                error = check_latex(span.latex)
                if error is not None:
                    at = (
                        f"character {error.offset + 1} of" if error.offset < len(span.latex) else "the end of"
                    )
                    yield Finding(
                        f"math does not convert: {error.message} (at {at} `{_short(span.source)}`)",
                        question,
                        where,
                        offset=span.start,
                    )


class LooseDollar(Rule[NoOptions]):
    """A ``$`` looks like the start of math but opens none.

    What it does
        Reports a ``$`` followed on the same line by LaTeX (a command such as ``\\frac`` or a braced
        script ``^{...}``) when no closing ``$`` follows, or when a space just inside the dollars
        (``$ x^{2} $``) keeps pandoc's rules from reading them as math. Prices ("$5 and $10") never
        count. Only with ``math = "dollars"`` (the default).

    Why it matters
        The formula is shown as its LaTeX source, dollar signs included, in every export.

    Example
        ```yaml
        stem: "Which value of $\\bar{x} makes the test significant?"
        ```

    Use instead
        ```yaml
        stem: "Which value of $\\bar{x}$ makes the test significant?"
        ```
        Write ``\\$`` for a dollar sign next to LaTeX that is meant as text.
    """

    code = "QB610"
    name = "loose-dollar"
    severity = Severity.WARNING

    def item_findings(self, item: Item, ctx: RuleContext[NoOptions]) -> Iterable[Finding]:
        question = item.question
        syntax = ctx.bank.math
        for where, text in item.fields:
            if "$" not in text:
                continue  # nothing to report (loose_dollars)
            for offset, problem in loose_dollars(text, syntax):
                yield Finding(problem, question, where, offset=offset)


def _short(source: str) -> str:
    source = " ".join(source.split())
    return source if len(source) <= 40 else source[:37] + "..."
