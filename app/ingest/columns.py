"""Read a block of rows column by column: ordinary cells are converted in C loops.

A sheet's rows are read a block at a time. Each mapped column of a block is converted at once
(text trimmed and shared, vocabularies, e-mails and dates looked up in their memo tables),
which costs a fraction of reading it cell by cell. A cell that is anything but ordinary (too
long, not understood, an owner's name in an e-mail cell, a value the user gave a meaning)
marks its row, and the caller reads that row cell by cell, which reports its problems.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from sys import intern
from typing import Any

from app.ingest.values import BadValue, Copying, Remembered

logger = logging.getLogger(__name__)

#: How a mapped column's text cells are kept: as they are, trimmed and shared within the
#: column, or trimmed and interned (ids repeat across sheets).
OTHER, TEXT, ID = 0, 1, 2

_first, _second = itemgetter(0), itemgetter(1)


class _Unusual(Exception):  # noqa: N818 - a signal, not an error
    """A cell the block reading leaves to the reading cell by cell."""


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """How the cells of one mapped column are converted.

    Attributes:
        text: :data:`TEXT`, :data:`ID` or :data:`OTHER`.
        normalise: The field's normaliser (for cells that are not text of a text field).
        owner: The memoised owner reading of an e-mail field, else None.
        meanings: True when the user gave some of the column's values a meaning.
        seen: The column's shared strings (the same table the cell-by-cell reading uses).
        long_cell: The length from which a text cell is checked for its length.
    """

    text: int
    normalise: Callable[[Any], Any]
    owner: Remembered | None
    meanings: bool
    seen: dict[str, str]
    long_cell: int

    def convert(self, cells: Sequence[Any], unusual: set[int]) -> list[Any]:
        """Return the column's values; add the positions of cells it cannot take to ``unusual``.

        Args:
            cells: The column's cells, one per row of the block.
            unusual: Positions (in the block) of rows to be read cell by cell.

        Returns:
            One value per cell; a cell named in ``unusual`` has a value of no meaning.
        """
        try:
            found = self._convert_all(cells)
        except (BadValue, _Unusual):
            found = None
        if found is not None:
            return found
        values = []
        for position, raw in enumerate(cells):
            try:
                values.append(self._convert_one(raw))
            except (BadValue, _Unusual):
                unusual.add(position)
                values.append(None)
        return values

    def _convert_all(self, cells: Sequence[Any]) -> list[Any] | None:
        """Convert a column whose cells are all of one type, in C loops; None when it is not."""
        if self.meanings:
            return None
        types = set(map(type, cells))
        if len(types) != 1:
            return None
        kind = types.pop()
        if kind is str:
            if max(map(len, cells)) >= self.long_cell:
                return None
            if self.text:
                trimmed = list(map(str.strip, cells))
                if self.text == ID:
                    return list(map(intern, trimmed))
                return list(map(self.seen.setdefault, trimmed, trimmed))
        elif self.text:
            return None
        if self.owner is not None:
            pairs = self._looked_up(self.owner, kind, cells)
            if any(map(_second, pairs)):
                raise _Unusual
            return list(map(_first, pairs))
        norm = self.normalise
        if isinstance(norm, Copying):
            return list(map(list, self._looked_up(norm.remembered, kind, cells)))
        if isinstance(norm, Remembered):
            return self._looked_up(norm, kind, cells)
        return list(map(norm, cells))

    @staticmethod
    def _looked_up(memo: Remembered, kind: type, cells: Sequence[Any]) -> list[Any]:
        if kind is str:
            return list(map(memo.texts.__getitem__, cells))
        try:
            return list(map(memo.others.__getitem__, zip(repeat(kind), cells)))
        except TypeError:  # unhashable cells: nothing to remember
            return list(map(memo.function, cells))

    def _convert_one(self, raw: Any) -> Any:
        """Convert one cell as the cell-by-cell reading would, raising when it has more to say."""
        if raw.__class__ is str and len(raw) >= self.long_cell:
            raise _Unusual
        if self.meanings and raw not in ("", None):
            raise _Unusual
        if self.text and raw.__class__ is str:
            raw = raw.strip()
            return intern(raw) if self.text == ID else self.seen.setdefault(raw, raw)
        if self.owner is not None:
            email, owner = self.owner(raw)
            if owner:
                raise _Unusual
            return email
        return self.normalise(raw)
