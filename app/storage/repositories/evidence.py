"""Evidence files: their stored bytes, their records and their links."""

from __future__ import annotations

import logging
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from app.storage.models import (
    AISystem,
    Assessment,
    Evidence,
    EvidenceBlob,
    Finding,
    FindingEvidence,
    Response,
    ResponseEvidence,
    SystemEvidence,
)

logger = logging.getLogger(__name__)

#: What a piece of evidence can be linked to.
LinkKind = Literal["response", "finding", "system"]

_LINKS: dict[str, type[SQLModel]] = {
    "response": ResponseEvidence,
    "finding": FindingEvidence,
    "system": SystemEvidence,
}


class EvidenceRepository:
    """Reads and writes evidence records, their blobs and their links.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ records and bytes

    def get(self, evidence_id: int) -> Evidence | None:
        """Return one evidence record, or None."""
        return self._session.get(Evidence, evidence_id)

    def find(self, sha256: str, file_name: str) -> Evidence | None:
        """Return the record of these bytes under this file name, if there is one."""
        return self._session.execute(
            sa.select(Evidence).where(
                col(Evidence.sha256) == sha256, col(Evidence.file_name) == file_name
            )
        ).scalar_one_or_none()

    def all(self, assessment_id: int | None = None) -> list[Evidence]:
        """Return every record, or those linked to one assessment's answers, by id."""
        query = sa.select(Evidence).order_by(col(Evidence.id))
        if assessment_id is not None:
            linked = (
                sa.select(col(ResponseEvidence.evidence_id))
                .join(Response, col(Response.id) == col(ResponseEvidence.response_id))
                .where(col(Response.assessment_id) == assessment_id)
            )
            query = query.where(col(Evidence.id).in_(linked))
        return list(self._session.execute(query).scalars())

    def has_blob(self, sha256: str) -> bool:
        """Return True when bytes with this hash are stored."""
        found = self._session.execute(
            sa.select(col(EvidenceBlob.sha256)).where(col(EvidenceBlob.sha256) == sha256)
        ).first()
        return found is not None

    def add(self, values: dict[str, Any], data: bytes) -> Evidence:
        """Add a record (and its bytes unless stored already); return it flushed, with its id."""
        if not self.has_blob(values["sha256"]):
            self._session.execute(
                sa.insert(EvidenceBlob),
                [{"sha256": values["sha256"], "size": len(data), "data": data}],
            )
        row = Evidence(**values)
        self._session.add(row)
        self._session.flush()
        return row

    def blob_data(self, sha256: str) -> bytes:
        """Return the stored bytes with this hash."""
        data = self._session.execute(
            sa.select(col(EvidenceBlob.data)).where(col(EvidenceBlob.sha256) == sha256)
        ).scalar_one()
        return bytes(data)

    def blob_sizes(self) -> list[tuple[str, int]]:
        """Return the hash and recorded size of every stored blob."""
        rows = self._session.execute(sa.select(col(EvidenceBlob.sha256), col(EvidenceBlob.size)))
        return [(str(key), int(size)) for key, size in rows]

    def names_by_hash(self) -> dict[str, list[str]]:
        """Return the files using each blob, as ``name (#id)``, by the blob's hash."""
        names: dict[str, list[str]] = {}
        for digest, file_name, evidence_id in self._session.execute(
            sa.select(col(Evidence.sha256), col(Evidence.file_name), col(Evidence.id)).order_by(
                col(Evidence.id)
            )
        ):
            names.setdefault(str(digest), []).append(f"{file_name} (#{evidence_id})")
        return names

    def final_assessment_backed(self, evidence_id: int) -> int | None:
        """Return a final assessment whose answers this evidence backs, if any."""
        found = self._session.execute(
            sa.select(col(Assessment.id))
            .join(Response, col(Response.assessment_id) == col(Assessment.id))
            .join(ResponseEvidence, col(ResponseEvidence.response_id) == col(Response.id))
            .where(
                col(ResponseEvidence.evidence_id) == evidence_id,
                col(Assessment.status) == "final",
            )
            .limit(1)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def delete(self, row: Evidence) -> None:
        """Delete a record and its links, and its bytes when no other record uses them."""
        for table in _LINKS.values():
            self._session.execute(
                sa.delete(table).where(col(table.evidence_id) == row.id)  # type: ignore[attr-defined]
            )
        self._session.delete(row)
        self._session.flush()
        others = self._session.execute(
            sa.select(sa.func.count())
            .select_from(Evidence)
            .where(col(Evidence.sha256) == row.sha256)
        ).scalar_one()
        if not others:
            self._session.execute(
                sa.delete(EvidenceBlob).where(col(EvidenceBlob.sha256) == row.sha256)
            )

    # ------------------------------------------------------------------ links

    def links(self, evidence_id: int) -> tuple[list[tuple[int, str]], list[int], list[str]]:
        """Return what a record backs: answers, findings and systems (by inventory id)."""
        responses = self._session.execute(
            sa.select(col(Response.assessment_id), col(Response.question_id))
            .join(ResponseEvidence, col(ResponseEvidence.response_id) == col(Response.id))
            .where(col(ResponseEvidence.evidence_id) == evidence_id)
            .order_by(col(Response.assessment_id), col(Response.id))
        ).all()
        findings = self._session.execute(
            sa.select(col(FindingEvidence.finding_id)).where(
                col(FindingEvidence.evidence_id) == evidence_id
            )
        ).scalars()
        systems = self._session.execute(
            sa.select(col(AISystem.external_id))
            .join(SystemEvidence, col(SystemEvidence.system_id) == col(AISystem.id))
            .where(col(SystemEvidence.evidence_id) == evidence_id)
        ).scalars()
        return (
            [(int(a), str(q)) for a, q in responses],
            sorted(int(f) for f in findings),
            sorted(str(s) for s in systems),
        )

    def is_linked(self, evidence_id: int) -> bool:
        """Return True when anything links to this record."""
        for table in _LINKS.values():
            linked = self._session.execute(
                sa.select(table.evidence_id)  # type: ignore[attr-defined]
                .where(table.evidence_id == evidence_id)  # type: ignore[attr-defined]
                .limit(1)
            ).first()
            if linked is not None:
                return True
        return False

    def set_link(self, kind: LinkKind, owner_id: int, evidence_id: int, *, remove: bool) -> bool:
        """Add (or with ``remove`` delete) one link; return True when it was there before."""
        model = _LINKS[kind]
        found = self._session.get(model, (owner_id, evidence_id))
        if remove and found is not None:
            self._session.delete(found)
        elif not remove and found is None:
            self._session.add(model(**{f"{kind}_id": owner_id, "evidence_id": evidence_id}))
        self._session.flush()
        return found is not None

    def finding(self, finding_id: int) -> Finding | None:
        """Return one finding, or None."""
        return self._session.get(Finding, finding_id)

    def system_id(self, external_id: str) -> int | None:
        """Return the row id of the AI system with this inventory id, or None."""
        found = self._session.execute(
            sa.select(col(AISystem.id)).where(col(AISystem.external_id) == external_id)
        ).scalar_one_or_none()
        return None if found is None else int(found)
