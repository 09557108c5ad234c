"""Pools as exports see them: which questions each pool holds, what a test draws from it, and
what each drawn question is worth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qbank.core.model import Bank, Cloze, Question

__all__ = ["PoolGroup", "capacity", "pool_groups", "with_pool_points"]


@dataclass(frozen=True)
class PoolGroup:
    """One pool with its questions (those being exported, in bank order)."""

    name: str
    pick: int
    """How many questions a test draws (at most the number of questions)."""
    points: float
    """Points of each drawn question: the pool's ``points``, else its questions' own."""
    title: str
    """The pool's ``title``, else its name."""
    questions: tuple[Question, ...]
    template: str | None
    """The template whose variants form the pool, when all its questions are variants of one."""


def pool_groups(bank: Bank, questions: Sequence[Question]) -> dict[str, PoolGroup]:
    """The pools of ``questions`` (usually the exported ones) by name, in order of first member.

    A question whose pool the bank does not declare is not pooled (validation reports it).
    """
    members: dict[str, list[Question]] = {}
    for question in questions:
        if question.pool is not None and question.pool in bank.pools:
            members.setdefault(question.pool, []).append(question)
    out: dict[str, PoolGroup] = {}
    for name, group in members.items():
        pool = bank.pools[name]
        templates = {
            q.origin.variant.template if q.origin is not None and q.origin.variant is not None else None
            for q in group
        }
        template = templates.pop() if len(templates) == 1 else None
        out[name] = PoolGroup(
            name=name,
            pick=min(pool.pick, len(group)),
            points=pool.points if pool.points is not None else group[0].points,
            title=pool.title or name,
            questions=tuple(group),
            template=template,
        )
    return out


def with_pool_points(question: Question, groups: dict[str, PoolGroup]) -> Question:
    """The question worth its pool's points (itself when it is in no pool or the points agree)."""
    group = groups.get(question.pool) if question.pool is not None else None
    if group is None or group.points == question.points:
        return question
    if isinstance(question, Cloze):
        return question.worth(group.points)  # its gaps keep their share of the points
    return question.model_copy(update={"points": group.points})


def capacity(questions: Sequence[Question], groups: dict[str, PoolGroup]) -> int:
    """How many of ``questions`` one test can show: a pool counts as its ``pick``."""
    seen: set[str] = set()
    total = 0
    for question in questions:
        group = groups.get(question.pool) if question.pool is not None else None
        if group is None:
            total += 1
        elif group.name not in seen:
            seen.add(group.name)
            total += min(group.pick, sum(1 for q in questions if q.pool == group.name))
    return total
