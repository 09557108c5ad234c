"""Meaning-level vectors of texts from a static (word-vector) embedding model, offline.

The model is WordLlama's ``l2_supercat`` at 256 dimensions: a table of one vector per token of a
32,000-token BPE vocabulary, shipped inside the ``wordllama`` wheel together with its tokenizer.
Only those two files are read (with ``tokenizers`` and ``safetensors``); the ``wordllama`` package
itself is never imported, so nothing here can fall back to a download, and no socket is opened.

A static model's sentence vector is the mean of its tokens' vectors; cosine similarity ignores the
division, so a text's vector here is the *sum* of its tokens' vectors. The tokenizer has no
pre-tokenizer and no vocabulary entry spans a word boundary, so a text's tokens are the
concatenation of its words' tokens: each distinct word of a bank is tokenized once, its token
vectors summed once, and a text's vector is the sum of its words' vectors (a sparse word-count
matrix times the word-vector matrix, with ``scipy.sparse``). ``benchmarks/dupes.py`` compares this
with the library's own ``embed()``.

Vectors are cached on disk (:mod:`qbank.io.cache`, namespace ``embeddings``) in shards keyed by
the content hashes of the texts they hold, so a second run over an unchanged bank embeds nothing
and an edit re-embeds only its shard.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from qbank.io.cache import Store, cache_key

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["MODEL_ID", "ModelUnavailable", "StaticModel", "TextVectors", "embed_texts", "load_model"]

MODEL_PACKAGE = "wordllama"
MODEL_ID = "wordllama-l2_supercat-256"
_WEIGHTS = ("weights", "l2_supercat_256.safetensors")
_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")
_TENSOR = "embedding.weight"
#: Bumped when the way texts become vectors changes, so cached vectors of the old way are not found.
EMBED_VERSION = "1"
_SHARDS = 64


class ModelUnavailable(RuntimeError):
    """The embedding model's files are not installed (the ``wordllama`` distribution is missing)."""


def model_folder() -> Path:
    """The installed ``wordllama`` package folder, found without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location)
        if (folder.joinpath(*_WEIGHTS)).is_file() and (folder.joinpath(*_TOKENIZER)).is_file():
            return folder
    raise ModelUnavailable(
        "the embedding model for duplicates by meaning is not installed: "
        "pip install wordllama (or turn the check off with --no-meaning / [tool.qbank.dupes] meaning = false)"
    )


@dataclass(frozen=True)
class StaticModel:
    """A token-vector table and its tokenizer."""

    vectors: NDArray[np.float32]
    """One row per token id (vocabulary x dimensions)."""
    tokenizer: Tokenizer

    @property
    def dim(self) -> int:
        """Number of dimensions of a vector."""
        return int(self.vectors.shape[1])

    def word_vectors(self, words: Sequence[str]) -> NDArray[np.float32]:
        """The sum of each word's token vectors (one row per word)."""
        if not words:
            return np.zeros((0, self.dim), np.float32)
        encodings = self.tokenizer.encode_batch(list(words), add_special_tokens=False)
        rows = [e.ids for e in encodings]
        counts = np.fromiter((len(r) for r in rows), np.int64, len(rows))
        indices = np.fromiter((t for r in rows for t in r), np.int64, int(counts.sum()))
        return _segment_sums(indices, counts, self.vectors)


def _segment_sums(
    indices: NDArray[np.int64], counts: NDArray[np.int64], table: NDArray[np.float32]
) -> NDArray[np.float32]:
    """For each row (``counts[k]`` consecutive ``indices``), the sum of those rows of ``table``: a
    sparse count matrix times ``table``."""
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    np.clip(indices, 0, table.shape[0] - 1, out=indices)
    matrix = csr_matrix(
        (np.ones(len(indices), np.float32), indices, indptr), shape=(len(counts), table.shape[0])
    )
    out: NDArray[np.float32] = np.asarray(matrix @ table, dtype=np.float32)
    return out


@functools.cache
def load_model() -> StaticModel:
    """The packaged model, read once per process from the installed wheel (never downloaded)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = model_folder()
    tensors = load_file(str(folder.joinpath(*_WEIGHTS)))
    vectors = np.ascontiguousarray(tensors[_TENSOR], dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(folder.joinpath(*_TOKENIZER)))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return StaticModel(vectors, tokenizer)


def words_of(text: str) -> list[str]:
    """The words a text is embedded as: NFKC, split at whitespace, case kept."""
    return unicodedata.normalize("NFKC", text).split()


@dataclass(frozen=True)
class TextVectors:
    """Unit vectors of texts (rows; a text without tokens has a zero row)."""

    vectors: NDArray[np.float32]
    cached: int = 0
    """How many of the texts were found in the cache."""


def _embed_uncached(model: StaticModel, texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit vectors of ``texts``, rounded to float16 precision (what the cache keeps, so that a
    cached and a fresh run give the same scores)."""
    vocab: dict[str, int] = {}
    counts = np.zeros(len(texts), np.int64)
    flat = array("q")  # word ids, text after text: 8 bytes each, not a Python int each
    for k, text in enumerate(texts):
        words = words_of(text)
        counts[k] = len(words)
        flat.extend([vocab.setdefault(w, len(vocab)) for w in words])
    indices = np.frombuffer(flat, dtype=np.int64).copy() if flat else np.zeros(0, np.int64)
    out = _segment_sums(indices, counts, model.word_vectors(list(vocab)))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    rounded: NDArray[np.float32] = out.astype(np.float16).astype(np.float32)
    return rounded


def embed_texts(texts: Sequence[str], *, cache: Store | None = None) -> TextVectors:
    """Unit vectors of ``texts`` (one row each), from the cache where possible.

    The texts are spread over shards by their content hash; a shard's cache key is the hash of the
    sorted content hashes it holds, so an unchanged set of texts is found whole and a changed text
    invalidates only its own shard.
    """
    n = len(texts)
    out = np.zeros((n, 0), np.float32)
    if cache is None:
        return TextVectors(_embed_uncached(load_model(), texts) if n else np.zeros((0, 256), np.float32))
    digests = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in texts]
    unique: dict[bytes, int] = {}
    for k, d in enumerate(digests):
        unique.setdefault(d, k)
    shards: list[list[bytes]] = [[] for _ in range(_SHARDS)]
    for d in unique:
        shards[d[0] % _SHARDS].append(d)
    found: dict[bytes, NDArray[np.float32]] = {}
    missing: list[tuple[str, list[bytes]]] = []
    for shard in shards:
        if not shard:
            continue
        shard.sort()
        key = cache_key("embeddings", MODEL_ID, EMBED_VERSION, b"".join(shard))
        raw = cache.get(key)
        if raw is not None and len(raw) % (2 * len(shard)) == 0:
            block = np.frombuffer(raw, dtype=np.float16).reshape(len(shard), -1).astype(np.float32)
            found.update(zip(shard, block, strict=True))
        else:
            missing.append((key, shard))
    cached = sum(1 for d in digests if d in found)
    if missing:
        todo = [d for _, shard in missing for d in shard]
        vectors = _embed_uncached(load_model(), [texts[unique[d]] for d in todo])
        fresh = dict(zip(todo, vectors, strict=True))
        for key, shard in missing:
            block = np.stack([fresh[d] for d in shard]).astype(np.float16)
            cache.put(key, block.tobytes())
        found.update(fresh)
    dim = next(iter(found.values())).shape[0] if found else 256
    out = np.zeros((n, dim), np.float32)
    for k, d in enumerate(digests):
        out[k] = found[d]
    return TextVectors(out, cached)
