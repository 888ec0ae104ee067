"""Pause Python's cyclic garbage collector while a bulk job builds many objects.

Reading or analysing 100,000 rows creates millions of small containers. With the collector
running, each batch of them triggers collections, and every so often a full one that walks
every live object of the process; in the desktop app that stops the UI thread as well. None of
those objects form cycles worth collecting: they are freed by reference counting. While any job
holds the pause the collector is off; when the last one ends it is on again, and its next
(young) collection looks only at what the jobs kept.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep the cyclic collector off for the block; safe to nest and to use from threads."""
    global _holders, _was_enabled  # noqa: PLW0603 - the collector is one per process
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def keep_out_of_collections() -> None:
    """Let the collector skip every object alive now, for good (``gc.freeze``).

    Rows read for a large table live until the next reload; a full collection would walk
    each of them again and again, stopping every thread (the UI thread too) for hundreds of
    milliseconds on 100,000 rows. They hold no cycles and are freed by reference counting as
    before; only cyclic garbage alive at this moment is never collected.
    """
    gc.freeze()
