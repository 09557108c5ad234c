"""The found pairs of a search, kept on disk so that a search over unchanged questions is answered whole.

Everything a search finds depends only on the items searched (their ids, texts, keys, families and
templates, in order), on which of them are new (``against``), on the settings (thresholds, the
meaning check, ``allow``) and on this code (the source of this package and of the text and math
helpers) and model. The cache key is the hash of all of that, so
a changed question, setting or qbank version is simply not found; the value is the found pairs as
arrays. Locations are not part of it: they are taken from the items of the run that reads it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from qbank.analysis.dupes.embeddings import EMBED_VERSION, MODEL_ID
from qbank.analysis.dupes.items import DupItem
from qbank.analysis.dupes.report import KIND_RANK, DuplicateKind, Pair
from qbank.io.cache import Store, cache_key

__all__ = [
    "NAMESPACE",
    "Found",
    "FoundArrays",
    "as_arrays",
    "load_found",
    "merge_found",
    "results_store",
    "save_found",
    "search_key",
]

NAMESPACE = "dupes"
#: Bumped whenever what a search finds for the same items and settings may change.
RESULTS_VERSION = "2"
_KINDS: tuple[DuplicateKind, ...] = tuple(sorted(KIND_RANK, key=KIND_RANK.__getitem__))
_SEP = b"\x1f"

#: What a search found: pairs of positions (left < right) and their judgement (ids left empty).
Found = dict[tuple[int, int], Pair]


def results_store(cache: Store) -> Store:
    """The namespace beside ``cache`` (the embeddings) that keeps whole search results."""
    return Store(cache.root, NAMESPACE)


@functools.cache
def _code_fingerprint() -> bytes:
    """A hash of the source of the modules that decide what a search finds (this package and the
    text and math helpers it normalises with), so that a changed qbank never reads an old result."""
    from qbank.core import math as math_module
    from qbank.core import text as text_module

    digest = hashlib.blake2b(digest_size=16)
    files = sorted(Path(__file__).parent.glob("*.py"))
    for path in (*files, Path(text_module.__file__), Path(math_module.__file__)):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(path.name.encode("utf-8"))
    return digest.digest()


def search_key(
    items: Sequence[DupItem],
    n_new: int,
    settings: Iterable[object],
    allowed: Iterable[tuple[str, str]],
) -> str:
    """The key of a search: every item's content in order, the split into new and published
    questions, the settings and the allowed pairs."""
    digest = hashlib.blake2b(digest_size=32)
    for start in range(0, len(items), 10_000):
        rows = [
            (it.id, it.stem, it.family, it.choices, it.keys, it.ordered_key, it.template)
            for it in items[start : start + 10_000]
        ]
        digest.update(json.dumps(rows, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return cache_key(
        "dupes-result",
        RESULTS_VERSION,
        _code_fingerprint(),
        MODEL_ID,
        EMBED_VERSION,
        str(n_new),
        json.dumps([repr(s) for s in settings]),
        json.dumps(sorted(allowed)),
        digest.digest(),
    )


@dataclass(frozen=True)
class FoundArrays:
    """Found pairs as arrays, sorted by position: what the cache keeps and clusters are built from."""

    ends: NDArray[np.int64]
    """Left and right positions of each pair (pairs x 2, left < right)."""
    kinds: NDArray[np.uint8]
    """Each pair's kind as its rank in ``KIND_RANK``."""
    scores: NDArray[np.float64]
    """Score, stem, key, choices and meaning of each pair (pairs x 5; NaN for ``None``)."""

    def __len__(self) -> int:
        return len(self.kinds)


def as_arrays(found: Found) -> FoundArrays:
    """``found`` as arrays, sorted by position."""
    pairs = sorted(found)
    n = len(pairs)
    ends = np.asarray(pairs, dtype=np.int64).reshape(n, 2)
    kinds = np.fromiter((KIND_RANK[found[p].kind] for p in pairs), np.uint8, n)
    scores = np.asarray(
        [
            (
                p.score,
                p.stem,
                p.key,
                np.nan if p.choices is None else p.choices,
                np.nan if p.meaning is None else p.meaning,
            )
            for p in (found[k] for k in pairs)
        ],
        dtype=np.float64,
    ).reshape(n, 5)
    return FoundArrays(ends, kinds, scores)


def merge_found(one: FoundArrays, two: FoundArrays) -> FoundArrays:
    """Two sets of found pairs (no pair in both) as one, sorted by position."""
    ends = np.concatenate((one.ends.reshape(-1, 2), two.ends.reshape(-1, 2)))
    order = np.lexsort((ends[:, 1], ends[:, 0]))
    return FoundArrays(
        ends[order],
        np.concatenate((one.kinds, two.kinds))[order],
        np.concatenate((one.scores.reshape(-1, 5), two.scores.reshape(-1, 5)))[order],
    )


def kind_name(rank: int) -> DuplicateKind:
    """The kind whose rank in ``KIND_RANK`` is ``rank``."""
    return _KINDS[rank]


def save_found(store: Store, key: str, found: FoundArrays, verified: int, method: str, capped: int) -> None:
    """Write ``found`` under ``key`` (never raises: a cache that cannot be written is skipped)."""
    n = len(found)
    head = json.dumps({"pairs": n, "verified": verified, "method": method, "capped": capped}).encode("utf-8")
    store.put(
        key,
        len(head).to_bytes(4, "little")
        + head
        + found.ends.tobytes()
        + found.kinds.tobytes()
        + found.scores.tobytes(),
    )


def load_found(store: Store, key: str) -> tuple[FoundArrays, int, str, int] | None:
    """The found pairs, the number of candidates verified, the method and the number of questions
    with more same-key partners than kept, stored under ``key``."""
    raw = store.get(key)
    if raw is None or len(raw) < 4:
        return None
    size = int.from_bytes(raw[:4], "little")
    try:
        head = json.loads(raw[4 : 4 + size])
        n, verified, method = int(head["pairs"]), int(head["verified"]), str(head["method"])
        capped = int(head["capped"])
    except (ValueError, KeyError, TypeError):
        return None
    body = raw[4 + size :]
    if len(body) != n * (16 + 1 + 40):
        return None
    ends = np.frombuffer(body, np.int64, 2 * n).reshape(n, 2).copy()
    kinds = np.frombuffer(body, np.uint8, n, offset=16 * n).copy()
    scores = np.frombuffer(body, np.float64, 5 * n, offset=17 * n).reshape(n, 5).copy()
    if n and (kinds.max() >= len(_KINDS) or ends.min() < 0):
        return None
    return FoundArrays(ends, kinds, scores), verified, method, capped
