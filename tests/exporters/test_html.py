"""The HTML practice-page exporter without a browser: one self-contained, inert, deterministic file."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

import qbank
from qbank.cli import main
from qbank.core.model import Bank
from qbank.exporters import EXPORTERS, export
from qbank.exporters.html import page_json

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
HOSTILE = "Close it: </script><script>alert(1)</script> <!-- and </SCRIPT > & done"

BLUEPRINT = """\
blueprint:
  id: t
  title: "Exam <b>&</b> \\"quotes\\""
  exam: {questions: 10, minutes: 20, passing_score: 70}
  domains:
    - id: "1"
      title: One
      weight: 60
      objectives: [{id: "1.1", title: First}]
    - id: "2"
      title: Two
      weight: 40
"""

QUESTIONS = f"""\
questions:
  - id: img-q
    objective: "1.1"
    stem: |
      A picture: ![diagram](pics/d.png) and a remote one ![far](https://example.com/far.png).
      See [the guide](https://example.com/guide).
    choices:
      - {{text: "Yes", correct: true, feedback: "Because."}}
      - {{text: "No"}}
    explanation: "Because `</script>` is code."
    references: ["https://example.com/ref-1"]
    followups: [{json.dumps(HOSTILE)}]
  - id: order-q
    type: ordering
    domain: "2"
    stem: "Order them."
    order: ["</script>", "<!--", "third & last"]
  - id: essay-q
    type: essay
    domain: "2"
    stem: "Explain."
  - id: retired-q
    status: retired
    stem: "Gone"
    choices: [{{text: a, correct: true}}, {{text: b}}]
"""


@pytest.fixture
def bank_dir(write: Callable[..., Path]) -> Path:
    write("bank/blueprint.yaml", BLUEPRINT)
    write("bank/pics/d.png", PNG)
    return write("bank/q.yaml", QUESTIONS).parent


def load(path: Path) -> Bank:
    result = qbank.load(str(path))
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return result.bank


def page_of(bank: Bank) -> tuple[str, Any]:
    result = export(bank, "html")
    text = result.data.decode("utf-8")
    doc = lxml_html.document_fromstring(text)
    (data,) = doc.xpath('//script[@type="application/json"]')
    return text, json.loads(data.text)


def walk_strings(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield "", item
            else:
                yield from walk_strings(item)


def test_registered_as_html() -> None:
    exporter = EXPORTERS["html"]
    assert exporter.suffix == ".html"
    assert exporter.description


def test_the_page_loads_nothing_from_outside(bank_dir: Path) -> None:
    text, payload = page_of(load(bank_dir))
    doc = lxml_html.document_fromstring(text)
    for script in doc.iter("script"):
        assert script.get("src") is None
    assert doc.xpath("//link") == []
    assert doc.xpath("//img | //iframe | //object | //embed") == []
    style = "".join(s.text or "" for s in doc.iter("style"))
    assert "url(" not in style
    assert "@import" not in style
    code = "".join(s.text or "" for s in doc.iter("script") if s.get("type") != "application/json")
    assert not re.search(r"https?:", code)
    csp = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert csp
    assert "default-src 'none'" in csp[0]
    # outside the bank's data there is no URL at all; inside it, URLs are only links and references
    data = doc.xpath('//script[@type="application/json"]')[0]
    data.getparent().remove(data)
    assert not re.search(r"https?:", lxml_html.tostring(doc, encoding="unicode"))
    for key, value in walk_strings(payload):
        if "http" not in value:
            continue
        if key in {"stem", "explanation", "html", "feedback", "prompt"}:
            fragment = lxml_html.fragment_fromstring(value, create_parent="div")
            assert all(not img.get("src", "").startswith("http") for img in fragment.iter("img"))
        else:
            assert key == "", (key, value)
            assert value.startswith("https://example.com/ref-"), value


def test_images_become_data_uris_and_remote_images_links(bank_dir: Path) -> None:
    result = export(load(bank_dir), "html")
    _, payload = page_of(load(bank_dir))
    stem = payload["questions"][0]["stem"]
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in stem
    assert '<a href="https://example.com/far.png"' in stem
    assert [d.code for d in result.diagnostics] == ["QB902"]
    assert result.diagnostics[0].question_id == "img-q"


def test_a_missing_image_is_reported_and_not_requested(write: Callable[..., Path]) -> None:
    path = write(
        "q.yaml",
        """\
        questions:
          - id: lost
            stem: "![gone](nowhere.png)"
            choices: [{text: a, correct: true}, {text: b}]
        """,
    )
    result = export(load(path), "html")
    assert [d.code for d in result.diagnostics] == ["QB903"]
    _, payload = page_of(load(path))
    assert "<img" not in payload["questions"][0]["stem"]
    assert "gone" in payload["questions"][0]["stem"]


def test_script_closing_text_stays_inert(bank_dir: Path) -> None:
    text, payload = page_of(load(bank_dir))
    doc = lxml_html.document_fromstring(text)
    assert len(doc.xpath("//script")) == 2
    raw = doc.xpath('//script[@type="application/json"]')[0].text
    assert "</" not in raw
    assert "<!--" not in raw
    assert "&" not in raw
    assert payload["questions"][0]["followups"] == [HOSTILE]
    assert payload["questions"][1]["order"] == ["</script>", "<!--", "third & last"]
    # the title is escaped into <title>, and is the same text after parsing
    assert doc.findtext(".//title") == 'Exam <b>&</b> "quotes"'
    assert "<title>Exam &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot;</title>" in text


def test_page_json_escapes_markup_characters() -> None:
    encoded = page_json({"a": "</script>&<!--", "b": "\u2028"})
    assert encoded == '{"a":"\\u003c/script\\u003e\\u0026\\u003c!--","b":"\u2028"}'
    assert json.loads(encoded) == {"a": "</script>&<!--", "b": "\u2028"}


def test_same_bank_same_bytes(bank_dir: Path) -> None:
    first = export(load(bank_dir), "html").data
    second = export(load(bank_dir), "html").data
    assert first == second


def test_payload_carries_what_the_page_needs(bank_dir: Path) -> None:
    result = export(load(bank_dir), "html")
    assert result.exported == 3
    _, payload = page_of(load(bank_dir))
    assert [q["id"] for q in payload["questions"]] == ["img-q", "order-q", "essay-q"]
    first, order, essay = payload["questions"]
    assert (first["domain"], first["objective"]) == ("1", "1.1")
    assert [c["correct"] for c in first["choices"]] == [True, False]
    assert first["choices"][0]["feedback"] == "<p>Because.</p>"
    assert first["references"] == ["https://example.com/ref-1"]
    assert (order["domain"], essay["type"]) == ("2", "essay")
    assert payload["exam"] == {"questions": 10, "minutes": 20, "passing_score": 70}
    assert [(d["id"], d["weight"]) for d in payload["blueprint"]["domains"]] == [("1", 60), ("2", 40)]
    assert payload["form"] is None


def test_a_form_fixes_count_time_and_passing_score(write: Callable[..., Path]) -> None:
    path = write(
        "form.yaml",
        """\
        form: {title: Mock 1, count: 2, time_limit: 15, passing_score: 80, seed: 3}
        questions:
          - id: f1
            stem: One?
            choices: [{text: a, correct: true}, {text: b}]
          - id: f2
            type: true_false
            stem: Two?
            answer: false
        """,
    )
    _, payload = page_of(load(path))
    assert payload["title"] == "Mock 1"
    assert payload["form"] == {
        "title": "Mock 1",
        "count": 2,
        "time_limit": 15,
        "passing_score": 80,
        "seed": 3,
    }
    assert [q["id"] for q in payload["questions"]] == ["f1", "f2"]


def test_cli_writes_the_page(bank_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "practice.html"
    code = main(["export", str(bank_dir), "--to", "html", "-o", str(out)])
    assert code == 0
    assert out.read_bytes() == export(load(bank_dir), "html").data
    assert "QB902" in capsys.readouterr().out
