"""A short description of a workspace: engagement, record counts, journal head."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.services.workspace import Workspace
from app.storage.models import (
    AISystem,
    Assessment,
    Engagement,
    Evidence,
    Finding,
    Identity,
    JournalEntry,
    Resource,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkspaceSummary:
    """What the overview page and ``assay`` status show about a workspace."""

    name: str
    path: str
    client: str
    engagement_title: str
    systems: int
    identities: int
    resources: int
    assessments: int
    open_findings: int
    evidence_files: int
    journal_entries: int
    open_by_severity: dict[str, int] = field(default_factory=dict)
    systems_most_findings: list[tuple[str, str, int]] = field(default_factory=list)
    systems_access_unknown: int = 0
    """AI systems whose blast radius is unknown: no identity reaches any recorded grant."""


def _count(session: sa.orm.Session, table: type, *where: sa.ColumnElement[bool]) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    for condition in where:
        query = query.where(condition)
    return int(session.execute(query).scalar_one())


def workspace_summary(workspace: Workspace) -> WorkspaceSummary:
    """Count the records of a workspace with one query per table."""
    with workspace.db.read() as session:
        engagement = session.execute(sa.select(Engagement).limit(1)).scalar_one_or_none()
        return WorkspaceSummary(
            name=workspace.name,
            path=str(workspace.path),
            client=engagement.client if engagement else "",
            engagement_title=engagement.title if engagement else "",
            systems=_count(session, AISystem),
            identities=_count(session, Identity),
            resources=_count(session, Resource),
            assessments=_count(session, Assessment),
            open_findings=_count(session, Finding, Finding.status.in_(_OPEN)),
            evidence_files=_count(session, Evidence),
            journal_entries=_count(session, JournalEntry),
            open_by_severity=_open_by_severity(session),
            systems_most_findings=_systems_most_findings(session),
            systems_access_unknown=_systems_access_unknown(session),
        )


_OPEN = ("open", "in-progress")

# The identities each system can act as, through delegations (UNION stops at cycles); a system
# none of whose reachable identities holds a grant has an unknown blast radius (DESIGN §5).
_ACCESS_UNKNOWN_SQL = sa.text(
    "WITH RECURSIVE reach(system_id, identity_id) AS ("
    " SELECT system_id, identity_id FROM system_identity"
    " UNION SELECT r.system_id, d.to_identity_id FROM reach r"
    " JOIN delegation d ON d.from_identity_id = r.identity_id)"
    " SELECT count(*) FROM ai_system s WHERE NOT EXISTS ("
    " SELECT 1 FROM reach r JOIN access_grant g ON g.identity_id = r.identity_id"
    " WHERE r.system_id = s.id)"
)


def _systems_access_unknown(session: sa.orm.Session) -> int:
    """Count the AI systems whose access is not recorded (blast radius unknown)."""
    return int(session.execute(_ACCESS_UNKNOWN_SQL).scalar_one())


def _open_by_severity(session: sa.orm.Session) -> dict[str, int]:
    rows = session.execute(
        sa.select(Finding.severity, sa.func.count())
        .where(Finding.status.in_(_OPEN))
        .group_by(Finding.severity)
    ).all()
    return {str(severity): int(count) for severity, count in rows}


def _systems_most_findings(session: sa.orm.Session, limit: int = 8) -> list[tuple[str, str, int]]:
    count = sa.func.count(Finding.id)
    rows = session.execute(
        sa.select(AISystem.external_id, AISystem.name, count)
        .join(Finding, Finding.system_id == AISystem.id)
        .where(Finding.status.in_(_OPEN))
        .group_by(AISystem.id)
        .order_by(count.desc(), AISystem.external_id)
        .limit(limit)
    ).all()
    return [(str(ext), str(name), int(n)) for ext, name, n in rows]
