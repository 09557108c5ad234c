"""The long CSV reader: key scoring of every type, bad rows located and counted, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.analysis.stats import analyse, interpret
from qbank.core.model import (
    Bank,
    Choice,
    Essay,
    Matching,
    MatchPair,
    MultipleResponse,
    Numerical,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from qbank.importers.responses import read_responses

SINGLE = SingleChoice(id="s", stem="S?", choices=[Choice(text="a", correct=True), Choice(text="b")])
MULTI = MultipleResponse(
    type="multiple_response",
    id="m",
    stem="M?",
    choices=[Choice(text="a", correct=True), Choice(text="b", correct=True), Choice(text="c")],
    points=2,
)
TF = TrueFalse(type="true_false", id="t", stem="T?", answer=False)
SHORT = ShortAnswer(type="short_answer", id="sa", stem="SA?", accept=["Lambda"])
NUMBER = Numerical(type="numerical", id="n", stem="N?", answer=3.5, tolerance=0.1)
MATCH = Matching(
    type="matching",
    id="ma",
    stem="MA?",
    pairs=[MatchPair(prompt="x", match="1"), MatchPair(prompt="y", match="2")],
)
ORDER = Ordering(type="ordering", id="o", stem="O?", order=["first", "second", "third"])
ESSAY = Essay(type="essay", id="e", stem="E?")
BANK = Bank(questions=[SINGLE, MULTI, TF, SHORT, NUMBER, MATCH, ORDER, ESSAY])


@pytest.mark.parametrize(
    ("question", "response", "score", "chosen"),
    [
        (SINGLE, "1", 1.0, 0b1),
        (SINGLE, "2", 0.0, 0b10),
        (MULTI, "2;1", 2.0, 0b11),
        (MULTI, "1", 0.0, 0b1),
        (MULTI, "1;2;3", 0.0, 0b111),
        (TF, "FALSE", 1.0, 0b10),
        (TF, "true", 0.0, 0b1),
        (SHORT, "  lambda ", 1.0, 0),
        (SHORT, "EC2", 0.0, 0),
        (NUMBER, "3,45", 1.0, 0),
        (NUMBER, "3.7", 0.0, 0),
        (NUMBER, "three", 0.0, 0),
        (MATCH, "1;2", 1.0, 0),
        (MATCH, "2;1", 0.0, 0),
        (ORDER, "1;2;3", 1.0, 0),
        (ORDER, "2;1;3", 0.0, 0),
    ],
)
def test_the_key_scores_each_type(question: object, response: str, score: float, chosen: int) -> None:
    meaning = interpret(question, response)  # type: ignore[arg-type]
    assert meaning.error is None
    assert (meaning.score, meaning.chosen, meaning.omitted) == (score, chosen, False)


@pytest.mark.parametrize(
    ("question", "response", "message"),
    [
        (SINGLE, "3", "choice 3 does not exist"),
        (SINGLE, "1;2", "takes one choice"),
        (SINGLE, "B", "expected choice positions"),
        (MULTI, "1;1", "given twice"),
        (TF, "yes", "expected true or false"),
        (MATCH, "1", "expected 2 matches"),
        (ORDER, "1;1;2", "each of the 3 item positions once"),
    ],
)
def test_unreadable_responses_say_why(question: object, response: str, message: str) -> None:
    meaning = interpret(question, response)  # type: ignore[arg-type]
    assert meaning.error is not None
    assert message in meaning.error


def test_an_empty_response_is_an_omission_scored_zero_except_for_essays() -> None:
    assert interpret(SINGLE, "") == interpret(SINGLE, "  ")
    assert interpret(SINGLE, "").omitted
    assert interpret(SINGLE, "").score == 0
    assert interpret(ESSAY, "").score is None


BAD = """\
respondent,question_id,response,score
a,s,1,
a,m,1;2,
a,e,some essay,
a,e2,1,
,s,1,
b,s,7,
b,m,1,x
b,t,true,3
b,sa,lambda,
a,s,2,
b,e,essay text,0.5
c,s,1,
"""


def _codes(diagnostics: list) -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in diagnostics]


@pytest.mark.parametrize("ragged", [False, True], ids=["polars", "row-by-row"])
def test_bad_rows_are_skipped_located_and_counted(tmp_path: Path, ragged: bool) -> None:
    text = BAD + ("c,m,1,1,extra\n" if ragged else "")
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    read = read_responses([path], BANK)
    messages = _codes(read.diagnostics)
    assert all(d.code == "QB920" and d.path == str(path) for d in read.diagnostics)
    expected = [
        (4, "no score, and only a person can score this answer (essay) (row skipped)"),
        (5, "question id 'e2' is not in the bank (row skipped)"),
        (6, "empty respondent (row skipped)"),
        (7, "choice 7 does not exist (the question has 2 choices) for question 's' (row skipped)"),
        (8, "score is not a number (row skipped)"),
        (9, "score is outside 0 .. the question's points (row skipped)"),
        (11, "a second row for the same respondent and question 's' (row skipped; the first one counts)"),
    ]
    for item in expected:
        assert item in messages
    if ragged:
        assert (14, "5 fields, the header has 4 (row skipped)") in messages
    assert len(messages) == len(expected) + ragged
    result = analyse(read.table, BANK.by_id())
    by_id = result.by_id()
    assert by_id["s"].n == 2  # a (first row) and c; b's row is unreadable
    assert by_id["e"].n == 1
    assert by_id["e"].mean == 0.5
    assert result.respondents == 3


def test_more_than_twenty_bad_rows_are_counted_in_a_summary(tmp_path: Path) -> None:
    lines = ["respondent,question_id,response,score"] + [f"r{k},s,1,oops" for k in range(30)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_responses([path], BANK)
    located = [d for d in read.diagnostics if d.line > 1]
    assert len(located) == 20
    assert read.diagnostics[-1].message == "30 rows skipped in all (10 more than listed)"
    assert read.table.n_rows == 0


def test_a_form_column_groups_respondents(tmp_path: Path) -> None:
    path = tmp_path / "forms.csv"
    path.write_text(
        "respondent,question_id,response,score,form\n"
        "a,s,1,,A\na,t,false,,A\nb,s,2,,A\nb,t,true,,A\nc,s,1,,B\n",
        encoding="utf-8",
    )
    read = read_responses([path], BANK)
    assert read.diagnostics == []
    result = analyse(read.table, BANK.by_id())
    assert [(f.form, f.n, f.k) for f in result.forms] == [("A", 2, 2), ("B", 1, 1)]


@pytest.mark.parametrize(
    ("header", "message", "col"),
    [
        ("learner,item,answer", "missing respondent, question_id, response", 1),
        ("respondent,question_id,response,points", "unknown column 'points'", 33),
    ],
)
def test_a_wrong_header_is_a_located_error(tmp_path: Path, header: str, message: str, col: int) -> None:
    path = tmp_path / "header.csv"
    path.write_text(header + "\nx,s,1,1\n", encoding="utf-8")
    read = read_responses([path], BANK, fmt="long")
    (diag,) = read.diagnostics
    assert diag.code == "QB922"
    assert message in diag.message
    assert (diag.line, diag.col) == (1, col)
    assert read.failed


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    read = read_responses([tmp_path / "nope.csv"], BANK)
    assert [d.code for d in read.diagnostics] == ["QB922"]
