"""The ``qbank stats --html`` page: one self-contained file, inline CSS and SVG, no scripts.

Built like the coverage page (:mod:`qbank.report.coverage_html`, whose element helpers and style
it reuses): summary cards, a difficulty-versus-discrimination scatter with the flag zones shaded,
the table of every question, a bar chart of the options of every flagged choice question, the
forms' reliability and the findings.
"""

from __future__ import annotations

from lxml import etree

from qbank.analysis.stats import ItemStats
from qbank.report.page import PAGE_CSS, SVG, element, svg_root
from qbank.report.stats import StatsReport

__all__ = ["render_html"]

_EXTRA_CSS = """
.zone-hard, .zone-easy { fill: #fdf2e9; }
.zone-neg { fill: #fde8e8; }
.zone-low { fill: #fef9e7; }
td.flag { color: var(--short); font-weight: 600; }
tr.unreliable td { color: var(--muted); }
.bars { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
.bars h3 { font-size: 1rem; margin: 0 0 4px; }
"""

_RED, _AMBER, _BLUE, _GREEN, _GREY = "#c53030", "#d69e2e", "#3b6fb6", "#2f855a", "#a0aec0"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _scatter(parent: etree._Element, report: StatsReport) -> None:
    items = [s for s in report.result.items if s.p is not None and s.discrimination is not None]
    t = report.thresholds
    width, height, left, right, top, bottom = 1000, 520, 70, 30, 20, 50
    low = min([-0.2, *(s.discrimination or 0 for s in items)])
    low = max(-1.0, (int(low * 10) - 1) / 10)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(p: float) -> float:
        return left + p * plot_w

    def y(d: float) -> float:
        return top + (1 - d) / (1 - low) * plot_h

    svg = svg_root(parent, width, height, "Facility (p) against discrimination for every question")
    for cls, x0, x1, y0, y1, name in (
        ("zone-hard", 0.0, t.min_p, 1.0, low, f"too hard: p < {t.min_p:g} (QB954)"),
        ("zone-easy", t.max_p, 1.0, 1.0, low, f"too easy: p > {t.max_p:g} (QB953)"),
        (
            "zone-low",
            0.0,
            1.0,
            t.min_discrimination,
            0.0,
            f"low discrimination < {t.min_discrimination:g} (QB955)",
        ),
        ("zone-neg", 0.0, 1.0, 0.0, low, "negative discrimination: likely miskey (QB951)"),
    ):
        rect = element(
            svg,
            f"{SVG}rect",
            x=f"{x(x0):.1f}",
            y=f"{y(y0):.1f}",
            width=f"{x(x1) - x(x0):.1f}",
            height=f"{y(y1) - y(y0):.1f}",
            class_=cls,
        )
        element(rect, f"{SVG}title", name)
    for tick in range(11):
        p = tick / 10
        element(
            svg,
            f"{SVG}line",
            x1=f"{x(p):.1f}",
            x2=f"{x(p):.1f}",
            y1=str(top),
            y2=str(top + plot_h),
            stroke="#d9e2ec",
        )
        element(
            svg,
            f"{SVG}text",
            f"{p:.1f}",
            x=f"{x(p):.1f}",
            y=str(height - 30),
            text_anchor="middle",
            class_="muted",
        )
    d = 1.0
    while d >= low - 1e-9:
        element(
            svg,
            f"{SVG}line",
            x1=str(left),
            x2=str(left + plot_w),
            y1=f"{y(d):.1f}",
            y2=f"{y(d):.1f}",
            stroke="#d9e2ec",
        )
        element(
            svg,
            f"{SVG}text",
            f"{d:.1f}",
            x=str(left - 8),
            y=f"{y(d) + 4:.1f}",
            text_anchor="end",
            class_="muted",
        )
        d = round(d - 0.2, 10)
    element(
        svg,
        f"{SVG}line",
        x1=str(left),
        x2=str(left + plot_w),
        y1=f"{y(0):.1f}",
        y2=f"{y(0):.1f}",
        stroke="#1f2933",
    )
    element(
        svg,
        f"{SVG}text",
        "facility p (share right)",
        x=f"{left + plot_w / 2:.1f}",
        y=str(height - 8),
        text_anchor="middle",
    )
    element(
        svg,
        f"{SVG}text",
        "discrimination",
        x="14",
        y=f"{top + plot_h / 2:.1f}",
        transform=f"rotate(-90 14 {top + plot_h / 2:.1f})",
        text_anchor="middle",
    )
    for s in items:
        flags = report.flags(s.id)
        color = _RED if "QB951" in flags else _AMBER if flags and flags != ["QB956"] else _BLUE
        dot = element(
            svg,
            f"{SVG}circle",
            cx=f"{x(s.p or 0):.1f}",
            cy=f"{y(s.discrimination or 0):.1f}",
            r="5" if s.n >= report.min_n else "3.5",
            fill=color,
            fill_opacity="0.85" if s.n >= report.min_n else "0.4",
        )
        tip = f"{s.id}: p {_num(s.p)}, discrimination {_num(s.discrimination)}, n {s.n}"
        element(dot, f"{SVG}title", tip + (f" ({' '.join(flags)})" if flags else ""))


