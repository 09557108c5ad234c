"""Item statistics: a hand-computed example, agreement with scipy and pingouin, simulated IRT data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from responsegen import Simulation, make_items, simulate, write_long_csv

from qbank.analysis.stats import analyse
from qbank.analysis.stats.compute import FormStats, ItemStats, group_mean
from qbank.core.model import Bank, Choice, Question, ShortAnswer, SingleChoice
from qbank.importers.responses import read_responses
from qbank.lint.stats import judge_statistics

HAND_CSV = """\
respondent,question_id,response,score
r1,q1,1,
r1,q2,2,
r1,q3,S3,2
r2,q1,1,
r2,q2,3,
r2,q3,half,1
r3,q1,2,
r3,q2,2,
r3,q3,wrong,0
r4,q1,1,
r4,q2,,
r4,q3,S3,
r5,q1,3,
r5,q2,3,
r5,q3,,
"""


def hand_bank() -> Bank:
    return Bank(
        questions=[
            SingleChoice(
                id="q1",
                stem="First?",
                choices=[Choice(text=t, correct=t == "a") for t in ("a", "b", "c", "d")],
            ),
            SingleChoice(
                id="q2",
                stem="Second?",
                choices=[Choice(text=t, correct=t == "b") for t in ("a", "b", "c")],
            ),
            ShortAnswer(type="short_answer", id="q3", stem="Third?", accept=["S3"], points=2),
        ]
    )


def test_a_small_example_matches_figures_computed_by_hand(tmp_path: Path) -> None:
    """Five respondents, three questions; every figure below was computed by hand.

    Scores (q3 is worth 2 points; r4's q3 is scored by the key, r5 left q3 and r4 left q2 empty):

        respondent  q1  q2  q3  total T
        r1           1   1   2   4
        r2           1   0   1   2
        r3           0   1   0   1
        r4           1   0   2   3
        r5           0   0   0   0

    q1 (key A): p = 3/5 = 0.6. Rest scores R = T - x = 3, 1, 1, 2, 0 (mean 1.4). Centred x:
    .4 .4 -.6 .4 -.6 (sum of squares 1.2); centred R: 1.6 -.4 -.4 .6 -1.4 (sum of squares 5.2);
    cross products sum to 1.8, so r = 1.8 / sqrt(1.2 * 5.2) = 0.7205766. Options: A chosen by
    r1 r2 r4 (share .6, point-biserial = r); B by r3 (centred -.2 -.2 .8 -.2 -.2, cross 0.4 with a
    minus sign, squares .8: -0.4 / sqrt(.8 * 5.2) = -0.1961161); C by r5 (cross -1.4:
    -1.4 / sqrt(4.16) = -0.6864065); D by nobody (share 0, no correlation). No omissions.
    Upper-lower: groups of 0.27 * 5 = 1.35 respondents by T. Bottom: r5 (T 0) whole and r3 (T 1)
    with weight .35, mean x (0 + .35 * 0) / 1.35 = 0; top: r1 (T 4) and .35 of r4 (T 3):
    (1 + .35) / 1.35 = 1. D = 1 - 0 = 1.

    q2 (key B): p = 2/5 = 0.4, omitted 1/5 = 0.2. R = 3, 2, 0, 3, 0 (mean 1.6), centred 1.4 .4
    -1.6 1.4 -1.6 (squares 9.2); centred x .6 -.4 .6 -.4 -.4 (squares 1.2); cross -0.2:
    r = -0.2 / sqrt(11.04) = -0.0601929 (negative: the key is chosen by weaker respondents).
    Options: A nobody; B = the key, point-biserial = r; C chosen by r2 r5 (centred -.4 .6 -.4 -.4
    .6, squares 1.2, cross -1.2): -1.2 / sqrt(1.2 * 9.2) = -0.3611576. Upper-lower: bottom r5
    (x 0) and .35 of r3 (x 1): .35 / 1.35 = 0.2592593; top r1 (x 1) and .35 of r4 (x 0):
    1 / 1.35 = 0.7407407; D = 0.4814815.

    q3 (2 points, partial credit): x = 2 1 0 2 0, mean 1, p = 0.5; sd of x/2 (population):
    deviations .5 0 -.5 .5 -.5, variance .2, sd 0.4472136. R = 2 1 1 1 0 (mean 1), centred
    1 0 0 0 -1 (squares 2); centred x 1 0 -1 1 -1 (squares 4); cross 2: r = 2 / sqrt(8) =
    0.7071068. Upper-lower: top r1 + .35 r4 = (2 + .7) / 1.35 = 2, bottom r5 + .35 r3 = 0;
    D = (2 - 0) / 2 = 1.

    Form (all five saw all three): item variances (n - 1) .3, .3, 1 (sum 1.6); totals 4 2 1 3 0,
    mean 2, variance 10/4 = 2.5, sd 1.5811388. alpha = 3/2 (1 - 1.6/2.5) = 0.54;
    SEM = 1.5811388 * sqrt(0.46) = 1.0723805. KR-20 does not apply (q3 has partial credit).
    """
    path = tmp_path / "hand.csv"
    path.write_text(HAND_CSV, encoding="utf-8")
    bank = hand_bank()
    read = read_responses([path], bank)
    assert read.diagnostics == []
    result = analyse(read.table, bank.by_id())
    items = result.by_id()
    assert [s.id for s in result.items] == ["q1", "q2", "q3"]
    q1, q2, q3 = items["q1"], items["q2"], items["q3"]

    assert q1.n == 5
    assert q1.p == pytest.approx(0.6)
    assert q1.discrimination == pytest.approx(0.7205766, abs=1e-7)
    assert q1.upper_lower == pytest.approx(1.0)
    assert q1.omitted == 0
    assert [o.label for o in q1.options] == ["A", "B", "C", "D"]
    assert [o.key for o in q1.options] == [True, False, False, False]
    assert [o.share for o in q1.options] == pytest.approx([0.6, 0.2, 0.2, 0.0])
    assert q1.options[0].pbis == pytest.approx(0.7205766, abs=1e-7)
    assert q1.options[1].pbis == pytest.approx(-0.1961161, abs=1e-7)
    assert q1.options[2].pbis == pytest.approx(-0.6864065, abs=1e-7)
    assert q1.options[3].pbis is None

    assert q2.p == pytest.approx(0.4)
    assert q2.omitted == pytest.approx(0.2)
    assert q2.discrimination == pytest.approx(-0.0601929, abs=1e-7)
    assert [o.share for o in q2.options] == pytest.approx([0.0, 0.4, 0.4])
    assert q2.key_pbis == pytest.approx(-0.0601929, abs=1e-7)
    assert q2.options[2].pbis == pytest.approx(-0.3611576, abs=1e-7)
    assert q2.upper_lower == pytest.approx(0.4814815, abs=1e-7)

    assert q3.points == 2
    assert q3.mean == pytest.approx(1.0)
    assert q3.p == pytest.approx(0.5)
    assert q3.sd == pytest.approx(0.4472136, abs=1e-7)
    assert q3.discrimination == pytest.approx(0.7071068, abs=1e-7)
    assert q3.upper_lower == pytest.approx(1.0)
    assert q3.options == ()

    (form,) = result.forms
    assert (form.n, form.k) == (5, 3)
    assert form.mean == pytest.approx(2.0)
    assert form.sd == pytest.approx(1.5811388, abs=1e-7)
    assert form.alpha == pytest.approx(0.54)
    assert form.sem == pytest.approx(1.0723805, abs=1e-7)
    assert form.kr20 is None


def test_group_mean_weights_ties_at_the_boundary_equally() -> None:
    totals = np.array([1.0, 2.0, 2.0, 2.0, 5.0])
    values = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    # two lowest of 1, 2, 2, 2: the one with total 1 and a third of each of the three tied at 2
    assert group_mean(totals, values, 2.0, top=False) == pytest.approx((0 + (1 + 0 + 1) / 3) / 2)
    # order of the rows does not matter
    order = np.array([4, 2, 0, 3, 1])
    assert group_mean(totals[order], values[order], 2.0, top=False) == pytest.approx(1 / 3)
    assert group_mean(totals, values, 1.5, top=True) == pytest.approx((1 + 0.5 * 2 / 3) / 1.5)


def _matrix_bank(n_items: int, choices: int = 4) -> tuple[Bank, list[Question]]:
    questions: list[Question] = [
        SingleChoice(
            id=f"m{i}",
            stem=f"Matrix question {i}?",
            choices=[Choice(text=f"c{k}", correct=k == 0) for k in range(choices)],
        )
        for i in range(n_items)
    ]
    return Bank(questions=questions), questions


def _simulated(tmp_path: Path) -> tuple[Simulation, list[ItemStats], FormStats]:
    items = make_items(12, seed=3)
    for spec in items:
        spec.answer = 0
    sim = simulate(items, 400, seed=5, omit=0.03)
    path = tmp_path / "sim.csv"
    write_long_csv(sim, path)
    bank = Bank(questions=[s.question() for s in items])
    read = read_responses([path], bank)
    assert read.diagnostics == []
    result = analyse(read.table, bank.by_id())
    return sim, result.items, result.forms[0]


def test_figures_agree_with_scipy_to_1e_9(tmp_path: Path) -> None:
    """Discrimination and every point-biserial against scipy.stats; alpha, KR-20 and the SEM
    against the covariance-matrix form of alpha (a different route from the item variances and
    totals the statistics use)."""
    scipy_stats = pytest.importorskip("scipy.stats")
    sim, items, form = _simulated(tmp_path)
    x = sim.scores()
    total = x.sum(axis=1)
    for j, stats in enumerate(items):
        rest = total - x[:, j]
        assert stats.discrimination == pytest.approx(scipy_stats.pearsonr(x[:, j], rest)[0], abs=1e-9)
        for k, option in enumerate(stats.options):
            picked = (sim.chosen[:, j] == k).astype(float)
            assert option.share == pytest.approx(picked.mean(), abs=1e-12)
            if 0 < picked.sum() < len(picked):
                expected = scipy_stats.pointbiserialr(picked, rest)[0]
                assert option.pbis == pytest.approx(expected, abs=1e-9)
        assert stats.omitted == pytest.approx((sim.chosen[:, j] < 0).mean(), abs=1e-12)
    cov = np.cov(x, rowvar=False)
    k = cov.shape[0]
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert form.alpha == pytest.approx(alpha, abs=1e-9)
    assert form.kr20 == pytest.approx(alpha, abs=1e-9)  # right/wrong items: KR-20 is alpha
    assert form.sem == pytest.approx(np.std(total, ddof=1) * np.sqrt(1 - alpha), abs=1e-9)


def test_alpha_agrees_with_pingouin_when_installed(tmp_path: Path) -> None:
    """pingouin is not a dependency (it pulls in matplotlib and scikit-learn); when present it is
    one more independent implementation of Cronbach's alpha."""
    pingouin = pytest.importorskip("pingouin")
    pd = pytest.importorskip("pandas")
    sim, _, form = _simulated(tmp_path)
    alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(sim.scores()))
    assert form.alpha == pytest.approx(alpha, abs=1e-9)


