"""The HTML practice page in a real browser: Playwright for Python driving Debian's chromium.

One browser serves the whole session; every test gets a fresh context whose requests are all
recorded, so each test also checks that the page reaches nothing but ``file:`` and ``data:``.
Screenshots go to ``<tmp>/qbank-shots`` for people to look at; nothing is compared with them.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright
from practice_bank import FORM_IDS, write_bank, write_form

import qbank
from qbank.core.model import (
    Bank,
    ChoiceQuestion,
    Cloze,
    DropdownGap,
    Matching,
    NumberGap,
    Numerical,
    Ordering,
    Question,
    ShortAnswer,
    TextGap,
    TrueFalse,
)
from qbank.exporters import export

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SHOTS = Path(tempfile.gettempdir()) / "qbank-shots"
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@dataclass
class Site:
    bank_url: str
    form_url: str
    questions: dict[str, Question]


@dataclass
class Visit:
    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    assert CHROMIUM is not None
    launched = playwright_session.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("practice")
    questions: dict[str, Question] = {}
    urls = []
    for name, writer in (("bank", write_bank), ("form", write_form)):
        loaded = qbank.load(str(writer(root / name)))
        assert not [d for d in loaded.diagnostics if d.severity.value == "error"], loaded.diagnostics
        out = root / f"{name}.html"
        export(loaded.bank, "html", out)
        questions.update(loaded.bank.by_id())
        urls.append(out.as_uri())
    SHOTS.mkdir(parents=True, exist_ok=True)
    return Site(urls[0], urls[1], questions)


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    seen = Visit(page)

    def route(r: Any) -> None:
        url = r.request.url
        seen.requests.append(url)
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.type)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("dialog", on_dialog)
    yield seen
    context.close()
    outside = [u for u in seen.requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"the page reached the network: {outside}"
    assert seen.errors == [], seen.errors
    assert seen.dialogs == [], "the page opened a native dialog"


def shot(page: Page, name: str, *, full: bool = False) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def configure(
    page: Page,
    *,
    count: int | None = None,
    minutes: int | str | None = "",
    seed: str = "",
    all_on_one_page: bool = False,
) -> None:
    if count is not None:
        page.fill('[data-qbank="count"]', str(count))
    if minutes != "":
        page.fill('[data-qbank="time-limit"]', "" if minutes is None else str(minutes))
    if seed:
        page.fill('[data-qbank="seed"]', seed)
    if all_on_one_page:
        page.check("#mode-all")


def start(page: Page) -> None:
    page.click('[data-qbank="start"]')
    expect(page.locator('[data-qbank="question"]').first).to_be_attached()


def drawn_ids(page: Page) -> list[str]:
    cards = page.locator('[data-qbank="question"]')
    return [cards.nth(i).get_attribute("data-question-id") or "" for i in range(cards.count())]


def submit(page: Page) -> None:
    page.click('[data-qbank="submit"]')
    page.click('[data-qbank="confirm"]')
    expect(page.locator('[data-qbank="score"]')).to_be_visible()


def order_now(card: Locator) -> list[int]:
    items = card.locator('[data-qbank="order-item"]')
    return [int(items.nth(i).get_attribute("data-item-index") or "-1") for i in range(items.count())]


def sort_with_keyboard(page: Page, card: Locator) -> None:
    """Put an ordering question right using only focus and the Enter key."""
    for target in range(len(order_now(card))):
        while order_now(card).index(target) != target:
            button = card.locator(f'[data-item-index="{target}"] [data-qbank="move-up"]')
            button.focus()
            page.keyboard.press("Enter")
            # focus stays on the moved item, so the learner can keep moving it
            expect(card.locator(f'[data-item-index="{target}"] [data-qbank^="move-"]:focus')).to_have_count(1)
    assert order_now(card) == sorted(order_now(card))


def answer(page: Page, card: Locator, question: Question, *, right: bool) -> None:
    """Answer one question on screen, correctly or not, through the page's hooks."""
    if isinstance(question, ChoiceQuestion):
        keys = [i for i, c in enumerate(question.choices) if c.correct]
        wrong = [i for i, c in enumerate(question.choices) if not c.correct]
        picks = keys if right else wrong[: len(keys)]
        for index in picks:
            card.locator(f'[data-qbank="choice"][data-choice-index="{index}"]').check()
    elif isinstance(question, TrueFalse):
        index = 0 if question.answer == right else 1
        card.locator(f'[data-qbank="choice"][data-choice-index="{index}"]').check()
    elif isinstance(question, ShortAnswer):
        accepted = question.accept[0] if question.case_sensitive else f"  {question.accept[0].upper()} "
        card.locator('[data-qbank="answer"]').fill(accepted if right else "definitely not it")
    elif isinstance(question, Numerical):
        value = question.answer + (question.tolerance * 0.9 if right else question.tolerance + 5)
        card.locator('[data-qbank="answer"]').fill(repr(value))
    elif isinstance(question, Matching):
        pairs = question.pairs
        for index, pair in enumerate(pairs):
            chosen = pair.match if right else pairs[(index + 1) % len(pairs)].match
            card.locator(f'[data-qbank="match"][data-pair-index="{index}"]').select_option(value=chosen)
    elif isinstance(question, Ordering):
        if right:
            sort_with_keyboard(page, card)
        # otherwise leave the starting order, which the page never makes the right one
    else:
        card.locator('[data-qbank="answer"]').fill("Two environments; switch the traffic over.")


