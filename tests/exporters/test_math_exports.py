"""Math through every exporter and back: the example statistics bank, and the AWS bank left alone.

QTI validation and the QTI 3.0 player are in ``qti_exports/test_qti_math.py``; the HTML page in a
browser in ``tests/browser/test_practice_math.py``.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_gift import check_question, gift_pegjs, parse_gift  # noqa: F401 -- gift_pegjs is a fixture

from qbank.core.markup import math_output
from qbank.core.math import MathTarget, find_math
from qbank.core.model import Bank, ChoiceQuestion, Question
from qbank.exporters import EXPORTERS, export
from qbank.importers import IMPORT_FORMAT_OF_EXPORT, import_bank
from qbank.io.loader import load

REPO = Path(__file__).resolve().parents[2]


def _bank(name: str) -> Bank:
    loaded = load(REPO / "questions" / name)
    assert loaded.ok, loaded.diagnostics
    return loaded.bank


@pytest.fixture(scope="module")
def statistics() -> Bank:
    return _bank("statistics")


def _formulas(question: Question) -> list[tuple[str, bool]]:
    texts = [question.stem, question.explanation or ""]
    if isinstance(question, ChoiceQuestion):
        texts += [c.text for c in question.choices] + [c.feedback or "" for c in question.choices]
    return [(s.latex, s.display) for t in texts for s in find_math(t)]


@pytest.mark.parametrize(
    ("fmt", "present", "absent"),
    [
        (
            "qti21",
            ['<math xmlns="http://www.w3.org/1998/Math/MathML"', 'encoding="application/x-tex"'],
            ["$\\"],
        ),
        ("qti30", ['<math xmlns="http://www.w3.org/1998/Math/MathML"', "<mfrac>"], ["$\\"]),
        ("canvas", ["\\(\\frac{1}{2}\\)", "$$s^2 = \\frac{1}{n-1}"], ["<math"]),
        ("moodle", ["\\(\\frac{1}{2}\\)", "\\[s^2 = \\frac{1}{n-1}"], ["<math", "$\\"]),
        ("gift", ["\\\\(\\\\frac\\{1\\}\\{2\\}\\\\)"], ["<math", "$\\"]),
        ("aiken", ["x̄ = 1/n ∑ᵢ₌₁ⁿ xᵢ", "P(A ∣ B)", "s² = 1/(n − 1)"], ["\\frac", "$"]),
        (
            "json",
            ['"markdown": "$\\\\frac{1}{2}$"', '<math xmlns=\\"http://www.w3.org/1998/Math/MathML\\"'],
            [],
        ),
        ("html", ['math xmlns=\\"http://www.w3.org/1998/Math/MathML\\"', "msqrt"], ["\\\\frac{1}{2}$"]),
    ],
)
def test_every_exporter_carries_math(
    statistics: Bank, fmt: str, present: list[str], absent: list[str]
) -> None:
    data = export(statistics, fmt).data
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    else:
        text = data.decode("utf-8")
    for needle in present:
        assert needle in text, f"{fmt}: {needle!r} missing"
    for needle in absent:
        assert needle not in text, f"{fmt}: {needle!r} present"


@pytest.mark.parametrize("fmt", ["qti21", "qti30", "canvas", "moodle", "gift", "json"])
def test_imports_return_the_same_latex(statistics: Bank, fmt: str) -> None:
    data = export(statistics, fmt).data
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bank{EXPORTERS[fmt].suffix}"
        path.write_bytes(data)
        result = import_bank(path, IMPORT_FORMAT_OF_EXPORT[fmt])
    assert not result.failed, result.diagnostics
    back = {q.id: q for q in result.questions}
    compared = 0
    for question in statistics.questions:
        if question.id not in back:
            continue
        assert _formulas(back[question.id]) == _formulas(question), question.id
        compared += 1
    assert compared >= 12


def test_gift_parses_and_hands_back_the_latex(gift_pegjs: Path, statistics: Bank, tmp_path: Path) -> None:  # noqa: F811
    parsed = parse_gift(gift_pegjs, export(statistics, "gift").data, tmp_path)
    by_id = {p["id"]: p for p in parsed if p.get("id")}
    with math_output(MathTarget.TEX, statistics.math):
        for question in statistics.questions:
            if question.id in by_id:
                check_question(question, by_id[question.id])
    assert "\\(\\frac{1}{2}\\)" in by_id["stat-conditional-probability"]["choices"][0]["text"]["text"]


def test_aws_bank_gets_no_math() -> None:
    """The AWS bank writes prices with `$`: nothing in it is math, so the math setting changes no byte."""
    dva = _bank("dva-c02")
    texts = [t for q in dva for t in [q.stem, q.explanation or ""]]
    assert any("$" in t for t in texts)
    assert not any(find_math(t) for t in texts)
    for fmt in EXPORTERS:
        default = EXPORTERS[fmt].export(dva).data
        dva.math = "off"
        try:
            assert EXPORTERS[fmt].export(dva).data == default, fmt
        finally:
            dva.math = "dollars"
