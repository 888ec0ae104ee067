"""The engagement a workspace belongs to: client, assessor, reviewer, dates, classification."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, fields

from app.services.errors import UserError
from app.services.unit import reads, writes
from app.storage.repositories.engagement import EngagementRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

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


@reads
def get_engagement(uow: UnitOfWork) -> EngagementInfo:
    """Return the engagement, or empty details when none was recorded yet."""
    row = uow.repository(EngagementRepository).find()
    if row is None:
        return EngagementInfo()
    return EngagementInfo(**{name: getattr(row, name) for name in _FIELDS})


@writes
def update_engagement(uow: UnitOfWork, /, **changes: object) -> EngagementInfo:
    """Change some details of the engagement and journal the change.

    Args:
        uow: The unit of work (or the workspace, to run in a unit of its own).
        **changes: Field names of :class:`EngagementInfo` with their new values.

    Returns:
        The engagement after the change.

    Raises:
        UserError: An unknown field, a bad classification, or an end before the start.
    """
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        fields = plural(len(unknown), "engagement field", number=False)
        raise UserError(f"unknown {fields}: {', '.join(sorted(unknown))}")
    if "classification" in changes and changes["classification"] not in CLASSIFICATIONS:
        raise UserError(f"classification must be one of {', '.join(CLASSIFICATIONS)}")
    row = uow.repository(EngagementRepository).find_or_add()
    before = {name: getattr(row, name) for name in _FIELDS}
    for name, value in changes.items():
        setattr(row, name, value)
    if row.start_date and row.end_date and row.end_date < row.start_date:
        raise UserError("the engagement cannot end before it starts")
    after = {name: getattr(row, name) for name in _FIELDS}
    uow.record("engagement.update", "engagement", 1, before=before, after=after)
    return EngagementInfo(**after)


@writes
def update_engagement_texts(uow: UnitOfWork, texts: dict[str, str]) -> EngagementInfo:
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
    return update_engagement(uow, **changes)


def _date_text(name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        label = name.replace("_", " ").capitalize()
        raise UserError(f"{label}: {text!r} is not a date (write it as YYYY-MM-DD)") from exc
