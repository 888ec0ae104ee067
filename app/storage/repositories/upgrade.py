"""The answers and findings a framework upgrade moves to the new version's questions."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import Finding, Response, ResponseEvidence

logger = logging.getLogger(__name__)


class UpgradeRepository:
    """Reads and rewrites the rows of one assessment that a framework upgrade moves.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def responses(self, assessment_id: int, question_ids: Iterable[str]) -> list[Response]:
        """Return the answers of an assessment to these questions."""
        rows = self._session.execute(
            sa.select(Response).where(
                col(Response.assessment_id) == assessment_id,
                col(Response.question_id).in_(list(question_ids)),
            )
        ).scalars()
        return list(rows)

    def add_response(self, assessment_id: int, question_id: str) -> Response:
        """Add an empty answer (flushed later, with the caller's changes)."""
        row = Response(assessment_id=assessment_id, question_id=question_id)
        self._session.add(row)
        return row

    def link_evidence(self, response_id: int, evidence_ids: Iterable[int]) -> None:
        """Link evidence to an answer, skipping links that exist."""
        for evidence_id in evidence_ids:
            if self._session.get(ResponseEvidence, (response_id, evidence_id)) is None:
                self._session.add(
                    ResponseEvidence(response_id=response_id, evidence_id=evidence_id)
                )

    def findings(self, assessment_id: int, question_ids: Iterable[str]) -> list[Finding]:
        """Return the findings of an assessment about these questions."""
        rows = self._session.execute(
            sa.select(Finding).where(
                col(Finding.assessment_id) == assessment_id,
                col(Finding.question_id).in_(list(question_ids)),
            )
        ).scalars()
        return list(rows)

    def delete(self, row: Response) -> None:
        """Delete an answer the new version has no question for."""
        self._session.delete(row)

    def flush(self) -> None:
        """Send pending changes to the database (renames are parked first to avoid clashes)."""
        self._session.flush()
