"""What the checks around an assessment read beyond its answers: evidence bytes, owners, facts.

The quality gate asks whether linked evidence still matches its hash and whether the system and
its identities have owners; suggested answers read the inventory facts of one system and its
open identity findings.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.domain.enums import FindingSource, FindingStatus
from app.storage.models import (
    AISystem,
    Delegation,
    Evidence,
    EvidenceBlob,
    Finding,
    Grant,
    Identity,
    Person,
    Resource,
    Response,
    ResponseEvidence,
    SystemIdentity,
)

logger = logging.getLogger(__name__)


class AssessmentChecksRepository:
    """Reads what the quality gate and the suggested answers look at.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def linked_evidence(self, assessment_id: int) -> list[tuple[int, str, str]]:
        """Return ``(id, file name, SHA-256)`` of every evidence record an assessment links."""
        rows = self._session.execute(
            sa.select(col(Evidence.id), col(Evidence.file_name), col(Evidence.sha256))
            .join(ResponseEvidence, col(ResponseEvidence.evidence_id) == col(Evidence.id))
            .join(Response, col(Response.id) == col(ResponseEvidence.response_id))
            .where(col(Response.assessment_id) == assessment_id)
            .distinct()
            .order_by(col(Evidence.id))
        ).all()
        return [(int(eid), name, digest) for eid, name, digest in rows]

    def blob(self, sha256: str) -> bytes | None:
        """Return the stored bytes with this SHA-256, or None."""
        data: bytes | None = self._session.execute(
            sa.select(col(EvidenceBlob.data)).where(col(EvidenceBlob.sha256) == sha256)
        ).scalar_one_or_none()
        return data

    def system(self, system_id: int) -> AISystem | None:
        """Return an AI system row by its database id, or None."""
        return self._session.get(AISystem, system_id)

    def person(self, person_id: int) -> Person | None:
        """Return a person row by its database id, or None."""
        return self._session.get(Person, person_id)

    def unowned_identities(self, system_id: int) -> list[tuple[str, str]]:
        """Return ``(inventory id, name)`` of a system's identities that have no owner, in order."""
        rows = self._session.execute(
            sa.select(col(Identity.external_id), col(Identity.name))
            .join(SystemIdentity, col(SystemIdentity.identity_id) == col(Identity.id))
            .where(col(SystemIdentity.system_id) == system_id, col(Identity.owner_id).is_(None))
            .order_by(col(Identity.external_id))
        )
        return [(external_id, name) for external_id, name in rows]

    def open_identity_findings(self, system_id: int) -> list[tuple[str, str]]:
        """Return ``(severity, title)`` of open identity-rule findings on a system or its ids."""
        identities = sa.select(col(SystemIdentity.identity_id)).where(
            col(SystemIdentity.system_id) == system_id
        )
        rows = self._session.execute(
            sa.select(col(Finding.severity), col(Finding.title))
            .where(
                col(Finding.source) == FindingSource.IDENTITY_RULE.value,
                col(Finding.status).in_(
                    [FindingStatus.OPEN.value, FindingStatus.IN_PROGRESS.value]
                ),
                sa.or_(
                    col(Finding.system_id) == system_id, col(Finding.identity_id).in_(identities)
                ),
            )
            .order_by(col(Finding.id))
        ).all()
        return [(severity, title) for severity, title in rows]

    def identities_of(self, system_id: int) -> list[Identity]:
        """Return the identities a system uses, by inventory id."""
        return list(
            self._session.execute(
                sa.select(Identity)
                .join(SystemIdentity, col(SystemIdentity.identity_id) == col(Identity.id))
                .where(col(SystemIdentity.system_id) == system_id)
                .order_by(col(Identity.external_id))
            ).scalars()
        )

    def owner_contacts(self, owner_ids: Collection[int]) -> dict[int, str]:
        """Return each owner's e-mail address (their name when none is recorded)."""
        rows = self._session.execute(
            sa.select(col(Person.id), col(Person.email), col(Person.name)).where(
                col(Person.id).in_(owner_ids)
            )
        ).all()
        return {pid: email or name for pid, email, name in rows}

    def grants_of(self, identity_ids: Sequence[int]) -> list[tuple[Grant, str, Resource]]:
        """Return the grants of these identities with the identity's inventory id and resource."""
        rows = self._session.execute(
            sa.select(Grant, col(Identity.external_id), Resource)
            .join(Identity, col(Identity.id) == col(Grant.identity_id))
            .join(Resource, col(Resource.id) == col(Grant.resource_id))
            .where(col(Grant.identity_id).in_(identity_ids))
            .order_by(col(Identity.external_id), col(Resource.external_id))
        ).all()
        return [(grant, ext, resource) for grant, ext, resource in rows]

    def delegations_from(self, identity_ids: Sequence[int]) -> list[tuple[str, str, Any]]:
        """Return ``(from, to, kind)`` of the delegations these identities make, in order."""
        source: Any = aliased(Identity)
        target: Any = aliased(Identity)
        rows = self._session.execute(
            sa.select(source.external_id, target.external_id, col(Delegation.kind))
            .join(source, source.id == col(Delegation.from_identity_id))
            .join(target, target.id == col(Delegation.to_identity_id))
            .where(col(Delegation.from_identity_id).in_(identity_ids))
            .order_by(source.external_id, target.external_id)
        ).all()
        return [(a, b, kind) for a, b, kind in rows]
