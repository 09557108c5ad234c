"""What the HTML reports share: the page's style sheet and the helpers that build elements and
inline SVG charts with lxml (no script, no external resource)."""

from __future__ import annotations

from lxml import etree

__all__ = ["PAGE_CSS", "SVG", "SVG_NS", "element", "svg_root"]

SVG_NS = "http://www.w3.org/2000/svg"
SVG = f"{{{SVG_NS}}}"
"""The SVG namespace as an lxml tag prefix."""

PAGE_CSS = """
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


def element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A child element; ``attrs`` names lose a trailing ``_`` and use ``-`` for ``_`` (``text_anchor``)."""
    child = etree.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    # an empty element keeps its closing tag so HTML parsers read it as the XML does; void
    # elements (meta) and SVG shapes self-close
    child.text = text if text is not None or tag.startswith(SVG) or tag in _VOID else ""
    return child


def svg_root(parent: etree._Element, width: int, height: int, label: str) -> etree._Element:
    """An inline ``<svg>`` chart of the given size, titled and labelled for screen readers."""
    svg = etree.SubElement(
        parent,
        f"{SVG}svg",
        {"viewBox": f"0 0 {width} {height}", "role": "img", "aria-label": label},
        nsmap={None: SVG_NS},  # type: ignore[dict-item]  # the stubs reject the default namespace
    )
    element(svg, f"{SVG}title", label)
    return svg
