"""The inventory read as domain facts, for analysis: blast radius, risk tier, hygiene, drift.

:class:`InventoryFactsRepository` reads the whole inventory with one SELECT per table (plain
rows, never one ORM object per row) into :class:`~app.domain.inventory_facts.InventoryFacts`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    Sensitivity,
)
from app.domain.identity_graph import IdentityGraph
from app.domain.inventory_facts import (
    DelegationFacts,
    GrantFacts,
    IdentityFacts,
    InventoryFacts,
    ResourceFacts,
    SystemFacts,
)
from app.domain.scopes import is_whole_scope
from app.storage.models import (
    AISystem,
    Delegation,
    Grant,
    Identity,
    Person,
    Resource,
    SystemIdentity,
)
from app.storage.repositories.base import Repository
from app.storage.repositories.base import plain_select as _select

logger = logging.getLogger(__name__)

#: Rows fetched from the driver at a time by :func:`_driver_rows`.
_FETCH = 5_000


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
        values: dict[str | None, Any] = {m.value: m for m in cls}
        values.update({None: None, "": None})
        return _Lookup(values, self.unknown)


class _Lookup(dict[str | None, Any]):
    """A dict that records and maps to None any text it does not know."""

    def __init__(self, values: dict[str | None, Any], unknown: set[str]) -> None:
        super().__init__(values)
        self._unknown = unknown

    def __missing__(self, key: str) -> None:
        self._unknown.add(str(key))


class _Days(dict[Any, dt.date | None]):
    """Dates by their stored value, each parsed once.

    A file's driver gives dates as text, a server's as dates.
    """

    def __missing__(self, value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            day = value
        else:
            day = dt.date.fromisoformat(str(value)[:10])
        self[value] = day
        return day


def _driver_rows(conn: sa.Connection, query: Any) -> Iterator[tuple[Any, ...]]:
    """Return the rows of a query without parameters as the driver gives them.

    Half the time of SQLAlchemy's rows on the largest tables (500,000 grants): no row object
    and no value processing per row, and the rows are handed on in C (a generator's step per
    row costs more than the row's fetch). Dates and flags are the caller's to convert.
    """
    compiled = query.compile(dialect=conn.dialect)
    if compiled.params:  # the text alone would run without them
        raise ValueError("the driver's rows are read for queries without parameters only")
    return chain.from_iterable(_batches(conn, str(compiled)))


def _batches(conn: sa.Connection, sql: str) -> Iterator[Sequence[tuple[Any, ...]]]:
    """Yield the rows of a statement :data:`_FETCH` at a time; the cursor closes after them."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(_FETCH):
            yield batch
    finally:
        cursor.close()


class InventoryFactsRepository(Repository):
    """Reads the inventory as domain facts, with one SELECT per table (no ORM object per row)."""

    def load(self) -> LoadedInventory:
        """Read every system, identity, resource, grant and delegation of the workspace."""
        return load_inventory(self._session)

    def graph_inputs(self) -> GraphInputs:
        """Read only what blast radius and risk tier need, keyed by row ids (the fast path)."""
        return load_graph_inputs(self._session)


def load_inventory(session: Session) -> LoadedInventory:
    """Read every system, identity, resource, grant and delegation of the workspace."""
    conn = session.connection()
    vocab = _Vocabulary()
    kinds, envs = vocab.table(IdentityKind), vocab.table(Environment)
    levels, actions = vocab.table(Sensitivity), vocab.table(Action)
    owners = {
        pid: email or name or ""
        for pid, email, name in conn.execute(_select(Person.id, Person.email, Person.name))
    }
    owners[None] = ""
    same: Callable[[Any, Any], Any] = {}.setdefault  # one object per recurring text
    day = _Days()  # one date object per recurring date
    identity_ext: dict[int, str] = {}
    identities: list[IdentityFacts] = []
    for iid, ext, name, kind, owner, env, created, rotated, used, expires, revocation in (
        _driver_rows(conn, _select(
            Identity.id, Identity.external_id, Identity.name, Identity.kind, Identity.owner_id,
            Identity.environment, Identity.created, Identity.last_rotated, Identity.last_used,
            Identity.expires, Identity.revocation_procedure,
        ))
    ):  # fmt: skip
        identity_ext[iid] = ext
        identities.append(
            IdentityFacts(ext, name or "", kinds[kind], owners.get(owner, ""), envs[env],
                          day[created], day[rotated], day[used], day[expires],
                          same(revocation or "", revocation or ""))
        )  # fmt: skip
    uses: dict[int, list[str]] = {}
    for system_id, identity_id in _driver_rows(
        conn, _select(SystemIdentity.system_id, SystemIdentity.identity_id)
    ):
        uses.setdefault(system_id, []).append(identity_ext[identity_id])
    system_rows = list(_driver_rows(conn, _select(
        AISystem.id, AISystem.external_id, AISystem.name, AISystem.owner_id, AISystem.autonomy,
        AISystem.environment, AISystem.data_classification, AISystem.exposure,
        AISystem.risk_designation,
    )))  # fmt: skip
    autonomy, exposure = vocab.table(Autonomy), vocab.table(Exposure)
    systems = [
        SystemFacts(ext, name or "", owners.get(owner, ""), autonomy[auto], envs[env],
                    levels[data], exposure[exp], tuple(sorted(uses.get(sid, ()))), mark or "")
        for sid, ext, name, owner, auto, env, data, exp, mark in system_rows
    ]  # fmt: skip
    resource_rows = conn.execute(
        _select(Resource.id, Resource.external_id, Resource.name, Resource.environment,
                  Resource.sensitivity, Resource.kind)
    ).all()  # fmt: skip
    resource_ext = {row[0]: row[1] for row in resource_rows}
    resources = [
        ResourceFacts(ext, name or "", envs[env], levels[sens], kind or "")
        for _, ext, name, env, sens, kind in resource_rows
    ]
    grants = [
        GrantFacts(identity_ext[iid], resource_ext[rid], act, scope or "",
                   None if approval is None else bool(approval), day[used], bool(conditional))
        for iid, rid, action, scope, approval, used, conditional in _driver_rows(conn,
            _select(Grant.identity_id, Grant.resource_id, Grant.action, Grant.scope,
                    Grant.approval_required, Grant.last_used, Grant.conditional)
            .order_by(Grant.id)
        )
        if (act := actions[action]) is not None
    ]  # fmt: skip
    delegation_kinds = vocab.table(DelegationKind)
    delegations = [
        DelegationFacts(identity_ext[source], identity_ext[target],
                        delegation_kinds[kind] or DelegationKind.ASSUME_ROLE)
        for source, target, kind in _driver_rows(
            conn, _select(Delegation.from_identity_id, Delegation.to_identity_id, Delegation.kind)
        )
    ]  # fmt: skip
    if vocab.unknown:
        logger.warning("values outside the vocabulary, taken as unrecorded: %s", vocab.unknown)
    return LoadedInventory(
        InventoryFacts.of(systems, identities, resources, grants, delegations),
        system_ids={row[1]: row[0] for row in system_rows},
        identity_ids={ext: rid for rid, ext in identity_ext.items()},
    )


#: A system's inventory id, name, autonomy, data classification, exposure and designation: a
#: plain tuple, as a portfolio line reads it once (a record per system cost more than its use).
SystemKind = tuple[str, str, Autonomy | None, Sensitivity | None, Exposure | None, str]


@dataclass
class GraphInputs:
    """What the portfolio blast radius needs, read without the identities' details.

    Attributes:
        graph: The identity graph keyed by row ids (systems, identities and resources).
        systems: Row id → the system's id, name and risk inputs (:data:`SystemKind`).
    """

    graph: IdentityGraph
    systems: dict[int, SystemKind]


def _known_action_grants(
    conn: sa.Connection, actions: dict[str | None, Action | None]
) -> Iterator[tuple[int, int, str]]:
    """Return ``(identity, resource, action text)`` of every grant whose action is known.

    The database leaves out the others, so the rows are handed on as the driver gives them
    (no Python step per grant); their distinct texts still pass through ``actions`` so that
    text outside the vocabulary is reported.
    """
    known = [action.value for action in Action]
    for (text,) in conn.execute(
        _select(Grant.action).distinct().where(sa.column("action").not_in(known))
    ):
        actions[text]  # noqa: B018 -- records text outside the vocabulary
    listed = ", ".join(f"'{text}'" for text in known)  # the enum's own texts, not user input
    query = _select(Grant.identity_id, Grant.resource_id, Grant.action)
    return _driver_rows(conn, query.where(sa.text(f"action IN ({listed})")))


def load_graph_inputs(session: Session) -> GraphInputs:
    """Read only what blast radius and risk tier need, keyed by row ids (the fast path)."""
    conn = session.connection()
    vocab = _Vocabulary()
    actions, levels = vocab.table(Action), vocab.table(Sensitivity)
    autonomy, exposure = vocab.table(Autonomy), vocab.table(Exposure)
    resource_rows = list(_driver_rows(conn, _select(Resource.id, Resource.sensitivity,
                                                     Resource.kind)))  # fmt: skip
    graph = IdentityGraph(
        uses=_driver_rows(conn, _select(SystemIdentity.system_id, SystemIdentity.identity_id)),
        grants=_known_action_grants(conn, actions),
        delegations=_driver_rows(
            conn, _select(Delegation.from_identity_id, Delegation.to_identity_id)
        ),
        sensitivity={rid: levels[level] for rid, level, _kind in resource_rows},
        whole_scopes=(rid for rid, _level, kind in resource_rows if is_whole_scope(kind or "")),
    )
    systems = {
        sid: (ext, name or "", autonomy[auto], levels[data], exposure[exp], mark or "")
        for sid, ext, name, auto, data, exp, mark in _driver_rows(conn,
            _select(AISystem.id, AISystem.external_id, AISystem.name, AISystem.autonomy,
                    AISystem.data_classification, AISystem.exposure, AISystem.risk_designation)
        )
    }  # fmt: skip
    if vocab.unknown:
        logger.warning("values outside the vocabulary, taken as unrecorded: %s", vocab.unknown)
    return GraphInputs(graph, systems)
