"""The assessor's opinion, evidence requests, reviewer comments and answer provenance rows."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import (
    Assessment,
    AssessmentOpinion,
    EvidenceRequest,
    Finding,
    Response,
    ReviewComment,
)

logger = logging.getLogger(__name__)


class ReviewRepository:
    """Reads and writes what an assessor and a reviewer add to an assessment.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def assessment(self, assessment_id: int) -> Assessment | None:
        """Return the assessment row, or None."""
        return self._session.get(Assessment, assessment_id)

    def finding(self, finding_id: int) -> Finding | None:
        """Return a finding row, or None."""
        return self._session.get(Finding, finding_id)

    def opinion(self, assessment_id: int) -> AssessmentOpinion | None:
        """Return the opinion row of an assessment, or None when none was written yet."""
        query = sa.select(AssessmentOpinion).where(
            col(AssessmentOpinion.assessment_id) == assessment_id
        )
        return self._session.execute(query).scalar_one_or_none()

    def opinion_or_add(self, assessment_id: int) -> AssessmentOpinion:
        """Return the opinion row of an assessment, adding an empty one first."""
        row = self.opinion(assessment_id)
        if row is None:
            row = AssessmentOpinion(assessment_id=assessment_id)
            self._session.add(row)
        return row

    def response(self, assessment_id: int, question_id: str) -> Response | None:
        """Return the response row to one question, or None."""
        query = sa.select(Response).where(
            col(Response.assessment_id) == assessment_id, col(Response.question_id) == question_id
        )
        return self._session.execute(query).scalar_one_or_none()

    def responses(self, assessment_id: int) -> Sequence[Response]:
        """Return every response row of an assessment, by question id."""
        query = (
            sa.select(Response)
            .where(col(Response.assessment_id) == assessment_id)
            .order_by(col(Response.question_id))
        )
        return self._session.execute(query).scalars().all()

    def requests(self, assessment_id: int | None = None) -> Sequence[EvidenceRequest]:
        """Return the evidence requests of one assessment (or all), oldest first."""
        query = sa.select(EvidenceRequest).order_by(col(EvidenceRequest.id))
        if assessment_id is not None:
            query = query.where(col(EvidenceRequest.assessment_id) == assessment_id)
        return self._session.execute(query).scalars().all()

    def request(self, request_id: int) -> EvidenceRequest | None:
        """Return one evidence request, or None."""
        return self._session.get(EvidenceRequest, request_id)

    def comments(self, assessment_id: int) -> Sequence[ReviewComment]:
        """Return the reviewer comments of an assessment, oldest first."""
        query = (
            sa.select(ReviewComment)
            .where(col(ReviewComment.assessment_id) == assessment_id)
            .order_by(col(ReviewComment.id))
        )
        return self._session.execute(query).scalars().all()

    def comment(self, comment_id: int) -> ReviewComment | None:
        """Return one reviewer comment, or None."""
        return self._session.get(ReviewComment, comment_id)

    def open_comment_count(self, assessment_id: int) -> int:
        """Return how many reviewer comments of an assessment are still open."""
        query = sa.select(sa.func.count(col(ReviewComment.id))).where(
            col(ReviewComment.assessment_id) == assessment_id, col(ReviewComment.status) == "open"
        )
        return int(self._session.execute(query).scalar_one())

    def add(self, row: EvidenceRequest | ReviewComment) -> None:
        """Add a new request or comment and flush it so it has its id."""
        self._session.add(row)
        self._session.flush()
