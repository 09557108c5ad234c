"""``qbank stats`` end to end: reports in every format, exit codes, --write, the sidecar, --html."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from test_stats_compute import HAND_CSV

import qbank
from qbank.cli import main

BANK = """\
# practice questions: comments and layout survive --write
questions:
  - id: q1   # the first one
    stem: First?
    choices:
      - text: alpha
        correct: true
      - text: beta
      - text: gamma
      - text: delta
  - id: q2
    stem: Second?
    choices:
      - text: one
      - text: two
        correct: true
      - text: three
  - id: q3
    type: short_answer
    stem: Third?
    accept: [S3]
    points: 2
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "bank.yaml").write_text(BANK, encoding="utf-8")
    (tmp_path / "responses.csv").write_text(HAND_CSV, encoding="utf-8")
    return tmp_path


def _config(site: Path, text: str) -> None:
    (site / "qbank.toml").write_text(text, encoding="utf-8")


def test_text_report_shows_the_table_and_flags_small_samples_as_info(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "stats", str(site / "responses.csv"), "--bank", str(site / "bank.yaml"), "--format", "text"
    )
    assert code == 0  # 5 respondents: every flag is info only
    assert "5 respondents, 3 questions, 15 responses" in out
    assert "q2        5 *  0.40  -0.06  0.48  0.20  QB951 QB952 QB956" in out
    assert "* fewer than 30 respondents: figures are unreliable" in out
    assert f"{site / 'bank.yaml'}:11:5: info QB951 likely miskey: negative discrimination (-0.06)" in out


