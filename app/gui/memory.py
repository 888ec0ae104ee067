"""Keep the collector's pauses short: long-lived objects are taken out of its sight once.

A full garbage collection walks every tracked object, and while it runs no Python thread
moves, the UI thread included. Most of the window's objects (modules, Qt wrappers, the
questionnaire catalog) live as long as the process, yet each full collection walks them again:
about 140 ms on a 2-core laptop with a 10,000-system workspace open. After the first workspace
and its catalog are loaded, one collection clears what start-up left behind and
``gc.freeze()`` moves the survivors to a permanent generation; later collections walk only
newer objects. Frozen objects are still freed by reference counting when they are dropped.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)

_settled = False


def settle_heap() -> bool:
    """Collect once and freeze what survives; only the first call does anything.

    Returns:
        True when this call settled the heap, False when an earlier call had.
    """
    global _settled  # noqa: PLW0603 - once per process
    if _settled:
        return False
    _settled = True
    started = time.perf_counter()
    unreachable = gc.collect()
    gc.freeze()
    logger.info(
        "heap settled: %d unreachable objects collected, the rest frozen, in %.0f ms",
        unreachable,
        (time.perf_counter() - started) * 1000,
    )
    return True
