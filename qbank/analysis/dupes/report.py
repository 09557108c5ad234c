"""What a duplicate search reports: pairs, clusters, the report and its JSON and diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from qbank.analysis.dupes.items import Location
from qbank.core.diagnostics import Diagnostic, Severity

DuplicateKind = Literal["exact", "reworded", "near", "key-conflict"]
#: ``progress(done, total)``: called as the search advances (``total`` is fixed for one run).
Progress = Callable[[int, int], None]
PROGRESS_TOTAL = 1000
DEFAULT_THRESHOLD = 85.0
DEFAULT_MEANING_THRESHOLD = 85.0
KIND_RANK: dict[DuplicateKind, int] = {"exact": 0, "reworded": 1, "near": 2, "key-conflict": 3}


@dataclass(frozen=True, slots=True)
class Pair:
    """Two duplicate questions and the scores that judged them (0-100)."""

    a: str
    b: str
    kind: DuplicateKind
    score: float
    """The whole-item score (weighted mean of the components)."""
    stem: float
    key: float
    choices: float | None
    """``None`` when the questions have no choices."""
    meaning: float | None = None
    """Cosine similarity (x 100) of the two stems' embeddings; ``None`` when the meaning check is off."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (see ``docs/dupes.md``)."""
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind,
            "score": round(self.score, 1),
            "stem": round(self.stem, 1),
            "key": round(self.key, 1),
            "choices": None if self.choices is None else round(self.choices, 1),
            "meaning": None if self.meaning is None else round(self.meaning, 1),
        }


@dataclass(frozen=True, slots=True)
class Cluster:
    """Questions connected by duplicate pairs.

    ``kind`` is the most serious kind among the pairs (``key-conflict`` > ``near`` > ``reworded`` > ``exact``).
    """

    ids: tuple[str, ...]
    kind: DuplicateKind
    pairs: tuple[Pair, ...]

    @property
    def severity(self) -> Severity:
        """``error`` for key conflicts, ``warning`` otherwise."""
        return Severity.ERROR if self.kind == "key-conflict" else Severity.WARNING


@dataclass
class DuplicateReport:
    """What :func:`find_duplicates` found."""

    clusters: list[Cluster]
    threshold: float
    questions: int
    """Questions searched (the new ones with ``against``)."""
    against: int = 0
    """Questions of the published bank given as ``against``."""
    candidates: int = 0
    """Candidate pairs verified with rapidfuzz (after exact grouping and LSH)."""
    method: str = "lsh"
    """``lsh`` or ``exhaustive``."""
    locations: dict[str, Location] = field(default_factory=dict)
    """Where each reported question is (questions built in code have none)."""
    meaning_threshold: float | None = None
    """Meaning score (0-100) at which same-key questions are ``reworded``; ``None``: check off."""
    cached: int = 0
    """Questions whose embeddings came from the on-disk cache."""
    capped: int = 0
    """Questions with more same-key partners over the meaning threshold than the search lists
    (``NEIGHBOURS`` most similar ones each, in banks over 2,000 distinct questions)."""

    @property
    def pairs(self) -> list[Pair]:
        """Every reported pair, cluster by cluster."""
        return [p for c in self.clusters for p in c.pairs]

    @property
    def failed(self) -> bool:
        """Whether a key conflict (an error) was found."""
        return any(c.kind == "key-conflict" for c in self.clusters)

    def counts(self) -> dict[str, int]:
        """Number of clusters of each kind."""
        out = {"exact": 0, "reworded": 0, "near": 0, "key-conflict": 0}
        for c in self.clusters:
            out[c.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON object (``qbank dupes --format json``; see ``docs/dupes.md``)."""

        def loc(qid: str) -> dict[str, Any]:
            where = self.locations.get(qid)
            if where is None:
                return {"id": qid, "path": None, "line": None, "col": None}
            return {"id": qid, "path": where.path, "line": where.line, "col": where.col}

        return {
            "version": 1,
            "threshold": self.threshold,
            "meaning_threshold": self.meaning_threshold,
            "summary": {
                "questions": self.questions,
                "against": self.against,
                "candidates": self.candidates,
                "method": self.method,
                "capped": self.capped,
                "clusters": len(self.clusters),
                **self.counts(),
                "failed": self.failed,
            },
            "clusters": [
                {
                    "ids": list(c.ids),
                    "kind": c.kind,
                    "severity": c.severity.value,
                    "locations": [loc(i) for i in c.ids],
                    "pairs": [p.as_dict() for p in c.pairs],
                }
                for c in self.clusters
            ],
        }

    def diagnostics(self, code: str = "QB704") -> list[Diagnostic]:
        """One located diagnostic per question that duplicates an earlier one in its cluster."""
        out: list[Diagnostic] = []
        for cluster in self.clusters:
            for pair in cluster.pairs:
                where = self.locations.get(pair.b) or Location("<memory>", 1, 1)
                other = self.locations.get(pair.a)
                severity = Severity.ERROR if pair.kind == "key-conflict" else Severity.WARNING
                out.append(
                    Diagnostic(
                        code,
                        severity,
                        describe_pair(pair, other),
                        where.path,
                        where.line,
                        where.col,
                        question_id=pair.b,
                        data=pair_data(pair),
                    )
                )
        return out


def describe_pair(pair: Pair, other: Location | None = None) -> str:
    """A one-line message about ``pair.b`` duplicating ``pair.a``."""
    what = {
        "exact": "exact duplicate of",
        "near": "near duplicate of",
        "reworded": "reworded duplicate of",
        "key-conflict": "same question as",
    }[pair.kind]
    at = f" at {other}" if other is not None else ""
    tail = " but with a different key" if pair.kind == "key-conflict" else ""
    return f"{what} {pair.a!r}{at}{tail} ({pair_scores_text(pair)})"


def pair_scores_text(pair: Pair) -> str:
    """The scores of a pair as an author reads them: ``score 71: stem 60, key 100, choices 85, meaning 88``."""
    choices = "" if pair.choices is None else f", choices {pair.choices:.0f}"
    meaning = "" if pair.meaning is None else f", meaning {pair.meaning:.0f}"
    return f"score {pair.score:.0f}: stem {pair.stem:.0f}, key {pair.key:.0f}{choices}{meaning}"


def pair_data(pair: Pair) -> tuple[tuple[str, str], ...]:
    """Machine-readable evidence of a pair for :attr:`Diagnostic.data`."""
    data = [
        ("duplicate_of", pair.a),
        ("kind", pair.kind),
        ("score", f"{pair.score:.1f}"),
        ("stem", f"{pair.stem:.1f}"),
        ("key", f"{pair.key:.1f}"),
    ]
    if pair.choices is not None:
        data.append(("choices", f"{pair.choices:.1f}"))
    if pair.meaning is not None:
        data.append(("meaning", f"{pair.meaning:.1f}"))
    return tuple(data)


class Progressor:
    """Reports progress as a share of :data:`PROGRESS_TOTAL` to an optional callback."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback

    def at(self, done: int) -> None:
        """Tell the callback that ``done`` of :data:`PROGRESS_TOTAL` is done."""
        if self.callback is not None:
            self.callback(min(done, PROGRESS_TOTAL), PROGRESS_TOTAL)
