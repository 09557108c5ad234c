"""Aiken exporter: every exported question reads back under Moodle's Aiken rules (formats.md 3)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_bank_text import check_golden, example_bank, write_bank

from qbank.core.model import Bank, Choice, SingleChoice, TrueFalse
from qbank.exporters import EXPORTERS
from qbank.exporters.aiken import flatten

OPTION = re.compile(r"^([A-Z])[).][ \t]?(.*)$")


@dataclass
class AikenQuestion:
    stem: str
    options: list[str] = field(default_factory=list)
    answer: int = -1


def read_aiken(text: str) -> list[AikenQuestion]:
    """A strict reader of Moodle's Aiken rules; any departure raises ``ValueError``.

    Lines are trimmed; lines shorter than 2 characters are ignored; ``^[A-Z][).]`` lines are options
    (in file order); ``ANSWER:`` (uppercase) ends a question and its first character after the colon
    picks an option by alphabet offset; any other line starts a new question, and starting one while
    the previous is unfinished is the "questionnotcomplete" error.
    """
    done: list[AikenQuestion] = []
    current: AikenQuestion | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2:
            continue
        option = OPTION.match(line)
        if option:
            if current is None:
                raise ValueError(f"option without a question: {line!r}")
            current.options.append(option.group(2).strip())
        elif line.startswith("ANSWER:"):
            if current is None or len(current.options) < 2:
                raise ValueError(f"ANSWER without a question of 2+ options: {line!r}")
            letter = line[len("ANSWER:") :].strip()[:1]
            index = ord(letter) - ord("A") if letter else -1
            if not 0 <= index < len(current.options):
                raise ValueError(f"ANSWER {letter!r} names no option")
            current.answer = index
            done.append(current)
            current = None
        else:
            if current is not None:
                raise ValueError(f"question not complete: {current.stem!r}")
            current = AikenQuestion(line)
    if current is not None:
        raise ValueError(f"question not complete at end of file: {current.stem!r}")
    return done


def expected_of(question: SingleChoice | TrueFalse) -> AikenQuestion:
    if isinstance(question, TrueFalse):
        return AikenQuestion(flatten(question.stem)[0], ["True", "False"], 0 if question.answer else 1)
    options = [flatten(c.text, inline=True)[0] for c in question.choices]
    return AikenQuestion(flatten(question.stem)[0], options, question.keys[0])


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return write_bank(tmp_path_factory.mktemp("aiken") / "bank")


def test_golden_and_deterministic(bank: Bank) -> None:
    first = EXPORTERS["aiken"].export(bank).data
    assert first == EXPORTERS["aiken"].export(bank).data
    check_golden("text-formats.aiken.txt", first)


def test_round_trip_under_moodle_rules(bank: Bank) -> None:
    out = EXPORTERS["aiken"].export(bank)
    read = read_aiken(out.data.decode("utf-8"))
    carried = [q for q in bank.questions if q.exportable and isinstance(q, SingleChoice | TrueFalse)]
    assert read == [expected_of(q) for q in carried]
    assert out.exported == len(read) == 2


def test_unsupported_and_lossy_are_reported(bank: Bank) -> None:
    out = EXPORTERS["aiken"].export(bank)
    unsupported = sorted(d.question_id or "" for d in out.diagnostics if d.code == "QB901")
    assert unsupported == sorted(
        [
            "mr-storage",
            "mr-three",
            "sa-queue-name",
            "num-visibility",
            "match-services",
            "ord-deploy",
            "essay-design",
        ]
    )
    lossy = [(d.question_id, d.message) for d in out.diagnostics if d.code == "QB902"]
    assert (
        "sc-queue",
        "text flattened to one line of plain text (line breaks, images or code lost)",
    ) in lossy
    assert any(q == "tf-kms" and "2-option" in m for q, m in lossy)
    assert any(q == "sc-queue" and "explanation" in m and "choice feedback" in m for q, m in lossy)


def test_stem_that_reads_as_an_option_is_not_written() -> None:
    question = SingleChoice(
        id="looks-like-option",
        stem="A. is this a stem?",
        choices=[Choice(text="yes", correct=True), Choice(text="no")],
    )
    out = EXPORTERS["aiken"].export(Bank(questions=[question]))
    assert out.data == b""
    assert [(d.code, d.question_id) for d in out.diagnostics] == [("QB902", "looks-like-option")]


def test_options_told_apart_only_by_emphasis_are_not_written() -> None:
    question = SingleChoice(
        id="emphasis",
        stem="Which one?",
        choices=[Choice(text="**Amazon SQS**", correct=True), Choice(text="Amazon SQS"), Choice(text="SNS")],
    )
    out = EXPORTERS["aiken"].export(Bank(questions=[question]))
    assert out.data == b""
    ((code, qid, message),) = [(d.code, d.question_id, d.message) for d in out.diagnostics]
    assert (code, qid) == ("QB902", "emphasis")
    assert "options 1 and 2 read the same" in message


def test_ten_options_keep_their_letters() -> None:
    choices = [Choice(text=f"option {i}", correct=i == 9) for i in range(10)]
    question = SingleChoice(id="ten", stem="Pick the last one.", choices=choices)
    read = read_aiken(EXPORTERS["aiken"].export(Bank(questions=[question])).data.decode())
    assert read == [AikenQuestion("Pick the last one.", [f"option {i}" for i in range(10)], 9)]


def test_example_bank_round_trips() -> None:
    bank = example_bank()
    read = read_aiken(EXPORTERS["aiken"].export(bank).data.decode("utf-8"))
    carried = [q for q in bank.questions if q.exportable and isinstance(q, SingleChoice | TrueFalse)]
    assert read == [expected_of(q) for q in carried]
