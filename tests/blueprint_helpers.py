"""Small in-memory banks and blueprints for the coverage and assembly tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from qbank.core.model import Bank, Blueprint, Choice, Domain, Exam, MultipleResponse, Objective, SingleChoice
from qbank.core.model import Question as Question
from qbank.io.serialize import dump_questions

Spec = Mapping[str, tuple[float, Sequence[str]]]
"""domain id -> (weight, objective ids)."""


def make_blueprint(spec: Spec, *, questions: int | None = None, minutes: int | None = None) -> Blueprint:
    """A blueprint from ``{"A": (60, ["A.1", "A.2"]), ...}``."""
    domains = [
        Domain(
            id=dom_id,
            title=f"Domain {dom_id}",
            weight=weight,
            objectives=[Objective(id=o, title=f"Objective {o}") for o in objectives],
        )
        for dom_id, (weight, objectives) in spec.items()
    ]
    exam = Exam(questions=questions, minutes=minutes) if questions else None
    return Blueprint(id="test-bp", title="Test blueprint", exam=exam, domains=domains)


_WORDS = [
    "lambda",
    "queue",
    "bucket",
    "table",
    "stream",
    "cache",
    "role",
    "policy",
    "key",
    "secret",
    "alarm",
    "metric",
    "trace",
    "pipeline",
    "stage",
    "build",
    "deploy",
    "rollback",
    "template",
    "stack",
    "layer",
    "alias",
    "version",
    "topic",
    "filter",
    "index",
    "partition",
    "shard",
    "token",
    "pool",
    "federation",
    "certificate",
    "rotation",
    "envelope",
    "endpoint",
    "gateway",
    "throttle",
    "retry",
    "backoff",
    "jitter",
    "idempotent",
    "timeout",
    "memory",
    "concurrency",
    "batch",
    "window",
    "snapshot",
    "replica",
    "region",
    "account",
    "artifact",
    "container",
    "image",
    "registry",
    "cluster",
    "service",
    "task",
    "schedule",
    "event",
    "rule",
    "target",
]


def prose(seed: str, n: int) -> str:
    """``n`` words picked deterministically from ``seed``: distinct texts the duplicate finder
    does not confuse."""
    digest = hashlib.sha256(seed.encode()).digest() * 4
    return " ".join(_WORDS[b % len(_WORDS)] for b in digest[:n])


def sc(
    qid: str,
    objective: str | None = None,
    *,
    domain: str | None = None,
    difficulty: str | None = "medium",
    status: str = "approved",
    key: int = 0,
    shuffle: bool = True,
    stem: str | None = None,
    n_choices: int = 4,
) -> SingleChoice:
    """A single-choice question with its key at ``key``."""
    return SingleChoice(
        id=qid,
        objective=objective,
        domain=domain,
        difficulty=difficulty,
        status=status,
        shuffle=shuffle,
        stem=stem or f"{prose(qid, 14)}: which option is right?",
        choices=[Choice(text=prose(f"{qid}/{i}", 5), correct=i == key) for i in range(n_choices)],
    )


def mr(qid: str, objective: str, *, difficulty: str = "hard") -> MultipleResponse:
    """A multiple-response question with two keys."""
    return MultipleResponse(
        id=qid,
        type="multiple_response",
        objective=objective,
        difficulty=difficulty,
        stem=f"{prose(qid, 14)}: which two are right?",
        choices=[Choice(text=prose(f"{qid}/{i}", 5), correct=i < 2) for i in range(5)],
    )


def bank_of(questions: Sequence[Question], blueprint: Blueprint | None) -> Bank:
    """A bank built in memory."""
    return Bank(questions=list(questions), blueprint=blueprint)


def per_objective(blueprint: Blueprint, counts: Mapping[str, int], prefix: str = "q") -> list[Question]:
    """``counts[objective]`` approved single-choice questions on each objective."""
    out: list[Question] = []
    for _, obj in blueprint.objectives():
        for i in range(counts.get(obj.id, 0)):
            out.append(
                sc(f"{prefix}-{obj.id.lower()}-{i}", obj.id, difficulty=("easy", "medium", "hard")[i % 3])
            )
    return out


def write_bank(folder: Path, blueprint: Blueprint, questions: Sequence[Question]) -> Path:
    """A bank folder with ``blueprint.yaml`` and ``questions.yaml``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"blueprint": blueprint.model_dump(mode="json", exclude_none=True)}
    (folder / "blueprint.yaml").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (folder / "questions.yaml").write_text(dump_questions(questions), encoding="utf-8")
    return folder
