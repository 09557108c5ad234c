"""Practice-test assembly: apportionment, filters, seeds, enemies, shortfalls, K forms, the CLI."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from blueprint_helpers import bank_of, make_blueprint, mr, per_objective, sc, write_bank
from conftest import EXAMPLE_BANK
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import qbank
from qbank.analysis.assemble import (
    AssemblyError,
    AssemblyResult,
    default_time_limit,
    form_overlap,
)
from qbank.analysis.coverage import apportion, coverage, locate
from qbank.analysis.dupes import enemy_pairs
from qbank.cli import main
from qbank.core.model import Bank, Blueprint, Question

DVA = EXAMPLE_BANK / "dva-c02"

BP = make_blueprint(
    {"A": (50, ["A.1", "A.2", "A.3"]), "B": (30, ["B.1", "B.2"]), "C": (20, ["C.1"])},
    questions=20,
    minutes=50,
)


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run here keep their embedding cache in the test's folder."""
    monkeypatch.setenv("QBANK_CACHE_DIR", str(tmp_path / "qbank-cache"))


def domain_of(question: Question, blueprint: Blueprint) -> str:
    where = locate(question, blueprint)
    assert not hasattr(where, "message")
    return where.domain


def ids(result: AssemblyResult, index: int = 0) -> list[str]:
    return [q.id for q in result.forms[index].questions]


# ---------------------------------------------------------------------------------------------- properties


@st.composite
def banks(draw: st.DrawFn) -> tuple[Bank, Blueprint]:
    n_domains = draw(st.integers(1, 4))
    spec = {}
    for d in range(n_domains):
        objectives = [f"D{d}.{o}" for o in range(draw(st.integers(1, 3)))]
        spec[f"D{d}"] = (float(draw(st.integers(1, 60))), objectives)
    total = sum(w for w, _ in spec.values())
    spec = {k: (w * 100 / total, objs) for k, (w, objs) in spec.items()}
    # make the weights sum to exactly 100 despite float rounding
    first = next(iter(spec))
    rest = sum(w for k, (w, _) in spec.items() if k != first)
    spec[first] = (100 - rest, spec[first][1])
    blueprint = make_blueprint(spec, questions=draw(st.integers(5, 40)), minutes=60)
    questions: list[Question] = []
    for _, obj in blueprint.objectives():
        for i in range(draw(st.integers(0, 8))):
            qid = f"{obj.id.lower()}-{i}"
            if draw(st.booleans()):
                questions.append(
                    sc(
                        qid,
                        obj.id,
                        difficulty=draw(st.sampled_from(["easy", "medium", "hard"])),
                        status=draw(
                            st.sampled_from(["approved", "approved", "approved", "draft", "retired"])
                        ),
                        key=draw(st.integers(0, 3)),
                        shuffle=draw(st.booleans()),
                    )
                )
            else:
                questions.append(mr(qid, obj.id, difficulty=draw(st.sampled_from(["easy", "hard"]))))
    return bank_of(questions, blueprint), blueprint


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=banks(),
    count=st.integers(1, 30),
    seed=st.integers(0, 2**32),
    types=st.sampled_from([(), ("single_choice",), ("multiple_response",)]),
    difficulties=st.sampled_from([(), ("easy",), ("medium", "hard")]),
    pick_domains=st.integers(0, 3),
    enemy_seed=st.integers(0, 1000),
)
def test_assembly_properties(
    data: tuple[Bank, Blueprint],
    count: int,
    seed: int,
    types: tuple[str, ...],
    difficulties: tuple[str, ...],
    pick_domains: int,
    enemy_seed: int,
) -> None:
    bank, blueprint = data
    domains = [d.id for d in blueprint.domains][:pick_domains]
    approved = [q for q in bank.questions if q.status == "approved"]
    # about one pair in seven are enemies, the same pairs in every process (no hash() of strings)
    pick = random.Random(enemy_seed)
    enemies = {
        frozenset((a.id, b.id))
        for i, a in enumerate(approved)
        for b in approved[i + 1 :]
        if pick.randrange(7) == 0
    }
    result = qbank.assemble(
        bank,
        count=count,
        seed=seed,
        types=types,
        difficulties=difficulties,
        domains=domains,
        enemies=enemies,
    )
    chosen = [d for d in blueprint.domains if not domains or d.id in domains]
    weight = sum(Fraction(d.weight) for d in chosen)
    eligible = Counter(
        domain_of(q, blueprint)
        for q in approved
        if (not types or q.kind in types) and (not difficulties or q.difficulty in difficulties)
    )
    seats = apportion(count, {d.id: d.weight for d in chosen})
    supply_ok = all(eligible[d] >= n for d, n in seats.items())
    if not result.ok:
        assert result.shortfalls
        assert not result.forms
        # without enemies, a request fails only when some domain lacks eligible questions
        for shortfall in result.shortfalls:
            assert shortfall.domain in seats
            if shortfall.reason == "supply" and shortfall.objective is None:
                assert eligible[shortfall.domain] == shortfall.available < shortfall.needed
        if not enemies:
            assert not supply_ok
        return
    assert supply_ok
    (form,) = result.forms
    questions = form.questions
    assert len(questions) == count == form.form.count
    assert len({q.id for q in questions}) == count
    by_domain = Counter(domain_of(q, blueprint) for q in questions)
    for dom in chosen:
        share = count * Fraction(dom.weight) / weight
        assert abs(by_domain[dom.id] - share) < 1
    for q in questions:
        assert q.status == "approved"
        assert not types or q.kind in types
        assert not difficulties or q.difficulty in difficulties
    on_form = {q.id for q in questions}
    assert not any(pair <= on_form for pair in enemies)
    again = qbank.assemble(
        bank,
        count=count,
        seed=seed,
        types=types,
        difficulties=difficulties,
        domains=domains,
        enemies=enemies,
    )
    assert [q.id for q in again.forms[0].questions] == [q.id for q in questions]