def _option_bars(parent: etree._Element, stats: ItemStats, min_share: float) -> None:
    left, right, row, top = 60, 170, 26, 24
    width = 480
    plot = width - left - right
    height = top + row * len(stats.options) + 26
    svg = svg_root(parent, width, height, f"Options of {stats.id}: share and point-biserial")
    lx = left + min_share * plot
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        tx = left + tick * plot
        element(
            svg,
            f"{SVG}line",
            x1=f"{tx:.1f}",
            x2=f"{tx:.1f}",
            y1=str(top - 6),
            y2=str(height - 22),
            stroke="#d9e2ec",
        )
        element(
            svg,
            f"{SVG}text",
            f"{tick:.0%}",
            x=f"{tx:.1f}",
            y=str(height - 8),
            text_anchor="middle",
            class_="muted",
        )
    for i, option in enumerate(stats.options):
        yy = top + i * row
        element(
            svg,
            f"{SVG}text",
            option.label + (" (key)" if option.key else ""),
            x=str(left - 8),
            y=f"{yy + 15}",
            text_anchor="end",
        )
        bar = element(
            svg,
            f"{SVG}rect",
            x=str(left),
            y=str(yy + 3),
            width=f"{max(option.share * plot, 0.5):.1f}",
            height="17",
            fill=_GREEN if option.key else (_GREY if option.share < min_share else _BLUE),
            rx="2",
        )
        element(bar, f"{SVG}title", f"{option.label}: chosen by {option.share:.1%} ({option.count})")
        label = f"{option.share:.0%}   r_pb {_num(option.pbis)}"
        element(svg, f"{SVG}text", label, x=f"{left + plot + 8}", y=f"{yy + 15}")
    line = element(
        svg,
        f"{SVG}line",
        x1=f"{lx:.1f}",
        x2=f"{lx:.1f}",
        y1=str(top - 6),
        y2=str(height - 22),
        stroke="#1f2933",
        stroke_dasharray="4 2",
    )
    element(line, f"{SVG}title", f"{min_share:.0%}: a distractor chosen less often does not work (QB952)")
    element(
        svg, f"{SVG}text", "share choosing each option; dashed: 5% floor", x=str(left), y="12", class_="muted"
    )


def _card(parent: etree._Element, number: str, label: str, tone: str = "") -> None:
    card = element(parent, "div", class_="card")
    element(card, "div", number, class_=f"n {tone}".strip())
    element(card, "div", label, class_="l")


