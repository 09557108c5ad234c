"""Math on the HTML practice page: the example statistics bank's MathML, laid out by Chromium itself.

The page loads no script or font for math: Chromium renders MathML Core natively. The test draws
every question on one page, then checks that a fraction and a square root are laid out as MathML
(the numerator above the denominator, the radical wider than what it covers) and screenshots them
to ``<tmp>/qbank-shots/math-*.png`` for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, expect, sync_playwright
from test_practice_page import ARGS, CHROMIUM, DESKTOP, SHOTS

import qbank
from qbank.exporters import export

STATISTICS = Path(__file__).resolve().parents[2] / "questions" / "statistics"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def math_browser() -> Iterator[Browser]:
    playwright: Playwright
    with sync_playwright() as playwright:
        assert CHROMIUM is not None
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    loaded = qbank.load(STATISTICS)
    assert loaded.ok, loaded.diagnostics
    out = tmp_path_factory.mktemp("math-page") / "statistics.html"
    export(loaded.bank, "html", out)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return out.as_uri()


_LAYOUT = """
card => {
  const box = el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const maths = [...card.querySelectorAll('math')];
  const frac = card.querySelector('mfrac');
  const sqrt = card.querySelector('msqrt');
  return {
    count: maths.length,
    namespaces: [...new Set(maths.map(m => m.namespaceURI))],
    mathml: maths.every(m => m instanceof MathMLElement),
    frac: frac && {box: box(frac), num: box(frac.children[0]), den: box(frac.children[1])},
    sqrt: sqrt && {box: box(sqrt), body: box(sqrt.children[0])},
    text: card.innerText,
  };
}
"""


def test_fractions_and_roots_are_laid_out_as_mathml(math_browser: Browser, page_url: str) -> None:
    context = math_browser.new_context(viewport=DESKTOP)
    requests: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        requests.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_url)
    # every question (and one variant of each template) is drawn, so the card below is always there
    count = page.locator('[data-qbank="count"]')
    count.fill(count.get_attribute("max") or "")
    page.check("#mode-all")
    page.click('[data-qbank="start"]')
    card = page.locator('[data-qbank="question"][data-question-id="stat-critical-value-name"]')
    expect(card).to_be_visible()
    layout = card.evaluate(_LAYOUT)
    card.screenshot(path=str(SHOTS / "math-question.png"))
    context.close()

    assert layout["count"] == 2
    assert layout["namespaces"] == [MATHML_NS]
    assert layout["mathml"]
    frac, sqrt = layout["frac"], layout["sqrt"]
    # a fraction: the numerator sits above the denominator, both inside the fraction's box
    assert frac["num"]["y"] + frac["num"]["h"] <= frac["den"]["y"] + 1
    assert frac["box"]["h"] >= frac["num"]["h"] + frac["den"]["h"]
    # a square root: the radical sign makes the root wider than what it covers
    assert sqrt["box"]["w"] > sqrt["body"]["w"] + 2
    # no LaTeX source is left on the page, and nothing was fetched
    assert "\\frac" not in layout["text"]
    assert "$" not in layout["text"]
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