@settings(max_examples=60, deadline=None)
@given(
    counts=st.tuples(*(st.integers(0, 12) for _ in range(6))),
    forms=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_k_forms_have_minimal_overlap(counts: tuple[int, ...], forms: int, seed: int) -> None:
    names = ["A.1", "A.2", "A.3", "B.1", "B.2", "C.1"]
    bank = bank_of(per_objective(BP, dict(zip(names, counts, strict=True))), BP)
    result = qbank.assemble(bank, count=10, seed=seed, forms=forms)
    supply = Counter(domain_of(q, BP) for q in bank.questions)
    plan = apportion(10, {d.id: d.weight for d in BP.domains})
    assume(all(supply[d] >= n for d, n in plan.items()))
    assert result.ok
    assert len(result.forms) == forms
    # each domain reuses questions only once its unused ones are gone
    drawn = Counter(domain_of(q, BP) for f in result.forms for q in f.questions)
    distinct = Counter(domain_of(q, BP) for q in {q for f in result.forms for q in f.questions})
    for dom, seats in plan.items():
        assert drawn[dom] == seats * forms
        assert distinct[dom] == min(supply[dom], seats * forms)
    full = coverage(bank, BP, length=10).full_forms
    assert full is not None
    if forms <= full:
        assert form_overlap(result.forms) == 0
        assert result.reused == 0
    else:
        assert result.reused > 0


# ---------------------------------------------------------------------------------------------- examples


BIG = bank_of(per_objective(BP, {"A.1": 6, "A.2": 6, "A.3": 6, "B.1": 6, "B.2": 6, "C.1": 6}), BP)


def test_apportionment_and_objective_split() -> None:
    result = qbank.assemble(BIG, count=20, seed=1)
    assert result.plan == {"A": 10, "B": 6, "C": 4}
    assert result.forms[0].by_objective == {"A.1": 4, "A.2": 3, "A.3": 3, "B.1": 3, "B.2": 3, "C.1": 4}
    header = result.forms[0].form
    assert (header.count, header.time_limit, header.seed, header.blueprint) == (20, 50, 1, "test-bp")


def test_seed_reproduces_and_differs() -> None:
    first = qbank.assemble(BIG, count=12, seed=42)
    assert ids(first) == ids(qbank.assemble(BIG, count=12, seed=42))
    assert any(ids(first) != ids(qbank.assemble(BIG, count=12, seed=s)) for s in range(43, 50))
    unseeded = qbank.assemble(BIG, count=12)
    assert ids(unseeded) == ids(qbank.assemble(BIG, count=12, seed=unseeded.seed))


def test_filters_by_objective_narrow_their_domain_only() -> None:
    result = qbank.assemble(BIG, count=10, objectives=["A.2"], domains=["B"], seed=3)
    assert result.plan == {"A": 6, "B": 4}  # 50:30 of 10
    objectives = Counter(q.objective for q in result.forms[0].questions)
    assert objectives["A.2"] == 6
    assert objectives["A.1"] == objectives["A.3"] == 0
    assert objectives["B.1"] + objectives["B.2"] == 4
    assert result.forms[0].form.domains == ["A", "B"]
    assert result.forms[0].form.objectives == ["A.2"]


def test_shortfall_names_domain_and_objective() -> None:
    result = qbank.assemble(BIG, count=10, objectives=["A.2"], seed=1)
    assert not result.ok
    assert not result.forms
    (short,) = result.shortfalls
    assert (short.domain, short.objective, short.needed, short.available, short.short) == (
        "A",
        "A.2",
        10,
        6,
        4,
    )
    assert "objective A.2" in str(short)
    assert "short by 4" in str(short)
    thin = bank_of(per_objective(BP, {"A.1": 1, "A.2": 1, "A.3": 1, "B.1": 9, "B.2": 9, "C.1": 9}), BP)
    result = qbank.assemble(thin, count=20, seed=1)
    assert {(s.domain, s.objective) for s in result.shortfalls} == {
        ("A", None),
        ("A", "A.1"),
        ("A", "A.2"),
        ("A", "A.3"),
    }
    assert result.shortfalls[0].short == 7


def test_short_objective_gives_its_seats_to_the_rest_of_its_domain() -> None:
    bank = bank_of(per_objective(BP, {"A.1": 1, "A.2": 9, "A.3": 9, "B.1": 9, "B.2": 9, "C.1": 9}), BP)
    result = qbank.assemble(bank, count=20, seed=5)
    assert result.ok
    assert result.forms[0].by_objective["A.1"] == 1
    assert result.forms[0].by_domain["A"] == 10
    assert any("A.1 -" in note for note in result.notes)


def test_retired_never_and_drafts_only_when_asked() -> None:
    questions = [
        *per_objective(BP, {"A.1": 5, "B.1": 3, "C.1": 2}),
        sc("retired-a", "A.2", status="retired"),
        sc("draft-a", "A.2", status="draft"),
        sc("review-a", "A.3", status="review"),
    ]
    bank = bank_of(questions, BP)
    drawn = ids(qbank.assemble(bank, count=10, seed=1))
    assert not {"retired-a", "draft-a", "review-a"} & set(drawn)
    for seed in range(5):
        with_drafts = ids(qbank.assemble(bank, count=10, seed=seed, include_drafts=True))
        assert "retired-a" not in with_drafts
    everything = qbank.assemble(bank, count=13, seed=1, include_drafts=True)
    assert not everything.ok  # 5 + 2 eligible in A, 7 of 13 seats needed... and retired never counts
    assert all(s.available <= 7 for s in everything.shortfalls if s.domain == "A")


def test_exact_duplicates_are_enemies_by_default() -> None:
    questions = per_objective(BP, {"A.1": 2, "B.1": 1, "C.1": 1})
    twin = sc("twin", "A.1", stem="  " + questions[0].stem.upper() + " ")
    twin = twin.model_copy(update={"choices": list(reversed(questions[0].choices))})
    assert enemy_pairs([*questions, twin]) == {frozenset({questions[0].id, "twin"})}
    bank = bank_of([*questions, twin], BP)
    for seed in range(10):
        result = qbank.assemble(bank, count=4, seed=seed)
        assert result.ok
        assert not {questions[0].id, "twin"} <= set(ids(result))
    # A has 3 candidates for 2 seats, but two are enemies: still possible; with 3 seats it is not
    short = qbank.assemble(bank, count=6, domains=["A"], seed=0)
    assert not short.ok
    assert short.shortfalls[0].reason in ("supply", "enemies")
    no_enemies = qbank.assemble(bank, count=3, domains=["A"], seed=0, enemies=[])
    assert no_enemies.ok
    blocked = qbank.assemble(bank, count=3, domains=["A"], seed=0)
    assert not blocked.ok
    assert blocked.shortfalls[0].reason == "enemies"


def test_key_positions_are_spread() -> None:
    fixed = [sc(f"k0-{i}", "C.1", key=0, shuffle=False) for i in range(12)]
    fixed += [sc(f"k{p}-{i}", "C.1", key=p, shuffle=False) for p in (1, 2, 3) for i in range(3)]
    bp = make_blueprint({"C": (100, ["C.1"])})
    for seed in range(10):
        result = qbank.assemble(bank_of(fixed, bp), count=8, seed=seed)
        positions = result.forms[0].key_positions
        assert sum(positions.values()) == 8
        assert max(positions.values()) - min(positions.get(p, 0) for p in range(4)) <= 1


def test_time_limit() -> None:
    bp = make_blueprint({"A": (100, ["A.1"])}, questions=65, minutes=130)
    assert default_time_limit(bp, 65) == 130
    assert default_time_limit(bp, 20) == 40
    assert default_time_limit(bp, 7) == 14  # 13.998... rounded up
    assert default_time_limit(make_blueprint({"A": (100, [])}), 10) is None
    bank = bank_of(per_objective(bp, {"A.1": 10}), bp)
    assert qbank.assemble(bank, count=7, seed=1).forms[0].form.time_limit == 14
    assert qbank.assemble(bank, count=7, seed=1, time_limit=9).forms[0].form.time_limit == 9
    assert qbank.assemble(bank, count=7, seed=1, time_limit="unlimited").forms[0].form.time_limit is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"count": 0},
        {"count": 5, "forms": 0},
        {"count": 5, "domains": ["Z"]},
        {"count": 5, "objectives": ["Z.1"]},
        {"count": 5, "types": ["multiple_choice"]},
        {"count": 5, "difficulties": ["extreme"]},
        {"count": 5, "time_limit": 0},
    ],
)
def test_invalid_requests(kwargs: dict[str, object]) -> None:
    with pytest.raises(AssemblyError):
        qbank.assemble(BIG, **kwargs)


