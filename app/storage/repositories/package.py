"""The SQL of hand-out packages: travelling records read and written by their global ids."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from app.domain.enums import AssessmentKind
from app.storage.models import (
    Assessment,
    Delegation,
    Engagement,
    EvidenceBlob,
    FindingItem,
    FrameworkVersion,
    Grant,
    JournalEntry,
    SystemIdentity,
    WorkspaceSetting,
)
from app.storage.repositories.journal import WORKSPACE_ID_KEY
from app.storage.repositories.package_kinds import KINDS, Kind, Record, from_plain, plain

logger = logging.getLogger(__name__)

#: Tables copied as they are into a new workspace (they have no global id of their own).
RAW_TABLES: dict[str, type[SQLModel]] = {
    "engagement": Engagement,
    "framework_version": FrameworkVersion,
    "finding_item": FindingItem,
    "workspace_setting": WorkspaceSetting,
}

#: Columns matching a record arriving under a new gid to one already here.
_NATURAL: dict[str, tuple[str, ...]] = {
    "evidence": ("sha256", "file_name"),
    "response": ("assessment_id", "question_id"),
    "finding": ("key",),
    "opinion": ("assessment_id",),  # one opinion per assessment
    "system": ("external_id",),
    "identity": ("external_id",),
    "resource": ("external_id",),
}


ORGANISATION = AssessmentKind.ORGANISATION.value

#: How many ids one ``IN`` list holds at most.
_CHUNK = 500


class MissingReferenceError(ValueError):
    """A record refers to a record that is neither in the package nor in the workspace."""


class PackageRepository:
    """Reads and writes records by gid, for hand-out, hand-back and merge.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._gids: dict[str, dict[int, str]] = {}
        self._ids: dict[str, dict[str, int]] = {}

    # ------------------------------------------------------------------ ids and gids

    def gids(self, kind: str) -> dict[int, str]:
        """Return every record of a kind as ``{local id: gid}``."""
        if kind not in self._gids:
            table = KINDS[kind].table
            rows = self._session.execute(sa.select(table.c.id, table.c.gid))
            self._gids[kind] = {int(row_id): str(gid) for row_id, gid in rows}
            self._ids[kind] = {gid: row_id for row_id, gid in self._gids[kind].items()}
        return self._gids[kind]

    def id_of(self, kind: str, gid: str) -> int | None:
        """Return the local id of the record with this gid, or None."""
        self.gids(kind)
        return self._ids[kind].get(gid)

    def _remember(self, kind: str, row_id: int, gid: str) -> None:
        self.gids(kind)
        self._gids[kind][row_id] = gid
        self._ids[kind][gid] = row_id

    # ------------------------------------------------------------------ reading records

    def records(self, kind_name: str, ids: Collection[int] | None = None) -> list[Record]:
        """Return records of a kind as plain values, references as gids, by local id.

        Args:
            kind_name: The kind.
            ids: Only these local ids; every record when None.
        """
        kind = KINDS[kind_name]
        wanted = None if ids is None else set(ids)
        rows = self._session.execute(sa.select(kind.table).order_by(kind.table.c.id)).mappings()
        records = [self._record(kind, row) for row in rows if wanted is None or row["id"] in wanted]
        for name, link in kind.links.items():
            targets = self.gids(link.target_kind)
            pairs = self._session.execute(
                sa.select(link.model.__table__.c[link.owner], link.model.__table__.c[link.target])  # type: ignore[attr-defined]
            )
            linked: dict[int, list[str]] = {}
            for owner, target in pairs:
                linked.setdefault(int(owner), []).append(targets[int(target)])
            for record in records:
                record[name] = sorted(linked.get(record["id"], []))
        return records

    def _record(self, kind: Kind, row: Any) -> Record:
        record: Record = {}
        for column in kind.table.columns:
            value = row[column.name]
            target = kind.refs.get(column.name)
            if target is not None and value is not None:
                value = self.gids(target).get(int(value))
            record[column.name] = plain(value)
        return record

    def natural_match(self, kind_name: str, record: Record) -> int | None:
        """Return the local record that is the same as ``record`` under another gid, if any."""
        columns = _NATURAL.get(kind_name)
        if not columns:
            return None
        kind = KINDS[kind_name]
        values = self._values(kind, record, columns)
        if any(values[name] is None for name in columns):
            return None
        where = [kind.table.c[name] == values[name] for name in columns]
        found = self._session.execute(sa.select(kind.table.c.id).where(*where)).first()
        return None if found is None else int(found[0])

    # ------------------------------------------------------------------ writing records

    def insert(
        self, kind_name: str, record: Record, *, keep_id: bool = False, links: bool = True
    ) -> int:
        """Insert a record (its references resolved by gid); return its local id.

        Args:
            kind_name: The record's kind.
            record: Its values.
            keep_id: Keep the record's ``id`` (filling a new workspace).
            links: Insert its links too (else later, with :meth:`link`).

        Raises:
            MissingReferenceError: A reference names a record that is not here.
        """
        kind = KINDS[kind_name]
        names = [c.name for c in kind.table.columns if keep_id or c.name != "id"]
        values = self._values(kind, record, names)
        statement = sa.insert(kind.table).values(values).returning(kind.table.c.id)
        row_id = int(self._session.execute(statement).scalar_one())
        self._remember(kind_name, row_id, str(record["gid"]))
        if links:
            self._set_links(kind, row_id, record)
        return row_id

    def link(self, kind_name: str, row_id: int, record: Record) -> None:
        """Insert the links of a record inserted without them."""
        self._set_links(KINDS[kind_name], row_id, record)

    def update_many(self, kind_name: str, rows: list[tuple[int, Record]]) -> None:
        """Write records' travelling values over local records (their gids kept), in bulk.

        Args:
            kind_name: The kind of every record.
            rows: ``(local id, record)`` pairs.
        """
        if not rows:
            return
        kind = KINDS[kind_name]
        names = [c.name for c in kind.table.columns if c.name not in ("id", "gid")]
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row_id, record in rows:
            values = self._values(kind, record, names)
            by_columns.setdefault(tuple(values), []).append(values | {"row_id_": row_id})
        for columns, params in by_columns.items():
            statement = (
                sa.update(kind.table)
                .where(kind.table.c.id == sa.bindparam("row_id_"))
                .values({name: sa.bindparam(name) for name in columns})
            )
            self._session.connection().execute(statement, params)
        for link in kind.links.values():
            table = link.model.__table__  # type: ignore[attr-defined]
            owners = [row_id for row_id, _ in rows]
            for start in range(0, len(owners), _CHUNK):
                chunk = owners[start : start + _CHUNK]
                self._session.execute(sa.delete(table).where(table.c[link.owner].in_(chunk)))
        for row_id, record in rows:
            self._set_links(kind, row_id, record)

    def _values(self, kind: Kind, record: Record, names: Iterable[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in names:
            if name not in record:
                continue  # a column the package's schema did not have keeps its default
            value = record[name]
            target = kind.refs.get(name)
            if target is not None and value is not None:
                value = self._required_id(target, str(value), kind.table.c[name].nullable)
            values[name] = from_plain(kind.table.c[name], value)
        return values

    def _required_id(self, kind: str, gid: str, nullable: bool | None) -> int | None:
        found = self.id_of(kind, gid)
        if found is None and not nullable:
            raise MissingReferenceError(
                f"it refers to {kind.replace('_', ' ')} {gid}, which is neither in the package "
                "nor in this workspace"
            )
        return found

    def _set_links(self, kind: Kind, row_id: int, record: Record) -> None:
        for name, link in kind.links.items():
            table = link.model.__table__  # type: ignore[attr-defined]
            targets = [self._required_id(link.target_kind, g, False) for g in record.get(name, [])]
            if targets:
                self._session.execute(
                    sa.insert(table), [{link.owner: row_id, link.target: t} for t in targets]
                )

    # ------------------------------------------------------------------ tables without gids

    def raw_rows(self, table_name: str) -> list[dict[str, Any]]:
        """Return every row of a table without gids as plain values."""
        table = RAW_TABLES[table_name].__table__  # type: ignore[attr-defined]
        rows = self._session.execute(sa.select(table)).mappings()
        return [
            {name: plain(value) for name, value in row.items()}
            for row in rows
            # each workspace keeps its own id and its own record of packages
            if row.get("key") != WORKSPACE_ID_KEY and not str(row.get("key")).startswith("package.")
        ]

    def insert_raw(self, table_name: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows of a table without gids, keeping their ids; rows already here stay."""
        table = RAW_TABLES[table_name].__table__  # type: ignore[attr-defined]
        if rows:
            values = [{k: from_plain(table.c[k], v) for k, v in row.items()} for row in rows]
            self._session.execute(sa.insert(table).prefix_with("OR IGNORE"), values)

    # ------------------------------------------------------------------ evidence bytes

    def blob(self, sha256: str) -> bytes:
        """Return stored evidence bytes."""
        row = self._session.get(EvidenceBlob, sha256)
        if row is None:
            raise KeyError(sha256)
        return bytes(row.data)

    def blob_hashes(self) -> set[str]:
        """Return the SHA-256 of every stored evidence file."""
        return {str(h) for (h,) in self._session.execute(sa.select(col(EvidenceBlob.sha256)))}

    def add_blob(self, sha256: str, data: bytes) -> None:
        """Store evidence bytes under their SHA-256."""
        self._session.execute(
            sa.insert(EvidenceBlob).values(sha256=sha256, size=len(data), data=data)
        )

    # ------------------------------------------------------------------ selection and journal

    def slice_ids(
        self, system_ids: Collection[int], assessment_ids: Collection[int]
    ) -> dict[str, set[int]]:
        """Return the local ids of the assessments and inventory a hand-out of these carries.

        The assessments named and those of the systems named, with the organisation
        assessment they inherit from; the systems named and those of the assessments; the
        identities those systems use, their grants' resources, and the delegations between
        them.
        """
        assessments = set(assessment_ids)
        systems = set(system_ids)
        rows = self._session.execute(
            sa.select(col(Assessment.id), col(Assessment.system_id), col(Assessment.kind))
        ).all()
        assessments |= {int(row_id) for row_id, system_id, _ in rows if system_id in systems}
        systems |= {
            int(system_id)
            for row_id, system_id, _ in rows
            if row_id in assessments and system_id is not None
        }
        if assessments:  # the organisation's answers, which system assessments inherit
            assessments |= {int(row_id) for row_id, _, kind in rows if kind == ORGANISATION}
        identities = {
            int(i)
            for s, i in self._session.execute(sa.select(SystemIdentity.__table__))  # type: ignore[attr-defined]
            if s in systems
        }
        grants = self._session.execute(
            sa.select(col(Grant.id), col(Grant.identity_id), col(Grant.resource_id))
        ).all()
        delegations = self._session.execute(
            sa.select(
                col(Delegation.id), col(Delegation.from_identity_id), col(Delegation.to_identity_id)
            )
        ).all()
        return {
            "assessment": assessments,
            "system": systems,
            "identity": identities,
            "grant": {int(g) for g, i, _ in grants if i in identities},
            "resource": {int(r) for _, i, r in grants if i in identities},
            "delegation": {
                int(d) for d, a, b in delegations if a in identities and b in identities
            },
        }

    def journal_head(self) -> tuple[int, str]:
        """Return the journal's last sequence number and hash (0 and empty when none)."""
        last = self._session.execute(
            sa.select(col(JournalEntry.seq), col(JournalEntry.hash))
            .order_by(col(JournalEntry.seq).desc())
            .limit(1)
        ).first()
        return (0, "") if last is None else (int(last[0]), str(last[1]))

    def journal_afters(self, action: str) -> list[Any]:
        """Return the ``after`` values of every journal entry of one action, oldest first."""
        rows = self._session.execute(
            sa.select(col(JournalEntry.after))
            .where(col(JournalEntry.action) == action)
            .order_by(col(JournalEntry.seq))
        )
        return [after for (after,) in rows]
