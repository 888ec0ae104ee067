"""Where each answer came from: the assessor, or the client's self-assessment, and how verified.

An answer the client wrote in the responses sheet is a self-assessment and stays "not
verified" until the assessor records how they verified it (a document review, an interview
with whom, a test) and when. Each change is journalled.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from app.domain.review import (
    AnswerSource,
    VerificationMethod,
    provenance_text,
    source_label,
    verification_text,
)
from app.services.errors import UserError
from app.services.review import assessment_row
from app.services.unit import reads, writes
from app.storage.models import Response
from app.storage.repositories.review import ReviewRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

_FIELDS = ("source", "verification_method", "verified_with", "verified_on", "verified_by")
CLIENT_ACTOR = "client (responses sheet)"


@dataclass(frozen=True)
class Provenance:
    """Where one answer came from and how it was verified."""

    question_id: str
    source: str = AnswerSource.ASSESSOR.value
    verification_method: str = ""
    verified_with: str = ""
    verified_on: dt.date | None = None
    verified_by: str = ""

    @property
    def verified(self) -> bool:
        """Return True when the assessor recorded how the answer was verified."""
        return bool(self.verification_method)

    def _parts(self) -> tuple[str, str, str, dt.date | None, str]:
        return (self.source, self.verification_method, self.verified_with, self.verified_on,
                self.verified_by)  # fmt: skip

    @property
    def text(self) -> str:
        """Return the provenance in one phrase for a person."""
        return provenance_text(*self._parts())

    @property
    def source_label(self) -> str:
        """Return who gave the answer, in words."""
        return source_label(self.source)

    @property
    def verification(self) -> str:
        """Return how the answer was verified, in words ("Not verified" for the client's)."""
        return verification_text(*self._parts())

    def as_dict(self) -> dict[str, Any]:
        """Return the provenance as JSON-ready data, with its phrase."""
        return asdict(self) | {"verified": self.verified, "text": self.text}


def _info(row: Response) -> Provenance:
    return Provenance(row.question_id, **{name: getattr(row, name) for name in _FIELDS})


def check_method(method: str) -> str:
    """Return a verification method's stored value, accepting spaces for dashes.

    Raises:
        UserError: Not one of the methods.
    """
    value = method.strip().lower().replace(" ", "-")
    allowed = [m.value for m in VerificationMethod]
    if value not in allowed:
        raise UserError(f"verification method must be one of {', '.join(allowed)}, not {method!r}")
    return value


@reads
def list_provenance(uow: UnitOfWork, assessment_id: int) -> dict[str, Provenance]:
    """Return the provenance of every answer of an assessment, by question id."""
    rows = uow.repository(ReviewRepository).responses(assessment_id)
    return {row.question_id: _info(row) for row in rows}


@reads
def get_provenance(uow: UnitOfWork, assessment_id: int, question_id: str) -> Provenance:
    """Return the provenance of one answer.

    Raises:
        UserError: The question is not part of the assessment.
    """
    return _info(_row(uow, assessment_id, question_id))


@writes
def record_verification(
    uow: UnitOfWork,
    assessment_id: int,
    question_id: str,
    method: str,
    *,
    with_whom: str = "",
    on: dt.date | None = None,
) -> Provenance:
    """Record how the assessor verified an answer (the client's or their own) and journal it.

    Raises:
        UserError: The assessment is final, the question is not part of it, or the method is
            unknown.
    """
    row = _row(uow, assessment_id, question_id, editing=True)
    before = _info(row).as_dict()
    row.verification_method = check_method(method)
    row.verified_with = with_whom.strip()
    row.verified_on = on or dt.date.today()
    row.verified_by = uow.actor
    after = _info(row)
    uow.record("response.verify", "response", f"{assessment_id}:{question_id}",
               before=before, after=after.as_dict())  # fmt: skip
    return after


@writes
def set_source(
    uow: UnitOfWork, assessment_id: int, question_ids: Iterable[str], source: str
) -> list[Provenance]:
    """Record who gave some answers; a client answer loses any earlier verification.

    A client answer is marked as answered by the client, not by whoever imported the sheet.

    Raises:
        UserError: The assessment is final, a question is not part of it, or the source is
            unknown.
    """
    if source not in {s.value for s in AnswerSource}:
        raise UserError(f"answer source must be assessor or client, not {source!r}")
    changed: list[Provenance] = []
    for question_id in question_ids:
        row = _row(uow, assessment_id, question_id, editing=True)
        before = _info(row).as_dict()
        row.source = source
        if source == AnswerSource.CLIENT:
            row.answered_by = CLIENT_ACTOR
            row.verification_method, row.verified_with, row.verified_by = "", "", ""
            row.verified_on = None
        after = _info(row)
        if after.as_dict() != before:
            uow.record("response.source", "response", f"{assessment_id}:{question_id}",
                       before=before, after=after.as_dict())  # fmt: skip
            changed.append(after)
    return changed


def _row(
    uow: UnitOfWork, assessment_id: int, question_id: str, *, editing: bool = False
) -> Response:
    assessment_row(uow, assessment_id, editing=editing)
    row = uow.repository(ReviewRepository).response(assessment_id, question_id)
    if row is None:
        raise UserError(f"question {question_id!r} is not part of assessment {assessment_id}")
    return row
