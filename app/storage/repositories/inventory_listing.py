"""The inventory as lists and details for tables, the CLI and ``--json`` output.

The rows are frozen dataclasses of plain values that a table widget or JSON output uses as
they are; :class:`InventoryListingRepository` reads them with a few bulk SELECTs.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.storage.models import (
    AISystem,
    Delegation,
    Finding,
    Grant,
    Identity,
    Person,
    Resource,
    SystemIdentity,
)
from app.storage.repositories.base import Repository
from app.storage.repositories.base import plain_select as _select

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SystemRow:
    """One AI system in a list."""

    ext_id: str
    name: str
    business_unit: str
    owner: str
    lifecycle_stage: str | None
    environment: str | None
    autonomy: str | None
    data_classification: str | None
    exposure: str | None
    identities: int
    open_findings: int


@dataclass(frozen=True, slots=True)
class DelegationRow:
    """One delegation (an identity can act as another) with its custom attributes."""

    source: str
    target: str
    kind: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SystemDetail:
    """Everything recorded about one AI system.

    ``delegations`` are those the system can use: from its identities, and on from every
    identity they reach.
    """

    row: SystemRow
    description: str
    provider: str
    model: str
    tools: tuple[str, ...]
    tags: tuple[str, ...]
    review_due: dt.date | None
    attributes: dict[str, Any]
    identities: tuple[str, ...]
    delegations: tuple[DelegationRow, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentityRow:
    """One identity in a list."""

    ext_id: str
    name: str
    kind: str | None
    provider: str
    owner: str
    environment: str | None
    created: dt.date | None
    last_rotated: dt.date | None
    last_used: dt.date | None
    expires: dt.date | None
    revocation_procedure: str
    systems: tuple[str, ...]
    grants: int


@dataclass(frozen=True, slots=True)
class GrantRow:
    """One grant an identity holds on a resource."""

    resource: str
    resource_name: str
    sensitivity: str | None
    action: str
    scope: str
    approval_required: bool | None
    last_used: dt.date | None
    conditional: bool | None = None


@dataclass(frozen=True, slots=True)
class IdentityDetail:
    """Everything recorded about one identity.

    ``acts_as`` are the delegations from it (it can act as their targets); ``acted_as_by``
    those to it (their sources can act as it). ``open_findings`` counts the recorded findings
    about it that are still open or in progress.
    """

    row: IdentityRow
    attributes: dict[str, Any]
    grants: tuple[GrantRow, ...]
    acts_as: tuple[DelegationRow, ...]
    acted_as_by: tuple[DelegationRow, ...]
    open_findings: int


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding in a list, whatever its source."""

    id: int
    key: str | None
    source: str
    rule_id: str
    severity: str
    status: str
    title: str
    detail: str
    recommendation: str
    references: tuple[str, ...]
    system: str | None
    identity: str | None
    assessment_id: int | None
    question_id: str
    owner: str
    due_date: dt.date | None


