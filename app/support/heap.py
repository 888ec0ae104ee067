"""Hand the memory the C allocator keeps but no longer uses back to the operating system.

Reading a large workbook frees hundreds of megabytes at a time: the parser's cells of a sheet
(made on a background thread, in an allocator arena of that thread) and the interpreter's
larger blocks. The GNU C library keeps such memory for later use rather than returning it, so
the process stays as large as at its busiest moment. :func:`return_free_memory` asks it to
give back every free page; elsewhere (other C libraries, other systems) it does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable

logger = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    """Return the C library's ``malloc_trim`` (GNU C library on Linux only), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        library = ctypes.CDLL(None)  # the C library the interpreter itself uses
    except OSError:
        return None
    trim = getattr(library, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


_TRIM = _malloc_trim()


def return_free_memory() -> None:
    """Give the allocator's free pages back to the operating system (where it can)."""
    if _TRIM is not None:
        _TRIM(0)
