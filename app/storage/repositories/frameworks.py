"""Framework versions stored in the workspace: custom sets and versions assessments moved to."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import FrameworkVersion

logger = logging.getLogger(__name__)


class FrameworkVersionRepository:
    """Reads and adds stored framework versions (the YAML text of each, with its hash).

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def custom(self) -> list[FrameworkVersion]:
        """Return every stored custom version, oldest first."""
        rows = self._session.execute(
            sa.select(FrameworkVersion)
            .where(col(FrameworkVersion.custom).is_(True))
            .order_by(col(FrameworkVersion.added_at), col(FrameworkVersion.id))
        ).scalars()
        return list(rows)

    def of(self, framework_id: str) -> list[FrameworkVersion]:
        """Return the stored versions of one framework, in the order they were stored."""
        rows = self._session.execute(
            sa.select(FrameworkVersion)
            .where(col(FrameworkVersion.framework_id) == framework_id)
            .order_by(col(FrameworkVersion.id))
        ).scalars()
        return list(rows)

    def custom_hashes(self, framework_id: str, version: str) -> set[str]:
        """Return the hashes of the custom texts stored as this framework version."""
        rows = self._session.execute(
            sa.select(col(FrameworkVersion.sha256)).where(
                col(FrameworkVersion.custom).is_(True),
                col(FrameworkVersion.framework_id) == framework_id,
                col(FrameworkVersion.version) == version,
            )
        ).scalars()
        return {str(digest) for digest in rows}

    def find(self, framework_id: str, version: str, sha256: str) -> FrameworkVersion | None:
        """Return the stored row of this exact text of a framework version, if any."""
        return self._session.execute(
            sa.select(FrameworkVersion).where(
                col(FrameworkVersion.framework_id) == framework_id,
                col(FrameworkVersion.version) == version,
                col(FrameworkVersion.sha256) == sha256,
            )
        ).scalar_one_or_none()

    def first_stored(self, framework_id: str, version: str, sha256: str) -> dt.datetime | None:
        """Return when this exact text of a framework version was first stored, if it was."""
        found = self._session.execute(
            sa.select(sa.func.min(col(FrameworkVersion.added_at))).where(
                col(FrameworkVersion.framework_id) == framework_id,
                col(FrameworkVersion.version) == version,
                col(FrameworkVersion.sha256) == sha256,
            )
        ).scalar_one_or_none()
        return found if isinstance(found, dt.datetime) else None

    def add(self, row: FrameworkVersion) -> FrameworkVersion:
        """Add a version; return it flushed, with its id."""
        self._session.add(row)
        self._session.flush()
        return row
