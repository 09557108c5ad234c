"""Cross-item cueing: the key of one question stated in another question's stem or explanation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from qbank.core.model import ChoiceQuestion, Question, ShortAnswer
from qbank.core.text import bare
from qbank.core.wordlists import INDEX_STOP_WORDS


@dataclass(frozen=True, slots=True)
class Cue:
    """The key text of question ``key_id`` appears in the ``field`` of question ``other_id``."""

    key_id: str
    key: str
    other_id: str
    field: Literal["stem", "explanation"]
    score: float
    """:func:`rapidfuzz.fuzz.partial_ratio` of the key in that text (0-100)."""


def cross_item_cues(
    questions: Iterable[Question], *, min_score: float = 90.0, min_words: int = 4
) -> list[Cue]:
    """Keys that appear (``partial_ratio >= min_score``) in another question's stem or explanation.

    Only keys of at least ``min_words`` words are searched: short keys such as a service name are
    mentioned everywhere without giving anything away. Candidate texts come from an inverted index
    on the key's two rarest words, so the cost grows with the number of questions, not its square.
    """
    qs = list(questions)
    docs: list[tuple[int, Literal["stem", "explanation"], str]] = []
    for k, q in enumerate(qs):
        docs.append((k, "stem", bare(q.stem)))
        if q.explanation:
            docs.append((k, "explanation", bare(q.explanation)))
    keys: list[tuple[int, str, str]] = []
    for k, q in enumerate(qs):
        texts: list[str] = []
        if isinstance(q, ChoiceQuestion):
            texts = [c.text for c in q.choices if c.correct]
        elif isinstance(q, ShortAnswer):
            texts = list(q.accept)
        for text in texts:
            norm = bare(text)
            if len(norm.split()) >= min_words:
                keys.append((k, text, norm))
    if not keys:
        return []
    vocab = {w for _, _, norm in keys for w in norm.split() if w not in INDEX_STOP_WORDS}
    postings: dict[str, set[int]] = defaultdict(set)
    for d, (_, _, text) in enumerate(docs):
        for w in set(text.split()) & vocab:
            postings[w].add(d)
    out: list[Cue] = []
    seen: set[tuple[int, int, str]] = set()
    for k, raw, norm in keys:
        words = sorted({w for w in norm.split() if w in postings}, key=lambda w: len(postings[w]))
        if not words:
            continue
        candidates = postings[words[0]]
        if len(words) > 1:
            candidates = candidates & postings[words[1]]
        for d in sorted(candidates):
            owner, where, text = docs[d]
            if owner == k or (k, owner, where) in seen:
                continue
            score = fuzz.partial_ratio(norm, text, score_cutoff=min_score)
            if score >= min_score:
                seen.add((k, owner, where))
                out.append(Cue(qs[k].id, raw, qs[owner].id, where, score))
    return out
