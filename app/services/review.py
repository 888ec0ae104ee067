"""The reviewer's part: comments on answers and findings, and approval of the assessment.

Comments stay open until resolved; an open comment blocks finalising (the quality gate says
so). Approving records who approved and when beside the assessor's opinion and is refused
while a comment is open. Every change is journalled.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from app.domain.enums import AssessmentStatus
from app.services.errors import UserError
from app.services.unit import reads, writes
from app.storage.models import Assessment, ReviewComment
from app.storage.repositories.review import ReviewRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

OPEN, RESOLVED = "open", "resolved"


@dataclass(frozen=True)
class CommentInfo:
    """One reviewer comment as plain values."""

    id: int
    assessment_id: int
    question_id: str
    finding_id: int | None
    text: str
    author: str
    created_at: dt.datetime
    status: str
    resolution: str
    resolved_by: str
    resolved_at: dt.datetime | None

    @property
    def subject(self) -> str:
        """Return what the comment is about: a question id, ``finding N`` or the assessment."""
        if self.finding_id is not None:
            return f"finding {self.finding_id}"
        return self.question_id or "assessment"

    def as_dict(self) -> dict[str, Any]:
        """Return the comment as JSON-ready data."""
        return asdict(self) | {"subject": self.subject}


def _info(row: ReviewComment) -> CommentInfo:
    return CommentInfo(
        row.id or 0, row.assessment_id, row.question_id, row.finding_id, row.text, row.author,
        row.created_at, row.status, row.resolution, row.resolved_by, row.resolved_at,
    )  # fmt: skip


def assessment_row(uow: UnitOfWork, assessment_id: int, *, editing: bool = False) -> Assessment:
    """Return an assessment row; when ``editing``, refuse a final one.

    Raises:
        UserError: No such assessment, or it is final and ``editing``.
    """
    row = uow.repository(ReviewRepository).assessment(assessment_id)
    if row is None:
        raise UserError(f"no assessment {assessment_id}")
    if editing and row.status == AssessmentStatus.FINAL:
        raise UserError(f"assessment {assessment_id} is final and read-only")
    return row


@reads
def list_comments(
    uow: UnitOfWork, assessment_id: int, *, open_only: bool = False
) -> list[CommentInfo]:
    """Return the reviewer comments of an assessment, oldest first."""
    assessment_row(uow, assessment_id)
    infos = [_info(row) for row in uow.repository(ReviewRepository).comments(assessment_id)]
    return [c for c in infos if c.status == OPEN] if open_only else infos


@reads
def subject_problem(
    uow: UnitOfWork, assessment_id: int, question_id: str = "", finding_id: int | None = None
) -> str:
    """Return why a comment cannot be about this question or finding ('' when it can)."""
    repo = uow.repository(ReviewRepository)
    if question_id and repo.response(assessment_id, question_id) is None:
        return f"question {question_id!r} is not part of assessment {assessment_id}"
    if finding_id is not None:
        finding = repo.finding(finding_id)
        if finding is None or finding.assessment_id not in (None, assessment_id):
            return f"no finding F-{finding_id} in assessment {assessment_id}"
    return ""


@writes
def add_comment(
    uow: UnitOfWork,
    assessment_id: int,
    text: str,
    *,
    question_id: str = "",
    finding_id: int | None = None,
) -> CommentInfo:
    """Comment, as reviewer, on an answer, a finding or the assessment as a whole.

    Raises:
        UserError: An empty comment, an unknown question or finding, or a final assessment.
    """
    assessment_row(uow, assessment_id, editing=True)
    if not text.strip():
        raise UserError("a review comment needs its text")
    problem = subject_problem(uow, assessment_id, question_id, finding_id)
    if problem:
        raise UserError(problem)
    repo = uow.repository(ReviewRepository)
    row = ReviewComment(
        assessment_id=assessment_id, question_id=question_id, finding_id=finding_id,
        text=text.strip(), author=uow.actor,
    )  # fmt: skip
    repo.add(row)
    info = _info(row)
    uow.record("review.comment", "review_comment", info.id, after=info.as_dict())
    return info


@writes
def resolve_comment(uow: UnitOfWork, comment_id: int, resolution: str = "") -> CommentInfo:
    """Close a reviewer comment with what was done about it, and journal it.

    Raises:
        UserError: No such comment, it is already resolved, or the assessment is final.
    """
    row = uow.repository(ReviewRepository).comment(comment_id)
    if row is None:
        raise UserError(f"no review comment {comment_id}")
    assessment_row(uow, row.assessment_id, editing=True)
    if row.status != OPEN:
        raise UserError(f"review comment {comment_id} is already resolved")
    row.status, row.resolution = RESOLVED, resolution.strip()
    row.resolved_by, row.resolved_at = uow.actor, uow.now()
    info = _info(row)
    after = {"status": RESOLVED, "resolution": info.resolution}
    uow.record("review.resolve", "review_comment", comment_id, before={"status": OPEN}, after=after)
    return info


@writes
def approve(uow: UnitOfWork, assessment_id: int) -> dt.datetime:
    """Record the reviewer's approval of an assessment (journalled) and return when.

    Raises:
        UserError: A review comment is still open, or the assessment is final.
    """
    assessment_row(uow, assessment_id, editing=True)
    repo = uow.repository(ReviewRepository)
    still_open = repo.open_comment_count(assessment_id)
    if still_open:
        raise UserError(
            f"assessment {assessment_id} has {plural(still_open, 'open review comment')}; "
            "resolve them before approving"
        )
    row = repo.opinion_or_add(assessment_id)
    before = {"approved_by": row.approved_by, "approved_at": row.approved_at}
    row.approved_by, row.approved_at = uow.actor, uow.now()
    uow.record("review.approve", "assessment", assessment_id, before=before,
               after={"approved_by": row.approved_by, "approved_at": row.approved_at})  # fmt: skip
    return row.approved_at
