"""The hash-chained journal of every change made through a service (its one writer and reader).

Each entry stores who did what to which record, the values before and after, and a SHA-256
over its own canonical JSON and the previous entry's hash. Changing, deleting or inserting an
entry behind the app's back breaks the chain at that entry, which :func:`verify_chain` names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import JournalEntry

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


def jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON data: dates as ISO text, enums as values, sets sorted."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return str(value)


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """Return the SHA-256 that chains one entry to the one before it."""
    body = dict(fields, prev_hash=prev_hash)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_fields(entry: JournalEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
    }


def _head(session: Session) -> tuple[int, str]:
    """Return the last entry's sequence number and hash (0 and the genesis hash when none)."""
    last = session.execute(
        sa.select(col(JournalEntry.seq), col(JournalEntry.hash))
        .order_by(col(JournalEntry.seq).desc())
        .limit(1)
    ).first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)


def _stamp(at: dt.datetime | None) -> str:
    return (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: Any = None,
    after: Any = None,
    at: dt.datetime | None = None,
) -> JournalEntry:
    """Append one journal entry in the caller's write transaction.

    Args:
        session: A session from ``Database.write()``; the entry commits with the change.
        actor: Who made the change.
        action: What was done, as ``area.verb`` (e.g. ``response.set``).
        entity: The table or kind of record changed.
        entity_id: Which record (external id where there is one).
        before: The values before the change (None for a creation).
        after: The values after the change (None for a deletion).
        at: When the change was made; now when None.

    Returns:
        The new entry.
    """
    prev_seq, prev_hash = _head(session)
    entry = JournalEntry(
        seq=prev_seq + 1,
        at=_stamp(at),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(_hashed_fields(entry), prev_hash)
    session.add(entry)
    session.flush()
    return entry


@dataclasses.dataclass(frozen=True)
class Pending:
    """One change to journal among many (see :func:`record_many`)."""

    action: str
    entity: str
    entity_id: str | int
    before: Any = None
    after: Any = None


def record_many(
    session: Session, *, actor: str, changes: list[Pending], at: dt.datetime | None = None
) -> int:
    """Append one journal entry per change in one statement, chained as :func:`record` does.

    For a change of thousands of records at once (a merge): the entries are the ones
    :func:`record` would append one by one, written together.

    Returns:
        The sequence number of the last entry (the previous head when there was nothing).
    """
    session.flush()
    seq, prev_hash = _head(session)
    rows = []
    for change in changes:
        seq += 1
        fields = {
            "seq": seq,
            "at": _stamp(at),
            "actor": actor,
            "action": change.action,
            "entity": change.entity,
            "entity_id": str(change.entity_id),
            "before": jsonable(change.before),
            "after": jsonable(change.after),
        }
        digest = entry_hash(fields, prev_hash)
        rows.append(fields | {"prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    if rows:
        session.execute(sa.insert(JournalEntry), rows)
    return int(seq)


@dataclasses.dataclass(frozen=True)
class ChainReport:
    """The result of walking the journal.

    Attributes:
        entries: How many entries were checked.
        ok: True when every link holds.
        broken_seq: The sequence number of the first entry that does not verify.
        reason: Why that entry does not verify.
        head_hash: The hash of the last entry (the journal's fingerprint).
    """

    entries: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""
    head_hash: str = GENESIS_HASH


def verify_chain(session: Session) -> ChainReport:
    """Recompute every entry's hash and check each link to the one before.

    Args:
        session: Any session on the workspace.

    Returns:
        A :class:`ChainReport` naming the first broken entry, if any.
    """
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    rows = session.execute(sa.select(JournalEntry).order_by(col(JournalEntry.seq))).scalars()
    for entry in rows:
        count += 1
        problem = _link_problem(entry, expected_seq, prev_hash)
        if problem:
            return ChainReport(count, False, entry.seq, problem, prev_hash)
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    return ChainReport(count, True, head_hash=prev_hash)


def _link_problem(entry: JournalEntry, expected_seq: int, prev_hash: str) -> str:
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing (next entry found is {entry.seq})"
    if entry.prev_hash != prev_hash:
        return "its link to the previous entry does not match (an entry was changed or removed)"
    if entry_hash(_hashed_fields(entry), entry.prev_hash) != entry.hash:
        return "its content does not match its hash (the entry was edited)"
    return ""
