"""Garbage-collector policy for bulk work.

Loading and checking a bank allocates millions of long-lived container objects (parsed YAML,
models, findings). CPython's cyclic collector starts a young collection every 700 allocations and
a full one whenever the long-lived set has grown by a quarter, so while a large bank is being built
it scans the same objects again and again: about a third of a cold ``qbank check`` of 10,000
questions. :func:`bulk_work` raises the young-generation threshold for the duration of such work
and restores the previous thresholds afterwards; cyclic garbage is still collected, in larger
batches.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BULK_THRESHOLDS", "bulk_work"]

BULK_THRESHOLDS = (20_000, 10, 10)
"""The collector's thresholds while :func:`bulk_work` is active (CPython's default: 700, 10, 10)."""


@contextmanager
def bulk_work() -> Iterator[None]:
    """Collect less often for the duration of the ``with`` block (or of a function it decorates);
    nestable, restores the caller's thresholds."""
    before = gc.get_threshold()
    if before[0]:  # a threshold of 0 means collection was turned off: leave it so
        gc.set_threshold(max(before[0], BULK_THRESHOLDS[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