def test_a_likely_miskey_fails_the_run_once_enough_respondents_answered(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(site, "[stats]\nmin-n = 5\n")
    code, out, _ = run(
        capsys, "stats", str(site / "responses.csv"), "--bank", str(site / "bank.yaml"), "--format", "text"
    )
    assert code == 1
    assert "error QB951" in out
    assert "QB956" not in out


def test_json_report_has_items_forms_and_flags(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "stats", str(site / "responses.csv"), "--bank", str(site / "bank.yaml"), "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    items = {item["id"]: item for item in doc["items"]}
    assert set(items) == {"q1", "q2", "q3"}
    q2 = items["q2"]
    assert {"id", "n", "p", "discrimination", "flags"} <= set(q2)
    assert q2["n"] == 5
    assert q2["p"] == pytest.approx(0.4)
    assert q2["discrimination"] == pytest.approx(-0.0601929, abs=1e-7)
    assert q2["flags"] == ["QB951", "QB952", "QB956"]
    assert q2["line"] == 11
    assert q2["reliable"] is False
    assert [o["share"] for o in q2["options"]] == pytest.approx([0.0, 0.4, 0.4])
    (form,) = doc["forms"]
    assert form["alpha"] == pytest.approx(0.54)
    assert form["n"] == 5
    assert form["flags"] == ["QB957"]
    assert doc["summary"]["failed"] is False


def test_sarif_and_github_place_flags_at_the_question(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _config(site, "[stats]\nmin-n = 5\n")
    args = ["stats", str(site / "responses.csv"), "--bank", str(site / "bank.yaml")]
    code, out, _ = run(capsys, *args, "--format", "sarif")
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    miskey = next(r for r in results if r["ruleId"] == "QB951")
    assert miskey["level"] == "error"
    assert miskey["locations"][0]["physicalLocation"]["region"]["startLine"] == 11
    code, out, _ = run(capsys, *args, "--format", "github")
    assert code == 1
    assert any(
        line.startswith("::error file=") and "line=11" in line and "QB951" in line
        for line in out.splitlines()
    )


def test_write_keeps_comments_and_check_reads_the_stored_figures(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(site, "[stats]\nmin-n = 5\n")
    bank = site / "bank.yaml"
    args = [
        "stats",
        str(site / "responses.csv"),
        "--bank",
        str(bank),
        "--write",
        "--date",
        "2025-02-03",
        "-q",
    ]
    code, _, err = run(capsys, *args)
    assert code == 1  # the likely miskey
    assert f"wrote statistics to {bank}" in err
    text = bank.read_text(encoding="utf-8")
    assert text.startswith("# practice questions: comments and layout survive --write\n")
    assert "  - id: q1   # the first one\n" in text
    assert (
        "    stats:\n      n: 5\n      p: 0.4\n      discrimination: -0.06\n      omitted: 0.2\n"
        "      shares: [0.0, 0.4, 0.4]\n      pbis: [null, -0.06, -0.361]\n      source: responses.csv\n"
        '      date: "2025-02-03"\n'
    ) in text
    code, out, _ = run(capsys, "check", str(bank), "--format", "text")
    assert code == 1
    assert "error QB951 likely miskey" in out
    assert "[q2]" in out
    # idempotent: the same responses write the same text
    run(capsys, *args)
    assert bank.read_text(encoding="utf-8") == text


def test_a_sidecar_keeps_the_question_files_untouched(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _config(site, '[stats]\nmin-n = 5\nsidecar = "stats.yaml"\n')
    bank = site / "bank.yaml"
    code, _, _err = run(
        capsys,
        "stats",
        str(site / "responses.csv"),
        "--bank",
        str(site),
        "--write",
        "--date",
        "2025-02-03",
        "-q",
    )
    assert code == 1
    assert bank.read_text(encoding="utf-8") == BANK
    sidecar = (site / "stats.yaml").read_text(encoding="utf-8")
    assert "stats:\n  q1:\n    n: 5\n" in sidecar
    code, out, _ = run(capsys, "check", str(site), "--format", "text")
    assert "error QB951 likely miskey" in out
    assert "QB007" not in out  # the sidecar is not read as a question file


def test_html_report_is_one_page_with_the_scatter_and_option_bars(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = site / "stats.html"
    code, _, err = run(
        capsys, "stats", str(site / "responses.csv"), "--bank", str(site / "bank.yaml"), "--html", str(page)
    )
    assert code == 0
    assert f"wrote {page}" in err
    root = etree.fromstring(page.read_bytes().split(b"\n", 1)[1])
    svg = "{http://www.w3.org/2000/svg}"
    charts = root.findall(f".//{svg}svg")
    assert len(charts) == 3  # the scatter, and option bars for q1 and q2 (flagged)
    dots = charts[0].findall(f"{svg}circle")
    assert len(dots) == 3
    assert "QB951" in "".join(dots[1].itertext())
    assert "src=" not in page.read_text(encoding="utf-8")  # nothing loaded from anywhere
    code, _, err = run(
        capsys, "stats", str(site / "responses.csv"), "--bank", str(site / "bank.yaml"), "--html", str(page)
    )
    assert code == 2
    assert "exists" in err


def test_an_unreadable_responses_file_exits_2(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "odd.csv").write_text("name,answer\nx,y\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "stats", str(site / "odd.csv"), "--bank", str(site / "bank.yaml"), "--format", "text"
    )
    assert code == 2
    assert "error QB922 not a responses CSV qbank knows" in out


FORM = """\
form:
  title: Mock exam 1
  count: 3
questions:
  - id: f1
    type: true_false
    stem: Amazon S3 stores objects.
    answer: true
  - id: f2
    type: true_false
    stem: Amazon EBS is object storage.
    answer: false
  - id: f3
    type: true_false
    stem: AWS Lambda runs containers only.
    answer: false
"""


def test_a_forms_reliability_is_written_into_its_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = tmp_path / "mock-1.yaml"
    form.write_text(FORM, encoding="utf-8")
    (tmp_path / "qbank.toml").write_text("[stats]\nmin-n = 3\n", encoding="utf-8")
    answers = ["true;false;false", "true;true;true", "false;false;true", "true;false;true"]
    files = []
    for k, row in enumerate(answers):
        items = [{"id": f"f{i + 1}", "response": r} for i, r in enumerate(row.split(";"))]
        path = tmp_path / f"r{k}.json"
        path.write_text(
            json.dumps(
                {"format": "qbank-results", "version": 1, "bank": "x", "form": "Mock exam 1", "items": items}
            ),
            encoding="utf-8",
        )
        files.append(str(path))
    code, out, err = run(
        capsys, "stats", *files, "--bank", str(form), "--write", "--date", "2025-01-01", "--format", "json"
    )
    assert code == 0  # low reliability is a warning: it fails the run only with --strict
    doc = json.loads(out)
    (stats,) = doc["forms"]
    assert stats["form"] == "Mock exam 1"
    assert stats["n"] == 4
    assert stats["k"] == 3
    text = form.read_text(encoding="utf-8")
    assert text.startswith("form:\n  title: Mock exam 1\n  count: 3\n  stats:\n    n: 4\n    k: 3\n")
    assert f"wrote statistics to {form}" in err
    loaded = qbank.load(str(form))
    assert loaded.bank.form is not None
    assert loaded.bank.form.stats is not None
    assert loaded.bank.form.stats.alpha == pytest.approx(round(stats["alpha"], 3))
    _code, out, _ = run(capsys, "check", str(form), "--format", "text")
    low = stats["alpha"] < 0.7
    assert ("QB957" in out) == low


TEMPLATE = """\
questions:
  - id: add
    type: numerical
    variables:
      a: {min: 1, max: 9}
      b: {min: 1, max: 9}
    variants: 3
    seed: 1
    stem: What is {{ a }} + {{ b }}?
    answer: "{{ a + b }}"
"""


def test_template_variants_are_analysed_but_kept_only_in_a_sidecar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = tmp_path / "add.yaml"
    bank.write_text(TEMPLATE, encoding="utf-8")
    ids = [q.id for q in qbank.load(str(bank)).bank.questions]
    assert ids == ["add.1", "add.2", "add.3"]
    rows = ["respondent,question_id,response,score"] + [
        f"r{k},{qid},1,{k % 2}" for k in range(4) for qid in ids
    ]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ["stats", str(tmp_path / "r.csv"), "--bank", str(bank), "--write", "--format", "json"]
    code, out, err = run(capsys, *args)
    assert code == 0
    assert [item["id"] for item in json.loads(out)["items"]] == ids
    assert "statistics of 3 template variant(s) not written" in err
    assert bank.read_text(encoding="utf-8") == TEMPLATE
    (tmp_path / "qbank.toml").write_text('[stats]\nsidecar = "stats.yaml"\n', encoding="utf-8")
    code, _, err = run(capsys, *args)
    assert "add.2:" in (tmp_path / "stats.yaml").read_text(encoding="utf-8")
    loaded = qbank.load(str(bank), config=qbank.load_config(tmp_path / "qbank.toml")).bank
    assert [q.stats.n if q.stats else None for q in loaded.questions] == [4, 4, 4]
