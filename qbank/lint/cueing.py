"""Cross-item cueing (QB705): the key of one question stated in the stem or explanation of another.

A key of at least ``min_words`` words is looked for in every stem and explanation that holds its two
rarest indexed words (rarest by the number of texts that hold them, ties by the word), and reported
where :func:`rapidfuzz.fuzz.partial_ratio` reaches ``min_score``. Banks repeat texts (template
siblings, copied explanations) and keys, so the search runs on distinct texts and distinct keys and
each pair is scored once: the cost follows the number of distinct keys and the texts that share
their rare words, not the number of questions squared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from qbank.core.model import ChoiceQuestion, Question, ShortAnswer
from qbank.core.text import bare
from qbank.core.wordlists import INDEX_STOP_WORDS

__all__ = ["Cue", "CueFacts", "cross_item_cues", "cue_facts", "search"]

Field = Literal["stem", "explanation"]


@dataclass(frozen=True, slots=True)
class Cue:
    """The key text of question ``key_id`` appears in the ``field`` of question ``other_id``."""

    key_id: str
    key: str
    other_id: str
    field: Field
    score: float
    """:func:`rapidfuzz.fuzz.partial_ratio` of the key in that text (0-100)."""


#: What the search keeps of one question: its keys of ``min_words`` words or more (as written, and
#: :func:`~qbank.core.text.bare`), its bare stem and its bare explanation (``None`` without one).
CueFacts = tuple[tuple[tuple[str, str], ...], str, str | None]


def cue_facts(question: Question, min_words: int = 4) -> CueFacts:
    """The keys and texts of one question, as :func:`search` reads them."""
    answers: list[str] = []
    if isinstance(question, ChoiceQuestion):
        answers = [c.text for c in question.choices if c.correct]
    elif isinstance(question, ShortAnswer):
        answers = list(question.accept)
    keys = tuple((text, bare(text)) for text in answers if len(bare(text).split()) >= min_words)
    return keys, bare(question.stem), bare(question.explanation) if question.explanation else None


def cross_item_cues(
    questions: Iterable[Question], *, min_score: float = 90.0, min_words: int = 4
) -> list[Cue]:
    """Keys that appear (``partial_ratio >= min_score``) in another question's stem or explanation,
    in question order, then text order; a question's second key is not reported where its first is."""
    qs = list(questions)
    found = search([cue_facts(q, min_words) for q in qs], min_score)
    return [Cue(qs[k].id, raw, qs[other].id, where, score) for k, raw, other, where, score in found]


def search(facts: Sequence[CueFacts | None], min_score: float) -> list[tuple[int, str, int, Field, float]]:
    """(key's question, key as written, other question, field, score) of every cue among ``facts``
    (one entry per question, in bank order; ``None`` for a question that takes no part)."""
    keys = [(k, raw, norm) for k, fact in enumerate(facts) if fact is not None for raw, norm in fact[0]]
    if not keys:
        return []
    # every stem and explanation, grouped by their text: (owner, field) of each text in doc order
    texts: dict[str, list[tuple[int, Field]]] = {}
    for k, fact in enumerate(facts):
        if fact is None:
            continue
        texts.setdefault(fact[1], []).append((k, "stem"))
        if fact[2]:
            texts.setdefault(fact[2], []).append((k, "explanation"))
    vocab = {w for _, _, norm in keys for w in norm.split() if w not in INDEX_STOP_WORDS}
    postings: dict[str, set[int]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    distinct = list(texts)
    for t, text in enumerate(distinct):
        for w in set(text.split()) & vocab:
            postings[w].add(t)
            counts[w] += len(texts[text])
    matches: dict[str, list[tuple[int, Field, float]]] = {}
    out: list[tuple[int, str, int, Field, float]] = []
    seen: set[tuple[int, int, Field]] = set()
    for k, raw, norm in keys:
        found = matches.get(norm)
        if found is None:
            found = matches[norm] = _matches(norm, distinct, texts, postings, counts, min_score)
        for owner, where, score in found:
            if owner == k or (k, owner, where) in seen:
                continue
            seen.add((k, owner, where))
            out.append((k, raw, owner, where, score))
    return out


def _matches(
    norm: str,
    distinct: list[str],
    texts: dict[str, list[tuple[int, Field]]],
    postings: dict[str, set[int]],
    counts: dict[str, int],
    min_score: float,
) -> list[tuple[int, Field, float]]:
    """(owner, field, score) of every stem and explanation that states the key ``norm``, in doc order."""
    words = sorted({w for w in norm.split() if w in postings}, key=lambda w: (counts[w], w))
    if not words:
        return []
    candidates = postings[words[0]]
    if len(words) > 1:
        candidates = candidates & postings[words[1]]
    found: list[tuple[int, bool, Field, float]] = []
    for t in candidates:
        text = distinct[t]
        score = fuzz.partial_ratio(norm, text, score_cutoff=min_score)
        if score >= min_score:
            found.extend((owner, where == "explanation", where, score) for owner, where in texts[text])
    found.sort()
    return [(owner, where, score) for owner, _, where, score in found]
