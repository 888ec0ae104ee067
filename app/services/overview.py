"""A short description of a workspace: engagement, record counts, journal head."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.services.unit import reads
from app.services.workspace import Workspace
from app.storage.repositories.engagement import EngagementRepository
from app.storage.repositories.overview import OverviewRepository
from app.storage.unit_of_work import UnitOfWork

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
    systems_access_unknown: int | None = 0
    """AI systems whose blast radius is unknown: no identity reaches any recorded grant.

    None when the summary was read without it (see :func:`workspace_summary`)."""


def workspace_summary(workspace: Workspace, *, access_unknown: bool = True) -> WorkspaceSummary:
    """Count the records of a workspace with one query per table, in one read.

    Args:
        workspace: The open workspace.
        access_unknown: Also count the AI systems whose access is not recorded. That count
            follows every delegation chain (a third of a second on 100,000 systems); the
            window reads it after the rest (:func:`systems_access_unknown`).
    """
    return _summary(workspace, workspace.name, workspace.location, access_unknown)


@reads
def systems_access_unknown(uow: UnitOfWork) -> int:
    """Count the AI systems whose blast radius is unknown (no identity reaches a grant)."""
    return uow.repository(OverviewRepository).systems_access_unknown()


@reads
def _summary(uow: UnitOfWork, name: str, path: str, access_unknown: bool) -> WorkspaceSummary:
    engagement = uow.repository(EngagementRepository).find()
    repository = uow.repository(OverviewRepository)
    counts = repository.counts()
    return WorkspaceSummary(
        name=name,
        path=path,
        client=engagement.client if engagement else "",
        engagement_title=engagement.title if engagement else "",
        systems=counts["systems"],
        identities=counts["identities"],
        resources=counts["resources"],
        assessments=counts["assessments"],
        open_findings=counts["open_findings"],
        evidence_files=counts["evidence_files"],
        journal_entries=counts["journal_entries"],
        open_by_severity=repository.open_by_severity(),
        systems_most_findings=repository.systems_most_findings(),
        systems_access_unknown=repository.systems_access_unknown() if access_unknown else None,
    )
