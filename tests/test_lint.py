"""The lint engine: profiles, suppressions (and unused ones), options, `qbank rules`, `check --fix`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from qbank import lint, load
from qbank.check import check
from qbank.cli import main
from qbank.core.config import Config, ConfigModel, load_config
from qbank.core.model import Bank, Choice, MultipleResponse, SingleChoice

LongKey = """
questions:
  - id: q1
    stem: How can the team isolate messages that repeatedly fail processing?
    choices:
      - text: Use Amazon SNS
      - text: Use Amazon SQS with a dead-letter queue and maxReceiveCount set to 5
        correct: true
      - text: Use Amazon Kinesis
      - text: Use more consumers
"""


def codes(diagnostics: list) -> list[tuple[int, int, str]]:
    return sorted((d.line, d.col, d.code) for d in diagnostics)


def test_lint_api_applies_config(write: Callable[..., Path]) -> None:
    bank = load(write("b.yaml", LongKey)).bank
    assert "QB401" in {d.code for d in lint(bank)}
    quiet = Config(ConfigModel(ignore=["QB4"]))
    assert not any(d.code.startswith("QB4") for d in lint(bank, quiet))
    only = Config(ConfigModel(select=["QB401"]))
    assert {d.code for d in lint(bank, only)} == {"QB401"}


def test_rule_options_change_results(write: Callable[..., Path]) -> None:
    bank = load(write("b.yaml", LongKey)).bank
    strict_ratio = Config(ConfigModel(rules={"QB401": {"ratio": 5}}))
    assert "QB401" not in {d.code for d in lint(bank, strict_ratio)}


def test_bad_rule_options_are_config_errors(write: Callable[..., Path]) -> None:
    cfg = write("qbank.toml", '[rules.QB401]\nratio = "x"\nbogus = 1\n')
    bank = load(write("b.yaml", LongKey)).bank
    problems = [d for d in lint(bank, load_config(cfg)) if d.code == "QB014"]
    assert len(problems) == 2
    assert all(d.path == str(cfg) and d.line in (2, 3) for d in problems)


def test_memory_bank_without_origin() -> None:
    q = SingleChoice(
        id="m1",
        stem="Which is it",
        choices=[Choice(text="A) one", correct=True), Choice(text="B) two")],
    )
    found = lint(Bank(questions=[q]))
    assert found
    assert all(d.path == "<memory>" and d.question_id == "m1" for d in found)
    assert {"QB203", "QB605"} <= {d.code for d in found}


AWS_BANK = """
questions:
  - id: q1
    stem: Which service stores objects in buckets for later retrieval by key?
    choices:
      - text: Amazon S3
        correct: true
      - text: Amazon EBS
      - text: Amazon EFS
  - id: q2
    type: multiple_response
    stem: Which services run code without managing servers?
    choices:
      - text: AWS Lambda
        correct: true
      - text: AWS Fargate
        correct: true
      - text: Amazon EC2
      - text: Amazon EBS
"""


def test_profiles(write: Callable[..., Path]) -> None:
    path = write("b.yaml", AWS_BANK)
    default = check(path, config=Config(ConfigModel(select=["QB1", "QB2"])))
    by_code = {d.code: d for d in default.diagnostics}
    assert "QB102" not in by_code
    assert by_code["QB209"].severity == "warning"
    aws = check(path, config=Config(ConfigModel(profile="aws", select=["QB1", "QB2"])))
    got = {(d.code, d.question_id): d.severity.value for d in aws.diagnostics}
    assert got[("QB104", "q1")] == "error"  # 3 choices, aws wants exactly 4
    assert got[("QB102", "q2")] == "error"  # 4 choices, aws wants at least 5
    assert got[("QB209", "q2")] == "error"
    strict = check(path, config=Config(ConfigModel(profile="strict", select=["QB2"])))
    assert strict.diagnostics
    assert all(d.severity in ("error", "info") for d in strict.diagnostics)
    assert any(d.code == "QB209" and d.severity == "error" for d in strict.diagnostics)


def test_cue_rules_skip_broken_structure() -> None:
    q = MultipleResponse(
        id="m1",
        type="multiple_response",
        stem="Which services are serverless compute services on AWS? (Select THREE.)",
        choices=[
            Choice(text="AWS Lambda functions that run your code on demand", correct=True),
            Choice(text="AWS Fargate tasks that run your containers on demand", correct=True),
            Choice(text="EC2"),
            Choice(text="EBS"),
        ],
    )
    found = {d.code for d in lint(Bank(questions=[q]))}
    assert "QB103" in found  # structure error
    assert "QB401" not in found  # cue rule skipped


SUPPRESSED = """
defaults:
  lint: {ignore: [QB208]}
questions:
  - id: q1
    stem: How can the team isolate messages that repeatedly fail processing?
    choices:
      - text: Use Amazon SNS
      - text: Use Amazon SQS with a dead-letter queue and maxReceiveCount set to 5
        correct: true
      - text: Use Amazon Kinesis
      - text: Use more consumers
    lint:
      ignore: [QB401, QB301]
      reason: the key must name the setting
  - id: q2
    stem: Which service stores objects in buckets for later retrieval by key?
    choices:
      - text: Amazon S3
        correct: true
      - text: Amazon EBS
      - text: Amazon EFS
