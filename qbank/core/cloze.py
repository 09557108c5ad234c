"""Cloze texts for exporters: the stem rendered once, each gap a placeholder every format fills its own way.

:func:`render_cloze` replaces every ``[[name]]`` marker of a cloze stem by a placeholder made of
private-use characters (``U+E100``, the gap's position, ``U+E101``) and renders the Markdown as
usual, so Markdown (code spans, fenced code, tables, emphasis, links) keeps working around the gaps:
the placeholder is plain text to the renderer and the sanitiser. An exporter then puts its own form
of each gap where the placeholder is: a string (:func:`fill_gaps`: Moodle's embedded answers,
Canvas's ``[blank]``, a GIFT answer block) or an element (:func:`place_gaps`: QTI interactions,
the practice page's inputs). Importers go the other way: they put placeholders where a source's
gaps are, convert the text to Markdown, and turn the placeholders into markers
(:func:`markers_for_placeholders`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qbank.core.markup import Rendered, render
from qbank.core.model import Cloze, Gap, gap_refs

__all__ = [
    "GAP_PLACEHOLDER",
    "ClozeText",
    "fill_gaps",
    "markers_for_placeholders",
    "misplaced_gaps",
    "place_gaps",
    "render_cloze",
]

#: Where gap ``i`` (0-based, in text order) sits in a rendered cloze text.
GAP_PLACEHOLDER = "\ue100{index}\ue101"
_PLACEHOLDER = re.compile("\ue100([0-9]+)\ue101")
_TAG = re.compile(r"(<[^>]*>)")


@dataclass(frozen=True, slots=True)
class ClozeText:
    """A cloze stem rendered with a placeholder per gap, and the gaps in text order."""

    rendered: Rendered
    names: tuple[str, ...]
    """Gap names by position: placeholder ``i`` stands for ``names[i]``."""
    gaps: tuple[Gap, ...]
    """The gaps by position."""


def render_cloze(question: Cloze) -> ClozeText:
    """The stem of a cloze question rendered as block Markdown, gaps as placeholders."""
    parts: list[str] = []
    last = 0
    names: list[str] = []
    for index, ref in enumerate(gap_refs(question.stem)):
        parts.append(question.stem[last : ref.start])
        parts.append(GAP_PLACEHOLDER.format(index=index))
        names.append(ref.name)
        last = ref.end
    parts.append(question.stem[last:])
    return ClozeText(render("".join(parts)), tuple(names), tuple(question.gaps[n] for n in names))


def fill_gaps(text: str, fill: Callable[[int], str], *, html: bool = True) -> str:
    """``text`` with each placeholder replaced by ``fill(position)``.

    In HTML, a placeholder inside a tag (a gap written in an image's alt text or a link target)
    becomes ``___`` instead: no form of a gap can go there (see :func:`misplaced_gaps`).
    """
    if not html:
        return _PLACEHOLDER.sub(lambda m: fill(int(m.group(1))), text)
    out: list[str] = []
    for piece in _TAG.split(text):
        if piece.startswith("<"):
            out.append(_PLACEHOLDER.sub("___", piece))
        else:
            out.append(_PLACEHOLDER.sub(lambda m: fill(int(m.group(1))), piece))
    return "".join(out)


def misplaced_gaps(text: ClozeText) -> list[str]:
    """Names of the gaps whose marker sits where no input can go (inside an HTML tag's attribute,
    such as an image's alt text): exporters show them as ``___`` and report them."""
    inside: set[int] = set()
    for piece in _TAG.findall(text.rendered.html):
        inside.update(int(i) for i in _PLACEHOLDER.findall(piece))
    return [text.names[i] for i in sorted(inside)]


def place_gaps(root: Any, make: Callable[[int], Any]) -> set[int]:
    """Put the element ``make(position)`` where each placeholder is in the text of ``root``'s tree.

    ``root`` is an lxml element (XML or HTML); text is split around each placeholder and the new
    element takes the rest as its tail. A placeholder left in an attribute (a gap written inside an
    image's alt text or a link target) becomes ``___``. Returns the positions placed.
    """
    placed: set[int] = set()
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.text and "\ue100" in el.text:
            pieces = _PLACEHOLDER.split(el.text)
            el.text = pieces[0]
            for k, i in enumerate(range(1, len(pieces), 2)):
                new = make(int(pieces[i]))
                new.tail = pieces[i + 1]
                el.insert(k, new)
                placed.add(int(pieces[i]))
        if el is not root and el.tail and "\ue100" in el.tail:
            pieces = _PLACEHOLDER.split(el.tail)
            el.tail = pieces[0]
            parent = el.getparent()
            at = parent.index(el)
            for k, i in enumerate(range(1, len(pieces), 2)):
                new = make(int(pieces[i]))
                new.tail = pieces[i + 1]
                parent.insert(at + 1 + k, new)
                placed.add(int(pieces[i]))
        for key, value in el.attrib.items():
            if "\ue100" in value:
                el.set(key, _PLACEHOLDER.sub("___", value))
    return placed


def markers_for_placeholders(markdown: str, names: Sequence[str]) -> str:
    """Importers: Markdown converted from a source whose gaps were put in as placeholders, with
    placeholder ``i`` written as the marker ``[[names[i]]]``."""
    return _PLACEHOLDER.sub(lambda m: f"[[{names[int(m.group(1))]}]]", markdown)
