"""Where reported questions are: one scan of each file's text for its ids."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from qbank.analysis.dupes.items import Location
from qbank.core.model import Question

_ID_LINE = re.compile(r"""^[ \t]*(?:-[ \t]+)?["']?id["']?[ \t]*:[ \t]*["']?([a-z0-9][a-z0-9._-]*)""", re.M)
#: An ``"id": "..."`` member of a JSON file, wherever it is on its line (the position is the value's
#: opening quote, as the exact locator gives it).
_ID_JSON = re.compile(r'"id"\s*:\s*("[a-z0-9][a-z0-9._-]*")')


class Locator:
    """Locations of question ids, found by one scan of each already-read file's text.

    Placing a value with :meth:`SourceFile.position` parses the whole file for its positions; a
    scan for ``id:`` keys is cheaper, and a bank with duplicates spread over every file would
    otherwise pay that parse for each file.
    """

    def __init__(self) -> None:
        self._by_file: dict[int, dict[str, tuple[int, int]]] = {}

    def __call__(self, question: Question) -> Location | None:
        origin = question.origin
        if origin is None:
            return None
        source = origin.source
        found = self._scan(source).get(question.id)
        if found is None:
            line, col = source.position(("questions", origin.index, "id"))
        else:
            line, col = found
        return Location(str(source.display), line, col)

    def _scan(self, source: Any) -> dict[str, tuple[int, int]]:
        key = id(source)
        cached = self._by_file.get(key)
        if cached is not None:
            return cached
        text: str = getattr(source, "text", "") or ""
        out: dict[str, tuple[int, int]] = {}
        counts: dict[str, int] = defaultdict(int)
        json_file = str(getattr(source, "display", "")).lower().endswith(".json")
        for match in (_ID_JSON if json_file else _ID_LINE).finditer(text):
            qid = match.group(1).strip('"')
            counts[qid] += 1
            out.setdefault(qid, source.line_col(match.start(1)))
        # an id written twice in one file is ambiguous here: let the exact locator place it
        self._by_file[key] = {k: v for k, v in out.items() if counts[k] == 1}
        return self._by_file[key]
