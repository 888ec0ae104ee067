"""The journal's head kept outside the workspace, so a truncated journal shows.

The hash chain proves every entry follows the one before, but not that the newest entries are
still there: cutting the tail (or deleting every entry) leaves a valid, shorter chain. So the
head (length and hash of the newest entry) is also recorded outside the file: in every report,
printed by ``assay check --json`` for a firm to record, and in the user's state folder each time
a workspace is closed on this computer. ``assay check`` compares the journal with that record:
the recorded entry must still be there with the same hash.

Each workspace carries a random id (a workspace setting) that names its record, so a new
workspace created where an old one was is not mistaken for a truncated one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.unit import reads, writes
from app.services.workspace import Workspace
from app.storage.journal import GENESIS_HASH
from app.storage.repositories.journal import JournalRepository
from app.storage.unit_of_work import UnitOfWork
from app.support import paths
from app.support.safe_files import write_atomically

logger = logging.getLogger(__name__)

_HEX64 = re.compile("[0-9a-fA-F]{64}")
ANCHORS_FILE = "journal-anchors.json"


@dataclass(frozen=True)
class Head:
    """The newest journal entry: how many entries there are and the newest one's hash."""

    seq: int
    hash: str

    def as_text(self) -> str:
        """Return ``SEQ:HASH``, the form ``assay check --expect-head`` takes."""
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """Read ``SEQ:HASH``.

        Raises:
            ValueError: The text is not of that form.
        """
        seq, _, digest = text.strip().partition(":")
        if not seq.isdigit() or not _HEX64.fullmatch(digest):
            raise ValueError(f"{text!r} is not SEQ:HASH (a number, a colon, 64 hex digits)")
        return cls(int(seq), digest.lower())


@reads
def journal_head(uow: UnitOfWork) -> Head:
    """Return the head of the journal as stored."""
    found = uow.repository(JournalRepository).head()
    return Head(*found) if found else Head(0, GENESIS_HASH)


@reads
def anchor_problem(uow: UnitOfWork, anchor: Head) -> str:
    """Return why the journal does not hold ``anchor`` (empty when it does)."""
    if anchor.seq == 0:
        return ""
    stored = uow.repository(JournalRepository).hash_at(anchor.seq)
    if stored is None:
        have = journal_head(uow).seq
        return (
            f"the journal was recorded with {anchor.seq} entries but has {have}: "
            "its newest entries were removed"
        )
    if stored != anchor.hash:
        return f"entry {anchor.seq} differs from the one recorded: the journal was rewritten"
    return ""


def workspace_id(workspace: Workspace, *, create: bool = False) -> str | None:
    """Return the workspace's random id; with ``create``, give it one if it has none."""
    found = _stored_id(workspace)
    if found is not None:
        return found
    if workspace.read_only or not create:
        return None
    new_id = uuid.uuid4().hex
    if _claim_id(workspace, new_id):
        return new_id
    return _stored_id(workspace)


@reads
def _stored_id(uow: UnitOfWork) -> str | None:
    value = uow.repository(JournalRepository).workspace_id()
    return value if isinstance(value, str) else None


@writes
def _claim_id(uow: UnitOfWork, new_id: str) -> bool:
    return uow.repository(JournalRepository).add_workspace_id(new_id)


def _anchors_path() -> Path:
    return paths.user_state_dir() / ANCHORS_FILE


def _load() -> dict[str, Any]:
    try:
        return _read()
    except (OSError, ValueError):
        return {}


def _read() -> dict[str, Any]:
    """Return the records; raise when the file exists but cannot be read as records."""
    try:
        text = _anchors_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def records_problem() -> str:
    """Return why the records kept on this computer cannot be read (empty when they can)."""
    try:
        _read()
    except (OSError, ValueError) as exc:
        return (
            f"the journal heads recorded on this computer ({_anchors_path()}) cannot be read "
            f"({type(exc).__name__}): the file was damaged or edited, so nothing recorded here "
            "can be compared; move it away to start a new record"
        )
    return ""


def recorded_anchor(ident: str | None) -> Head | None:
    """Return the head recorded on this computer for a workspace id, if any."""
    entry = _load().get(ident or "")
    if not isinstance(entry, dict):
        return None
    try:
        return Head(int(entry["seq"]), str(entry["hash"]))
    except (KeyError, TypeError, ValueError):
        return None


def records_at_path(path: Path | str, *, other_than: str | None) -> dict[str, Head]:
    """Return the heads recorded for the file (or server URL) at ``path`` under other ids.

    A workspace whose id was removed or changed in SQL loses its own record; the records kept
    for the same file under its earlier id still show what its journal held.
    """
    found: dict[str, Head] = {}
    for ident, entry in _load().items():
        if ident == other_than or not isinstance(entry, dict) or entry.get("path") != str(path):
            continue
        if (head := recorded_anchor(ident)) is not None:
            found[ident] = head
    return found


def forget_path(path: Path) -> None:
    """Unlink the records of a file replaced by a new, empty workspace created by Assay.

    The records stay, keyed by their workspace ids, without the file's name: the new workspace
    is not compared with them, but the old workspace still is if it is ever put back.
    """
    with contextlib.suppress(Exception):
        anchors = _read()
        moved = [entry for entry in anchors.values() if _is_at(entry, path)]
        for entry in moved:
            entry["path"] = ""
        if moved:
            _save(anchors)


def _is_at(entry: object, path: Path | str) -> bool:
    return isinstance(entry, dict) and entry.get("path") == str(path)


def _save(anchors: dict[str, Any]) -> None:
    text = json.dumps(anchors, indent=1, sort_keys=True)
    write_atomically(_anchors_path(), text.encode("utf-8"), mode=0o600)


def remember_head(workspace: Workspace) -> None:
    """Record the journal head on this computer, only ever moving it forward along the chain.

    The record also names the file the workspace was last closed as, so a workspace whose id
    is later removed or changed in SQL is still compared with it (see ``records_at_path``).
    A journal that no longer holds the recorded head keeps the old record, so ``check`` still
    sees the truncation however often the workspace is opened meanwhile. Failures are logged
    and ignored: closing a workspace must not fail for this.
    """
    try:
        _remember(workspace)
    except Exception as exc:  # noqa: BLE001 - closing must not fail; the log says why
        logger.warning("journal head not recorded on this computer: %s", type(exc).__name__)


def _remember(workspace: Workspace) -> None:
    ident = workspace_id(workspace)
    if ident is None:
        return
    _read()  # a damaged record is kept for check to report, never overwritten
    seen = _heads_held(workspace, ident, workspace.location)
    if seen is None:
        return
    head, old, held = seen
    anchors = {k: v for k, v in _load().items() if k not in held}  # an id changed, journal whole
    if old == head and not held and _is_at(anchors.get(ident), workspace.location):
        return  # nothing new to record
    anchors[ident] = {
        "seq": head.seq,
        "hash": head.hash,
        "path": workspace.location,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _save(anchors)


@reads
def _heads_held(
    uow: UnitOfWork, ident: str, path: Path | str
) -> tuple[Head, Head | None, set[str]] | None:
    """Return the head, the one recorded here and the other records the journal still holds.

    None when the journal no longer holds the head recorded here (that record is kept).
    """
    head = journal_head(uow)
    old = recorded_anchor(ident)
    if old is not None and anchor_problem(uow, old):
        return None
    others = records_at_path(path, other_than=ident)
    return head, old, {k for k, other in others.items() if not anchor_problem(uow, other)}