def test_simulated_2pl_facility_follows_the_true_difficulty(tmp_path: Path) -> None:
    """p falls as the true difficulty b rises (Spearman rank correlation of p with -b >= 0.9);
    a planted miskey has negative discrimination and a distractor that beats its key."""
    scipy_stats = pytest.importorskip("scipy.stats")
    items = make_items(40, seed=21)
    items[5].key = (items[5].answer + 1) % items[5].choices  # miskeyed in the bank
    sim = simulate(items, 1500, seed=8)
    path = tmp_path / "irt.csv"
    write_long_csv(sim, path, scores=False)  # scored by the key
    bank = Bank(questions=[s.question() for s in items])
    result = analyse(read_responses([path], bank).table, bank.by_id())
    p = [s.p for s in result.items]
    rest = [k for k in range(len(items)) if k != 5]
    rho = scipy_stats.spearmanr([p[k] for k in rest], [-items[k].b for k in rest])[0]
    assert rho >= 0.9
    planted = result.items[5]
    assert planted.discrimination is not None
    assert planted.discrimination < 0
    best = max((o for o in planted.options if not o.key), key=lambda o: o.pbis or -2)
    assert best.label == chr(ord("A") + items[5].answer)
    assert best.pbis is not None
    assert planted.key_pbis is not None
    assert best.pbis > planted.key_pbis
    assert all(
        s.discrimination is not None and s.discrimination > 0 for k, s in enumerate(result.items) if k != 5
    )


