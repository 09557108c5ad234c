"""The coverage report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts,
no external assets.

The page is built with lxml element APIs (text is escaped by construction) and serialised as
polyglot markup: it parses both as HTML5 and as well-formed XML.
"""

from __future__ import annotations

from lxml import etree

from qbank.analysis.coverage import CoverageReport, DomainCoverage, coverage_table, summary_lines
from qbank.report.page import PAGE_CSS, SVG, element, svg_root

__all__ = ["render_html"]


def _grid(
    svg: etree._Element, left: int, scale: float, ticks: range, y_top: int, height: int, label: str
) -> None:
    """Vertical gridlines with their value labels under the plot."""
    for tick in ticks:
        x = left + tick * scale
        element(
            svg,
            f"{SVG}line",
            x1=f"{x:.1f}",
            x2=f"{x:.1f}",
            y1=str(y_top),
            y2=str(height - 26),
            stroke="#d9e2ec",
        )
        element(
            svg,
            f"{SVG}text",
            label.format(tick),
            x=f"{x:.1f}",
            y=str(height - 10),
            text_anchor="middle",
            class_="muted",
        )


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share_chart(parent: etree._Element, domains: tuple[DomainCoverage, ...]) -> None:
    left, right, row, top = 300, 80, 46, 28
    plot = 1000 - left - right
    height = top + row * len(domains) + 30
    top_value = max([d.share for d in domains] + [d.weight for d in domains] + [10.0])
    scale = plot / (top_value * 1.1)
    svg = svg_root(parent, 1000, height, "Share of the bank versus blueprint weight, per domain")
    _grid(svg, left, scale, range(0, int(top_value * 1.1) + 1, 10), top - 8, height, "{}%")
    for i, dom in enumerate(domains):
        y = top + i * row
        element(
            svg,
            f"{SVG}text",
            _label(f"{dom.id}  {dom.title}", 40),
            x=str(left - 10),
            y=f"{y + 18}",
            text_anchor="end",
        )
        bar = element(
            svg,
            f"{SVG}rect",
            x=str(left),
            y=str(y + 4),
            width=f"{max(dom.share * scale, 0.5):.1f}",
            height="20",
            fill="#3b6fb6",
            rx="2",
        )
        element(
            bar, f"{SVG}title", f"domain {dom.id}: {_fmt(dom.share)}% of the bank ({dom.count} questions)"
        )
        wx = left + dom.weight * scale
        weight = element(
            svg,
            f"{SVG}line",
            x1=f"{wx:.1f}",
            x2=f"{wx:.1f}",
            y1=str(y),
            y2=str(y + 28),
            stroke="#1f2933",
            stroke_width="3",
        )
        element(weight, f"{SVG}title", f"domain {dom.id}: blueprint weight {dom.weight:g}%")
        end = left + max(dom.share, dom.weight) * scale + 8
        drift = f"{_fmt(dom.share)}% vs {dom.weight:g}% ({dom.drift:+.1f})"
        element(svg, f"{SVG}text", drift, x=f"{end:.1f}", y=f"{y + 18}")
    element(
        svg,
        f"{SVG}text",
        "bar: share of the bank   |   dark line: blueprint weight",
        x=str(left),
        y="14",
        class_="muted",
    )


def _objective_chart(parent: etree._Element, report: CoverageReport) -> None:
    rows = [(d, o) for d in report.domains for o in d.objectives]
    left, right, row, top = 330, 120, 30, 30
    plot = 1000 - left - right
    height = top + row * len(rows) + 30
    k = report.target_forms
    top_value = max([o.count for _, o in rows] + [o.seats * k for _, o in rows] + [5])
    scale = plot / (top_value * 1.1)
    svg = svg_root(parent, 1000, height, f"Questions per objective and the need for {k} full-length forms")
    step = max(1, round(top_value / 8))
    _grid(svg, left, scale, range(0, int(top_value * 1.1) + 1, step), top - 6, height, "{}")
    for i, (dom, obj) in enumerate(rows):
        y = top + i * row
        need = obj.seats * k if report.length else 0
        short = obj.count < need
        name = f"{obj.id}  {obj.title}" if obj.id is not None else f"{dom.id}  {dom.title}"
        element(svg, f"{SVG}text", _label(name, 46), x=str(left - 10), y=f"{y + 15}", text_anchor="end")
        bar = element(
            svg,
            f"{SVG}rect",
            x=str(left),
            y=str(y + 3),
            width=f"{max(obj.count * scale, 0.5):.1f}",
            height="17",
            fill="#c53030" if short else "#2f855a",
            rx="2",
        )
        element(bar, f"{SVG}title", f"{name}: {obj.count} questions")
        label = f"{obj.count}"
        if need:
            nx = left + need * scale
            line = element(
                svg,
                f"{SVG}line",
                x1=f"{nx:.1f}",
                x2=f"{nx:.1f}",
                y1=str(y),
                y2=str(y + 23),
                stroke="#1f2933",
                stroke_width="2",
                stroke_dasharray="4 2",
            )
            element(line, f"{SVG}title", f"{name}: {need} needed for {k} form{'s' * (k != 1)}")
            label = f"{obj.count} / {need}" + (f"  (+{obj.needed})" if obj.needed else "")
        end = left + max(obj.count, need) * scale + 8
        element(svg, f"{SVG}text", label, x=f"{end:.1f}", y=f"{y + 15}")
    legend = (
        f"bar: questions (green: enough, red: short)   |   dashed line: needed for {k} form{'s' * (k != 1)}"
    )
    element(svg, f"{SVG}text", legend, x=str(left), y="14", class_="muted")


