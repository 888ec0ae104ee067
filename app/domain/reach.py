"""What an identity reaches: resource → strongest action rank, shared between identities.

Many identities delegate into one large group of roles; each reaches the group's resources plus
a few of its own. Copying the group's mapping for each of them costs the size of the group per
identity, which grows with the inventory: the work grows with the square of its size.
:class:`Overlay` instead keeps the shared mapping and only the resources an identity adds or
reaches more strongly, and :func:`merge_reaches` builds one when the largest source is large.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

_K = TypeVar("_K")

#: A mapping smaller than this is copied when merged; a larger one is shared under an overlay.
SHARE_FROM = 256
#: An overlay whose own part holds more than one resource in this many of the shared part is
#: made plain (iterating an overlay costs more than iterating a dict).
FLATTEN_FROM = 8
_NOTHING: Mapping[Any, int] = {}


class Overlay(Mapping[_K, int]):
    """A shared reach (``base``) with the resources reached beyond it (``extra``).

    ``extra`` holds only resources that ``base`` lacks or reaches with a lower rank; ``base``
    is never itself an overlay. Neither is ever changed after construction.
    """

    __slots__ = ("base", "extra", "_len")

    def __init__(self, base: Mapping[_K, int], extra: dict[_K, int]) -> None:
        self.base = base
        self.extra = extra
        self._len = len(base) + sum(1 for key in extra if key not in base)

    def __getitem__(self, key: _K) -> int:
        rank = self.extra.get(key)
        return self.base[key] if rank is None else rank

    def get(self, key: _K, default: Any = None) -> Any:
        """Return the rank reached on ``key``, or ``default``."""
        rank = self.extra.get(key)
        return self.base.get(key, default) if rank is None else rank

    def __contains__(self, key: object) -> bool:
        return key in self.extra or key in self.base

    def __iter__(self) -> Iterator[_K]:
        yield from self.base
        yield from (key for key in self.extra if key not in self.base)

    def __len__(self) -> int:
        return self._len

    def pairs(self) -> Iterator[tuple[_K, int]]:
        """Yield ``(resource, rank)`` for every resource reached."""
        extra, base = self.extra, self.base
        for key, rank in base.items():
            yield key, extra.get(key, rank)
        for key, rank in extra.items():
            if key not in base:
                yield key, rank


def base_of(reach: Mapping[_K, int]) -> Mapping[_K, int]:
    """Return the plain mapping a reach shares (the reach itself when it is plain)."""
    return reach.base if type(reach) is Overlay else reach  # not isinstance: an ABC's is slow


def beyond(reach: Mapping[_K, int], base: Mapping[_K, int]) -> Iterator[tuple[_K, int]]:
    """Yield the ``(resource, rank)`` pairs of ``reach`` that may exceed what ``base`` holds."""
    if reach is base:
        return iter(())
    if type(reach) is Overlay:  # never subclassed; isinstance on an ABC costs much more
        return iter(reach.extra.items()) if reach.base is base else reach.pairs()
    return iter(reach.items())


def merge_reaches(sources: Sequence[Mapping[_K, int]]) -> Mapping[_K, int]:
    """Return the strongest rank per resource over ``sources`` (at least two of them)."""
    ordered = sorted(sources, key=len, reverse=True)
    base = base_of(ordered[0])
    if len(base) < SHARE_FROM:
        first = ordered[0]  # copied whole in C: its ranks need no comparison
        merged: dict[_K, int] = dict(first) if type(first) is dict else dict(pairs(first))
        for source in ordered[1:]:
            for key, rank in beyond(source, _NOTHING):
                if rank > merged.get(key, 0):
                    merged[key] = rank
        return merged
    extra: dict[_K, int] = {}
    for source in ordered:
        for key, rank in beyond(source, base):
            if rank > (extra.get(key) or base.get(key, 0)):
                extra[key] = rank
    if not extra:
        return base
    if len(extra) * FLATTEN_FROM > len(base):  # not much shared: a plain mapping reads faster
        return {**base, **extra}
    return Overlay(base, extra)


def pairs(reach: Mapping[_K, int]) -> Iterator[tuple[_K, int]]:
    """Yield ``(resource, rank)`` for every resource a reach holds (fast for an overlay)."""
    return beyond(reach, _NOTHING)
