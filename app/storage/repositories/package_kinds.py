"""The kinds of record a package carries, and each record as plain, workspace-free values.

A record travels as a dict of its columns in which every reference to another record holds
that record's global id (``gid``) instead of its local number, and every link table becomes a
sorted list of gids on its owner (an answer's evidence, a system's identities). The same
record therefore reads the same in every workspace, and its *version* (the SHA-256 of that
dict in canonical JSON) tells whether two copies differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from app.storage.models import (
    AISystem,
    Assessment,
    AssessmentOpinion,
    Delegation,
    Evidence,
    EvidenceRequest,
    Finding,
    FindingEvidence,
    Grant,
    Identity,
    Person,
    Resource,
    Response,
    ResponseEvidence,
    ReviewComment,
    SystemEvidence,
    SystemIdentity,
)

logger = logging.getLogger(__name__)

Record = dict[str, Any]


@dataclass(frozen=True)
class Link:
    """A link table shown on its owner as a list of target gids."""

    model: type[SQLModel]
    owner: str
    target: str
    target_kind: str


@dataclass(frozen=True)
class Kind:
    """One kind of travelling record.

    Attributes:
        name: The kind's name (the package part and the journal's entity).
        model: Its table.
        refs: Columns holding another record's id, with that record's kind.
        links: Link tables shown on the record, by the name of the list.
        unversioned: Columns that travel but do not make a different version (refresh times).
    """

    name: str
    model: type[SQLModel]
    refs: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Link] = field(default_factory=dict)
    unversioned: tuple[str, ...] = ()

    @property
    def table(self) -> sa.Table:
        """Return the kind's table."""
        table: sa.Table = self.model.__table__  # type: ignore[attr-defined]
        return table


_EVIDENCE = "evidence"

#: Every kind, parents before the records that refer to them.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("person", Person),
        Kind("evidence", Evidence),
        Kind(
            "system",
            AISystem,
            {"owner_id": "person"},
            {
                "identities": Link(SystemIdentity, "system_id", "identity_id", "identity"),
                "evidence": Link(SystemEvidence, "system_id", "evidence_id", _EVIDENCE),
            },
        ),
        Kind("identity", Identity, {"owner_id": "person"}),
        Kind("resource", Resource),
        Kind("grant", Grant, {"identity_id": "identity", "resource_id": "resource"}),
        Kind(
            "delegation", Delegation, {"from_identity_id": "identity", "to_identity_id": "identity"}
        ),
        Kind("assessment", Assessment, {"system_id": "system", "previous_id": "assessment"}),
        Kind(
            "response",
            Response,
            {"assessment_id": "assessment"},
            {"evidence": Link(ResponseEvidence, "response_id", "evidence_id", _EVIDENCE)},
            unversioned=("answered_by", "answered_at"),  # the same answer given twice is one
        ),
        Kind(
            "finding",
            Finding,
            {"assessment_id": "assessment", "system_id": "system", "identity_id": "identity"},
            {"evidence": Link(FindingEvidence, "finding_id", "evidence_id", _EVIDENCE)},
            unversioned=("created_at", "updated_at"),
        ),
        Kind(
            "opinion",
            AssessmentOpinion,
            {"assessment_id": "assessment"},
            unversioned=("updated_by", "updated_at"),
        ),
        Kind(
            "evidence_request",
            EvidenceRequest,
            {"assessment_id": "assessment", "finding_id": "finding"},
        ),
        Kind(
            "review_comment",
            ReviewComment,
            {"assessment_id": "assessment", "finding_id": "finding"},
        ),
    )
}

#: The kinds an assessor hands back (the inventory and the assessments stay the lead's).
HANDBACK_KINDS = (
    "evidence",
    "response",
    "finding",
    "opinion",
    "evidence_request",
    "review_comment",
)


def plain(value: Any) -> Any:
    """Return a column value as JSON data: times in UTC without zone, dates as ISO text."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_plain(column: sa.Column[Any], value: Any) -> Any:
    """Return the column value a plain JSON value stands for (the inverse of :func:`plain`)."""
    if value is None or not isinstance(value, str):
        return value
    kind = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
    if isinstance(kind, sa.DateTime):
        moment = dt.datetime.fromisoformat(value)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat(value)
    return value


def version(kind: Kind, record: Mapping[str, Any]) -> str:
    """Return the SHA-256 of a record's travelling content (its local id and times aside)."""
    skipped = {"id", *kind.unversioned}
    content = {key: value for key, value in record.items() if key not in skipped}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