class InventoryListingRepository(Repository):
    """Reads systems, identities and findings as list rows and details."""

    def system_rows(self, *, search: str | None = None) -> list[SystemRow]:
        """Return the AI systems, by inventory id; ``search`` filters on id, name or unit."""
        return _system_rows(self._session, search=search)

    def system_ids(self) -> dict[int, str]:
        """Return row id → inventory id of every AI system."""
        rows = self._session.execute(_select(AISystem.id, AISystem.external_id)).all()
        return {int(row_id): str(ext) for row_id, ext in rows}

    def identity_names(self) -> list[tuple[str, str]]:
        """Return (inventory id, name) of every identity."""
        rows = self._session.execute(_select(Identity.external_id, Identity.name)).all()
        return [(str(ext), str(name or "")) for ext, name in rows]

    def system_detail(self, ext_id: str) -> SystemDetail | None:
        """Return one AI system by its inventory id, or None when there is none."""
        session = self._session
        rows = _system_rows(session, ext_id=ext_id)
        system = session.execute(
            sa.select(AISystem).where(col(AISystem.external_id) == ext_id)
        ).scalar_one_or_none()
        if not rows or system is None:
            return None
        identities = tuple(
            session.execute(
                _select(Identity.external_id)
                .join(SystemIdentity, col(SystemIdentity.identity_id) == col(Identity.id))
                .where(col(SystemIdentity.system_id) == system.id)
                .order_by(Identity.external_id)
            ).scalars()
        )
        return SystemDetail(
            row=rows[0],
            description=system.description,
            provider=system.provider,
            model=system.model,
            tools=tuple(system.tools or ()),
            tags=tuple(system.tags or ()),
            review_due=system.review_due,
            attributes=dict(system.attributes or {}),
            identities=identities,
            delegations=_reachable_delegations(session, identities),
        )

    def identity_rows(self) -> list[IdentityRow]:
        """Return the identity rows, by inventory id."""
        return _identity_rows(self._session)

    def identity_detail(self, ext_id: str) -> IdentityDetail | None:
        """Return one identity with its grants and delegations, or None when there is none."""
        session = self._session
        identity = session.execute(
            sa.select(Identity).where(col(Identity.external_id) == ext_id)
        ).scalar_one_or_none()
        if identity is None or identity.id is None:
            return None
        grants = tuple(
            GrantRow(resource, name, sensitivity, action, scope, approval, used, conditional)
            for resource, name, sensitivity, action, scope, approval, used, conditional
            in session.execute(
                _select(Resource.external_id, Resource.name, Resource.sensitivity,
                        Grant.action, Grant.scope, Grant.approval_required, Grant.last_used,
                        Grant.conditional)
                .join(Resource, col(Resource.id) == col(Grant.resource_id))
                .where(col(Grant.identity_id) == identity.id)
                .order_by(Resource.external_id, Grant.action, Grant.scope)
            )
        )  # fmt: skip
        open_findings = session.execute(
            sa.select(sa.func.count())
            .select_from(Finding)
            .where(col(Finding.identity_id) == identity.id, col(Finding.status).in_(_OPEN))
        ).scalar_one()
        acts_as, acted_as_by = _delegations_of(session, identity.id)
        return IdentityDetail(
            row=_identity_rows(session, identity.id)[0],
            attributes=dict(identity.attributes or {}),
            grants=grants,
            acts_as=acts_as,
            acted_as_by=acted_as_by,
            open_findings=open_findings,
        )

    def finding_rows(
        self, *, system_id: int | None = None, source: str | None = None, status: str | None = None
    ) -> list[FindingRow]:
        """Return the findings from the ``finding`` table, in no particular order.

        Args:
            system_id: Only findings about this AI system (row id), including the findings
                about the identities it uses.
            source: Only findings from this source.
            status: Only findings in this status.
        """
        session = self._session
        systems = self.system_ids()
        identities = dict(session.execute(_select(Identity.id, Identity.external_id)).all())
        query = _select(
            Finding.id, Finding.key, Finding.source, Finding.rule_id, Finding.severity,
            Finding.status, Finding.title, Finding.detail, Finding.recommendation,
            Finding.references, Finding.system_id, Finding.identity_id, Finding.assessment_id,
            Finding.question_id, Finding.owner, Finding.due_date,
        )  # fmt: skip
        if source:
            query = query.where(col(Finding.source) == source)
        if status:
            query = query.where(col(Finding.status) == status)
        if system_id is not None:
            used = _select(SystemIdentity.identity_id).where(
                col(SystemIdentity.system_id) == system_id
            )
            query = query.where(
                sa.or_(
                    col(Finding.system_id) == system_id,
                    sa.and_(col(Finding.system_id).is_(None), col(Finding.identity_id).in_(used)),
                )
            )
        return [
            FindingRow(
                f.id, f.key, f.source, f.rule_id, f.severity, f.status, f.title, f.detail,
                f.recommendation, tuple(f.references or ()), systems.get(f.system_id),
                identities.get(f.identity_id), f.assessment_id, f.question_id, f.owner,
                f.due_date,
            )
            for f in session.execute(query)
        ]  # fmt: skip


_OPEN = ("open", "in-progress")
_CHUNK = 2_000
"""Rows fetched at a time by the listings. Fetching 200,000 rows in one call holds the
interpreter for hundreds of milliseconds, which would stop the window's UI thread."""


def _streamed(session: Session, query: Any) -> Any:
    """Execute ``query``, fetching its rows a chunk at a time."""
    return session.execute(query.execution_options(yield_per=_CHUNK))


def _counts(session: Session, query: Any) -> dict[int, int]:
    """Return row id → count from a query of (row id, count) pairs."""
    return {int(key): int(count) for key, count in _streamed(session, query)}


def _owner_names(session: Session) -> dict[int, str]:
    rows = session.execute(_select(Person.id, Person.email, Person.name))
    return {pid: email or name or "" for pid, email, name in rows}


