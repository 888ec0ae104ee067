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
        )


_OPEN = ("open", "in-progress")


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