def test_no_blueprint() -> None:
    with pytest.raises(AssemblyError, match="blueprint"):
        qbank.assemble(bank_of([], None), count=1)


# ---------------------------------------------------------------------------------------------- example bank


def example_bank() -> Bank:
    bank = qbank.load(DVA).bank
    assert bank.blueprint is not None
    return bank


def test_dva_c02_full_length_split() -> None:
    bank = example_bank()
    assert bank.blueprint is not None
    assert apportion(65, {d.id: d.weight for d in bank.blueprint.domains}) == {
        "1": 21,
        "2": 17,
        "3": 15,
        "4": 12,
    }


def test_dva_c02_twenty_question_form() -> None:
    bank = example_bank()
    blueprint = bank.blueprint
    assert blueprint is not None
    assert blueprint.exam is not None
    result = qbank.assemble(bank, count=20, seed=2024)
    assert result.ok, [str(s) for s in result.shortfalls]
    (form,) = result.forms
    by_domain = Counter(domain_of(q, blueprint) for q in form.questions)
    for dom in blueprint.domains:
        assert abs(by_domain[dom.id] - Fraction(20) * Fraction(dom.weight) / 100) < 1
    assert form.form.time_limit == default_time_limit(blueprint, 20)
    assert form.form.passing_score == blueprint.exam.passing_score


