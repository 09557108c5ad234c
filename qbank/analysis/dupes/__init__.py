"""Exact and near-duplicate questions, judged on the whole item, sub-quadratic.

Two questions are compared on three components, each a 0-100 score that the report shows:

``stem``
    :func:`rapidfuzz.fuzz.ratio` of the normalised stems with their words sorted (the
    ``token_sort_ratio`` score; sorting once per question instead of once per pair is ~5x faster).
``key``
    the same score on the keyed answer(s): the correct choice texts, or ``answer``, ``accept``,
    ``pairs`` or ``order`` for the other question types.
``choices``
    the same score on all choice texts together, so shuffled choices score 100 (choice questions only).

The whole-item ``score`` is the weighted mean of the components present (stem 0.5, key 0.3,
choices 0.2; stem 0.6 and key 0.4 without choices; the stem alone for essays). A pair is

``exact``
    same type family, same normalised stem, same set of normalised choices and the same key;
``key-conflict`` (an error)
    the same question (stems equal or ``stem >= 95``, choice sets equal or ``choices >= 95``, the
    same numbers, negations and inline code in the stem) with a different key;
``near``
    ``score >= threshold``, ``stem >= max(threshold - 5, 2 * threshold - 100)``, the same key and the
    same set of numbers and negation words in the stem, and inline code spans of one stem contain
    the other's (``null`` vs ``null`` and ``ForeignKey`` is compatible, ``related_name`` vs
    ``related_query_name`` is not), and the stems share their distinctive words: a rarity-weighted
    (smoothed IDF over everything searched) Jaccard similarity of their word sets >= 65. Rewording
    changes common words; the same fact asked in another scenario changes distinctive ones.

"The same key" for choice questions maps each key of one item to the most similar choice of the
other: the key is the same when that choice is a key there too, and a key never lands on a choice
that names something else (:func:`~qbank.analysis.dupes.judge.names_differ`: a number or a short
word on each side that the other lacks, such as ``sqs``/``sns``), so "Amazon SQS" and "Amazon SNS"
are different keys however similar the strings. It falls back to the key-text score (>= 80, without
different names) when the choice sets share nothing. Template siblings (the same wording asking for a different fact, or
the same wording with other numbers) therefore are not duplicates.

Candidate pairs come from weighted MinHash signatures (numpy, 128 rows) of each item's stem words,
each word weighted by the same IDF as the content check above, so two signatures agree on a row
with probability equal to that rarity-weighted Jaccard similarity, which a near duplicate has at
0.65 or more. Banded into 32 bands of 4 rows (LSH), such a pair shares a bucket with probability at
least 1 - (1 - 0.65**4)**32 = 0.998. A bucket over 300 items (one generic stem shared by many
questions) is split by a second signature of the items' choice and key words; a pair is taken from
the first band it collides in, and dropped when the signatures agree on fewer than half of the rows
(a near duplicate agrees on 65% of them in expectation). Survivors are verified with
:func:`rapidfuzz.process.cpdist`, band by band, so memory stays bounded. Banks up to 2,000
distinct items are compared exhaustively. ``benchmarks/dupes.py`` has the measurements.
"""

from qbank.analysis.dupes.cues import Cue, cross_item_cues
from qbank.analysis.dupes.items import DupItem, Location, item_from_question
from qbank.analysis.dupes.lexical import stem_floor
from qbank.analysis.dupes.report import (
    DEFAULT_MEANING_THRESHOLD,
    DEFAULT_THRESHOLD,
    Cluster,
    DuplicateKind,
    DuplicateReport,
    Pair,
    Progress,
    describe_pair,
    pair_data,
)
from qbank.analysis.dupes.search import enemy_pairs, find_duplicate_items, find_duplicates

__all__ = [
    "DEFAULT_MEANING_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "Cluster",
    "Cue",
    "DupItem",
    "DuplicateKind",
    "DuplicateReport",
    "Location",
    "Pair",
    "Progress",
    "cross_item_cues",
    "describe_pair",
    "enemy_pairs",
    "find_duplicate_items",
    "find_duplicates",
    "item_from_question",
    "pair_data",
    "stem_floor",
]
