"""LaTeX math: finding formulas in Markdown, converting them, reading MathML back, and rendering."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from qbank.core.config import ConfigError, load_config
from qbank.core.markup import math_output, render, render_inline
from qbank.core.math import (
    MATHML_NS,
    MathTarget,
    check_latex,
    find_math,
    latex_from_mathml,
    latex_tokens,
    loose_dollars,
    to_mathml,
    to_text,
)
from qbank.core.model import Question
from qbank.io.loader import load

Write = Callable[..., Path]


def formulas(text: str, syntax: str = "dollars") -> list[tuple[str, bool]]:
    return [(s.latex, s.display) for s in find_math(text, syntax)]  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    "text",
    [
        "Storage costs $0.023 per GB-month.",
        "Between $5 and $10 per hour.",
        "It costs $5, $10 or $15.",
        "US$ 3 billion",
        "A $ sign alone",
        "Pay $20$30 later",  # a closing $ followed by a digit does not close
        "Escaped \\$x\\$ dollars",
        "Code `$x$` and\n\n```\n$$y$$\n```",
        "$$",
        "$ x $",
        "\\\\(not math\\\\)",
    ],
)
def test_text_that_is_not_math(text: str) -> None:
    assert find_math(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Let $x^2$ be", [("x^2", False)]),
        ("$a$ and $b$", [("a", False), ("b", False)]),
        ("costs $5 and $x$", [("x", False)]),
        ("\\(\\frac{1}{2}\\) then \\[x\\]", [("\\frac{1}{2}", False), ("x", True)]),
        ("$$\n\\sum_i x_i\n$$", [("\n\\sum_i x_i\n", True)]),
        ("$\\$5$", [("\\$5", False)]),  # an escaped dollar inside math does not close it
        ("\\(a \\\\ b\\)", [("a \\\\ b", False)]),  # \\ inside math is LaTeX, not the closer
        ("$x$, `$y$`", [("x", False)]),
    ],
)
def test_formulas_are_found(text: str, expected: list[tuple[str, bool]]) -> None:
    assert formulas(text) == expected


def test_costs_and_a_formula_in_one_text() -> None:
    spans = find_math("costs $5 and $x$ here")
    # "$5 and $" cannot be math: its closing $ has a space before it, so the search goes on
    assert [(s.latex, s.start, s.end) for s in spans] == [("x", 13, 16)]


def test_math_never_crosses_a_blank_line() -> None:
    assert find_math("$x\n\ny$") == ()
    assert formulas("$x\ny$") == [("x\ny", False)]


def test_syntax_setting() -> None:
    text = "$a$ and \\(b\\)"
    assert formulas(text, "dollars") == [("a", False), ("b", False)]
    assert formulas(text, "brackets") == [("b", False)]
    assert formulas(text, "off") == []


def test_span_offsets_and_source() -> None:
    text = "x \\[ y \\] z"
    (span,) = find_math(text)
    assert text[span.start : span.end] == span.source == "\\[ y \\]"
    assert span.opener == "\\["
    assert span.display


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Compute $\\frac{1}{2} of the total", 1),
        ("The value $ x^{2} $ is", 1),
        ("Prices: $5, $10 and $0.023 per GB", 0),
        ("Shell: echo $HOME and $PATH", 0),
        ("Fine: $x^{2}$", 0),
        ("Escaped: \\$\\frac{1}{2}", 0),
    ],
)
def test_loose_dollars(text: str, count: int) -> None:
    assert len(loose_dollars(text)) == count
    assert loose_dollars(text, "brackets") == []


# ---------------------------------------------------------------------------------------------- conversion


def test_mathml_is_namespaced_annotated_and_schema_friendly() -> None:
    root = etree.fromstring(to_mathml("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", display=True))
    assert root.tag == f"{{{MATHML_NS}}}math"
    assert root.get("display") == "block"
    annotation = root.find(f".//{{{MATHML_NS}}}annotation")
    assert annotation is not None
    assert annotation.text == "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"
    # MathML 2 and 3 allow displaystyle/scriptlevel on <mstyle> only
    for el in root.iter():
        if etree.QName(el).localname not in ("math", "mstyle"):
            assert "scriptlevel" not in el.attrib
            assert "displaystyle" not in el.attrib
    # named entities (&ApplyFunction;) are written as characters: the text is plain XML
    assert "&ApplyFunction;" not in to_mathml("\\operatorname{Var}(X)")


@pytest.mark.parametrize(
    ("latex", "message", "offset"),
    [
        ("\\frac{1}{2", "closing", 10),
        ("\\foo{x}", "Unknown command", 0),
        ("\\begin{matrix} 1", "\\end", 16),
        ("x}", "Unmatched", 1),
    ],
)
def test_latex_that_does_not_convert(latex: str, message: str, offset: int) -> None:
    error = check_latex(latex)
    assert error is not None
    assert message in error.message
    assert error.offset == offset
    assert check_latex("\\frac{1}{2}") is None


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("\\frac{1}{2}", "½"),
        ("x^2 + y^{10}", "x² + y¹⁰"),
        ("\\sqrt{x^2+1}", "√(x² + 1)"),
        ("\\bar{x} \\pm 1.96 \\frac{\\sigma}{\\sqrt{n}}", "x̄ ± 1.96 σ/√n"),
        ("P(X \\le 3)", "P(X ≤ 3)"),
        ("H_0: \\mu = 50", "H₀: μ = 50"),
        ("\\frac{a+b}{c}", "(a + b)/c"),
        ("10^{-3}", "10⁻³"),
        ("e^{-\\lambda}", "e^(−λ)"),
        ("\\binom{n}{k}", "(n choose k)"),
        ("\\sqrt[3]{8}", "∛8"),
    ],
)
def test_unicode_text(latex: str, text: str) -> None:
    assert to_text(latex) == (text, True)


def test_unicode_text_says_when_it_loses_structure() -> None:
    assert to_text("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}") == ("(1 2; 3 4)", False)
    assert to_text("\\frac{1}{2") == ("\\frac{1}{2", False)


def _stripped(mathml: str) -> etree._Element:
    """The MathML without its LaTeX annotation, as another tool would write it."""
    root = etree.fromstring(mathml)
    semantics = root[0]
    root.remove(semantics)
    root.append(semantics[0])
    return root


@pytest.mark.parametrize(
    "latex",
    [
        "\\frac{1}{2}",
        "\\bar{x}=\\frac{1}{n}\\sum_{i=1}^n x_i",
        "\\sqrt[3]{8}",
        "\\hat{p}(1-\\hat{p})",
        "\\binom{n}{k}",
        "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
        "P(A\\mid B)=\\frac{P(A\\cap B)}{P(B)}",
        "\\sigma_x^2",
        "\\int_0^1 f(x)\\,dx",
        "\\overline{AB}",
    ],
)
def test_mathml_reads_back_as_latex(latex: str) -> None:
    # with qbank's annotation: exactly the LaTeX written
    assert latex_from_mathml(etree.fromstring(to_mathml(latex))) == (latex, False)
    # without it: LaTeX that shows the same formula
    back, display = latex_from_mathml(_stripped(to_mathml(latex, display=True)))
    assert display
    assert to_text(back) == to_text(latex)


def test_third_party_mathml() -> None:
    mathml = (
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><msup><mi>x</mi><mn>2</mn></msup>'
        "<mo>≤</mo><mfrac><mi>α</mi><mn>2</mn></mfrac></mrow></math>"
    )
    assert latex_from_mathml(etree.fromstring(mathml)) == ("x^2\\le\\frac{\\alpha}{2}", False)


def test_tokens_ignore_layout() -> None:
    assert latex_tokens("x^{2}") == latex_tokens("x^2") == ("x", "^", "2")
    assert latex_tokens("\\left( a \\, b \\right)") == ("(", "a", "b", ")")
    assert latex_tokens("\\frac{1}{2}") != latex_tokens("\\frac12")


# ---------------------------------------------------------------------------------------------- rendering


def test_rendering_per_target() -> None:
    text = "Mean $\\bar{x}_1 * y_1$ and *emphasis*\n\n$$\\frac{a}{b}$$"
    with math_output(MathTarget.TEX):
        tex = render(text)
    with math_output(MathTarget.TEX_DOLLAR_DISPLAY):
        canvas = render(text)
    with math_output(MathTarget.MATHML):
        mathml = render(text)
    # * and _ inside the formula never become emphasis
    assert tex.html == "<p>Mean \\(\\bar{x}_1 * y_1\\) and <em>emphasis</em></p>\n<p>\\[\\frac{a}{b}\\]</p>"
    assert "<p>$$\\frac{a}{b}$$</p>" in canvas.html
    assert mathml.html.count("<math ") == 2
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in mathml.html
    assert mathml.xhtml.count("<math ") == 2
    # the text form is the same whatever the target
    assert tex.text == canvas.text == mathml.text == "Mean x̄₁ ∗ y₁ and emphasis\na/b"
    assert [s.latex for s in mathml.math] == ["\\bar{x}_1 * y_1", "\\frac{a}{b}"]


def test_math_inside_code_is_kept_as_written() -> None:
    text = "Run `echo $a$` then\n\n    indented $b$ code\n\nand $c$."
    with math_output(MathTarget.MATHML):
        rendered = render(text)
    assert "<code>echo $a$</code>" in rendered.html
    assert "indented $b$ code" in rendered.html
    assert rendered.html.count("<math ") == 1


def test_rendering_without_math_is_unchanged() -> None:
    text = "Costs $5 and $10 per *month*."
    with math_output(MathTarget.MATHML):
        rendered = render_inline(text)
    assert rendered.html == "Costs $5 and $10 per <em>month</em>."
    assert rendered.math == ()


def test_latex_that_does_not_convert_is_shown_as_written() -> None:
    with math_output(MathTarget.MATHML):
        rendered = render_inline("Broken $\\frac{1}{2$ here")
    assert rendered.html == "Broken $\\frac{1}{2$ here"


def test_private_use_characters_cannot_pose_as_placeholders() -> None:
    with math_output(MathTarget.TEX):
        rendered = render_inline("\ue0000\ue001 and $x$")
    assert rendered.html == "\ufffd0\ufffd and \\(x\\)"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab $\\()[]{}`*_^0123456789\n", max_size=40))
def test_any_text_renders_and_formulas_are_found_in_order(text: str) -> None:
    from qbank.core.text import bare, mask_code, words

    spans = find_math(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    bare(text), words(text)  # comparisons never fail on odd LaTeX
    assert len(mask_code(text)) == len(text)
    assert all(text[s.start : s.end] == s.source for s in spans)
    for target in MathTarget:
        with math_output(target):
            rendered = render(text)
        assert "\ue000" not in rendered.html
        assert "\ue000" not in rendered.xhtml
        etree.fromstring(f"<div>{rendered.xhtml}</div>")  # always well-formed


# ---------------------------------------------------------------------------------------------- configuration


def test_config_math_setting_reaches_the_bank(write: Write) -> None:
    config = write("qbank.toml", 'math = "brackets"\n')
    write("q.yaml", "questions:\n  - id: q1\n    type: essay\n    stem: Explain $x$ and \\(y\\).\n")
    loaded = load(config.parent, config=load_config(config))
    assert loaded.bank.math == "brackets"


def test_config_math_setting_is_validated(write: Write) -> None:
    config = write("qbank.toml", 'math = "latex"\n')
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert (info.value.diagnostics[0].line, info.value.diagnostics[0].code) == (1, "QB014")


# ---------------------------------------------------------------------------------------------- import


@pytest.mark.parametrize(
    ("html_text", "markdown"),
    [
        # MathJax delimiters in text (Moodle, Canvas, GIFT)
        ("<p>Find \\(\\frac{a}{b}\\) and $$x^2$$</p>", "Find \\(\\frac{a}{b}\\) and \\[x^2\\]"),
        ("<p>\\[ a &lt; b \\]</p>", "\\[ a < b \\]"),
        # MathML, with and without the LaTeX annotation
        (
            f'<p>Is <math xmlns="{MATHML_NS}"><semantics><mi>x</mi>'
            '<annotation encoding="application/x-tex">x_{1}</annotation></semantics></math> odd?</p>',
            "Is \\(x_{1}\\) odd?",
        ),
        (
            '<p><math display="block"><mfrac><mn>1</mn><mi>n</mi></mfrac></math></p>',
            "\\[\\frac{1}{n}\\]",
        ),
        # Canvas equation images, and the screen-reader MathML Canvas puts beside them
        (
            '<p>Area <img class="equation_image" title="\\pi r^2" src="/equation_images/%255Cpi%2520r%255E2"'
            ' alt="LaTeX: \\pi r^2" data-equation-content="\\pi r^2"></p>',
            "Area \\(\\pi r^2\\)",
        ),
        (
            '<p><img class="equation_image" src="https://canvas.example/equation_images/%255Csqrt%257B2%257D?scale=1">'
            '<span class="hidden-readable"><math><msqrt><mn>2</mn></msqrt></math></span></p>',
            "\\(\\sqrt{2}\\)",
        ),
        # dollars that would be math are escaped; prices are not
        ("<p>Costs $5 and $10; $x$ is text</p>", "Costs $5 and $10; \\$x\\$ is text"),
        ("<p>[1] and \\( unclosed</p>", "[1\\] and \\\\( unclosed"),
    ],
)
def test_html_math_comes_back_as_latex(html_text: str, markdown: str) -> None:
    from qbank.importers.html2md import html_to_markdown

    converted = html_to_markdown(html_text)
    assert converted.markdown == markdown
    assert converted.lost == []


def test_github_markdown_keeps_what_github_shows() -> None:
    from qbank.core.math import from_github

    text = "\\[projectname\\]/\\[projectname\\]/settings.py and \\(x\\)"
    assert from_github(text) == "[projectname\\]/[projectname\\]/settings.py and (x\\)"
    assert find_math(from_github(text)) == ()
    with math_output(MathTarget.TEX):
        assert render_inline(from_github(text)).text == "[projectname]/[projectname]/settings.py and (x)"
    # shell variables are dollars; LaTeX stays math
    shell = "Try ${0##x}$ now, $var$ or $\\frac{1}{2}$"
    assert from_github(shell) == "Try \\${0##x}\\$ now, \\$var\\$ or $\\frac{1}{2}$"


# ---------------------------------------------------------------------------------------------- comparisons


def test_normalisation_treats_formulas_as_tokens() -> None:
    from qbank.core.text import bare, mask_code, words

    assert bare("Is $x^2 < 3$?") == "is x sup 2 lt 3"
    assert bare("Is $x_2 < 3$?") != bare("Is $x^2 < 3$?")
    assert bare("Is $x^{2} < 3$?") == bare("Is $x^2<3$?")  # layout does not count
    # lint sees a formula as one word: \left and \right are not the words "left" and "right"
    assert words("Compute $\\left(1-p\\right)^2$ now") == ("compute", "1_minus_p_sup_2", "now")
    # formulas are not prose: masked like code, prices kept
    assert mask_code("Brackets $[0, 1)$ cost $5") == "Brackets          cost $5"


def _choice_question(qid: str, stem: str) -> Question:
    from qbank.core.model import question_adapter

    return question_adapter().validate_python(
        {
            "id": qid,
            "stem": stem,
            "choices": [{"text": "4", "correct": True}, {"text": "5"}, {"text": "6"}],
        }
    )


@pytest.mark.parametrize(
    ("second", "duplicates"),
    [
        ("Simplify $\\frac{1}{2} \\cdot x^2 + x$ when $x = 2$.", True),  # the same question
        ("Simplify $\\frac{1}{3} \\cdot x^2 + x$ when $x = 2$.", False),  # another number inside math
    ],
)
def test_duplicates_read_formulas(second: str, duplicates: bool) -> None:
    from qbank.analysis.dupes import find_duplicates
    from qbank.core.model import Bank

    first = "Simplify $\\frac{1}{2} \\cdot x^2 + x$ when $x = 2$."
    report = find_duplicates(Bank(questions=[_choice_question("a", first), _choice_question("b", second)]))
    assert bool(report.clusters) is duplicates
