"""The assessor's voice, sign-off and evidence requests as the report shows them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace

from app.domain.review import OPINION_SCALE
from app.reports.viewmodels import Answer
from app.reports.viewmodels_voice import (
    AssessorVoice,
    EvidenceRequestRow,
    ReviewCommentRow,
    ScaleStep,
)
from app.services.assessments import AssessmentInfo
from app.services.evidence_requests import RequestInfo, list_requests
from app.services.opinion import get_opinion
from app.services.provenance import Provenance, list_provenance
from app.services.review import CommentInfo, list_comments
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


def _lines(text: str) -> tuple[str, ...]:
    cleaned = (line.strip().lstrip("-•* ").strip() for line in text.splitlines())
    return tuple(line for line in cleaned if line)


def _request_row(request: RequestInfo, refs: dict[str, str]) -> EvidenceRequestRow:
    subject = refs.get(request.question_id, request.subject) if request.question_id else (
        request.subject.capitalize()
    )  # fmt: skip
    return EvidenceRequestRow(
        request.id, subject, request.contact, request.description, request.due_date,
        request.status, request.received_on, request.overdue,
    )  # fmt: skip


def comment_about(comment: CommentInfo) -> str:
    """Return what a comment is about as the workbook writes it: question id, F-n or assessment."""
    if comment.finding_id is not None:
        return f"F-{comment.finding_id}"
    return comment.question_id or "assessment"


def _comment_row(comment: CommentInfo, refs: dict[str, str]) -> ReviewCommentRow:
    about = comment_about(comment)
    subject = refs.get(comment.question_id, about) if comment.question_id else (
        "Finding " + about if comment.finding_id is not None else "The assessment as a whole"
    )  # fmt: skip
    return ReviewCommentRow(
        comment.id, about, subject, comment.text, comment.author, comment.created_at,
        comment.status, comment.resolution, comment.resolved_by, comment.resolved_at,
    )  # fmt: skip


def _subjects(answers: Sequence[Answer]) -> dict[str, str]:
    """Return each question's reference, with its focus area where the reference repeats."""
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer.ref] = counts.get(answer.ref, 0) + 1
    subjects = {}
    for answer in answers:
        area = answer.path.split(" › ")[0] if counts[answer.ref] > 1 and answer.path else ""
        subjects[answer.question_id] = f"{answer.ref} ({area})" if area else answer.ref
    return subjects


def _day(moment: dt.datetime | None) -> dt.date | None:
    return moment.date() if moment is not None else None


def build_voice(
    workspace: Workspace,
    info: AssessmentInfo,
    answers: Sequence[Answer],
    reviewer: str,
    *,
    internal: bool = True,
) -> AssessorVoice:
    """Read the assessor's voice, approval and requests of an assessment for its report.

    Args:
        workspace: The open workspace (read inside the report's snapshot).
        info: The assessment.
        answers: The report's answers (for question references).
        reviewer: The engagement's reviewer, named when the approval does not say.
        internal: Carry the reviewer's comments (the client edition carries none).
    """
    found = get_opinion(workspace, info.id)
    refs = _subjects(answers)
    requests = tuple(_request_row(r, refs) for r in list_requests(workspace, info.id))
    comments = (
        tuple(_comment_row(c, refs) for c in list_comments(workspace, info.id)) if internal else ()
    )
    sources = list_provenance(workspace, info.id).values()
    unverified = sorted(
        refs.get(p.question_id, p.question_id)
        for p in sources
        if p.source == "client" and not p.verified
    )
    scale = tuple(
        ScaleStep(rating.value, meaning, rating.value == found.rating)
        for rating, meaning in OPINION_SCALE.items()
    )
    return AssessorVoice(
        rating=found.rating,
        rationale=found.rationale,
        scale=scale,
        executive_summary=found.executive_summary,
        themes=_lines(found.key_themes),
        limitations=_lines(found.scope_limitations),
        assessor=info.assessor,
        assessed_on=_day(info.submitted_at or found.updated_at),
        reviewer=found.approved_by or info.reviewer or reviewer,
        approved_on=_day(found.approved_at),
        unverified_answers=len(unverified),
        unverified_refs=tuple(unverified),
        requests=requests,
        comments=comments,
    )


def with_provenance(
    answers: Sequence[Answer], sources: dict[str, Provenance]
) -> tuple[Answer, ...]:
    """Return the answers with each one's provenance phrase filled in."""
    return tuple(
        replace(a, provenance=found.text, answer_source=found.source_label,
                verification=found.verification)
        if (found := sources.get(a.question_id)) is not None
        else a
        for a in answers
    )  # fmt: skip


def answers_with_provenance(
    workspace: Workspace, assessment_id: int, answers: Sequence[Answer]
) -> tuple[Answer, ...]:
    """Return the report's answers with their provenance read from the workspace."""
    return with_provenance(answers, list_provenance(workspace, assessment_id))
