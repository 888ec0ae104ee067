"""What ``assay check`` reads besides the journal: foreign schema, keys, rows as stored, seals."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from app.storage import own_schema
from app.storage.models import (
    Assessment,
    Evidence,
    EvidenceBlob,
    Finding,
    Response,
    ResponseEvidence,
)

logger = logging.getLogger(__name__)

_FILE_TRIGGERS_AND_VIEWS = (
    "SELECT type, name, tbl_name, sql FROM sqlite_master "
    "WHERE type IN ('trigger', 'view') ORDER BY type, name"
)
#: The same on a server: triggers made by a user (not those behind constraints) and views, in
#: the workspace's schema.
_SERVER_TRIGGERS_AND_VIEWS = (
    "SELECT 'trigger', t.tgname, c.relname,"
    " replace(pg_get_triggerdef(t.oid), ' ON ' || quote_ident(n.nspname) || '.', ' ON ')"
    " FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
    " UNION ALL SELECT 'view', viewname, viewname, definition FROM pg_views"
    " WHERE schemaname = current_schema() ORDER BY 1, 2"
)
#: The functions in the workspace's schema on a server, with their source.
_SERVER_FUNCTIONS = (
    "SELECT p.proname, p.prosrc FROM pg_proc p"
    " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()"
    " ORDER BY 1"
)


class IntegrityRepository:
    """Reads the workspace as stored, for the checks of ``assay check`` and the seals.

    Args:
        session: The unit of work's session.
    """

    #: The records replay looks up by their numeric id, by journal entity name.
    BY_ID: dict[str, type[SQLModel]] = {
        "assessment": Assessment,
        "evidence": Evidence,
        "finding": Finding,
    }

    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ schema and keys

    def _on_server(self) -> bool:
        return self._session.connection().dialect.name != "sqlite"

    def foreign_schema_objects(self) -> list[tuple[str, str, str, str]]:
        """Return every trigger, view and function Assay did not make as it makes them.

        Each is ``(type, name, table, how)`` where ``how`` is ``added`` (not one of Assay's
        own) or ``changed`` (one of Assay's own names with another definition), by type and
        name.
        """
        server = self._on_server()
        conn = self._session.connection()
        own = own_schema.file_triggers()
        functions: dict[str, str] = {}
        if server:
            guard_triggers, functions = own_schema.server_guards()
            own = own_schema.server_triggers() | guard_triggers
            functions |= own_schema.server_functions()
        found: list[tuple[str, str, str, str]] = []
        sql = _SERVER_TRIGGERS_AND_VIEWS if server else _FILE_TRIGGERS_AND_VIEWS
        for kind, name, table, definition in conn.exec_driver_sql(sql):
            found += _unless_own(str(kind), str(name), str(table), str(definition or ""), own)
        for name, source in conn.exec_driver_sql(_SERVER_FUNCTIONS) if server else []:
            source = own_schema.without_role_names(str(source or ""))
            found += _unless_own("function", str(name), "", source, functions)
        return found

    def foreign_key_violations(self) -> list[tuple[str, str]]:
        """Return ``(table, parent table)`` for every row pointing to a missing parent.

        A server checks every foreign key at every statement and cannot be told not to by a
        connection of the application, so there is nothing to look for there.
        """
        if self._on_server():
            return []
        rows = self._session.connection().exec_driver_sql("PRAGMA foreign_key_check").all()
        return [(str(table), str(parent)) for table, _rowid, parent, _fk in rows]

    def evidence_size_mismatches(self) -> list[tuple[int, int, int]]:
        """Return ``(evidence id, its size, its blob's size)`` where the two differ."""
        rows = self._session.execute(
            sa.select(col(Evidence.id), col(Evidence.size), col(EvidenceBlob.size))
            .join(EvidenceBlob, col(EvidenceBlob.sha256) == col(Evidence.sha256))
            .where(col(Evidence.size) != col(EvidenceBlob.size))
        ).all()
        return [(int(i), int(size), int(blob)) for i, size, blob in rows]

    def count_blobs(self) -> int:
        """Return how many evidence blobs are stored."""
        count = self._session.execute(sa.select(sa.func.count()).select_from(EvidenceBlob))
        return int(count.scalar_one())

    # ------------------------------------------------------------------ rows for replay

    def row(self, entity: str, entity_id: int) -> Any:
        """Return the assessment, evidence or finding with this id, or None."""
        return self._session.get(self.BY_ID[entity], entity_id)

    def response(self, assessment_id: int, question_id: str) -> Response | None:
        """Return the answer to one question of one assessment, or None."""
        return self._session.execute(
            sa.select(Response).where(
                col(Response.assessment_id) == assessment_id,
                col(Response.question_id) == question_id,
            )
        ).scalar_one_or_none()

    def ids(self, entity: str) -> list[int]:
        """Return the ids of every assessment or evidence record, in order."""
        model: Any = self.BY_ID[entity]
        return [
            int(i) for i in self._session.execute(sa.select(model.id).order_by(model.id)).scalars()
        ]

    # ------------------------------------------------------------------ seals

    def assessment(self, assessment_id: int) -> Assessment | None:
        """Return one assessment, or None."""
        return self._session.get(Assessment, assessment_id)

    def final_assessment_ids(self) -> list[int]:
        """Return the ids of the final assessments, in order."""
        rows = self._session.execute(
            sa.select(col(Assessment.id))
            .where(col(Assessment.status) == "final")
            .order_by(col(Assessment.id))
        ).scalars()
        return [int(i) for i in rows if i is not None]

    def responses(self, assessment_id: int) -> list[Response]:
        """Return an assessment's answers in the order they were created."""
        rows = self._session.execute(
            sa.select(Response)
            .where(col(Response.assessment_id) == assessment_id)
            .order_by(col(Response.id))
        ).scalars()
        return list(rows)

    def evidence_hashes(self, assessment_id: int) -> dict[int, list[str]]:
        """Return the SHA-256 of the evidence linked to each answer of an assessment."""
        links: dict[int, list[str]] = {}
        for response_id, digest in self._session.execute(
            sa.select(col(ResponseEvidence.response_id), col(Evidence.sha256))
            .join(Evidence, col(Evidence.id) == col(ResponseEvidence.evidence_id))
            .join(Response, col(Response.id) == col(ResponseEvidence.response_id))
            .where(col(Response.assessment_id) == assessment_id)
        ):
            links.setdefault(int(response_id), []).append(str(digest))
        return links


def _unless_own(
    kind: str, name: str, table: str, definition: str, own: dict[str, str]
) -> list[tuple[str, str, str, str]]:
    """Return the object as foreign, unless it is one of Assay's own exactly as Assay made it."""
    expected = own.get(name) if kind != "view" else None
    if expected is None:
        return [(kind, name, table, "added")]
    if own_schema.normalise(definition) != own_schema.normalise(expected):
        return [(kind, name, table, "changed")]
    return []
