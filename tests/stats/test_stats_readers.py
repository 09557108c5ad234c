"""Readers of the practice page's results, Moodle and Canvas reports and QTI results."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from test_stats_compute import hand_bank

from qbank.analysis.stats import analyse
from qbank.core.model import Bank, Choice, Matching, MatchPair, MultipleResponse, SingleChoice, TrueFalse
from qbank.exporters import export
from qbank.importers.responses import read_responses

ABC = SingleChoice(
    id="2-abc",
    stem="Which letter comes **first**?",
    choices=[Choice(text="A", correct=True), Choice(text="B, or C"), Choice(text="D")],
)
MR = MultipleResponse(
    type="multiple_response",
    id="mr",
    stem="Which are vowels? (Select TWO.)",
    choices=[Choice(text="a", correct=True), Choice(text="e", correct=True), Choice(text="k; l")],
)
TF = TrueFalse(type="true_false", id="tf", stem="The sky is green.", answer=False)
MATCH = Matching(
    type="matching",
    id="capitals",
    stem="Match the capitals.",
    pairs=[MatchPair(prompt="France", match="Paris"), MatchPair(prompt="Italy", match="Rome")],
)
BANK = Bank(questions=[ABC, MR, TF, MATCH])


def _by_id(path: Path, fmt: str = "auto", mapping: dict[str, str] | None = None) -> tuple[dict, list]:
    read = read_responses([path], BANK, fmt=fmt, mapping=mapping)
    return analyse(read.table, BANK.by_id()).by_id(), read.diagnostics


# ---------------------------------------------------------------------------------------------- practice


def test_practice_results_files_one_learner_each(tmp_path: Path) -> None:
    def result(name: str, items: list[dict]) -> Path:
        path = tmp_path / name
        doc = {"format": "qbank-results", "version": 1, "bank": "demo", "form": None, "items": items}
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        return path

    a = result(
        "a.json",
        [
            {"id": "2-abc", "response": "1", "score": 1, "time": 5},
            {"id": "tf", "response": "false", "score": 1},
        ],
    )
    b = result(
        "b.json",
        [
            {"id": "2-abc", "response": "2", "score": 0, "time": 9},
            {"id": "tf", "response": "", "score": 0},
            {"id": "ghost", "response": "1", "score": 1},
            {"id": "mr", "response": "1;9", "score": 0},
        ],
    )
    read = read_responses([a, b], BANK)
    messages = [(Path(d.path).name, d.line, d.message) for d in read.diagnostics]
    assert ("b.json", 18, "question id 'ghost' is not in the bank (skipped)") in messages
    assert any(m[0] == "b.json" and "choice 9 does not exist" in m[2] for m in messages)
    stats = analyse(read.table, BANK.by_id()).by_id()
    assert stats["2-abc"].n == 2
    assert stats["2-abc"].p == 0.5
    assert [o.share for o in stats["2-abc"].options] == [0.5, 0.5, 0.0]
    assert stats["tf"].omitted == 0.5
    assert read.table.forms == ["demo"]


# ---------------------------------------------------------------------------------------------- Moodle


MOODLE = """\
Surname,First name,Email address,State,Started on,Completed,Time taken,Grade/4.00,Question 1,Response 1,Right answer 1,Response 2,Right answer 2,Response 3,Right answer 3,Response 4
One,Ann,a@example.org,Finished,1 May 2025,1 May 2025,5 mins,4.00,"Which letter comes first?: A; B, or C; D",A,A,a; e,a; e,False,False,France -> Paris; Italy -> Rome
Two,Bob,b@example.org,Finished,1 May 2025,1 May 2025,5 mins,1.00,"Which letter comes first?: A; B, or C; D","B, or C",A,a; k; l,a; e,True,False,France -> Rome; Italy -> Paris
Three,Cy,c@example.org,In progress,1 May 2025,-,-,-,"Which letter comes first?: A; B, or C; D",A,A,-,a; e,-,False,-
Four,Di,d@example.org,Finished,1 May 2025,1 May 2025,5 mins,2.00,"Which letter comes first?: A; B, or C; D",-,A,e; a,a; e,-,False,France -> Paris; Italy -> Rome
Overall average,,,,,,,2.33,,,,,,,,
"""


def test_moodle_responses_report_by_question_text_and_right_answer(tmp_path: Path) -> None:
    path = tmp_path / "moodle.csv"
    path.write_text(MOODLE, encoding="utf-8")
    stats, diagnostics = _by_id(path)
    assert diagnostics == []
    abc, mr, tf, match = stats["2-abc"], stats["mr"], stats["tf"], stats["capitals"]
    assert abc.n == 3  # the attempt in progress is left out
    assert [o.share for o in abc.options] == pytest.approx([1 / 3, 1 / 3, 0])
    assert abc.omitted == pytest.approx(1 / 3)
    assert mr.p == pytest.approx(2 / 3)
    assert [o.count for o in mr.options] == [3, 2, 1]
    assert tf.p == pytest.approx(1 / 3)
    assert tf.omitted == pytest.approx(1 / 3)
    assert match.p == pytest.approx(2 / 3)


def test_moodle_slots_follow_the_map_and_unmatched_slots_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "moodle.csv"
    path.write_text(
        "Surname,First name,State,Response 1,Response 2\nOne,Ann,Finished,A,x\nTwo,Bob,Finished,D,y\n",
        encoding="utf-8",
    )
    stats, diagnostics = _by_id(path, mapping={"1": "2-abc"})
    assert stats["2-abc"].n == 2
    (unmatched,) = diagnostics
    assert unmatched.code == "QB921"
    assert unmatched.line == 1
    assert unmatched.col == 37
    assert "slot 2 ('Response 2') matches no single question" in unmatched.message


# ---------------------------------------------------------------------------------------------- Canvas


def _canvas_ids(tmp_path: Path) -> dict[str, str]:
    """What a Canvas import of our export would name the questions: numeric ids, with our ids as
    question names (our Canvas export writes them as the item titles)."""
    out = export(BANK, "canvas", tmp_path / "quiz.canvas.zip")
    assert out.data is not None
    with zipfile.ZipFile(tmp_path / "quiz.canvas.zip") as package:
        quiz = next(n for n in package.namelist() if n.endswith(".xml") and "/" in n and "meta" not in n)
        text = package.read(quiz).decode("utf-8")
    titles = [line.split('title="', 1)[1].split('"', 1)[0] for line in text.splitlines() if "<item " in line]
    return {str(9000 + k): title for k, title in enumerate(titles)}


def test_canvas_student_analysis_round_trips_with_our_export_ids(tmp_path: Path) -> None:
    names = _canvas_ids(tmp_path)
    assert sorted(names.values()) == sorted(q.id for q in BANK)
    by_qid = {qid: cid for cid, qid in names.items()}
    api = [
        {"id": int(cid), "question_name": qid, "question_text": "<p>...</p>"} for cid, qid in names.items()
    ]
    (tmp_path / "questions.json").write_text(json.dumps(api), encoding="utf-8")
    header = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted", "attempt"]
    for qid, text in (
        ("2-abc", "Which letter comes first?"),
        ("mr", "Which are vowels? (Select TWO.)"),
        ("tf", "The sky is green."),
    ):
        header += [f"{by_qid[qid]}: {text}", "1.0"]
    header += [f"{by_qid['capitals']}: Match the capitals.", "1.0", "n correct", "n incorrect", "score"]
    rows = [
        [
            "Ann",
            "1",
            "",
            "S1",
            "5",
            "",
            "2025-05-01",
            "1",
            "A",
            "1.0",
            "a,e",
            "1.0",
            "False",
            "1.0",
            "France=>Paris,Italy=>Rome",
            "1.0",
            "4",
            "0",
            "4",
        ],
        [
            "Bob",
            "2",
            "",
            "S1",
            "5",
            "",
            "2025-05-01",
            "1",
            "B\\, or C",
            "0.0",
            "a,k; l",
            "0.0",
            "True",
            "0.0",
            "France=>Rome,Italy=>Paris",
            "0.0",
            "0",
            "4",
            "0",
        ],
        [
            "Cy",
            "3",
            "",
            "S1",
            "5",
            "",
            "2025-05-01",
            "1",
            "",
            "0.0",
            "e,a",
            "1.0",
            "",
            "",
            "France=>Paris,Italy=>Rome",
            "0.5",
            "2",
            "1",
            "2.5",
        ],
    ]
    import csv

    path = tmp_path / "student_analysis.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(header)
        csv.writer(handle).writerows(rows)
    stats, diagnostics = _by_id(path, mapping=_read_map(tmp_path / "questions.json"))
    assert diagnostics == []
    assert stats["2-abc"].n == 3
    assert stats["2-abc"].p == pytest.approx(1 / 3)
    assert [o.count for o in stats["2-abc"].options] == [1, 1, 0]
    assert stats["2-abc"].omitted == pytest.approx(1 / 3)
    assert [o.count for o in stats["mr"].options] == [3, 2, 1]
    assert stats["mr"].p == pytest.approx(2 / 3)
    assert stats["tf"].n == 2  # Cy's attempt did not include it (both cells blank)
    assert stats["capitals"].mean == pytest.approx(0.5)  # Canvas's partial credit: 1, 0, 0.5


def _read_map(path: Path) -> dict[str, str]:
    from qbank.importers.responses.common import read_map

    return read_map(path)


def test_canvas_columns_fall_back_to_text_and_report_what_matches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "canvas.csv"
    path.write_text(
        "name,id,section,section_id,submitted,123: Which letter comes first?,1.0,124: An unknown question,1.0,n correct,n incorrect,score\n"
        "Ann,1,S,5,2025,A,1.0,x,1.0,1,0,1\n",
        encoding="utf-8",
    )
    stats, diagnostics = _by_id(path)
    assert stats["2-abc"].p == 1.0
    (unmatched,) = diagnostics
    assert unmatched.code == "QB921"
    assert unmatched.line == 1
    assert "'124: An unknown question' matches no question of the bank" in unmatched.message


# ---------------------------------------------------------------------------------------------- QTI


RESULT = """\
<?xml version="1.0" encoding="UTF-8"?>
<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v2p1">
  <context sourcedId="learner-{n}"/>
  <testResult identifier="demo-test" datestamp="2025-05-01T10:00:00Z"/>
  <itemResult identifier="Q_2-abc" datestamp="2025-05-01T10:00:00Z" sessionStatus="final">
    <responseVariable identifier="RESPONSE" cardinality="single" baseType="identifier">
      <candidateResponse><value>{abc}</value></candidateResponse>
    </responseVariable>
    <outcomeVariable identifier="SCORE" cardinality="single" baseType="float"><value>{score}</value></outcomeVariable>
  </itemResult>
  <itemResult identifier="tf" datestamp="2025-05-01T10:00:00Z" sessionStatus="final">
    <responseVariable identifier="RESPONSE" cardinality="single" baseType="identifier">
      <candidateResponse><value>FALSE</value></candidateResponse>
    </responseVariable>
  </itemResult>
  <itemResult identifier="nope" datestamp="2025-05-01T10:00:00Z" sessionStatus="final"/>