def render_html(report: StatsReport) -> str:
    """The page for a stats report."""
    result = report.result
    html = etree.Element("html", lang="en")
    head = element(html, "head")
    element(head, "meta", None, charset="utf-8")
    element(head, "meta", None, name="viewport", content="width=device-width, initial-scale=1")
    element(head, "title", "Item analysis")
    element(head, "style", PAGE_CSS + _EXTRA_CSS)
    main = element(element(html, "body"), "main")
    element(main, "h1", "Item analysis")
    sources = ", ".join(result.sources) or "no file"
    element(
        main, "p", f"{result.respondents} respondents, {result.rows} responses from {sources}.", class_="sub"
    )

    codes = [d.code for d in report.diagnostics]
    cards = element(main, "div", class_="cards")
    _card(cards, str(result.respondents), "respondents")
    _card(cards, str(len(result.items)), "questions analysed")
    miskeys = len({d.question_id for d in report.diagnostics if d.code == "QB951"})
    _card(cards, str(miskeys), "likely miskeys (QB951)", "short" if miskeys else "ok")
    _card(cards, str(codes.count("QB952")), "distractors chosen by under 5% (QB952)")
    for form in result.forms[:3]:
        tone = "ok" if form.alpha is not None and form.alpha >= report.thresholds.min_alpha else "short"
        _card(cards, _num(form.alpha), f"Cronbach's alpha of {form.form} (n {form.n}, k {form.k})", tone)

    element(main, "h2", "Difficulty and discrimination")
    figure = element(main, "figure")
    _scatter(figure, report)
    element(
        figure,
        "figcaption",
        "One dot per question (red: likely miskey, amber: other flags, faint: fewer than "
        f"{report.min_n} respondents). Shaded: the zones the QB95x rules flag.",
    )

    element(main, "h2", "Questions")
    table = element(main, "table")
    tr = element(element(table, "thead"), "tr")
    for header in ("question", "n", "p", "discrimination", "upper-lower", "omitted", "flags"):
        element(tr, "th", header)
    tbody = element(table, "tbody")
    for s in result.items:
        flags = report.flags(s.id)
        row = element(tbody, "tr", **({"class_": "unreliable"} if s.n < report.min_n else {}))
        element(row, "td", s.id)
        for value in (str(s.n), _num(s.p), _num(s.discrimination), _num(s.upper_lower), _num(s.omitted)):
            element(row, "td", value, class_="num")
        element(row, "td", " ".join(flags), **({"class_": "flag"} if flags else {}))

    flagged = [s for s in result.items if s.options and set(report.flags(s.id)) & {"QB951", "QB952"}]
    if flagged:
        element(main, "h2", "Options of the flagged questions")
        grid = element(main, "div", class_="bars")
        for s in flagged:
            figure = element(grid, "figure")
            element(figure, "h3", f"{s.id} ({', '.join(report.flags(s.id))})")
            _option_bars(figure, s, report.thresholds.min_share)

    if result.forms:
        element(main, "h2", "Forms")
        table = element(main, "table")
        tr = element(element(table, "thead"), "tr")
        for header in ("form", "respondents", "questions", "alpha", "KR-20", "SEM", "mean", "sd"):
            element(tr, "th", header)
        tbody = element(table, "tbody")
        for f in result.forms:
            row = element(tbody, "tr")
            element(row, "td", f.form)
            for value in (
                str(f.n),
                str(f.k),
                _num(f.alpha),
                _num(f.kr20),
                _num(f.sem),
                _num(f.mean),
                _num(f.sd),
            ):
                element(row, "td", value, class_="num")

    if report.diagnostics:
        element(main, "h2", "Findings")
        notes = element(main, "ul", class_="notes")
        for d in report.diagnostics:
            qid = f" [{d.question_id}]" if d.question_id else ""
            element(notes, "li", f"{d.location}: {d.severity.value} {d.code} {d.message}{qid}")
    return "<!DOCTYPE html>\n" + etree.tostring(html, method="xml", encoding="unicode") + "\n"
