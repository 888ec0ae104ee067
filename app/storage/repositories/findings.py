"""Findings, the gaps a themed finding groups, and their links to systems, identities, evidence."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from app.domain.enums import SEVERITY_ORDER, FindingSource, Severity, severity_rank
from app.storage.models import (
    AISystem,
    Assessment,
    Finding,
    FindingEvidence,
    FindingItem,
    Identity,
    SystemIdentity,
)

logger = logging.getLogger(__name__)

_SEVERITY_ORDER = sa.case(
    {s.value: severity_rank(s) for s in SEVERITY_ORDER},
    value=col(Finding.severity),
    else_=len(Severity),
)


class FindingRepository:
    """Reads and writes findings and their grouped gaps.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ findings

    def find(self, finding_id: int) -> Finding | None:
        """Return one finding, or None."""
        return self._session.get(Finding, finding_id)

    def listed(
        self,
        *,
        assessment_id: int | None = None,
        system_id: int | None = None,
        source: str | None = None,
        status: str | None = None,
    ) -> list[Finding]:
        """Return findings, most severe first, filtered by any argument given."""
        query = sa.select(Finding).order_by(_SEVERITY_ORDER, col(Finding.id))
        if assessment_id is not None:
            query = query.where(col(Finding.assessment_id) == assessment_id)
        if system_id is not None:
            query = query.where(col(Finding.system_id) == system_id)
        if source is not None:
            query = query.where(col(Finding.source) == source)
        if status is not None:
            query = query.where(col(Finding.status) == status)
        return list(self._session.execute(query).scalars())

    def themes_of(self, assessment_id: int) -> list[Finding]:
        """Return the themed findings of an assessment in the order they were made."""
        return list(
            self._session.execute(
                sa.select(Finding)
                .where(
                    col(Finding.assessment_id) == assessment_id,
                    col(Finding.source) == FindingSource.THEME.value,
                )
                .order_by(col(Finding.id))
            ).scalars()
        )

    def add(self, row: Finding) -> Finding:
        """Add a finding and flush it so it has its id."""
        self._session.add(row)
        self._session.flush()
        return row

    def delete(self, row: Finding | FindingItem) -> None:
        """Delete a finding (its items and evidence links go with it) or one item."""
        self._session.delete(row)
        self._session.flush()

    def assessment(self, assessment_id: int) -> Assessment | None:
        """Return an assessment row, or None."""
        return self._session.get(Assessment, assessment_id)

    def system_id(self, external_id: str) -> int | None:
        """Return the row id of the AI system with this inventory id, or None."""
        return self._session.execute(
            sa.select(col(AISystem.id)).where(col(AISystem.external_id) == external_id)
        ).scalar_one_or_none()

    def names(self, rows: Sequence[Finding]) -> tuple[dict[int, str], dict[int, str]]:
        """Return inventory ids of the systems and identities the findings name, by row id."""
        system_ids = {r.system_id for r in rows if r.system_id}
        identity_ids = {r.identity_id for r in rows if r.identity_id}
        systems = self._session.execute(
            sa.select(col(AISystem.id), col(AISystem.external_id)).where(
                col(AISystem.id).in_(system_ids)
            )
        ).all()
        identities = self._session.execute(
            sa.select(col(Identity.id), col(Identity.external_id)).where(
                col(Identity.id).in_(identity_ids)
            )
        ).all()
        return {r[0]: r[1] for r in systems}, {r[0]: r[1] for r in identities}

    def evidence_links(self, finding_ids: Iterable[int]) -> dict[int, list[int]]:
        """Return the evidence ids linked to each finding."""
        links: dict[int, list[int]] = {}
        for finding_id, evidence_id in self._session.execute(
            sa.select(col(FindingEvidence.finding_id), col(FindingEvidence.evidence_id)).where(
                col(FindingEvidence.finding_id).in_(list(finding_ids))
            )
        ):
            links.setdefault(finding_id, []).append(evidence_id)
        return links

    def rule_findings_of_system(self, system_id: int) -> list[Finding]:
        """Return the identity-rule findings about a system or any identity it uses."""
        identities = sa.select(col(SystemIdentity.identity_id)).where(
            col(SystemIdentity.system_id) == system_id
        )
        return list(
            self._session.execute(
                sa.select(Finding)
                .where(
                    col(Finding.source) == FindingSource.IDENTITY_RULE.value,
                    sa.or_(
                        col(Finding.system_id) == system_id,
                        col(Finding.identity_id).in_(identities),
                    ),
                )
                .order_by(col(Finding.rule_id), col(Finding.id))
            ).scalars()
        )

    # ------------------------------------------------------------------ grouped gaps

    def items_of(self, finding_ids: Iterable[int]) -> dict[int, list[FindingItem]]:
        """Return the gaps each finding groups, in the order they were added."""
        grouped: dict[int, list[FindingItem]] = {}
        rows = self._session.execute(
            sa.select(FindingItem)
            .where(col(FindingItem.finding_id).in_(list(finding_ids)))
            .order_by(col(FindingItem.id))
        ).scalars()
        for row in rows:
            grouped.setdefault(row.finding_id, []).append(row)
        return grouped

    def items_of_assessment(self, assessment_id: int) -> dict[str, FindingItem]:
        """Return the grouped gaps of an assessment by item key."""
        rows = self._session.execute(
            sa.select(FindingItem).where(col(FindingItem.assessment_id) == assessment_id)
        ).scalars()
        return {row.item_key: row for row in rows}

    def add_item(self, row: FindingItem) -> None:
        """Add one grouped gap."""
        self._session.add(row)

    def flush(self) -> None:
        """Send pending changes so later queries see them."""
        self._session.flush()