def test_dva_c02_full_length_form_matches_coverage() -> None:
    bank = example_bank()
    report = coverage(bank)
    assert report.full_forms is not None
    result = qbank.assemble(bank, count=65, seed=1)
    assert result.ok == (report.full_forms >= 1)


def test_dva_c02_request_beyond_the_bank_names_the_domains_coverage_counts() -> None:
    bank = example_bank()
    assert bank.blueprint is not None
    report = coverage(bank)
    count = 2 * sum(d.count for d in report.domains)  # more than the bank holds
    seats = apportion(count, {d.id: d.weight for d in bank.blueprint.domains})
    short = {d: n for d, n in seats.items() if report.domain(d).count < n}
    assert short
    result = qbank.assemble(bank, count=count, seed=1)
    assert not result.ok
    assert not result.forms
    by_domain = {s.domain: s for s in result.shortfalls if s.objective is None}
    assert set(by_domain) == set(short)
    for dom, shortfall in by_domain.items():
        assert (shortfall.reason, shortfall.needed) == ("supply", short[dom])
        assert shortfall.available == report.domain(dom).count


def test_dva_c02_draws_a_full_length_form_split_21_17_15_12() -> None:
    bank = example_bank()
    assert bank.blueprint is not None
    result = qbank.assemble(bank, count=65, seed=3)
    assert result.ok, [str(s) for s in result.shortfalls]
    (form,) = result.forms
    by_domain = Counter(domain_of(q, bank.blueprint) for q in form.questions)
    assert dict(by_domain) == {"1": 21, "2": 17, "3": 15, "4": 12}
    assert len({q.id for q in form.questions}) == 65


