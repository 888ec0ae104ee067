"""The quality gate run before an assessment is finalised, reported or signed (DESIGN §6).

Errors block finalising and signing: a High-priority question left unanswered, an N/A without a
justification, evidence whose bytes no longer match their hash, a reviewer comment still open.
Warnings are shown but do not block: an answer at level 3 or above with no evidence behind it,
an AI system or one of its identities without an owner, other unanswered questions, answers
flagged for review and not yet reviewed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from app.domain.identity_names import readable
from app.domain.scoring import CONFIDENCE_LEVEL
from app.services.assessment_records import AssessmentQuestions, list_responses, load_questions
from app.services.unit import reads
from app.storage.repositories.assessment_checks import AssessmentChecksRepository
from app.storage.repositories.review import ReviewRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

ERROR, WARNING = "error", "warning"
HIGH_PRIORITY = 1


@dataclass(frozen=True)
class GateIssue:
    """One problem the gate found.

    Attributes:
        code: A stable name for the kind of problem (e.g. ``unanswered-high``).
        message: One sentence for the user.
        question_id: The question concerned, if any.
        severity: ``error`` (blocks finalising and signing) or ``warning``.
    """

    code: str
    message: str
    question_id: str = ""
    severity: str = ERROR


@dataclass(frozen=True)
class QualityReport:
    """The gate's verdict on one assessment."""

    assessment_id: int
    errors: tuple[GateIssue, ...] = field(default_factory=tuple)
    warnings: tuple[GateIssue, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Return True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def can_sign(self) -> bool:
        """Return True when the report of this assessment may be signed."""
        return self.ok

    def as_dict(self) -> dict[str, Any]:
        """Return the verdict as JSON-ready data."""
        return {
            "assessment": self.assessment_id,
            "ok": self.ok,
            "errors": [asdict(issue) for issue in self.errors],
            "warnings": [asdict(issue) for issue in self.warnings],
        }


@reads
def run_quality_gate(uow: UnitOfWork, assessment_id: int) -> QualityReport:
    """Check an assessment before it is finalised, reported or signed.

    Inside a write unit it checks what that unit sees (finalising runs it so).

    Raises:
        UserError: No such assessment.
    """
    loaded = load_questions(uow, assessment_id)
    issues = _answer_issues(uow, loaded)
    checks = uow.repository(AssessmentChecksRepository)
    issues += _evidence_issues(checks, assessment_id)
    issues += _review_issues(uow, assessment_id)
    if loaded.info.system_id is not None:  # the organisation assessment has no system
        issues += _owner_issues(checks, loaded.info.system_id)
    errors = tuple(i for i in issues if i.severity == ERROR)
    warnings = tuple(i for i in issues if i.severity == WARNING)
    logger.info(
        "quality gate of %s: %d errors, %d warnings", assessment_id, *map(len, (errors, warnings))
    )
    return QualityReport(assessment_id, errors, warnings)


def _label(question_ref: str, focus: str | None) -> str:
    return f"{question_ref} ({focus})" if focus else question_ref


def _answer_issues(uow: UnitOfWork, loaded: AssessmentQuestions) -> list[GateIssue]:
    responses = {r.question_id: r for r in list_responses(uow, loaded.info.id)}
    issues: list[GateIssue] = []
    other_unanswered = 0
    for _, question in loaded.entries():
        response = responses.get(question.id)
        if response is None:
            continue
        focus = question.focus_area.value if question.focus_area else None
        label = _label(question.ref, focus)
        if not response.answered:
            if question.priority == HIGH_PRIORITY:
                message = f"{label} is a High-priority question and is unanswered"
                if response.inherited:
                    message += " (it is inherited: answer it in the organisation assessment)"
                issues.append(GateIssue("unanswered-high", message, question.id))
            else:
                other_unanswered += 1
        elif response.not_applicable and not response.justification.strip():
            message = f"{label} is marked N/A without a justification"
            issues.append(GateIssue("na-without-reason", message, question.id))
        elif (
            response.level is not None
            and response.level >= CONFIDENCE_LEVEL
            and not response.evidence_ids
        ):
            claimed = response.evidence_strength or "self-declared"
            message = (
                f"{label} is answered at level {response.level} without an evidence file "
                f"({claimed})"
            )
            issues.append(GateIssue("level-without-evidence", message, question.id, WARNING))
        if response.flagged and not response.reviewed:
            message = f"{label} is flagged for review and not yet reviewed"
            issues.append(GateIssue("flagged-not-reviewed", message, question.id, WARNING))
    if other_unanswered:
        message = (
            f"{plural(other_unanswered, 'other question')} "
            f"{'is' if other_unanswered == 1 else 'are'} unanswered"
        )
        issues.append(GateIssue("unanswered", message, "", WARNING))
    return issues


def _evidence_issues(checks: AssessmentChecksRepository, assessment_id: int) -> list[GateIssue]:
    issues = []
    for evidence_id, name, digest in checks.linked_evidence(assessment_id):
        data = checks.blob(digest)
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            message = f"evidence {name} (#{evidence_id}) no longer matches its SHA-256"
            issues.append(GateIssue("evidence-hash", message))
    return issues


def _owner_issues(checks: AssessmentChecksRepository, system_id: int) -> list[GateIssue]:
    issues = []
    system = checks.system(system_id)
    if system is not None and system.owner_id is None:
        message = f"AI system {system.external_id} has no accountable owner"
        issues.append(GateIssue("system-without-owner", message, "", WARNING))
    for external_id, name in checks.unowned_identities(system_id):
        message = f"identity {readable(external_id, name)} used by the system has no owner"
        issues.append(GateIssue("identity-without-owner", message, "", WARNING))
    return issues


def _review_issues(uow: UnitOfWork, assessment_id: int) -> list[GateIssue]:
    """Open reviewer comments block finalising until the assessor resolves them."""
    still_open = uow.repository(ReviewRepository).open_comment_count(assessment_id)
    if not still_open:
        return []
    verb = "is" if still_open == 1 else "are"
    message = (
        f"{plural(still_open, 'review comment')} {verb} still open; resolve them before finalising"
    )
    return [GateIssue("open-review-comments", message)]
