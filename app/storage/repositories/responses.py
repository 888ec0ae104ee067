"""Answers (response rows), their evidence links, and the journal of answer changes."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.domain.enums import Origin
from app.storage.models import Evidence, JournalEntry, Response, ResponseEvidence

logger = logging.getLogger(__name__)

#: The fields of an answer an assessor sets (what a change journals before and after).
ANSWER_FIELDS = (
    "level",
    "not_applicable",
    "justification",
    "notes",
    "evidence_strength",
    "target_override",
    "flagged",
    "reviewed",
)

#: The columns :meth:`ResponseRepository.answer_values` returns, in order.
ANSWER_COLUMNS = (
    "id",
    "question_id",
    *ANSWER_FIELDS,
    "answered_by",
    "answered_at",
    "reviewed_by",
    "reviewed_at",
    "origin",
    "override_reason",
)


class ResponseRepository:
    """Reads and writes the answers of assessments and their evidence links.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, assessment_id: int, question_id: str) -> Response | None:
        """Return the response row of one question of an assessment, or None."""
        return self._session.execute(
            sa.select(Response).where(
                col(Response.assessment_id) == assessment_id,
                col(Response.question_id) == question_id,
            )
        ).scalar_one_or_none()

    def rows(self, assessment_id: int) -> list[Response]:
        """Return every response row of an assessment, in question order."""
        return list(
            self._session.execute(
                sa.select(Response)
                .where(col(Response.assessment_id) == assessment_id)
                .order_by(col(Response.id))
            ).scalars()
        )

    def rows_for(self, assessment_id: int, question_ids: Collection[str]) -> list[Response]:
        """Return the response rows of some questions of an assessment."""
        return list(
            self._session.execute(
                sa.select(Response).where(
                    col(Response.assessment_id) == assessment_id,
                    col(Response.question_id).in_(question_ids),
                )
            ).scalars()
        )

    def inherited_rows(self, assessment_id: int) -> list[Response]:
        """Return an assessment's response rows whose origin is ``inherited``."""
        return list(
            self._session.execute(
                sa.select(Response).where(
                    col(Response.assessment_id) == assessment_id,
                    col(Response.origin) == Origin.INHERITED.value,
                )
            ).scalars()
        )

    def question_ids(self, assessment_id: int) -> list[str]:
        """Return the ids of the questions an assessment asks."""
        return list(
            self._session.execute(
                sa.select(col(Response.question_id)).where(
                    col(Response.assessment_id) == assessment_id
                )
            ).scalars()
        )

    def answer_values(self, assessment_id: int) -> list[tuple[Any, ...]]:
        """Return an assessment's answers as tuples of :data:`ANSWER_COLUMNS`, in question order.

        Reads plain columns rather than rows: it is the hot path of every page and report.
        """
        columns = [getattr(Response, name) for name in ANSWER_COLUMNS]
        return [
            tuple(row)
            for row in self._session.execute(
                sa.select(*columns)
                .where(col(Response.assessment_id) == assessment_id)
                .order_by(col(Response.id))
            ).all()
        ]

    def add_blank(self, assessment_id: int, origins: Sequence[tuple[str, str]]) -> None:
        """Add unanswered responses for ``(question id, origin)`` pairs of a new assessment."""
        values = [
            {"assessment_id": assessment_id, "question_id": qid, "origin": origin}
            for qid, origin in origins
        ]
        if values:
            self._session.execute(sa.insert(Response), values)

    def copy_all(self, old_id: int, new_id: int, fields: Sequence[str]) -> int:
        """Copy an assessment's responses (these fields) and their evidence links to another.

        Returns:
            How many responses were copied.
        """
        old_rows = self.rows(old_id)
        kept = ("question_id", *fields)
        values = [{"assessment_id": new_id} | {f: getattr(r, f) for f in kept} for r in old_rows]
        if not values:
            return 0
        self._session.execute(sa.insert(Response), values)
        new_ids = dict(
            self._session.execute(
                sa.select(col(Response.question_id), col(Response.id)).where(
                    col(Response.assessment_id) == new_id
                )
            ).all()
        )
        links = self.evidence_links([r.id for r in old_rows if r.id is not None])
        pairs = [
            {"response_id": new_ids[r.question_id], "evidence_id": evidence_id}
            for r in old_rows
            for evidence_id in links.get(r.id or 0, ())
        ]
        if pairs:
            self._session.execute(sa.insert(ResponseEvidence), pairs)
        return len(values)

    def evidence_links(self, response_ids: Sequence[int]) -> dict[int, list[int]]:
        """Return the evidence ids linked to each of these responses, in id order."""
        links: dict[int, list[int]] = {}
        rows = self._session.execute(
            sa.select(col(ResponseEvidence.response_id), col(ResponseEvidence.evidence_id))
            .where(col(ResponseEvidence.response_id).in_(response_ids))
            .order_by(col(ResponseEvidence.evidence_id))
        ).all()
        for response_id, evidence_id in rows:
            links.setdefault(response_id, []).append(evidence_id)
        return links

    def evidence_exists(self, evidence_id: int) -> bool:
        """Return True when an evidence record has this id."""
        return self._session.get(Evidence, evidence_id) is not None

    def link(self, response_id: int, evidence_id: int) -> None:
        """Link an evidence record to a response (nothing happens when it is linked already)."""
        if self._session.get(ResponseEvidence, (response_id, evidence_id)) is None:
            self._session.add(ResponseEvidence(response_id=response_id, evidence_id=evidence_id))
            self._session.flush()

    def unlink(self, response_id: int, evidence_ids: Sequence[int]) -> None:
        """Remove the links of these evidence records from a response."""
        self._session.execute(
            sa.delete(ResponseEvidence).where(
                col(ResponseEvidence.response_id) == response_id,
                col(ResponseEvidence.evidence_id).in_(list(evidence_ids)),
            )
        )

    def answer_journal(self, assessment_id: int) -> list[JournalEntry]:
        """Return the journal's answer changes and undos of an assessment, newest first."""
        return list(
            self._session.execute(
                sa.select(JournalEntry)
                .where(
                    col(JournalEntry.entity) == "response",
                    col(JournalEntry.entity_id).startswith(f"{assessment_id}:"),
                    col(JournalEntry.action).in_(("response.update", "response.undo")),
                )
                .order_by(col(JournalEntry.seq).desc())
            ).scalars()
        )

    def journal_head(self) -> int:
        """Return the sequence number of the newest journal entry (0 when it is empty)."""
        return int(
            self._session.execute(sa.select(sa.func.max(col(JournalEntry.seq)))).scalar_one() or 0
        )
