"""What changed in a workspace since a point of its journal, for views that show its records.

The window learns about its own changes from the units of work it commits; changes made by
another program (the ``assay`` CLI, a second window) and by services that do not report
change records yet are read here from the journal, which every user-visible write appends to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.services.unit import reads
from app.storage.repositories.journal_feed import JournalFeedRepository
from app.storage.unit_of_work import Change, UnitOfWork

logger = logging.getLogger(__name__)

FEED_LIMIT = 500
"""The most entries read at once; past it the reader is told to reload everything."""


@dataclass(frozen=True)
class Feed:
    """The journal after a point.

    Attributes:
        head: The newest entry's sequence number when read.
        changes: The entries after the point, oldest first, as (sequence number, change).
        complete: False when more than :data:`FEED_LIMIT` entries followed the point.
    """

    head: int
    changes: tuple[tuple[int, Change], ...]
    complete: bool


@reads
def journal_head(uow: UnitOfWork) -> int:
    """Return the sequence number of the newest journal entry (0 when there is none)."""
    return uow.repository(JournalFeedRepository).head()


@reads
def changes_since(uow: UnitOfWork, seq: int) -> Feed:
    """Return the journal's changes after entry ``seq``.

    Args:
        uow: A reading unit (or the workspace).
        seq: The last entry already known.

    Returns:
        The head and the changes after ``seq``; ``complete`` is False when there were more
        than :data:`FEED_LIMIT` of them (only the first ones are returned).
    """
    feed = uow.repository(JournalFeedRepository)
    head = feed.head()
    if head <= seq:
        return Feed(head, (), True)
    numbered = feed.since(seq, FEED_LIMIT)
    return Feed(head, tuple(numbered), head - seq <= FEED_LIMIT)
