"""A short description of a workspace: engagement, record counts, journal head."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
            open_findings=_count(session, Finding, Finding.status.in_(["open", "in-progress"])),
            evidence_files=_count(session, Evidence),
            journal_entries=_count(session, JournalEntry),
        )
