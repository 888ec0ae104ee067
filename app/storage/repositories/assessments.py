"""Assessments, the systems they assess and the framework texts they keep."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.domain.enums import AssessmentKind, AssessmentStatus, Origin
from app.storage.models import AISystem, Assessment, FrameworkVersion, Response

logger = logging.getLogger(__name__)

#: Per assessment: questions, answered (effective), inherited, overridden.
AnswerCounts = tuple[int, int, int, int]


class AssessmentRepository:
    """Reads and writes assessment rows and what they refer to.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, assessment_id: int) -> Assessment | None:
        """Return one assessment row, or None."""
        return self._session.get(Assessment, assessment_id)

    def system(self, system_id: int) -> AISystem | None:
        """Return one AI system row by its database id, or None."""
        return self._session.get(AISystem, system_id)

    def system_by_external_id(self, external_id: str) -> AISystem | None:
        """Return the AI system with this inventory id, or None."""
        return self._session.execute(
            sa.select(AISystem).where(col(AISystem.external_id) == external_id)
        ).scalar_one_or_none()

    def current_organisation(self) -> Assessment | None:
        """Return the newest organisation assessment, if any."""
        return self._session.execute(
            sa.select(Assessment)
            .where(col(Assessment.kind) == AssessmentKind.ORGANISATION.value)
            .order_by(col(Assessment.id).desc())
            .limit(1)
        ).scalar_one_or_none()

    def with_systems(
        self, *, organisation_only: bool = False, system_id: int | None = None
    ) -> list[tuple[Assessment, AISystem | None]]:
        """Return assessments with their systems, the organisation's first, then by id."""
        query = (
            sa.select(Assessment, AISystem)
            .join(AISystem, isouter=True)
            .order_by(col(Assessment.kind), col(Assessment.id))
        )
        if organisation_only:
            query = query.where(col(Assessment.kind) == AssessmentKind.ORGANISATION.value)
        elif system_id is not None:
            query = query.where(col(AISystem.id) == system_id)
        return [(row, system) for row, system in self._session.execute(query).all()]

    def other_ids_of_system(self, system_id: int | None, excluding: int) -> list[int]:
        """Return the ids of a system's other assessments, newest first.

        With no system, the other assessments without one (the organisation's).
        """
        return list(
            self._session.execute(
                sa.select(col(Assessment.id))
                .where(col(Assessment.system_id) == system_id, col(Assessment.id) != excluding)
                .order_by(col(Assessment.id).desc())
            ).scalars()
        )

    def add(self, row: Assessment) -> Assessment:
        """Add a new assessment row and flush it so it has its id."""
        self._session.add(row)
        self._session.flush()
        return row

    def answer_counts(self, ids: Sequence[int]) -> dict[int, AnswerCounts]:
        """Return per assessment: questions, answered (effective), inherited, overridden.

        An open system assessment's inherited question counts as answered when the current
        organisation assessment answers it.
        """
        has_answer = sa.or_(
            col(Response.level).is_not(None), col(Response.not_applicable).is_(True)
        )
        own_answered = sa.case((sa.and_(sa.not_(_live()), has_answer), 1), else_=0)
        rows = self._session.execute(
            sa.select(
                col(Response.assessment_id),
                sa.func.count(),
                sa.func.sum(own_answered),
                sa.func.sum(_is(col(Response.origin), Origin.INHERITED.value)),
                sa.func.sum(_is(col(Response.origin), Origin.OVERRIDDEN.value)),
            )
            .join(Assessment, col(Assessment.id) == col(Response.assessment_id))
            .where(col(Response.assessment_id).in_(ids))
            .group_by(col(Response.assessment_id))
        ).all()
        live = self._live_inherited_answered(ids)
        return {
            aid: (total, int(done or 0) + live.get(aid, 0), int(inh or 0), int(ovr or 0))
            for aid, total, done, inh, ovr in rows
        }

    def _live_inherited_answered(self, ids: Sequence[int]) -> dict[int, int]:
        source = self.current_organisation()
        if source is None:
            return {}
        org: Any = sa.orm.aliased(Response)
        rows = self._session.execute(
            sa.select(col(Response.assessment_id), sa.func.count())
            .join(Assessment, col(Assessment.id) == col(Response.assessment_id))
            .join(
                org,
                sa.and_(
                    org.question_id == col(Response.question_id), org.assessment_id == source.id
                ),
            )
            .where(
                col(Response.assessment_id).in_(ids),
                _live(),
                sa.or_(org.level.is_not(None), org.not_applicable.is_(True)),
            )
            .group_by(col(Response.assessment_id))
        ).all()
        return {aid: int(n) for aid, n in rows}

    def framework_version(
        self, framework_id: str, version: str, sha256: str
    ) -> FrameworkVersion | None:
        """Return the stored framework text with this id, version and SHA-256, or None."""
        return self._session.execute(
            sa.select(FrameworkVersion).where(
                col(FrameworkVersion.framework_id) == framework_id,
                col(FrameworkVersion.version) == version,
                col(FrameworkVersion.sha256) == sha256,
            )
        ).scalar_one_or_none()

    def framework_version_by_id(self, stored_id: int) -> FrameworkVersion | None:
        """Return a stored framework text by its row id, or None."""
        return self._session.get(FrameworkVersion, stored_id)

    def add_framework_version(self, row: FrameworkVersion) -> FrameworkVersion:
        """Store a framework text and flush it so it has its id."""
        self._session.add(row)
        self._session.flush()
        return row


def _is(column: Any, value: str) -> sa.Case[int]:
    return sa.case((column == value, 1), else_=0)


def _live() -> sa.ColumnElement[bool]:
    """Return the condition of a response read live from the organisation assessment."""
    return sa.and_(
        col(Response.origin) == Origin.INHERITED.value,
        col(Assessment.status) != AssessmentStatus.FINAL.value,
        col(Assessment.kind) == AssessmentKind.SYSTEM.value,
    )
