"""The engagement a workspace belongs to: client, assessor, reviewer, dates, classification."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, fields

import sqlalchemy as sa

from app.services import journal
from app.services.errors import UserError
from app.services.workspace import Workspace
from app.storage.models import Engagement

logger = logging.getLogger(__name__)

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")


@dataclass(frozen=True)
class EngagementInfo:
    """The engagement's details as plain values."""

    client: str = ""
    title: str = ""
    assessor: str = ""
    assessor_organisation: str = ""
    reviewer: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    classification: str = "confidential"


_FIELDS = tuple(f.name for f in fields(EngagementInfo))


def get_engagement(workspace: Workspace) -> EngagementInfo:
    """Return the engagement, or empty details when none was recorded yet."""
    with workspace.db.read() as session:
        row = session.execute(sa.select(Engagement).limit(1)).scalar_one_or_none()
    if row is None:
        return EngagementInfo()
    return EngagementInfo(**{name: getattr(row, name) for name in _FIELDS})


def update_engagement(workspace: Workspace, **changes: object) -> EngagementInfo:
    """Change some details of the engagement and journal the change.

    Args:
        workspace: The open workspace.
        **changes: Field names of :class:`EngagementInfo` with their new values.

    Returns:
        The engagement after the change.

    Raises:
        UserError: An unknown field, a bad classification, or an end before the start.
    """
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise UserError(f"unknown engagement field(s): {', '.join(sorted(unknown))}")
    if "classification" in changes and changes["classification"] not in CLASSIFICATIONS:
        raise UserError(f"classification must be one of {', '.join(CLASSIFICATIONS)}")
    with workspace.db.write() as session:
        row = session.execute(sa.select(Engagement).limit(1)).scalar_one_or_none()
        if row is None:
            row = Engagement()
            session.add(row)
        before = {name: getattr(row, name) for name in _FIELDS}
        for name, value in changes.items():
            setattr(row, name, value)
        if row.start_date and row.end_date and row.end_date < row.start_date:
            raise UserError("the engagement cannot end before it starts")
        after = {name: getattr(row, name) for name in _FIELDS}
        journal.record(
            session,
            actor=workspace.actor,
            action="engagement.update",
            entity="engagement",
            entity_id=1,
            before=before,
            after=after,
        )
    return EngagementInfo(**after)


def update_engagement_texts(workspace: Workspace, texts: dict[str, str]) -> EngagementInfo:
    """Change the engagement from what a form holds (dates as YYYY-MM-DD, empty clears one).

    Raises:
        UserError: A date cannot be read, or the other checks of :func:`update_engagement`;
            the message names the field in words.
    """
    changes: dict[str, object] = {}
    for name, text in texts.items():
        value = text.strip()
        if name in ("start_date", "end_date"):
            changes[name] = _date_text(name, value)
        else:
            changes[name] = value
    return update_engagement(workspace, **changes)


def _date_text(name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        label = name.replace("_", " ").capitalize()
        raise UserError(f"{label}: {text!r} is not a date (write it as YYYY-MM-DD)") from exc
