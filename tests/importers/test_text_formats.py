"""text2qti and the HTML -> Markdown converter."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.core.markup import render
from qbank.importers import import_bank
from qbank.importers.html2md import html_to_markdown

QUIZ = """Quiz title: Addition
Quiz description: Checking addition.

Title: An addition question
Points: 2
1.  What is 2+3?
... General feedback.
a)  6
... Feedback for 6
b)  1
*c) 5

2.  Which are odd?
[*] 1
[ ] 2
[*] 3

3.  Name a queue service.
*   SQS
*   Amazon SQS

4.  What is pi?
=   3.14 +- 0.01

5.  Discuss.
____

6.  Upload your work.
^^^^
"""


def test_text2qti(tmp_path: Path) -> None:
    path = tmp_path / "quiz.txt"
    path.write_text(QUIZ, encoding="utf-8")
    result = import_bank(path, "text2qti")
    assert (result.found, result.imported) == (6, 5)
    assert list(result.groups) == ["Addition"]
    first, odd, short, pi, essay = result.questions
    assert first.points == 2
    assert first.keys == [2]
    assert first.choices[0].feedback == "Feedback for 6"
    assert first.explanation == "General feedback."
    assert odd.type == "multiple_response"
    assert short.accept == ["SQS", "Amazon SQS"]
    assert (pi.answer, pi.tolerance) == (3.14, 0.01)
    assert essay.type == "essay"
    assert [(d.line, d.code) for d in result.diagnostics] == [(6, "QB911"), (28, "QB910")]


@pytest.mark.parametrize(
    "markdown",
    [
        "Hello **world** and *em* with `code`.",
        "Line one\nline two",
        "- a\n- b\n\n1. x\n2. y",
        "- outer\n  - inner\n- two",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "See <https://example.com/a> and [docs](https://example.com/b).",
        "![arch](img/arch.png)",
        "```\nprint(1)\n```",
        "a < b & c, 5 * 3, snake_case",
        "\\*not emphasis\\* and [not a link\\]",
        "Costs $5 and $10, but \\$x\\$ is no formula",
        "Math \\(\\frac{1}{2}\\) and\n\n\\[x^2 < y_1\\]",
    ],
)
def test_markdown_survives_render_and_back(markdown: str) -> None:
    assert html_to_markdown(render(markdown).html).markdown == markdown


def test_unknown_tags_keep_text_and_are_reported() -> None:
    converted = html_to_markdown("<p>Match the <u>activity</u> to <sup>2</sup></p><script>x()</script>")
    assert converted.markdown == "Match the activity to 2"
    assert converted.lost == ["u", "sup", "script"]
