"""The one writer's bookkeeping: what each write changed, and where those changes go.

Every change the window makes runs on the one write thread of :mod:`app.gui.tasks`. Around
each write, :func:`watching` lets the writes wait a moment for another program's lock (never
the full busy timeout), reads the journal's head, collects the change records of the units of
work the write commits (the workspace's change listeners fire on the committing thread), and
reads the journal entries the write added — so a service that does not report change records
yet, or work done in a child process, is seen too. The changes then reach the UI thread, where
the change sink (the window's :class:`~app.gui.context.GuiContext`) hands them to the views
that show those records.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.services.change_feed import changes_since, journal_head
from app.services.workspace import Workspace
from app.storage.unit_of_work import Change

logger = logging.getLogger(__name__)

WRITE_WAIT_MS = 3_000
"""How long a write of the window waits for another program's write lock before it fails."""


@dataclass
class Written:
    """What one write (or another program, seen in the journal) changed.

    Attributes:
        changes: The change records, oldest first, without repeats.
        origin: The view that asked for the write (it already shows it), or None.
        head: The journal's head read after the write, or None when it was not read.
        everything: True when too much changed to list; every view reloads.
        workspace: The workspace written to (None: not known).
    """

    changes: list[Change] = field(default_factory=list)
    origin: object = None
    head: int | None = None
    everything: bool = False
    workspace: Workspace | None = None

    def entities(self) -> set[str]:
        """Return the kinds of record changed."""
        return {change.entity for change in self.changes}


_local = threading.local()
_sink: Callable[[Written], None] | None = None


def set_change_sink(sink: Callable[[Written], None] | None) -> None:
    """Send the changes of every write to ``sink`` on the UI thread (None: drop them)."""
    global _sink  # noqa: PLW0603 - one window per process receives its writes' changes
    _sink = sink


def drop_change_sink(sink: Callable[[Written], None]) -> None:
    """Stop sending changes to ``sink`` if it is the current one (its window closed)."""
    if _sink == sink:
        set_change_sink(None)


def deliver(written: Written) -> None:
    """Hand one write's changes to the sink (called on the UI thread)."""
    if _sink is not None:
        _sink(written)


def collect(changes: list[Change]) -> bool:
    """Keep a committed unit's changes for the write running on this thread.

    Returns:
        True when a write of the one writer is running on the calling thread (the changes
        will be delivered with it); False otherwise.
    """
    collected: list[Change] | None = getattr(_local, "collected", None)
    if collected is None:
        return False
    collected.extend(changes)
    return True


@contextmanager
def watching(
    workspace: Workspace | None, report: Callable[[Written], None], origin: object = None
) -> Iterator[None]:
    """Run one write: brief waits for locks, then report what it changed, even if it failed.

    Args:
        workspace: The workspace written to; None for a write that opens its own file.
        report: Receives what changed (on the write thread).
        origin: The view that asked for the write.
    """
    if workspace is None:
        yield
        return
    workspace.db.wait_briefly_on_this_thread(WRITE_WAIT_MS)
    before = _head(workspace)
    _local.collected = collected = []
    try:
        yield
    finally:
        _local.collected = None
        written = _after(workspace, before, collected)
        written.origin, written.workspace = origin, workspace
        report(written)


def _head(workspace: Workspace) -> int | None:
    try:
        return journal_head(workspace)
    except Exception:  # noqa: BLE001 - the write itself will say what is wrong
        logger.warning("cannot read the journal's head before a write", exc_info=True)
        return None


def _after(workspace: Workspace, before: int | None, collected: list[Change]) -> Written:
    """Return the collected changes plus those the journal gained since ``before``."""
    changes = list(dict.fromkeys(collected))
    if before is None:
        return Written(changes, everything=not changes)
    try:
        feed = changes_since(workspace, before)
    except Exception:  # noqa: BLE001 - the write is done; views then reload what they show
        logger.warning("cannot read the journal after a write", exc_info=True)
        return Written(changes, everything=True)
    seen = set(changes)
    changes.extend(c for _seq, c in feed.changes if c not in seen)
    return Written(list(dict.fromkeys(changes)), head=feed.head, everything=not feed.complete)
