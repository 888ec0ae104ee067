"""Let go of a large structure a piece at a time, so other threads keep running meanwhile.

Freeing a dictionary of a few hundred thousand entries, or a list of as many objects, is one
call into the interpreter's C code: no other thread runs Python until it is done. On a worker
of the desktop app that is a pause of the UI thread (80–130 ms for the identity graph of
100,000 systems). :func:`release_in_steps` empties such containers a slice at a time and
hands the interpreter over between slices. It is for work that runs on a worker thread; the
objects must not be used afterwards.
"""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

#: Entries freed between two hand-overs of the interpreter (well under a millisecond's work).
STEP = 2_000
#: Containers smaller than this are left to the ordinary freeing: it is quick enough.
LARGE = 10_000


def release_in_steps(*holders: Any) -> None:
    """Empty the large containers ``holders`` are or hold (one level of attributes deep).

    Args:
        holders: Containers (dict, list, set) or objects whose attributes hold them.
    """
    for holder in holders:
        if isinstance(holder, dict | list | set):
            _empty(holder)
            continue
        for value in _attributes(holder):
            if isinstance(value, dict | list | set):
                _empty(value)


def _attributes(holder: Any) -> list[Any]:
    values = list(getattr(holder, "__dict__", {}).values())
    for name in getattr(type(holder), "__slots__", ()):
        if hasattr(holder, name):
            values.append(getattr(holder, name))
    return values


def _empty(container: dict[Any, Any] | list[Any] | set[Any]) -> None:
    if len(container) < LARGE:
        return
    if isinstance(container, list):
        while container:
            del container[-STEP:]
            time.sleep(0)
        return
    while container:
        for _ in range(min(STEP, len(container))):
            container.popitem() if isinstance(container, dict) else container.pop()
        time.sleep(0)
