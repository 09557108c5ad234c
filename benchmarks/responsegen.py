"""Simulated learner responses from a two-parameter logistic IRT model, for tests and benchmarks.

A learner of ability ``theta`` answers an item of discrimination ``a`` and difficulty ``b`` right
with probability ``1 / (1 + exp(-a (theta - b)))``; a wrong answer picks a distractor with the
item's distractor weights. An item can be *miskeyed* (the bank marks a distractor as the key while
learners who know the answer pick the real one) and a distractor can be *dead* (weight 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from qbank.core.model import Choice, SingleChoice

__all__ = ["ItemSpec", "Simulation", "make_items", "simulate", "write_long_csv"]


@dataclass
class ItemSpec:
    """One simulated single-choice item."""

    id: str
    a: float
    b: float
    choices: int = 4
    answer: int = 0
    """The choice learners who know the answer pick (0-based)."""
    key: int | None = None
    """The choice the bank marks correct (``None``: the answer; another value plants a miskey)."""
    weights: list[float] = field(default_factory=list)
    """Relative weights of the wrong choices (in choice order, the answer left out); empty: equal."""

    @property
    def bank_key(self) -> int:
        """The choice the bank marks correct."""
        return self.answer if self.key is None else self.key

    def question(self) -> SingleChoice:
        """The item as a question of the bank."""
        return SingleChoice(
            id=self.id,
            stem=f"Simulated question {self.id}?",
            choices=[
                Choice(text=f"Option {k + 1} of {self.id}", correct=k == self.bank_key)
                for k in range(self.choices)
            ],
        )


@dataclass
class Simulation:
    """Responses: ``chosen[learner, item]`` is the 0-based choice, -1 for an omission."""

    items: list[ItemSpec]
    theta: npt.NDArray[np.float64]
    chosen: npt.NDArray[np.int8]

    def scores(self) -> npt.NDArray[np.float64]:
        """1 where the learner picked the bank's key."""
        keys = np.array([s.bank_key for s in self.items])
        return (self.chosen == keys).astype(np.float64)


def make_items(n: int, seed: int = 7, *, choices: int = 4) -> list[ItemSpec]:
    """``n`` items with discriminations in 0.8..2.0 and difficulties from N(0, 1)."""
    rng = np.random.default_rng(seed)
    return [
        ItemSpec(
            id=f"sim-{i:04d}",
            a=float(rng.uniform(0.8, 2.0)),
            b=float(rng.normal()),
            choices=choices,
            answer=int(rng.integers(0, choices)),
        )
        for i in range(n)
    ]


def simulate(
    items: list[ItemSpec], learners: int, seed: int = 11, *, omit: float = 0.0, chunk: int = 20_000
) -> Simulation:
    """Draw every learner's answer to every item (``omit``: chance of leaving an item out)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=learners)
    a = np.array([s.a for s in items])
    b = np.array([s.b for s in items])
    answer = np.array([s.answer for s in items])
    chosen = np.empty((learners, len(items)), dtype=np.int8)
    # distractor tables: for each item, the wrong choices and their cumulative probabilities
    tables = []
    for s in items:
        wrong = [k for k in range(s.choices) if k != s.answer]
        w = np.array(s.weights or [1.0] * len(wrong), dtype=np.float64)
        tables.append((np.array(wrong), np.cumsum(w / w.sum())))
    for start in range(0, learners, chunk):
        th = theta[start : start + chunk]
        p = 1 / (1 + np.exp(-a * (th[:, None] - b)))
        right = rng.random(p.shape) < p
        u = rng.random(p.shape)
        block = np.empty(p.shape, dtype=np.int8)
        for j, (wrong, cum) in enumerate(tables):
            pick = wrong[np.minimum(np.searchsorted(cum, u[:, j]), len(wrong) - 1)]
            block[:, j] = np.where(right[:, j], answer[j], pick)
        if omit:
            block[rng.random(p.shape) < omit] = -1
        chosen[start : start + len(th)] = block
    return Simulation(items, theta, chosen)


def write_long_csv(sim: Simulation, path: Path, *, scores: bool = True, chunk: int = 5_000) -> int:
    """Write the responses as the long CSV ``qbank stats`` reads; returns the number of rows."""
    ids = np.array([s.id for s in sim.items])
    keys = np.array([s.bank_key for s in sim.items])
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("respondent,question_id,response,score\n")
        for start in range(0, len(sim.theta), chunk):
            block = sim.chosen[start : start + chunk]
            n = len(block)
            who = np.repeat(np.array([f"learner-{k:06d}" for k in range(start, start + n)]), len(ids))
            qid = np.tile(ids, n)
            response = (block.astype(np.int16) + 1).astype(str).ravel()
            response[block.ravel() < 0] = ""
            score = (block == keys).astype(int).astype(str).ravel() if scores else np.full(n * len(ids), "")
            line = np.char.add(
                np.char.add(
                    np.char.add(np.char.add(np.char.add(np.char.add(who, ","), qid), ","), response), ","
                ),
                score,
            )
            out.write("\n".join(line.tolist()))
            out.write("\n")
            rows += len(line)
    return rows
