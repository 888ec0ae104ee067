"""What ``assay check`` reads besides the journal: foreign schema, keys, rows as stored, seals."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

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
    "SELECT type, name, tbl_name FROM sqlite_master "
    "WHERE type IN ('trigger', 'view') ORDER BY type, name"
)
#: The same on a server: triggers made by a user (not those behind constraints) and views, in
#: the workspace's schema.
_SERVER_TRIGGERS_AND_VIEWS = (
    "SELECT 'trigger', t.tgname, c.relname FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
    " UNION ALL SELECT 'view', viewname, viewname FROM pg_views"
    " WHERE schemaname = current_schema() ORDER BY 1, 2"
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

    def foreign_schema_objects(self) -> list[tuple[str, str, str]]:
        """Return every trigger and view as ``(type, name, table)``, by type and name."""
        sql = _SERVER_TRIGGERS_AND_VIEWS if self._on_server() else _FILE_TRIGGERS_AND_VIEWS
        rows = self._session.connection().exec_driver_sql(sql)
        return [(str(kind), str(name), str(table)) for kind, name, table in rows]

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