def test_dva_c02_draws_two_full_length_forms_without_a_shared_question() -> None:
    bank = example_bank()
    assert bank.blueprint is not None
    result = qbank.assemble(bank, count=65, seed=5, forms=2)
    assert result.ok, [str(s) for s in result.shortfalls]
    first, second = result.forms
    for form in (first, second):
        by_domain = Counter(domain_of(q, bank.blueprint) for q in form.questions)
        assert dict(by_domain) == {"1": 21, "2": 17, "3": 15, "4": 12}
        assert all(q.status == "approved" for q in form.questions)
    assert not {q.id for q in first.questions} & {q.id for q in second.questions}


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_assemble_writes_a_form_that_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = write_bank(tmp_path / "bank", BP, BIG.questions)
    out = tmp_path / "forms" / "form.yaml"
    argv = ["assemble", str(bank), "--count", "12", "--seed", "9", "-o", str(out)]
    assert main(argv) == 0
    text = out.read_text(encoding="utf-8")
    loaded = qbank.load(out)
    assert loaded.ok
    assert loaded.bank.form is not None
    assert (loaded.bank.form.count, loaded.bank.form.seed, loaded.bank.form.time_limit) == (12, 9, 30)
    assert len(loaded.bank) == 12
    assert [q.id for q in loaded.bank] == ids(qbank.assemble(BIG, count=12, seed=9))
    assert main(argv) == 2  # no overwrite without --force
    assert "exists" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    assert out.read_text(encoding="utf-8") == text  # same seed, same bytes


