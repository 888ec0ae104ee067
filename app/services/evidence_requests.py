"""Evidence asked of a named client contact, per question or per finding, with a due date.

A request moves from ``requested`` to ``received`` and then ``accepted`` or ``rejected``; one
still ``requested`` after its due date is overdue. The list goes to the client in the
assessment workbook and its status and received dates come back from it
(:mod:`app.services.reporting.request_sheet`). Every change is journalled.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from app.domain.review import RequestStatus, is_overdue
from app.services.errors import UserError
from app.services.review import assessment_row
from app.services.unit import reads, writes
from app.storage.models import EvidenceRequest
from app.storage.repositories.review import ReviewRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

_FIELDS = ("question_id", "finding_id", "contact", "contact_email", "description", "due_date",
           "status", "received_on", "note")  # fmt: skip
#: The fields a returned workbook may change.
CLIENT_FIELDS = ("status", "received_on", "note")


@dataclass(frozen=True)
class RequestInfo:
    """One evidence request as plain values; ``overdue`` is as of the day it was read."""

    id: int
    assessment_id: int
    question_id: str
    finding_id: int | None
    contact: str
    contact_email: str
    description: str
    due_date: dt.date | None
    status: str
    received_on: dt.date | None
    note: str
    requested_by: str
    created_at: dt.datetime
    overdue: bool = False

    @property
    def subject(self) -> str:
        """Return what the request is about: a question id or ``finding N``."""
        if self.finding_id is not None:
            return f"finding {self.finding_id}"
        return self.question_id

    def as_dict(self) -> dict[str, Any]:
        """Return the request as JSON-ready data."""
        return asdict(self) | {"subject": self.subject}


def request_info(row: EvidenceRequest, today: dt.date | None = None) -> RequestInfo:
    """Return a request row's plain values, with whether it is overdue ``today``."""
    day = today or dt.date.today()
    values = {name: getattr(row, name) for name in _FIELDS}
    return RequestInfo(
        id=row.id or 0, assessment_id=row.assessment_id, **values,
        requested_by=row.requested_by, created_at=row.created_at,
        overdue=is_overdue(row.status, row.due_date, day),
    )  # fmt: skip


def check_status(value: str) -> str:
    """Return a request status's stored value.

    Raises:
        UserError: Not a status of a request.
    """
    text = value.strip().lower()
    allowed = [s.value for s in RequestStatus]
    if text not in allowed:
        raise UserError(f"status must be one of {', '.join(allowed)}, not {value!r}")
    return text


@reads
def list_requests(
    uow: UnitOfWork, assessment_id: int | None = None, *, overdue_only: bool = False
) -> list[RequestInfo]:
    """Return the evidence requests of one assessment (or of all), oldest first."""
    rows = uow.repository(ReviewRepository).requests(assessment_id)
    infos = [request_info(row) for row in rows]
    return [i for i in infos if i.overdue] if overdue_only else infos


@writes
def add_request(
    uow: UnitOfWork,
    assessment_id: int,
    *,
    contact: str,
    description: str,
    due_date: dt.date | None,
    question_id: str = "",
    finding_id: int | None = None,
    contact_email: str = "",
) -> RequestInfo:
    """Ask a client contact for evidence on a question or a finding, and journal it.

    Raises:
        UserError: No contact, neither or both of question and finding, an unknown question or
            finding, or a final assessment.
    """
    repo = uow.repository(ReviewRepository)
    assessment_row(uow, assessment_id, editing=True)
    if not contact.strip():
        raise UserError("an evidence request needs the name of the client contact asked")
    if bool(question_id) == (finding_id is not None):
        raise UserError("an evidence request is about one question or one finding")
    _check_subject(repo, assessment_id, question_id, finding_id)
    row = EvidenceRequest(
        assessment_id=assessment_id, question_id=question_id, finding_id=finding_id,
        contact=contact.strip(), contact_email=contact_email.strip(),
        description=description.strip(), due_date=due_date, requested_by=uow.actor,
    )  # fmt: skip
    repo.add(row)
    info = request_info(row)
    uow.record("request.add", "evidence_request", info.id, after=_values(row))
    return info


@writes
def update_request(uow: UnitOfWork, /, request_id: int, **changes: Any) -> RequestInfo:
    """Change a request (status, received date, note, due date, contact…) and journal it.

    Receiving a request without a date records today as its received date.

    Raises:
        UserError: No such request, an unknown field or status, or a final assessment.
    """
    repo = uow.repository(ReviewRepository)
    row = repo.request(request_id)
    if row is None:
        raise UserError(f"no evidence request {request_id}")
    assessment_row(uow, row.assessment_id, editing=True)
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        fields = plural(len(unknown), "evidence request field", number=False)
        raise UserError(f"unknown {fields}: {', '.join(sorted(unknown))}")
    if "status" in changes:
        changes["status"] = check_status(str(changes["status"]))
    before = _values(row)
    for name, value in changes.items():
        setattr(row, name, value)
    if row.status != RequestStatus.REQUESTED and row.received_on is None:
        row.received_on = dt.date.today()
    after = _values(row)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        old, new = ({k: values[k] for k in changed} for values in (before, after))
        uow.record("request.update", "evidence_request", request_id, before=old, after=new)
    return request_info(row)


def _values(row: EvidenceRequest) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _FIELDS}


def _check_subject(
    repo: ReviewRepository, assessment_id: int, question_id: str, finding_id: int | None
) -> None:
    if question_id and repo.response(assessment_id, question_id) is None:
        raise UserError(f"question {question_id!r} is not part of assessment {assessment_id}")
    if finding_id is not None:
        finding = repo.finding(finding_id)
        if finding is None or finding.assessment_id not in (None, assessment_id):
            raise UserError(f"no finding {finding_id} in assessment {assessment_id}")
