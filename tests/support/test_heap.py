"""Returning the allocator's free memory: found where the C library has it, harmless anywhere."""

from __future__ import annotations

import ctypes
import platform
import sys

import pytest

from app.support import heap


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is a GNU C library call",
)
def test_the_gnu_c_library_call_is_found_and_runs_after_blocks_are_freed() -> None:
    assert heap._TRIM is not None
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(64 * 1024) for _ in range(256)]  # below the mmap threshold: heap
    for block in blocks:
        libc.free(block)
    heap.return_free_memory()  # the call itself: it must find the function and not fail


def test_returning_free_memory_leaves_python_objects_intact() -> None:
    held = [str(i) * 10 for i in range(10_000)]
    heap.return_free_memory()
    assert held[9_999] == "9999" * 10
