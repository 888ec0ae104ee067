"""View-model of the assessor's voice, sign-off and evidence requests, for the report.

Kept beside :mod:`app.reports.viewmodels` so the opinion block can be placed wherever the
report's opening pages put it (``templates/report/sections/opinion.html``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScaleStep:
    """One rating of the stated opinion scale and what it means."""

    rating: str
    meaning: str
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class EvidenceRequestRow:
    """One evidence request in the report's appendix."""

    number: int
    subject: str
    contact: str
    description: str
    due_date: dt.date | None
    status: str
    received_on: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class ReviewCommentRow:
    """One reviewer comment, for the internal report's review record and the workbook.

    ``about`` is what the workbook holds (a question id, ``F-12`` or ``assessment``);
    ``subject`` the same in a reader's words (the question's reference).
    """

    number: int
    about: str
    subject: str
    text: str
    author: str
    created_at: dt.datetime
    status: str
    resolution: str = ""
    resolved_by: str = ""
    resolved_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        """Return True while the comment is not resolved."""
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class AssessorVoice:
    """The assessor's opinion and texts, the sign-off dates and the evidence requests.

    Attributes:
        rating: The overall opinion (empty when none was given).
        rationale: Why the assessor holds it.
        scale: The stated scale, best first, with the chosen rating marked.
        executive_summary: The assessor's summary (blank lines separate paragraphs).
        themes: Key themes, one line each.
        limitations: Scope limitations, one line each.
        assessor: Who assessed, and ``assessed_on`` when they submitted (or last wrote).
        reviewer: Who approved, and ``approved_on`` when (None while not approved).
        unverified_answers: Answers resting on the client's self-assessment, not verified.
        unverified_refs: Their question references, for the report's scope section.
        requests: Evidence requested of the client.
        comments: The reviewer's comments (internal edition only; the client edition
            carries none and says only whether the report was reviewed and approved).
    """

    rating: str = ""
    rationale: str = ""
    scale: tuple[ScaleStep, ...] = ()
    executive_summary: str = ""
    themes: tuple[str, ...] = ()
    limitations: tuple[str, ...] = ()
    assessor: str = ""
    assessed_on: dt.date | None = None
    reviewer: str = ""
    approved_on: dt.date | None = None
    unverified_answers: int = 0
    unverified_refs: tuple[str, ...] = ()
    requests: tuple[EvidenceRequestRow, ...] = ()
    comments: tuple[ReviewCommentRow, ...] = ()

    @property
    def open_comments(self) -> tuple[ReviewCommentRow, ...]:
        """Return the comments still open."""
        return tuple(c for c in self.comments if c.is_open)

    @property
    def overdue_requests(self) -> int:
        """Return how many requests are overdue."""
        return sum(1 for r in self.requests if r.overdue)

    @property
    def has_opinion(self) -> bool:
        """Return True when anything of the assessor's voice was written."""
        return bool(self.rating or self.executive_summary or self.themes or self.limitations)