</assessmentResult>
"""


def test_qti_results_use_our_export_identifiers_and_the_score(tmp_path: Path) -> None:
    a = tmp_path / "a.xml"
    a.write_text(RESULT.format(n=1, abc="A", score="1"), encoding="utf-8")
    b = tmp_path / "b.xml"
    b.write_text(RESULT.format(n=2, abc="C", score="0"), encoding="utf-8")
    read = read_responses([a, b], BANK)
    assert [(Path(d.path).name, d.line, d.code) for d in read.diagnostics] == [
        ("a.xml", 16, "QB920"),
        ("b.xml", 16, "QB920"),
    ]
    stats = analyse(read.table, BANK.by_id()).by_id()
    assert stats["2-abc"].p == 0.5
    assert [o.count for o in stats["2-abc"].options] == [1, 0, 1]
    assert stats["tf"].p == 1.0
    assert read.table.forms == ["demo-test"]


def test_hostile_qti_results_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<assessmentResult>&b;</assessmentResult>\n',
        encoding="utf-8",
    )
    read = read_responses([path], BANK)
    (diag,) = read.diagnostics
    assert diag.code == "QB922"
    assert "entities" in diag.message
    assert diag.line == 2


def test_the_hand_example_reads_the_same_from_every_format(tmp_path: Path) -> None:
    """The long CSV of the hand-computed example, written as practice results, gives the same figures."""
    bank = hand_bank()
    rows = {
        "r1": [("q1", "1", None), ("q2", "2", None), ("q3", "S3", 2)],
        "r2": [("q1", "1", None), ("q2", "3", None), ("q3", "half", 1)],
        "r3": [("q1", "2", None), ("q2", "2", None), ("q3", "wrong", 0)],
        "r4": [("q1", "1", None), ("q2", "", None), ("q3", "S3", None)],
        "r5": [("q1", "3", None), ("q2", "3", None), ("q3", "", None)],
    }
    paths = []
    for name, items in rows.items():
        path = tmp_path / f"{name}.json"
        doc = {
            "format": "qbank-results",
            "version": 1,
            "bank": "hand",
            "items": [{"id": q, "response": r, "score": s} for q, r, s in items],
        }
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(path)
    result = analyse(read_responses(paths, bank).table, bank.by_id())
    items = result.by_id()
    assert items["q1"].discrimination == pytest.approx(0.7205766, abs=1e-7)
    assert items["q2"].discrimination == pytest.approx(-0.0601929, abs=1e-7)
    assert result.forms[0].alpha == pytest.approx(0.54)


def test_lms_reports_round_trip_through_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Moodle and a Canvas report of a quiz made from our exports, through ``qbank stats``."""
    from qbank.cli import main
    from qbank.io.serialize import dump_questions

    bank = tmp_path / "bank.yaml"
    bank.write_text(dump_questions(BANK.questions), encoding="utf-8")
    moodle = tmp_path / "moodle.csv"
    moodle.write_text(MOODLE, encoding="utf-8")
    names = _canvas_ids(tmp_path)
    api = [{"id": int(cid), "question_name": qid} for cid, qid in names.items()]
    (tmp_path / "questions.json").write_text(json.dumps(api), encoding="utf-8")
    cid = {qid: c for c, qid in names.items()}["2-abc"]
    canvas = tmp_path / "canvas.csv"
    canvas.write_text(
        f"name,id,section,section_id,submitted,{cid}: <b>anything</b>,1.0,n correct,n incorrect,score\n"
        "Ann,1,S,5,2025,A,1.0,1,0,1\nBob,2,S,5,2025,D,0.0,0,1,0\n",
        encoding="utf-8",
    )
    code = main(
        [
            "stats",
            str(moodle),
            str(canvas),
            "--bank",
            str(bank),
            "--map",
            str(tmp_path / "questions.json"),
            "--format",
            "json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    items = {item["id"]: item for item in doc["items"]}
    assert items["2-abc"]["n"] == 5  # three from Moodle, two from Canvas
    assert [f["form"] for f in doc["forms"]] == [str(moodle), str(canvas)]
    assert doc["diagnostics"] == [] or all(d["code"].startswith("QB95") for d in doc["diagnostics"])
