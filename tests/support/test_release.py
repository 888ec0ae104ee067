"""Large containers are emptied a slice at a time; small ones and other values are left."""

from __future__ import annotations

from app.support.release import LARGE, release_in_steps


class _Holder:
    def __init__(self) -> None:
        self.big = {n: (n, str(n)) for n in range(3 * LARGE)}
        self.rows = [object() for _ in range(3 * LARGE)]
        self.names = {str(n) for n in range(2 * LARGE)}
        self.small = {1: "one"}
        self.count = 7


class _Slotted:
    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows = list(range(2 * LARGE))


def test_large_containers_are_emptied_and_small_ones_kept() -> None:
    holder, slotted, loose = _Holder(), _Slotted(), list(range(LARGE))
    release_in_steps(holder, slotted, loose)
    assert (holder.big, holder.rows, holder.names) == ({}, [], set())
    assert (holder.small, holder.count) == ({1: "one"}, 7)
    assert (slotted.rows, loose) == ([], [])
