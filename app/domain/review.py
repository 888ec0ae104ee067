"""Words of the assessor's voice and of review: opinion scale, answer provenance, requests.

These are plain values shared by the services, the CLI, the window and the reports, so that
every place names an answer's source, a verification method or a request's status alike.
"""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum

logger = logging.getLogger(__name__)


class OpinionRating(StrEnum):
    """The assessor's overall opinion, best first."""

    SATISFACTORY = "satisfactory"
    NEEDS_IMPROVEMENT = "needs improvement"
    UNSATISFACTORY = "unsatisfactory"


#: What each rating means, as the report states the scale.
OPINION_SCALE: dict[OpinionRating, str] = {
    OpinionRating.SATISFACTORY: (
        "Controls are in place and working for the scope assessed; the findings are minor."
    ),
    OpinionRating.NEEDS_IMPROVEMENT: (
        "The essentials are in place, but gaps leave material risk that needs planned action."
    ),
    OpinionRating.UNSATISFACTORY: (
        "Key controls are missing or not working; the risk needs prompt management attention."
    ),
}


class AnswerSource(StrEnum):
    """Who gave an answer."""

    ASSESSOR = "assessor"
    CLIENT = "client"


class VerificationMethod(StrEnum):
    """How the assessor established an answer."""

    DOCUMENT_REVIEW = "document-review"
    INTERVIEW = "interview"
    TEST = "test"


class RequestStatus(StrEnum):
    """Where an evidence request stands."""

    REQUESTED = "requested"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


#: Requests still waiting for the client (and so able to be overdue).
WAITING = frozenset({RequestStatus.REQUESTED})


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    """Return True when a request still waits for the client after its due date."""
    return status in WAITING and due is not None and due < today


def source_label(source: str) -> str:
    """Return who gave an answer, in words: the assessor, or the client's self-assessment."""
    return "Client self-assessment" if source == AnswerSource.CLIENT else "Assessor"


def verification_text(
    source: str, method: str, with_whom: str, on: dt.date | None, by: str = ""
) -> str:
    """Return how an answer was verified, e.g. "Interview with A on 2026-12-03 (R. Lee)".

    An answer nobody verified reads "Not verified" when it is the client's, else "Method not
    recorded".
    """
    if not method:
        return "Not verified" if source == AnswerSource.CLIENT else "Method not recorded"
    detail = f" with {with_whom}" if with_whom else ""
    when = f" on {on.isoformat()}" if on else ""
    who = f" ({by})" if by else ""
    return f"{method.replace('-', ' ').capitalize()}{detail}{when}{who}"


def provenance_text(
    source: str, method: str, with_whom: str, on: dt.date | None, by: str = ""
) -> str:
    """Return an answer's provenance in one phrase, e.g. "Verified by interview with A (3 Dec)".

    Args:
        source: ``assessor`` or ``client``.
        method: The verification method, or empty when none was recorded.
        with_whom: Who was interviewed or shown the test, if anyone.
        on: When it was verified.
        by: Who verified it.
    """
    how = method.replace("-", " ")
    detail = f" with {with_whom}" if with_whom else ""
    when = f" on {on.isoformat()}" if on else ""
    who = f" ({by})" if by else ""
    if method:
        prefix = "Client self-assessment, verified" if source == AnswerSource.CLIENT else "Verified"
        return f"{prefix} by {how}{detail}{when}{who}"
    if source == AnswerSource.CLIENT:
        return "Client self-assessment (not verified)"
    return "Assessor (method not recorded)"