def test_items_shown_to_only_some_respondents_use_only_those(tmp_path: Path) -> None:
    """A practice page draws different questions for each learner: each figure uses the
    respondents who saw the question; the form's reliability uses the questions all of them saw."""
    bank, _ = _matrix_bank(3)
    path = tmp_path / "partial.csv"
    path.write_text(
        "respondent,question_id,response,score\n"
        "a,m0,1,\na,m1,2,\n"
        "b,m0,2,\nb,m1,1,\nb,m2,1,\n"
        "c,m0,1,\nc,m2,1,\n",
        encoding="utf-8",
    )
    result = analyse(read_responses([path], bank).table, bank.by_id())
    assert [s.n for s in result.items] == [3, 2, 2]
    (form,) = result.forms
    assert form.items == ("m0",)
    assert form.k == 1
    assert form.alpha is None


def test_simulated_2pl_flags_the_planted_miskey_and_dead_distractor_only(tmp_path: Path) -> None:
    """A miskeyed item and an item whose third choice nobody is drawn to, among 30 sound ones:
    QB951 (likely miskey) fires for the miskey and nowhere else; QB952 names the dead distractor
    and not the live ones of the same item (very easy items may have rarely chosen distractors
    too: QB952 rightly names them)."""
    items = make_items(32, seed=4)
    miskey, dead = items[3], items[17]
    miskey.key = (miskey.answer + 2) % miskey.choices
    wrong = [k for k in range(dead.choices) if k != dead.answer]
    dead.weights = [0.0 if k == wrong[1] else 1.0 for k in wrong]
    sim = simulate(items, 2000, seed=9, omit=0.01)
    path = tmp_path / "planted.csv"
    write_long_csv(sim, path, scores=False)
    bank = Bank(questions=[s.question() for s in items])
    result = analyse(read_responses([path], bank).table, bank.by_id())
    _, diagnostics = judge_statistics(bank, result)
    miskeys = {d.question_id for d in diagnostics if d.code == "QB951"}
    assert miskeys == {miskey.id}
    dead_choices = {(d.question_id, d.message.split()[1]) for d in diagnostics if d.code == "QB952"}
    assert (dead.id, chr(ord("A") + wrong[1])) in dead_choices
    assert {name for qid, name in dead_choices if qid == dead.id} == {chr(ord("A") + wrong[1])}