def percent(page: Page) -> str:
    return page.locator('[data-qbank="score"]').inner_text()


# ------------------------------------------------------------------ tests


def test_ten_questions_all_right_score_100_percent(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    shot(page, "configure-desktop", full=True)
    configure(page, count=10, seed="4242")
    start(page)
    ids = drawn_ids(page)
    assert len(ids) == 10
    cards = page.locator('[data-qbank="question"]')
    for position, qid in enumerate(ids):
        card = cards.nth(position)
        expect(card).to_be_visible()
        assert cards.locator("visible=true").count() == 1
        answer(page, card, site.questions[qid], right=True)
        if position == 0:
            shot(page, "question-desktop")
        if position < len(ids) - 1:
            page.click('[data-qbank="next"]')
    expect(page.locator('[data-qbank="next"]')).to_be_disabled()
    page.click('[data-qbank="submit"]')
    expect(page.locator('[data-qbank="confirm"]')).to_be_focused()
    shot(page, "confirm")
    page.click('[data-qbank="confirm"]')
    assert percent(page) == "100%"
    expect(page.locator('[data-qbank="verdict"]')).to_have_text("Pass")
    shot(page, "result-desktop")
    results = page.locator('[data-qbank="review"]')
    assert results.count() == 10
    outcomes = {results.nth(i).get_attribute("data-result") for i in range(10)}
    assert outcomes <= {"correct", "unscored"}


def test_ten_questions_all_wrong_score_0_percent(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    configure(page, count=10, seed="99", all_on_one_page=True)
    start(page)
    ids = drawn_ids(page)
    cards = page.locator('[data-qbank="question"]')
    assert cards.locator("visible=true").count() == 10
    shot(page, "all-on-one-page", full=True)
    for position, qid in enumerate(ids):
        answer(page, cards.nth(position), site.questions[qid], right=False)
    submit(page)
    assert percent(page) == "0%"
    expect(page.locator('[data-qbank="verdict"]')).to_have_text("Not yet a pass")
    rows = page.locator('[data-qbank="domain-score"]')
    assert rows.count() >= 2
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text("0%")


def test_a_one_minute_limit_submits_by_itself(site: Site, visit: Visit) -> None:
    page = visit.page
    page.clock.install()
    page.goto(site.bank_url)
    configure(page, count=5, minutes=1, seed="5")
    start(page)
    timer = page.locator("#timer")
    expect(timer).to_have_text(re.compile(r"^(1:00|0:5\d) left$"))
    ids = drawn_ids(page)
    first = site.questions[ids[0]]
    answer(page, page.locator('[data-qbank="question"]').first, first, right=True)
    page.clock.fast_forward("00:30")
    expect(timer).to_have_text(re.compile(r"^0:[23]\d left$"))
    expect(page.locator('[data-qbank="score"]')).to_have_count(0)
    page.clock.fast_forward("00:31")
    expect(page.locator('[data-qbank="timed-out"]')).to_be_visible()
    expect(page.locator('[data-qbank="confirm"]')).to_have_count(0)
    # the answer given before time ran out still counts (every question is worth one point)
    scored = [q for q in ids if site.questions[q].kind != "essay"]
    expected = 0.0 if first.kind == "essay" else round(100 / len(scored), 1)
    assert percent(page) == f"{expected:g}%"


def test_a_domain_filter_only_draws_from_that_domain(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    for other in ("1", "3"):
        page.uncheck(f'[data-qbank="domain"][data-domain-id="{other}"]')
    count = page.locator('[data-qbank="count"]')
    expect(count).to_have_attribute("max", "6")
    configure(page, count=6)
    start(page)
    ids = drawn_ids(page)
    assert len(ids) == 6
    assert {site.questions[q].domain for q in ids} == {"2"}


def test_an_objective_filter_only_draws_from_that_objective(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    page.uncheck('[data-qbank="domain"][data-domain-id="2"]')
    page.uncheck('[data-qbank="domain"][data-domain-id="3"]')
    page.uncheck('[data-qbank="objective"][data-objective-id="1.1"]')
    domain_box = page.locator('[data-qbank="domain"][data-domain-id="1"]')
    assert domain_box.evaluate("el => el.indeterminate") is True
    configure(page, count=5)
    start(page)
    assert {site.questions[q].objective for q in drawn_ids(page)} == {"1.2"}


def test_the_draw_follows_the_blueprint_weights_and_the_seed(site: Site, visit: Visit) -> None:
    page = visit.page
    draws = []
    for _ in range(2):
        page.goto(site.bank_url)
        configure(page, count=10, seed="31337")
        start(page)
        draws.append(drawn_ids(page))
    assert draws[0] == draws[1]
    domains = [site.questions[q].domain for q in draws[0]]
    # weights 50 / 30 / 20 of 10 questions
    assert (domains.count("1"), domains.count("2"), domains.count("3")) == (5, 3, 2)


def test_the_review_shows_explanations_feedback_and_references(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    configure(page, count=21, minutes=None, seed="8")
    start(page)
    submit(page)
    assert percent(page) == "0%"
    entries = page.locator('[data-qbank="review"]')
    assert entries.count() == 21
    for i in range(entries.count()):
        entry = entries.nth(i)
        question = site.questions[entry.get_attribute("data-question-id") or ""]
        assert question.explanation
        expect(entry.locator('[data-qbank="explanation"]')).to_contain_text(question.explanation)
        for url in question.references:
            expect(entry.locator(f'[data-qbank="references"] a[href="{url}"]')).to_have_count(1)
        for text in question.followups:
            expect(entry.locator('[data-qbank="followups"]')).to_contain_text(text)
        if isinstance(question, ChoiceQuestion):
            for index, choice in enumerate(question.choices):
                if choice.feedback:
                    expect(entry.locator(f'[data-choice-index="{index}"] .feedback')).to_have_text(
                        choice.feedback
                    )
    essay = page.locator('[data-qbank="review"][data-question-id="dep-essay"]')
    expect(essay).to_have_attribute("data-result", "unscored")
    expect(page.locator('[data-qbank="essay-note"]')).to_be_visible()
    entries.nth(0).scroll_into_view_if_needed()
    shot(page, "review-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "result-phone")


def test_multiple_response_enforces_select_n(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    page.uncheck('[data-qbank="domain"][data-domain-id="2"]')
    page.uncheck('[data-qbank="domain"][data-domain-id="3"]')
    configure(page, count=11, all_on_one_page=True)
    start(page)
    card = page.locator('[data-qbank="question"][data-question-id="dev-multi"]')
    expect(card.locator("legend")).to_contain_text("Select TWO (2)")
    choices = card.locator('[data-qbank="choice"]')
    wrong = [2, 3, 4]
    card.locator('[data-choice-index="0"]').check()
    card.locator('[data-choice-index="2"]').check()
    for index in wrong[1:]:
        expect(card.locator(f'[data-choice-index="{index}"]')).to_be_disabled()
    assert sum(choices.nth(i).is_checked() for i in range(choices.count())) == 2
    card.locator('[data-choice-index="2"]').uncheck()
    expect(card.locator('[data-choice-index="4"]')).to_be_enabled()


def test_a_form_fixes_the_questions_and_the_time_limit(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.form_url)
    expect(page.locator('[data-qbank="form-facts"]')).to_contain_text("Fixed form 7")
    expect(page.locator('[data-qbank="count"]')).to_have_value("4")
    expect(page.locator('[data-qbank="count"]')).not_to_be_editable()
    expect(page.locator('[data-qbank="time-limit"]')).to_have_value("7")
    expect(page.locator('[data-qbank="time-limit"]')).not_to_be_editable()
    expect(page.locator('[data-qbank="domain"]')).to_have_count(0)
    shot(page, "configure-form")
    page.click('[data-qbank="start"]')
    assert drawn_ids(page) == list(FORM_IDS)
    expect(page.locator("#timer")).to_have_text(re.compile(r"^7:00 left$|^6:5\d left$"))
    cards = page.locator('[data-qbank="question"]')
    for position, qid in enumerate(FORM_IDS):
        answer(page, cards.nth(position), site.questions[qid], right=position != 0)
        if position < len(FORM_IDS) - 1:
            page.click('[data-qbank="next"]')
    submit(page)
    assert percent(page) == "75%"
    expect(page.locator('[data-qbank="verdict"]')).to_have_text("Pass")


def test_images_are_inline_and_nothing_is_fetched(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.bank_url)
    page.uncheck('[data-qbank="objective"][data-objective-id="1.2"]')
    page.uncheck('[data-qbank="domain"][data-domain-id="2"]')
    page.uncheck('[data-qbank="domain"][data-domain-id="3"]')
    configure(page, count=5, all_on_one_page=True)
    start(page)
    image = page.locator('[data-question-id="dev-code-0"] .stem img')
    assert (image.get_attribute("src") or "").startswith("data:image/png;base64,")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1
    remote = page.locator('[data-question-id="dev-code-1"] .stem a')
    expect(remote).to_have_attribute("href", "https://example.com/remote.png")
    assert all(u.startswith(("file:", "data:")) for u in visit.requests)
    assert visit.requests, "the route saw the page load"


def test_readable_on_a_phone(site: Site, visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size(PHONE)
    page.goto(site.bank_url)
    shot(page, "configure-phone")
    configure(page, count=21, seed="3")
    start(page)

    def fits() -> bool:
        return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))

    assert fits()
    # the palette starts folded on a phone, so the first question is in view
    expect(page.locator('[data-qbank="palette"]').first).to_be_hidden()
    page.click(".palette summary")
    cards = page.locator('[data-qbank="question"]')
    for position, qid in enumerate(drawn_ids(page)):
        if site.questions[qid].kind in {"matching", "ordering", "single_choice"}:
            page.locator('[data-qbank="palette"]').nth(position).click()
            expect(cards.nth(position)).to_be_visible()
            assert fits(), qid
            shot(page, f"question-phone-{site.questions[qid].kind}")
    page.click('[data-qbank="submit"]')
    page.click('[data-qbank="confirm"]')
    assert fits()


POOLED_BANK = """
questions:
  - id: rcu
    type: numerical
    variables:
      items: {min: 10, max: 100, step: 10}
    variants: 6
    stem: "A table serves {{ items }} strongly consistent reads of 4 KB per second. How many RCUs?"
    answer: "{{ items }}"
"""
PLAIN = """
  - id: plain-{n}
    type: true_false
    stem: Statement number {n} about the service is true.
    answer: true
"""


def test_each_attempt_draws_one_variant_of_a_template(tmp_path: Path, visit: Visit) -> None:
    folder = tmp_path / "pooled"
    folder.mkdir()
    (folder / "bank.yaml").write_text(POOLED_BANK + "".join(PLAIN.format(n=n) for n in range(5)))
    loaded = qbank.load(folder)
    assert loaded.ok
    out = tmp_path / "pooled.html"
    export(loaded.bank, "html", out)
    page = visit.page
    seen: set[str] = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        page.goto(out.as_uri())
        expect(page.locator('[data-qbank="count"]')).to_have_attribute("max", "6")
        configure(page, count=6, seed=seed)
        start(page)
        ids = drawn_ids(page)
        variants = [i for i in ids if i.startswith("rcu.")]
        assert len(ids) == 6
        assert len(variants) == 1, ids
        seen.update(variants)
    assert len(seen) > 1  # another attempt, another variant
    assert visit.errors == []


def test_downloaded_results_feed_the_item_analysis(site: Site, visit: Visit, tmp_path: Path) -> None:
    """Two learners take ten questions, download their results, and ``qbank stats`` reads them:
    every question id, the responses in the shared encoding, the page's scores and the time."""
    from qbank.analysis.stats import analyse
    from qbank.core.model import Bank
    from qbank.importers.responses import read_responses

    page = visit.page
    files = []
    for learner, right in (("ann", True), ("bob", False)):
        page.goto(site.bank_url)
        configure(page, count=10, seed="4242")
        start(page)
        ids = drawn_ids(page)
        cards = page.locator('[data-qbank="question"]')
        for position, qid in enumerate(ids):
            answer(page, cards.nth(position), site.questions[qid], right=right)
            if position < len(ids) - 1:
                page.click('[data-qbank="next"]')
        submit(page)
        page.fill('[data-qbank="results-name"]', learner)
        with page.expect_download() as download:
            page.click('[data-qbank="download-results"]')
        saved = tmp_path / f"{learner}.json"
        download.value.save_as(saved)
        assert download.value.suggested_filename.startswith("results-demo-")
        files.append(saved)
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    assert doc["format"] == "qbank-results"
    assert doc["bank"] == "demo"
    assert doc["name"] == "ann"
    assert [item["id"] for item in doc["items"]] == ids
    assert all(item["time"] >= 0 for item in doc["items"])
    scored = [item for item in doc["items"] if item["score"] is not None]
    assert all(item["score"] == site.questions[item["id"]].points for item in scored)
    bank = Bank(questions=list(site.questions.values()))
    read = read_responses(files, bank)
    assert read.diagnostics == []
    result = analyse(read.table, bank.by_id())
    assert result.respondents == 2
    for stats in result.items:
        if site.questions[stats.id].kind != "essay":
            assert stats.n == 2
            assert stats.p == 0.5


# ------------------------------------------------------------------ cloze questions: gaps in the text, partial credit

CLOZE = Path(__file__).parents[1] / "exporters" / "cloze"
pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed"
)


@pytest.fixture(scope="module")
def cloze_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Bank]:
    loaded = qbank.load(CLOZE)
    assert loaded.ok, loaded.diagnostics
    out = tmp_path_factory.mktemp("cloze-page") / "cloze.html"
    export(loaded.bank, "html", out)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return out.as_uri(), loaded.bank


def fill_gaps(card: Locator, question: Cloze, wrong: set[str]) -> None:
    """Answer every gap through the page's hooks, right except for the gaps named in ``wrong``."""
    for name in question.gap_order:
        gap = question.gaps[name]
        control = card.locator(f'[data-qbank="gap"][data-gap-name="{name}"]')
        if isinstance(gap, DropdownGap):
            pick = gap.key if name not in wrong else next(i for i in range(len(gap.options)) if i != gap.key)
            control.select_option(value=str(pick))
        elif isinstance(gap, NumberGap):
            control.fill(f"{gap.answer + (gap.tolerance / 2 if name not in wrong else gap.tolerance + 1):g}")
        else:
            assert isinstance(gap, TextGap)
            text = gap.accept[-1] if gap.case_sensitive else f" {gap.accept[0].upper()} "
            control.fill(text if name not in wrong else "nope")


def begin_cloze(page: Page, url: str) -> None:
    page.goto(url)
    page.fill('[data-qbank="count"]', "7")
    page.fill('[data-qbank="time-limit"]', "")
    page.check("#mode-all")
    start(page)


def test_gaps_are_inputs_and_selects_in_the_text(cloze_page: tuple[str, Bank], visit: Visit) -> None:
    url, bank = cloze_page
    page = visit.page
    begin_cloze(page, url)
    card = page.locator('[data-qbank="question"][data-question-id="lambda-invoke-async"]')
    stem = card.locator(".stem")
    # the drop-down sits in the fenced code block, the typed gap in the inline code
    expect(stem.locator("pre code select[data-gap-name='type']")).to_have_count(1)
    expect(stem.locator("code input[data-gap-name='name']")).to_have_count(1)
    expect(stem.locator("input[data-gap-name='status']")).to_have_attribute("inputmode", "decimal")
    expect(stem.locator("strong")).to_have_text("asynchronously")  # Markdown around the gaps
    for question in bank:
        assert isinstance(question, Cloze)
        gaps = page.locator(f'[data-question-id="{question.id}"] [data-qbank="gap"]')
        assert [gaps.nth(i).get_attribute("data-gap-name") for i in range(gaps.count())] == question.gap_order
    shot(page, "cloze-questions", full=True)


def test_every_gap_right_scores_full_marks(cloze_page: tuple[str, Bank], visit: Visit) -> None:
    url, bank = cloze_page
    page = visit.page
    begin_cloze(page, url)
    for question in bank:
        assert isinstance(question, Cloze)
        fill_gaps(page.locator(f'[data-qbank="question"][data-question-id="{question.id}"]'), question, set())
    submit(page)
    expect(page.locator('[data-qbank="score"]')).to_have_text("100%")
    results = page.locator('[data-qbank="review"]')
    assert {results.nth(i).get_attribute("data-result") for i in range(results.count())} == {"correct"}


def test_one_wrong_gap_scores_the_others_and_the_review_shows_the_key(
    cloze_page: tuple[str, Bank], visit: Visit
) -> None:
    url, bank = cloze_page
    page = visit.page
    begin_cloze(page, url)
    lam = bank.by_id()["lambda-invoke-async"]
    assert isinstance(lam, Cloze)
    total = sum(q.points for q in bank)
    for question in bank:
        assert isinstance(question, Cloze)
        card = page.locator(f'[data-qbank="question"][data-question-id="{question.id}"]')
        fill_gaps(card, question, {"status"} if question.id == lam.id else set())
    submit(page)
    # 2 of the 11.5 points are lost: the number gap of lambda-invoke-async
    expect(page.locator('[data-qbank="score"]')).to_have_text(f"{round(100 * (total - 2) / total)}%")
    entry = page.locator('[data-qbank="review"][data-question-id="lambda-invoke-async"]')
    expect(entry).to_have_attribute("data-result", "partial")
    expect(entry.locator(".status")).to_have_text("Partly right: 2 of 4 points")
    review = entry.locator('[data-qbank="gap-review"]')
    assert [review.nth(i).get_attribute("data-result") for i in range(3)] == [
        "correct",
        "incorrect",
        "correct",
    ]
    expect(review.nth(1)).to_contain_text("203 \u2717")
    expect(review.nth(1).locator(".want")).to_have_text(" 202")
    rows = entry.locator('[data-qbank="gap-row"]')
    expect(rows.nth(1)).to_contain_text("0 / 2")
    expect(entry.locator(".gap-feedback")).to_contain_text(["Lambda queues the event", "202 means Accepted."])
    entry.scroll_into_view_if_needed()
    shot(page, "cloze-review")