def test_cli_assemble_k_forms(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", BP, BIG.questions)
    out = tmp_path / "practice.yaml"
    assert main(["assemble", str(bank), "-n", "10", "--forms", "3", "--seed", "1", "-o", str(out)]) == 0
    written = [tmp_path / f"practice-{i}.yaml" for i in (1, 2, 3)]
    assert all(p.is_file() for p in written)
    assert not out.exists()
    sets = [{q.id for q in qbank.load(p).bank} for p in written]
    assert not (sets[0] & sets[1])
    assert not (sets[1] & sets[2])
    assert not (sets[0] & sets[2])
    assert "(2 of 3)" in written[1].read_text(encoding="utf-8")


def test_cli_assemble_filters_and_options(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", BP, [*BIG.questions, mr("mr-a", "A.1"), mr("mr-b", "B.1")])
    out = tmp_path / "f.yaml"
    argv = ["assemble", str(bank), "-n", "2", "--type", "multiple_response", "--time-limit", "unlimited"]
    assert main([*argv, "--domain", "A", "--domain", "B", "--seed", "4", "-o", str(out)]) == 0
    form = qbank.load(out).bank
    assert {q.id for q in form} == {"mr-a", "mr-b"}
    assert form.form is not None
    assert form.form.time_limit is None


def test_cli_assemble_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bank = write_bank(tmp_path / "bank", BP, BIG.questions)
    out = str(tmp_path / "f.yaml")
    assert main(["assemble", str(bank), "-n", "40", "-o", out]) == 1
    err = capsys.readouterr().err
    assert "domain A" in err
    assert "short by" in err
    assert not Path(out).exists()
    assert main(["assemble", str(bank), "-n", "5", "--domain", "Z", "-o", out]) == 2
    assert main(["assemble", str(bank), "-n", "5", "--time-limit", "soon", "-o", out]) == 2
    assert main(["assemble", str(bank), "-n", "5", "-o", str(tmp_path / "f.json")]) == 2
    assert main(["assemble", str(bank), "-n", "5", "-o", str(tmp_path)]) == 2
    assert main(["assemble", str(bank), "-n", "0", "-o", out]) == 2
    (tmp_path / "bank" / "broken.yaml").write_text(
        "questions:\n  - id: Bad Id\n    stem: x\n", encoding="utf-8"
    )
    assert main(["assemble", str(bank), "-n", "5", "-o", out]) == 1
    assert "not assembled" in capsys.readouterr().err


def test_cli_uses_dupes_enemy_pairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qbank.cli.blueprint

    questions = per_objective(BP, {"A.1": 2, "B.1": 1, "C.1": 1})
    pair = frozenset(q.id for q in questions if q.objective == "A.1")
    calls: list[int] = []

    def fake(found: list[Question], *args: object, **kwargs: object) -> set[frozenset[str]]:
        calls.append(len(found))
        return {pair}

    monkeypatch.setattr(qbank.cli.blueprint, "enemy_pairs", fake)
    bank = write_bank(tmp_path / "bank", BP, questions)
    assert main(["assemble", str(bank), "-n", "4", "--domain", "A", "-o", str(tmp_path / "f.yaml")]) == 1
    assert calls == [4]
    assert main(["assemble", str(bank), "-n", "3", "-o", str(tmp_path / "g.yaml")]) == 0


REWORDED = Path(__file__).parent / "fixtures" / "reworded" / "questions.yaml"
#: the two reworded pairs of the fixture, and a question whose stem states another's key
PAIRS = [
    frozenset({"secrets-rotate-config", "secrets-rotated-not-in-config"}),
    frozenset({"sqs-ordered-once", "sqs-exactly-once-in-order"}),
]


def _enemy_bank(tmp_path: Path, allow: str = "") -> Path:
    """A bank on objective A.1 with the reworded fixture, a question that gives away another's key
    in its stem, and filler questions elsewhere; ``allow`` goes into ``[tool.qbank.dupes]``."""
    fixture = qbank.load(REWORDED).bank.questions
    cue = sc(
        "gives-away-fifo",
        "A.1",
        stem="The producer already sends its messages to an Amazon SQS FIFO queue. Which service traces requests?",
    )
    moved = [q.model_copy(update={"objective": "A.1"}) for q in fixture]
    bank = write_bank(tmp_path / "bank", BP, [*moved, cue, *per_objective(BP, {"B.1": 6, "C.1": 4})])
    (tmp_path / "pyproject.toml").write_text(f"[tool.qbank.dupes]\n{allow}", encoding="utf-8")
    return bank


def test_reworded_duplicates_and_cues_are_enemies_by_default(tmp_path: Path) -> None:
    bank_dir = _enemy_bank(tmp_path)
    questions = qbank.load(bank_dir).bank.questions
    enemies = enemy_pairs(questions)
    assert set(PAIRS) <= enemies
    assert frozenset({"sqs-ordered-once", "gives-away-fifo"}) in enemies  # its stem states that key
    bank = qbank.load(bank_dir).bank
    for seed in range(8):
        result = qbank.assemble(bank, count=5, domains=["A"], seed=seed)
        assert result.ok
        on_form = {q.id for q in result.forms[0].questions}
        assert not any(pair <= on_form for pair in enemies)


def test_the_readme_library_example_draws_the_forms_the_command_draws(tmp_path: Path) -> None:
    """``qbank.assemble(qbank.load(PATH).bank, count=N, seed=S)`` and ``qbank assemble PATH -n N
    --seed S`` give the same form: on the example bank, and on a bank with reworded duplicates and an
    allow-list (passed to the library as its configuration)."""
    bank = qbank.load(str(DVA)).bank
    out = tmp_path / "form.yaml"
    assert main(["assemble", str(DVA), "--count", "20", "--seed", "7", "-o", str(out)]) == 0
    library = qbank.assemble(bank, count=20, seed=7)
    assert [q.id for q in qbank.load(out).bank] == ids(library)

    allow = 'allow = [["sqs-ordered-once", "sqs-exactly-once-in-order"]]\n'
    bank_dir = _enemy_bank(tmp_path, allow)
    config = qbank.load_config(qbank.find_config(bank_dir))
    bank = qbank.load(bank_dir, config=config).bank
    together = 0
    for seed in range(12):
        out = tmp_path / f"form-{seed}.yaml"
        argv = ["assemble", str(bank_dir), "-n", "5", "--domain", "A", "--seed", str(seed), "-o", str(out)]
        assert main(argv) == 0
        library = qbank.assemble(bank, count=5, domains=["A"], seed=seed, config=config)
        assert [q.id for q in qbank.load(out).bank] == ids(library)
        on_form = set(ids(library))
        assert not PAIRS[0] <= on_form  # reworded: never together
        together += PAIRS[1] <= on_form  # allowed: may share a form
    assert together
