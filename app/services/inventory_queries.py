"""Read the inventory for analysis, the CLI and the GUI, as plain values.

:func:`load_inventory` reads the whole inventory with one SELECT per table (plain rows, never one
ORM object per row) into :class:`~app.domain.inventory_facts.InventoryFacts`. The listing
functions return frozen dataclasses that a table widget or ``--json`` output can use as they are.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    Sensitivity,
    severity_rank,
)
from app.domain.identity_graph import IdentityGraph
from app.domain.identity_names import readable
from app.domain.inventory_facts import (
    DelegationFacts,
    GrantFacts,
    IdentityFacts,
    InventoryFacts,
    ResourceFacts,
    SystemFacts,
)
from app.domain.scopes import is_whole_scope
from app.services.errors import UserError
from app.services.workspace import Workspace
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

logger = logging.getLogger(__name__)

_E = TypeVar("_E", bound=StrEnum)


@dataclass
class LoadedInventory:
    """The inventory as facts, with the row ids behind each inventory id.

    Attributes:
        facts: The inventory.
        system_ids: System inventory id → row id.
        identity_ids: Identity inventory id → row id.
    """

    facts: InventoryFacts
    system_ids: dict[str, int]
    identity_ids: dict[str, int]


class _Vocabulary:
    """Turns stored text into enum members; text outside the vocabulary counts as unrecorded."""

    def __init__(self) -> None:
        self.unknown: set[str] = set()

    def table(self, cls: type[_E]) -> dict[str | None, _E | None]:
        """Return stored text → member for one enum (None and empty text → None)."""
        return _Lookup({m.value: m for m in cls} | {None: None, "": None}, self.unknown)


class _Lookup(dict):
    """A dict that records and maps to None any text it does not know."""

    def __init__(self, values: dict, unknown: set[str]) -> None:
        super().__init__(values)
        self._unknown = unknown

    def __missing__(self, key: str) -> None:
        self._unknown.add(str(key))


def load_inventory(session: Session) -> LoadedInventory:
    """Read every system, identity, resource, grant and delegation of the workspace.

    Args:
        session: A read (or write) session of the workspace.
    """
    conn = session.connection()
    vocab = _Vocabulary()
    kinds, envs = vocab.table(IdentityKind), vocab.table(Environment)
    levels, actions = vocab.table(Sensitivity), vocab.table(Action)
    owners = {
        pid: email or name or ""
        for pid, email, name in conn.execute(sa.select(Person.id, Person.email, Person.name))
    }
    owners[None] = ""
    identity_rows = conn.execute(
        sa.select(
            Identity.id, Identity.external_id, Identity.name, Identity.kind, Identity.owner_id,
            Identity.environment, Identity.created, Identity.last_rotated, Identity.last_used,
            Identity.expires, Identity.revocation_procedure,
        )
    ).all()  # fmt: skip
    identity_ext = {row[0]: row[1] for row in identity_rows}
    identities = [
        IdentityFacts(ext, name or "", kinds[kind], owners.get(owner, ""), envs[env], created,
                      rotated, used, expires, revocation or "")
        for _, ext, name, kind, owner, env, created, rotated, used, expires, revocation
        in identity_rows
    ]  # fmt: skip
    uses: dict[int, list[str]] = {}
    for system_id, identity_id in conn.execute(
        sa.select(SystemIdentity.system_id, SystemIdentity.identity_id)
    ):
        uses.setdefault(system_id, []).append(identity_ext[identity_id])
    system_rows = conn.execute(
        sa.select(
            AISystem.id, AISystem.external_id, AISystem.name, AISystem.owner_id,
            AISystem.autonomy, AISystem.environment, AISystem.data_classification,
            AISystem.exposure, AISystem.risk_designation,
        )
    ).all()  # fmt: skip
    autonomy, exposure = vocab.table(Autonomy), vocab.table(Exposure)
    systems = [
        SystemFacts(ext, name or "", owners.get(owner, ""), autonomy[auto], envs[env],
                    levels[data], exposure[exp], tuple(sorted(uses.get(sid, ()))), mark or "")
        for sid, ext, name, owner, auto, env, data, exp, mark in system_rows
    ]  # fmt: skip
    resource_rows = conn.execute(
        sa.select(Resource.id, Resource.external_id, Resource.name, Resource.environment,
                  Resource.sensitivity, Resource.kind)
    ).all()  # fmt: skip
    resource_ext = {row[0]: row[1] for row in resource_rows}
    resources = [
        ResourceFacts(ext, name or "", envs[env], levels[sens], kind or "")
        for _, ext, name, env, sens, kind in resource_rows
    ]
    grants = [
        GrantFacts(identity_ext[iid], resource_ext[rid], actions[action], scope or "",
                   approval, used, bool(conditional))
        for iid, rid, action, scope, approval, used, conditional in conn.execute(
            sa.select(Grant.identity_id, Grant.resource_id, Grant.action, Grant.scope,
                      Grant.approval_required, Grant.last_used, Grant.conditional)
            .order_by(Grant.id)
        )
        if actions[action] is not None
    ]  # fmt: skip
    delegation_kinds = vocab.table(DelegationKind)
    delegations = [
        DelegationFacts(identity_ext[source], identity_ext[target],
                        delegation_kinds[kind] or DelegationKind.ASSUME_ROLE)
        for source, target, kind in conn.execute(
            sa.select(Delegation.from_identity_id, Delegation.to_identity_id, Delegation.kind)
        )
    ]  # fmt: skip
    if vocab.unknown:
        logger.warning("values outside the vocabulary, taken as unrecorded: %s", vocab.unknown)
    return LoadedInventory(
        InventoryFacts.of(systems, identities, resources, grants, delegations),
        system_ids={row[1]: row[0] for row in system_rows},
        identity_ids={ext: rid for rid, ext in identity_ext.items()},
    )


@dataclass
class GraphInputs:
    """What the portfolio blast radius needs, read without the identities' details.

    Attributes:
        graph: The identity graph keyed by row ids (systems, identities and resources).
        systems: Row id → the system's facts (without its identity list).
    """

    graph: IdentityGraph
    systems: dict[int, SystemFacts]


def load_graph_inputs(session: Session) -> GraphInputs:
    """Read only what blast radius and risk tier need, keyed by row ids (the fast path)."""
    conn = session.connection()
    vocab = _Vocabulary()
    actions, levels = vocab.table(Action), vocab.table(Sensitivity)
    autonomy, exposure = vocab.table(Autonomy), vocab.table(Exposure)
    grant_rows = conn.execute(sa.select(Grant.identity_id, Grant.resource_id, Grant.action)).all()
    resource_rows = conn.execute(sa.select(Resource.id, Resource.sensitivity, Resource.kind)).all()
    graph = IdentityGraph(
        uses=conn.execute(sa.select(SystemIdentity.system_id, SystemIdentity.identity_id)).all(),
        grants=((i, r, actions[a]) for i, r, a in grant_rows if actions[a] is not None),
        delegations=conn.execute(
            sa.select(Delegation.from_identity_id, Delegation.to_identity_id)
        ).all(),
        sensitivity={rid: levels[level] for rid, level, _kind in resource_rows},
        whole_scopes=(rid for rid, _level, kind in resource_rows if is_whole_scope(kind or "")),
    )
    systems = {
        sid: SystemFacts(ext, name or "", autonomy=autonomy[auto], data_classification=levels[data],
                         exposure=exposure[exp], designation=mark or "")
        for sid, ext, name, auto, data, exp, mark in conn.execute(
            sa.select(AISystem.id, AISystem.external_id, AISystem.name, AISystem.autonomy,
                      AISystem.data_classification, AISystem.exposure,
                      AISystem.risk_designation)
        ).all()
    }  # fmt: skip
    if vocab.unknown:
        logger.warning("values outside the vocabulary, taken as unrecorded: %s", vocab.unknown)
    return GraphInputs(graph, systems)


# -- listings -----------------------------------------------------------------------------------


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


_OPEN = ("open", "in-progress")


def _owner_names(session: Session) -> dict[int, str]:
    rows = session.execute(sa.select(Person.id, Person.email, Person.name))
    return {pid: email or name or "" for pid, email, name in rows}


def list_systems(workspace: Workspace, *, search: str | None = None) -> list[SystemRow]:
    """Return the AI systems, by inventory id; ``search`` filters on id, name or unit."""
    with workspace.db.read() as session:
        return _system_rows(session, search=search)


def _system_rows(
    session: Session, *, search: str | None = None, ext_id: str | None = None
) -> list[SystemRow]:
    owners = _owner_names(session)
    links = dict(
        session.execute(
            sa.select(SystemIdentity.system_id, sa.func.count()).group_by(SystemIdentity.system_id)
        ).all()
    )
    open_findings = dict(
        session.execute(
            sa.select(Finding.system_id, sa.func.count())
            .where(Finding.status.in_(_OPEN), Finding.system_id.is_not(None))
            .group_by(Finding.system_id)
        ).all()
    )
    query = sa.select(
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
                AISystem.external_id.ilike(pattern, escape="\\"),
                AISystem.name.ilike(pattern, escape="\\"),
                AISystem.business_unit.ilike(pattern, escape="\\"),
            )
        )
    return [
        SystemRow(ext, name, unit, owners.get(owner, ""), stage, env, autonomy, data, exposure,
                  links.get(sid, 0), open_findings.get(sid, 0))
        for sid, ext, name, unit, owner, stage, env, autonomy, data, exposure
        in session.execute(query)
    ]  # fmt: skip


def identity_labels(workspace: Workspace) -> dict[str, str]:
    """Return ``name (id)`` for each identity whose id is opaque and that has a display name.

    Identities with a readable id (an ARN, an e-mail, a register's name) are left out: a
    caller shows those ids as they are (``labels.get(ident, ident)``).
    """
    with workspace.db.read() as session:
        rows = session.execute(sa.select(Identity.external_id, Identity.name)).all()
    labels = {ext: readable(ext, name) for ext, name in rows}
    return {ext: label for ext, label in labels.items() if label != ext}


def get_system(workspace: Workspace, ext_id: str) -> SystemDetail:
    """Return one AI system by its inventory id.

    Raises:
        UserError: No system has this id.
    """
    with workspace.db.read() as session:
        rows = _system_rows(session, ext_id=ext_id)
        system = session.execute(
            sa.select(AISystem).where(AISystem.external_id == ext_id)
        ).scalar_one_or_none()
        if not rows or system is None:
            raise UserError(f"no AI system with id {ext_id!r} in this workspace")
        identities = tuple(
            session.execute(
                sa.select(Identity.external_id)
                .join(SystemIdentity, SystemIdentity.identity_id == Identity.id)
                .where(SystemIdentity.system_id == system.id)
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


def _reachable_delegations(session: Session, start: tuple[str, ...]) -> tuple[DelegationRow, ...]:
    """Return the delegations from the given identities and from every identity they reach."""
    source, target = aliased(Identity), aliased(Identity)
    by_source: dict[str, list[DelegationRow]] = {}
    for src, tgt, kind, attributes in session.execute(
        sa.select(source.external_id, target.external_id, Delegation.kind, Delegation.attributes)
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


def list_identities(workspace: Workspace, *, system: str | None = None) -> list[IdentityRow]:
    """Return the identities by inventory id; with ``system``, only those that system uses.

    Raises:
        UserError: ``system`` names no AI system.
    """
    with workspace.db.read() as session:
        if (
            system is not None
            and not session.execute(
                sa.select(AISystem.id).where(AISystem.external_id == system)
            ).first()
        ):
            raise UserError(f"no AI system with id {system!r} in this workspace")
        rows = _identity_rows(session)
    return [row for row in rows if system is None or system in row.systems]


def _identity_rows(session: Session, identity_id: int | None = None) -> list[IdentityRow]:
    """Return the identity rows (only one identity's, given its database id)."""
    owners = _owner_names(session)
    links = sa.select(SystemIdentity.identity_id, AISystem.external_id).join(
        AISystem, AISystem.id == SystemIdentity.system_id
    )
    grants = sa.select(Grant.identity_id, sa.func.count()).group_by(Grant.identity_id)
    query = sa.select(
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
    for iid, ext in session.execute(links.order_by(AISystem.external_id)):
        systems_of.setdefault(iid, []).append(ext)
    grant_counts = dict(session.execute(grants).all())
    return [
        IdentityRow(ext, name, kind, provider, owners.get(owner, ""), env, created, rotated,
                    used, expires, revocation, tuple(systems_of.get(iid, ())),
                    grant_counts.get(iid, 0))
        for iid, ext, name, kind, provider, owner, env, created, rotated, used, expires,
        revocation in session.execute(query)
    ]  # fmt: skip


def get_identity(workspace: Workspace, ext_id: str) -> IdentityDetail:
    """Return one identity by its inventory id, with its grants and delegations.

    Raises:
        UserError: No identity has this id.
    """
    with workspace.db.read() as session:
        identity = session.execute(
            sa.select(Identity).where(Identity.external_id == ext_id)
        ).scalar_one_or_none()
        if identity is None or identity.id is None:
            raise UserError(f"no identity with id {ext_id!r} in this workspace")
        grants = tuple(
            GrantRow(resource, name, sensitivity, action, scope, approval, used, conditional)
            for resource, name, sensitivity, action, scope, approval, used, conditional
            in session.execute(
                sa.select(Resource.external_id, Resource.name, Resource.sensitivity,
                          Grant.action, Grant.scope, Grant.approval_required, Grant.last_used,
                          Grant.conditional)
                .join(Resource, Resource.id == Grant.resource_id)
                .where(Grant.identity_id == identity.id)
                .order_by(Resource.external_id, Grant.action, Grant.scope)
            )
        )  # fmt: skip
        open_findings = session.execute(
            sa.select(sa.func.count())
            .select_from(Finding)
            .where(Finding.identity_id == identity.id, Finding.status.in_(_OPEN))
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


def _delegations_of(
    session: Session, identity_id: int
) -> tuple[tuple[DelegationRow, ...], tuple[DelegationRow, ...]]:
    """Return the delegations from one identity and those to it."""
    source, target = aliased(Identity), aliased(Identity)
    rows = session.execute(
        sa.select(source.id, source.external_id, target.external_id, Delegation.kind,
                  Delegation.attributes)
        .join(source, source.id == Delegation.from_identity_id)
        .join(target, target.id == Delegation.to_identity_id)
        .where(sa.or_(source.id == identity_id, target.id == identity_id))
        .order_by(source.external_id, target.external_id, Delegation.kind)
    ).all()  # fmt: skip
    found = [(sid, DelegationRow(src, tgt, kind, dict(attrs or {})))
             for sid, src, tgt, kind, attrs in rows]  # fmt: skip
    return (
        tuple(d for sid, d in found if sid == identity_id),
        tuple(d for sid, d in found if sid != identity_id or d.source == d.target),
    )


def list_findings(
    workspace: Workspace,
    *,
    system: str | None = None,
    source: str | None = None,
    status: str | None = None,
) -> list[FindingRow]:
    """Return findings from the ``finding`` table, most severe first.

    Args:
        workspace: The workspace.
        system: Only findings about this AI system (inventory id), including the findings
            about the identities it uses.
        source: Only findings from this source (``gap``, ``identity-rule``, ``manual``).
        status: Only findings in this status (``open``, ``in-progress``, ``accepted``,
            ``resolved``).
    """
    with workspace.db.read() as session:
        systems = dict(session.execute(sa.select(AISystem.id, AISystem.external_id)).all())
        identities = dict(session.execute(sa.select(Identity.id, Identity.external_id)).all())
        query = sa.select(
            Finding.id, Finding.key, Finding.source, Finding.rule_id, Finding.severity,
            Finding.status, Finding.title, Finding.detail, Finding.recommendation,
            Finding.references, Finding.system_id, Finding.identity_id, Finding.assessment_id,
            Finding.question_id, Finding.owner, Finding.due_date,
        )  # fmt: skip
        if source:
            query = query.where(Finding.source == source)
        if status:
            query = query.where(Finding.status == status)
        if system is not None:
            system_id = next((k for k, v in systems.items() if v == system), None)
            if system_id is None:
                raise UserError(f"no AI system with id {system!r} in this workspace")
            used = sa.select(SystemIdentity.identity_id).where(
                SystemIdentity.system_id == system_id
            )
            query = query.where(
                sa.or_(
                    Finding.system_id == system_id,
                    sa.and_(Finding.system_id.is_(None), Finding.identity_id.in_(used)),
                )
            )
        rows = [
            FindingRow(
                f.id, f.key, f.source, f.rule_id, f.severity, f.status, f.title, f.detail,
                f.recommendation, tuple(f.references or ()), systems.get(f.system_id),
                identities.get(f.identity_id), f.assessment_id, f.question_id, f.owner,
                f.due_date,
            )
            for f in session.execute(query)
        ]  # fmt: skip
    rows.sort(key=_finding_order)
    return rows


def _finding_order(row: FindingRow) -> tuple[int, int, str, str, str]:
    return (
        severity_rank(row.severity),
        0 if row.status in _OPEN else 1,
        row.system or "",
        row.identity or "",
        row.title,
    )
