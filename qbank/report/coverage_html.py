"""The coverage report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts,
no external assets.

The page is built with lxml element APIs (text is escaped by construction) and serialised as
polyglot markup: it parses both as HTML5 and as well-formed XML.
"""

from __future__ import annotations

from lxml import etree

from qbank.analysis.coverage import CoverageReport, DomainCoverage, coverage_table, summary_lines

__all__ = ["render_html"]

SVG_NS = "http://www.w3.org/2000/svg"
_S = f"{{{SVG_NS}}}"

_CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --ok: #2f855a;
  --short: #c53030; --share: #3b6fb6; --weight: #1f2933; --bg: #f8fafc; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); margin: 0; padding: 24px; }
main { max-width: 1100px; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 32px 0 8px; }
p.sub { color: var(--muted); margin: 0 0 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .n { font-size: 1.8rem; font-weight: 600; }
.card .n.short { color: var(--short); }
.card .n.ok { color: var(--ok); }
.card .l { color: var(--muted); font-size: .9rem; }
figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: 12px; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: 6px; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--ink); }
svg text.muted { fill: var(--muted); }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.domain td { font-weight: 600; background: #f4f7fb; }
td.short { color: var(--short); font-weight: 600; }
ul.notes { padding-left: 20px; }
.legend span { display: inline-block; margin-right: 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; margin-right: 4px; }
"""


_VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    # an empty element keeps its closing tag so HTML parsers read it as the XML does; void
    # elements (meta) and SVG shapes self-close
    element.text = text if text is not None or tag.startswith(_S) or tag in _VOID else ""
    return element


def _grid(
    svg: etree._Element, left: int, scale: float, ticks: range, y_top: int, height: int, label: str
) -> None:
    """Vertical gridlines with their value labels under the plot."""
    for tick in ticks:
        x = left + tick * scale
        _el(
            svg,
            f"{_S}line",
            x1=f"{x:.1f}",
            x2=f"{x:.1f}",
            y1=str(y_top),
            y2=str(height - 26),
            stroke="#d9e2ec",
        )
        _el(
            svg,
            f"{_S}text",
            label.format(tick),
            x=f"{x:.1f}",
            y=str(height - 10),
            text_anchor="middle",
            class_="muted",
        )


def _svg(parent: etree._Element, width: int, height: int, label: str) -> etree._Element:
    svg = etree.SubElement(
        parent,
        f"{_S}svg",
        {"viewBox": f"0 0 {width} {height}", "role": "img", "aria-label": label},
        nsmap={None: SVG_NS},  # type: ignore[dict-item]  # the stubs reject the default namespace
    )
    _el(svg, f"{_S}title", label)
    return svg


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
    svg = _svg(parent, 1000, height, "Share of the bank versus blueprint weight, per domain")
    _grid(svg, left, scale, range(0, int(top_value * 1.1) + 1, 10), top - 8, height, "{}%")
    for i, dom in enumerate(domains):
        y = top + i * row
        _el(
            svg,
            f"{_S}text",
            _label(f"{dom.id}  {dom.title}", 40),
            x=str(left - 10),
            y=f"{y + 18}",
            text_anchor="end",
        )
        bar = _el(
            svg,
            f"{_S}rect",
            x=str(left),
            y=str(y + 4),
            width=f"{max(dom.share * scale, 0.5):.1f}",
            height="20",
            fill="#3b6fb6",
            rx="2",
        )
        _el(bar, f"{_S}title", f"domain {dom.id}: {_fmt(dom.share)}% of the bank ({dom.count} questions)")
        wx = left + dom.weight * scale
        weight = _el(
            svg,
            f"{_S}line",
            x1=f"{wx:.1f}",
            x2=f"{wx:.1f}",
            y1=str(y),
            y2=str(y + 28),
            stroke="#1f2933",
            stroke_width="3",
        )
        _el(weight, f"{_S}title", f"domain {dom.id}: blueprint weight {dom.weight:g}%")
        end = left + max(dom.share, dom.weight) * scale + 8
        drift = f"{_fmt(dom.share)}% vs {dom.weight:g}% ({dom.drift:+.1f})"
        _el(svg, f"{_S}text", drift, x=f"{end:.1f}", y=f"{y + 18}")
    _el(
        svg,
        f"{_S}text",
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
    svg = _svg(parent, 1000, height, f"Questions per objective and the need for {k} full-length forms")
    step = max(1, round(top_value / 8))
    _grid(svg, left, scale, range(0, int(top_value * 1.1) + 1, step), top - 6, height, "{}")
    for i, (dom, obj) in enumerate(rows):
        y = top + i * row
        need = obj.seats * k if report.length else 0
        short = obj.count < need
        name = f"{obj.id}  {obj.title}" if obj.id is not None else f"{dom.id}  {dom.title}"
        _el(svg, f"{_S}text", _label(name, 46), x=str(left - 10), y=f"{y + 15}", text_anchor="end")
        bar = _el(
            svg,
            f"{_S}rect",
            x=str(left),
            y=str(y + 3),
            width=f"{max(obj.count * scale, 0.5):.1f}",
            height="17",
            fill="#c53030" if short else "#2f855a",
            rx="2",
        )
        _el(bar, f"{_S}title", f"{name}: {obj.count} questions")
        label = f"{obj.count}"
        if need:
            nx = left + need * scale
            line = _el(
                svg,
                f"{_S}line",
                x1=f"{nx:.1f}",
                x2=f"{nx:.1f}",
                y1=str(y),
                y2=str(y + 23),
                stroke="#1f2933",
                stroke_width="2",
                stroke_dasharray="4 2",
            )
            _el(line, f"{_S}title", f"{name}: {need} needed for {k} form{'s' * (k != 1)}")
            label = f"{obj.count} / {need}" + (f"  (+{obj.needed})" if obj.needed else "")
        end = left + max(obj.count, need) * scale + 8
        _el(svg, f"{_S}text", label, x=f"{end:.1f}", y=f"{y + 15}")
    legend = (
        f"bar: questions (green: enough, red: short)   |   dashed line: needed for {k} form{'s' * (k != 1)}"
    )
    _el(svg, f"{_S}text", legend, x=str(left), y="14", class_="muted")


def _card(parent: etree._Element, number: str, label: str, tone: str = "") -> None:
    card = _el(parent, "div", class_="card")
    _el(card, "div", number, class_=f"n {tone}".strip())
    _el(card, "div", label, class_="l")


def render_html(report: CoverageReport) -> str:
    """A self-contained HTML page: summary cards, a share-versus-weight chart per domain, a count
    chart per objective with the line of what ``target_forms`` forms need, and the full table."""
    html = etree.Element("html", lang="en")
    head = _el(html, "head")
    _el(head, "meta", None, charset="utf-8")
    _el(head, "meta", None, name="viewport", content="width=device-width, initial-scale=1")
    _el(head, "title", f"Coverage: {report.blueprint_title}")
    _el(head, "style", _CSS)
    body = _el(html, "body")
    main = _el(body, "main")
    _el(main, "h1", f"Coverage of {report.blueprint_title}")
    forms = report.target_forms
    _el(
        main,
        "p",
        f"Blueprint {report.blueprint_id}; figures for {forms} full-length form"
        f"{'s' * (forms != 1)}" + (f" of {report.length} questions." if report.length else "."),
        class_="sub",
    )

    cards = _el(main, "div", class_="cards")
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

    _el(main, "h2", "Share of the bank versus blueprint weight")
    figure = _el(main, "figure")
    _share_chart(figure, report.domains)
    _el(figure, "figcaption", "Each domain's share of the drawable questions; the dark line is its weight.")

    _el(main, "h2", "Questions per objective")
    figure = _el(main, "figure")
    _objective_chart(figure, report)
    _el(
        figure,
        "figcaption",
        "Objectives split their domain's seats equally; the dashed line is what "
        f"{forms} full-length form{'s' * (forms != 1)} {'need' if forms != 1 else 'needs'} without reusing a question.",
    )

    _el(main, "h2", "Table")
    headers, rows = coverage_table(report)
    table = _el(main, "table")
    tr = _el(_el(table, "thead"), "tr")
    for header in headers:
        _el(tr, "th", header)
    tbody = _el(table, "tbody")
    need_col = headers.index(next(h for h in headers if h.startswith("need")))
    for cells in rows:
        is_domain = not cells[0].startswith(" ")
        tr = _el(tbody, "tr", class_="domain" if is_domain else "objective")
        for i, cell in enumerate(cells):
            classes = []
            if 2 <= i <= 7:
                classes.append("num")
            if i == need_col and cell not in ("0", "-"):
                classes.append("short")
            _el(tr, "td", cell.strip(), **({"class_": " ".join(classes)} if classes else {}))

    _el(main, "h2", "Notes")
    notes = _el(main, "ul", class_="notes")
    for line in summary_lines(report):
        _el(notes, "li", line)
    return "<!DOCTYPE html>\n" + etree.tostring(html, method="xml", encoding="unicode") + "\n"