def _system_rows(
    session: Session, *, search: str | None = None, ext_id: str | None = None
) -> list[SystemRow]:
    owners = _owner_names(session)
    links = _counts(
        session,
        _select(SystemIdentity.system_id, sa.func.count()).group_by(SystemIdentity.system_id),
    )
    open_findings = _counts(
        session,
        _select(Finding.system_id, sa.func.count())
        .where(col(Finding.status).in_(_OPEN), col(Finding.system_id).is_not(None))
        .group_by(Finding.system_id),
    )
    query = _select(
        AISystem.id, AISystem.external_id, AISystem.name, AISystem.business_unit,
        AISystem.owner_id, AISystem.lifecycle_stage, AISystem.environment, AISystem.autonomy,
        AISystem.data_classification, AISystem.exposure,
    ).order_by(AISystem.external_id)  # fmt: skip
    if ext_id is not None:
        query = query.where(AISystem.external_id == ext_id)
    if search:
        # Search words are literal text: % and _ must not act as wildcards.
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            sa.or_(
                col(AISystem.external_id).ilike(pattern, escape="\\"),
                col(AISystem.name).ilike(pattern, escape="\\"),
                col(AISystem.business_unit).ilike(pattern, escape="\\"),
            )
        )
    # pop, not get: the lookups empty as the rows are made, never freed in one long go
    return [
        SystemRow(ext, name, unit, owners.get(owner, ""), stage, env, autonomy, data, exposure,
                  links.pop(sid, 0), open_findings.pop(sid, 0))
        for sid, ext, name, unit, owner, stage, env, autonomy, data, exposure
        in _streamed(session, query)
    ]  # fmt: skip


def _reachable_delegations(session: Session, start: tuple[str, ...]) -> tuple[DelegationRow, ...]:
    """Return the delegations from the given identities and from every identity they reach."""
    source, target = aliased(Identity), aliased(Identity)
    by_source: dict[str, list[DelegationRow]] = {}
    for src, tgt, kind, attributes in session.execute(
        _select(source.external_id, target.external_id, Delegation.kind, Delegation.attributes)
        .join(source, source.id == Delegation.from_identity_id)
        .join(target, target.id == Delegation.to_identity_id)
    ):
        by_source.setdefault(src, []).append(DelegationRow(src, tgt, kind, dict(attributes or {})))
    reached, queue, found = set(start), list(start), []
    while queue:
        for row in by_source.get(queue.pop(), ()):
            found.append(row)
            if row.target not in reached:
                reached.add(row.target)
                queue.append(row.target)
    return tuple(sorted(found, key=lambda d: (d.source, d.target, d.kind)))


def _identity_rows(session: Session, identity_id: int | None = None) -> list[IdentityRow]:
    """Return the identity rows (only one identity's, given its database id)."""
    owners = _owner_names(session)
    links = _select(SystemIdentity.identity_id, AISystem.external_id).join(
        AISystem, AISystem.id == SystemIdentity.system_id
    )
    grants = _select(Grant.identity_id, sa.func.count()).group_by(Grant.identity_id)
    query = _select(
        Identity.id, Identity.external_id, Identity.name, Identity.kind,
        Identity.provider, Identity.owner_id, Identity.environment, Identity.created,
        Identity.last_rotated, Identity.last_used, Identity.expires,
        Identity.revocation_procedure,
    ).order_by(Identity.external_id)  # fmt: skip
    if identity_id is not None:
        links = links.where(SystemIdentity.identity_id == identity_id)
        grants = grants.where(Grant.identity_id == identity_id)
        query = query.where(Identity.id == identity_id)
    systems_of: dict[int, list[str]] = {}
    for iid, ext in _streamed(session, links.order_by(AISystem.external_id)):
        systems_of.setdefault(iid, []).append(ext)
    grant_counts = _counts(session, grants)
    # pop, not get: the lookups empty as the rows are made, never freed in one long go
    return [
        IdentityRow(ext, name, kind, provider, owners.get(owner, ""), env, created, rotated,
                    used, expires, revocation, tuple(systems_of.pop(iid, ())),
                    grant_counts.pop(iid, 0))
        for iid, ext, name, kind, provider, owner, env, created, rotated, used, expires,
        revocation in _streamed(session, query)
    ]  # fmt: skip


def _delegations_of(
    session: Session, identity_id: int
) -> tuple[tuple[DelegationRow, ...], tuple[DelegationRow, ...]]:
    """Return the delegations from one identity and those to it."""
    source, target = aliased(Identity), aliased(Identity)
    rows = session.execute(
        _select(source.id, source.external_id, target.external_id, Delegation.kind,
                  Delegation.attributes)
        .join(source, source.id == Delegation.from_identity_id)
        .join(target, target.id == Delegation.to_identity_id)
        .where(sa.or_(col(source.id) == identity_id, col(target.id) == identity_id))
        .order_by(source.external_id, target.external_id, Delegation.kind)
    ).all()  # fmt: skip
    found = [(sid, DelegationRow(src, tgt, kind, dict(attrs or {})))
             for sid, src, tgt, kind, attrs in rows]  # fmt: skip
    return (
        tuple(d for sid, d in found if sid == identity_id),
        tuple(d for sid, d in found if sid != identity_id or d.source == d.target),
    )