"""


def test_question_suppression_and_unused(write: Callable[..., Path]) -> None:
    path = write("b.yaml", SUPPRESSED)
    result = check(path)
    found = codes(result.diagnostics)
    assert not any(c == "QB401" for _, _, c in found)
    unused = [d for d in result.diagnostics if d.code == "QB008"]
    # QB301 never fires on q1 (at its ignore entry); QB208 from the file defaults never fires on q2
    assert codes(unused) == [(2, 19, "QB008"), (13, 23, "QB008")]
    assert {d.question_id for d in unused} == {None, "q1"}


def test_per_path_suppression_and_unused(write: Callable[..., Path]) -> None:
    write("b.yaml", LongKey)
    cfg = write(
        "qbank.toml",
        """
        [per-path-ignores]
        "b.yaml" = ["QB401", "QB302"]
        "legacy/**" = ["QB2"]
        """,
    )
    config = load_config(cfg)
    result = check(cfg.parent / "b.yaml", config=config)
    assert "QB401" not in {d.code for d in result.diagnostics}
    unused = sorted((d.path, d.line, d.col) for d in result.diagnostics if d.code == "QB008")
    assert unused == [(str(cfg), 2, 22), (str(cfg), 3, 16)]


def test_unused_suppression_not_reported_for_unselected_codes(write: Callable[..., Path]) -> None:
    path = write("b.yaml", SUPPRESSED)
    result = check(path, config=Config(ConfigModel(ignore=["QB3", "QB2"])))
    assert [d for d in result.diagnostics if d.code == "QB008"] == []


def test_rules_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "QB401  longest-option-is-key" in listing
    assert "QB003" in listing
    assert "QB008" in listing
    assert main(["rules", "qb302"]) == 0
    doc = capsys.readouterr().out
    for section in ("What it does", "Why it matters", "Example", "Use instead", "allow = False"):
        assert section in doc
    assert main(["rules", "QB101"]) == 0
    assert "checked by validation" in capsys.readouterr().out
    assert main(["rules", "QB999"]) == 2
    assert "unknown rule code" in capsys.readouterr().err


FIXABLE = """questions:
  - id: q1
    stem: |
      A developer needs to store
      session data. Which service\u00a0fits best?
    choices:
      - text: "A) Amazon ElastiCache\u200b"
        correct: true
      - text: "B) Amazon EBS"   # keep me
      - text: "C) Amazon S3 Glacier"
"""


def test_check_fix(write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write("b.yaml", FIXABLE)
    main(["check", "--fix", "--no-progress", str(path)])
    err = capsys.readouterr().err
    assert f"{path}:4:33: fixed QB601" in err
    assert f"{path}:5:34: fixed QB603" in err
    assert f"{path}:7:16: fixed QB605" in err
    text = path.read_text(encoding="utf-8")
    assert "A developer needs to store session data. Which service fits best?" in text
    assert "text: Amazon ElastiCache\n" in text or 'text: "Amazon ElastiCache"' in text
    assert "# keep me" in text
    assert "\u200b" not in text
    assert "\u00a0" not in text
    after = check(path)
    assert not {"QB601", "QB603", "QB605"} & {d.code for d in after.diagnostics}
    before_ids = [q.id for q in after.bank]
    assert before_ids == ["q1"]


def test_check_fix_json_in_place(write: Callable[..., Path]) -> None:
    data = {
        "questions": [
            {
                "id": "q1",
                "stem": "Which service stores objects?",
                "choices": [
                    {"text": "A) Amazon S3", "correct": True},
                    {"text": "B) Amazon EBS"},
                    {"text": "C) Amazon EFS"},
                ],
            }
        ]
    }
    raw = json.dumps(data, indent=4)
    path = write("b.json", raw)
    assert main(["check", "--fix", "--no-progress", "-q", str(path)]) in (0, 1)
    fixed = path.read_text(encoding="utf-8")
    assert fixed == raw.replace('"A) ', '"').replace('"B) ', '"').replace('"C) ', '"')


def test_check_fix_respects_suppression(write: Callable[..., Path]) -> None:
    text = FIXABLE.replace("    choices:", "    lint: {ignore: [QB605]}\n    choices:")
    path = write("b.yaml", text)
    main(["check", "--fix", "--no-progress", "-q", str(path)])
    assert '"A) Amazon ElastiCache"' in path.read_text(encoding="utf-8")


def test_run_rules_reports_time_per_rule(write: Callable[..., Path]) -> None:
    from qbank.io.loader import load as load_bank
    from qbank.lint.engine import run_rules
    from qbank.lint.rules import registry

    stages: dict[str, float] = {}
    loaded = load_bank(write("b.yaml", LongKey), timings=stages)
    plain, _ = run_rules(loaded.bank)
    timed, _ = run_rules(loaded.bank, timings=stages)
    assert [x.diagnostic for x in timed] == [x.diagnostic for x in plain]
    assert {"read", "validate", "locate", *registry()} <= set(stages)
    assert all(seconds >= 0 for seconds in stages.values())


def test_rule_options_come_from_the_type_argument() -> None:
    from pydantic import BaseModel

    from qbank.lint.rules import NoOptions, Rule, RuleContext
    from qbank.lint.rules.cues import LongestOptionIsKey, LongestOptions
    from qbank.lint.rules.hygiene import StrayLineBreak

    assert LongestOptionIsKey.Options is LongestOptions
    assert StrayLineBreak.Options is NoOptions
    with pytest.raises(TypeError, match="pydantic model"):

        class Broken(Rule[int]):  # type: ignore[type-var]
            code = "QB999"

    class Opts(BaseModel):
        level: int = 3

    class Probe(Rule[Opts]):
        seen: ClassVar[list[int]] = []

        def item_findings(self, item, ctx):  # type: ignore[no-untyped-def]
            self.seen.append(ctx.options.level)
            return ()

    q = SingleChoice(id="m1", stem="Which one?", choices=[Choice(text="a", correct=True), Choice(text="b")])
    bank = Bank(questions=[q])
    Probe().check_question(q, RuleContext(bank))  # no options given: the rule's defaults
    Probe().check_question(q, RuleContext(bank, options=Opts(level=5)))
    assert Probe.seen == [3, 5]
