"""Cross-item cueing (QB705): the indexed search finds what a plain scan with the same rules finds."""

from __future__ import annotations

import random
from collections import Counter

from rapidfuzz import fuzz

from qbank.core.model import Choice, Question, ShortAnswer, SingleChoice
from qbank.core.text import bare
from qbank.core.wordlists import INDEX_STOP_WORDS
from qbank.lint.cueing import Cue, cross_item_cues


def plain_scan(questions: list[Question], min_score: float = 90.0, min_words: int = 4) -> list[Cue]:
    """Every key against every stem and explanation that holds its two rarest words, one by one."""
    docs = [(k, "stem", bare(q.stem)) for k, q in enumerate(questions)]
    docs += [(k, "explanation", bare(q.explanation)) for k, q in enumerate(questions) if q.explanation]
    docs.sort(key=lambda d: (d[0], d[1] == "explanation"))
    keys = []
    for k, q in enumerate(questions):
        answers = [c.text for c in q.choices if c.correct] if isinstance(q, SingleChoice) else []
        answers += list(q.accept) if isinstance(q, ShortAnswer) else []
        keys += [(k, t, bare(t)) for t in answers if len(bare(t).split()) >= min_words]
    vocab = {w for _, _, n in keys for w in n.split() if w not in INDEX_STOP_WORDS}
    df = Counter(w for _, _, text in docs for w in set(text.split()) & vocab)
    out, seen = [], set()
    for k, raw, norm in keys:
        words = sorted({w for w in norm.split() if df[w]}, key=lambda w: (df[w], w))[:2]
        for owner, where, text in docs:
            if not words or owner == k or (k, owner, where) in seen or not set(words) <= set(text.split()):
                continue
            score = fuzz.partial_ratio(norm, text, score_cutoff=min_score)
            if score >= min_score:
                seen.add((k, owner, where))
                out.append(Cue(questions[k].id, raw, questions[owner].id, where, score))  # type: ignore[arg-type]
    return out


KEYS = [
    "Encrypt the data with a data key and encrypt the data key with the KMS key",
    "Use a dead-letter queue with a maximum receive count of five",
    "Turn on ReportBatchItemFailures and return the failed message IDs",
    "Store the session state in Amazon ElastiCache for Redis",
]


def bank(seed: int) -> list[Question]:
    rng = random.Random(seed)
    out: list[Question] = []
    for i in range(120):
        key = rng.choice(KEYS)
        other = rng.choice(KEYS)
        stem = rng.choice(
            [
                f"The team decided to {other.lower()}. Which service should run the job?",
                "Which option meets these requirements with the least effort?",
                f"Why does the function fail when the developer wants to {rng.choice(KEYS).lower()[:40]}?",
            ]
        )
        choices = [
            Choice(text=key, correct=True),
            Choice(text="Use Amazon S3"),
            Choice(text="Use AWS Lambda"),
        ]
        explanation = rng.choice([None, f"Because you {other.lower()}.", "Amazon S3 is object storage."])
        out.append(SingleChoice(id=f"q{i}", stem=stem, choices=choices, explanation=explanation))
    return out


def test_indexed_search_matches_plain_scan() -> None:
    for seed in range(5):
        questions = bank(seed)
        found = cross_item_cues(questions)
        assert found == plain_scan(questions)
        assert found  # the generated bank does state keys in other stems


def test_own_texts_and_short_keys_are_not_cues() -> None:
    q = SingleChoice(
        id="a",
        stem="Should the team encrypt the data with a data key and encrypt the data key with the KMS key?",
        choices=[Choice(text=KEYS[0], correct=True), Choice(text="Use SSE-S3 for every object")],
    )
    short = SingleChoice(
        id="b",
        stem="Which service holds the KMS key?",
        choices=[Choice(text="AWS KMS", correct=True), Choice(text="IAM")],
    )
    assert cross_item_cues([q, short]) == []
    other = q.model_copy(update={"id": "c", "stem": "Which service stores the objects?"})
    assert [(c.key_id, c.other_id, c.field) for c in cross_item_cues([other, q])] == [("c", "a", "stem")]