def _card(parent: etree._Element, number: str, label: str, tone: str = "") -> None:
    card = element(parent, "div", class_="card")
    element(card, "div", number, class_=f"n {tone}".strip())
    element(card, "div", label, class_="l")


def render_html(report: CoverageReport) -> str:
    """A self-contained HTML page: summary cards, a share-versus-weight chart per domain, a count
    chart per objective with the line of what ``target_forms`` forms need, and the full table."""
    html = etree.Element("html", lang="en")
    head = element(html, "head")
    element(head, "meta", None, charset="utf-8")
    element(head, "meta", None, name="viewport", content="width=device-width, initial-scale=1")
    element(head, "title", f"Coverage: {report.blueprint_title}")
    element(head, "style", PAGE_CSS)
    body = element(html, "body")
    main = element(body, "main")
    element(main, "h1", f"Coverage of {report.blueprint_title}")
    forms = report.target_forms
    element(
        main,
        "p",
        f"Blueprint {report.blueprint_id}; figures for {forms} full-length form"
        f"{'s' * (forms != 1)}" + (f" of {report.length} questions." if report.length else "."),
        class_="sub",
    )

    cards = element(main, "div", class_="cards")
    _card(cards, str(report.total), "questions placed on the blueprint")
    if report.length is not None and report.full_forms is not None:
        tone = "ok" if report.full_forms >= forms else "short"
        _card(cards, str(report.full_forms), "full-length forms without reusing a question", tone)
        _card(cards, str(report.balanced_forms), "with every objective at its share")
        _card(
            cards,
            str(report.needed),
            f"questions to write for {forms} balanced form{'s' * (forms != 1)}",
            "short" if report.needed else "ok",
        )
    if report.unplaced:
        _card(cards, str(len(report.unplaced)), "questions not placed (QB801)", "short")

    element(main, "h2", "Share of the bank versus blueprint weight")
    figure = element(main, "figure")
    _share_chart(figure, report.domains)
    element(
        figure, "figcaption", "Each domain's share of the drawable questions; the dark line is its weight."
    )

    element(main, "h2", "Questions per objective")
    figure = element(main, "figure")
    _objective_chart(figure, report)
    element(
        figure,
        "figcaption",
        "Objectives split their domain's seats equally; the dashed line is what "
        f"{forms} full-length form{'s' * (forms != 1)} {'need' if forms != 1 else 'needs'} without reusing a question.",
    )

    element(main, "h2", "Table")
    headers, rows = coverage_table(report)
    table = element(main, "table")
    tr = element(element(table, "thead"), "tr")
    for header in headers:
        element(tr, "th", header)
    tbody = element(table, "tbody")
    need_col = headers.index(next(h for h in headers if h.startswith("need")))
    for cells in rows:
        is_domain = not cells[0].startswith(" ")
        tr = element(tbody, "tr", class_="domain" if is_domain else "objective")
        for i, cell in enumerate(cells):
            classes = []
            if 2 <= i <= 7:
                classes.append("num")
            if i == need_col and cell not in ("0", "-"):
                classes.append("short")
            element(tr, "td", cell.strip(), **({"class_": " ".join(classes)} if classes else {}))

    element(main, "h2", "Notes")
    notes = element(main, "ul", class_="notes")
    for line in summary_lines(report):
        element(notes, "li", line)
    return "<!DOCTYPE html>\n" + etree.tostring(html, method="xml", encoding="unicode") + "\n"
