"""``assemble --difficulty-balance``: parallel forms by stored facility, blueprint and enemies held."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from blueprint_helpers import make_blueprint, sc, write_bank

from qbank.analysis.assemble import assemble, balance_difficulty
from qbank.analysis.coverage import locate
from qbank.cli import main
from qbank.core.model import Bank, ItemStatistics, Question

BP = make_blueprint(
    {"A": (50, ["A.1", "A.2", "A.3"]), "B": (30, ["B.1", "B.2"]), "C": (20, ["C.1"])},
    questions=20,
    minutes=50,
)


def _bank(per_objective: int = 14, seed: int = 3) -> list[Question]:
    rng = random.Random(seed)
    out: list[Question] = []
    for _, obj in BP.objectives():
        for i in range(per_objective):
            q = sc(f"q-{obj.id.lower()}-{i}", obj.id)
            out.append(
                q.model_copy(update={"stats": ItemStatistics(n=200, p=round(rng.uniform(0.2, 0.95), 3))})
            )
    return out


def _objectives(questions: tuple[Question, ...]) -> Counter[str]:
    return Counter(str(getattr(locate(q, BP), "objective", None)) for q in questions)


def _mean(questions: tuple[Question, ...]) -> float:
    return sum(q.stats.p for q in questions if q.stats and q.stats.p is not None) / len(questions)


def test_forms_end_within_the_tolerance_with_the_same_seats_and_no_enemies_together() -> None:
    questions = _bank()
    enemies = {frozenset({"q-a.1-0", "q-a.1-1"}), frozenset({"q-b.1-2", "q-b.1-3"})}
    bank = Bank(questions=questions, blueprint=BP)
    drawn = assemble(bank, count=20, forms=3, seed=5, enemies=enemies)
    assert drawn.ok
    before = [_mean(f.questions) for f in drawn.forms]
    balanced, report = balance_difficulty(drawn, bank, tolerance=0.01, enemies=enemies)
    assert max(before) - min(before) > 0.01  # the draw alone is not parallel
    assert report.ok
    assert report.spread is not None
    assert report.spread <= 0.01
    assert report.moves > 0
    for old, new in zip(drawn.forms, balanced.forms, strict=True):
        assert _objectives(new.questions) == _objectives(old.questions)
        ids = {q.id for q in new.questions}
        assert len(ids) == len(new.questions) == 20
        assert not any(pair <= ids for pair in enemies)
        assert new.form == old.form
    means = [_mean(f.questions) for f in balanced.forms]
    assert max(means) - min(means) == pytest.approx(report.spread)


def test_an_impossible_tolerance_is_reported_not_forced() -> None:
    questions = _bank(per_objective=7)
    bank = Bank(questions=questions, blueprint=BP)
    drawn = assemble(bank, count=20, forms=2, seed=1)
    balanced, report = balance_difficulty(drawn, bank, tolerance=1e-9)
    assert not report.ok
    for old, new in zip(drawn.forms, balanced.forms, strict=True):
        assert _objectives(new.questions) == _objectives(old.questions)


def test_the_command_balances_and_says_how_close_the_forms_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_bank(tmp_path / "bank", BP, _bank())
    out = tmp_path / "form.yaml"
    code = main(
        [
            "assemble",
            str(folder),
            "-n",
            "20",
            "--forms",
            "2",
            "--seed",
            "4",
            "--difficulty-balance",
            "--tolerance",
            "0.01",
            "-o",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "difficulty balance: mean p" in err
    assert "within 0.01" in err
    assert (tmp_path / "form-1.yaml").exists()
    assert (tmp_path / "form-2.yaml").exists()


def test_balancing_needs_stored_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = [q.model_copy(update={"stats": None}) for q in _bank()]
    folder = write_bank(tmp_path / "bank", BP, plain)
    code = main(
        [
            "assemble",
            str(folder),
            "-n",
            "20",
            "--forms",
            "2",
            "--difficulty-balance",
            "-o",
            str(tmp_path / "f.yaml"),
        ]
    )
    assert code == 2
    assert "needs item statistics: run qbank stats" in capsys.readouterr().err
