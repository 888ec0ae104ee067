"""Inventory records one at a time: systems, identities, resources, grants, delegations, owners.

Hand edits (the window's dialogs and ``assay … add``) find, add, change and delete single
records through :class:`InventoryRepository`; bulk imports use
:class:`~app.storage.repositories.inventory_bulk.InventoryBulkRepository`.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, col

from app.domain.record_kinds import IDENTITIES, RESOURCES, SYSTEMS
from app.storage.models import (
    AISystem,
    Assessment,
    Delegation,
    Grant,
    Identity,
    Person,
    Resource,
    SystemIdentity,
)
from app.storage.repositories.base import Repository

logger = logging.getLogger(__name__)

#: The record kinds named by an inventory id, with their tables.
ID_TABLES: dict[str, type[AISystem] | type[Identity] | type[Resource]] = {
    SYSTEMS: AISystem,
    IDENTITIES: Identity,
    RESOURCES: Resource,
}


class InventoryRepository(Repository):
    """Finds, adds, links and deletes single inventory records."""

    def find(self, kind: str, ext_id: str) -> AISystem | Identity | Resource | None:
        """Return the system, identity or resource with this inventory id, or None."""
        model = ID_TABLES[kind]
        query = sa.select(model).where(col(model.external_id) == ext_id)
        found: AISystem | Identity | Resource | None = self._session.execute(
            query
        ).scalar_one_or_none()
        return found

    def row_id(self, kind: str, ext_id: str) -> int | None:
        """Return the row id of a system, identity or resource by inventory id, or None."""
        model = ID_TABLES[kind]
        found = self._session.execute(
            sa.select(col(model.id)).where(col(model.external_id) == ext_id)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def external_ids(self, kind: str) -> list[str]:
        """Return the inventory ids of every system, identity or resource, sorted."""
        model = ID_TABLES[kind]
        return sorted(
            str(ext) for ext in self._session.execute(sa.select(col(model.external_id))).scalars()
        )

    def find_grant(
        self, identity_id: int, resource_id: int, action: str, scope: str
    ) -> Grant | None:
        """Return the grant of an identity on a resource for an action and scope, or None."""
        return self._session.execute(
            sa.select(Grant).where(
                col(Grant.identity_id) == identity_id,
                col(Grant.resource_id) == resource_id,
                col(Grant.action) == action,
                col(Grant.scope) == scope,
            )
        ).scalar_one_or_none()

    def find_delegation(self, from_id: int, to_id: int, kind: str) -> Delegation | None:
        """Return the delegation from one identity to another of a kind, or None."""
        return self._session.execute(
            sa.select(Delegation).where(
                col(Delegation.from_identity_id) == from_id,
                col(Delegation.to_identity_id) == to_id,
                col(Delegation.kind) == kind,
            )
        ).scalar_one_or_none()

    def add(self, row: SQLModel) -> Any:
        """Add a new record row and flush it, so it has its id; return it."""
        self._session.add(row)
        self._session.flush()
        return row

    def delete(self, row: SQLModel) -> None:
        """Delete a record row (its links, grants and delegations go with it)."""
        self._session.delete(row)
        self._session.flush()

    def flush(self) -> None:
        """Send pending changes to the database."""
        self._session.flush()

    def has_assessments(self, system_id: int | None) -> bool:
        """Return True when an AI system has at least one assessment."""
        found = self._session.execute(
            sa.select(col(Assessment.id)).where(col(Assessment.system_id) == system_id).limit(1)
        ).first()
        return found is not None

    def person(self, person_id: int) -> Person | None:
        """Return a person by row id."""
        return self._session.get(Person, person_id)

    def find_person(self, email: str | None, name: str) -> Person | None:
        """Return the person with this e-mail or, without one, the first with this name."""
        if email:
            query = sa.select(Person).where(col(Person.email) == email)
        else:
            query = (
                sa.select(Person).where(sa.func.lower(col(Person.name)) == name.casefold()).limit(1)
            )
        return self._session.execute(query).scalar()

    def set_links(self, kind: str, row_id: int, other_ids: list[int]) -> None:
        """Make a system use exactly these identities, or an identity be used by these systems."""
        mine = col(SystemIdentity.system_id if kind == SYSTEMS else SystemIdentity.identity_id)
        self._session.execute(sa.delete(SystemIdentity).where(mine == row_id))
        for other_id in other_ids:
            pair = (row_id, other_id) if kind == SYSTEMS else (other_id, row_id)
            self._session.add(SystemIdentity(system_id=pair[0], identity_id=pair[1]))

    def links(self, kind: str, row_id: int) -> list[str]:
        """Return the identities a system uses, or the systems using an identity, sorted."""
        if kind == SYSTEMS:
            query = (
                sa.select(col(Identity.external_id))
                .join(SystemIdentity, col(SystemIdentity.identity_id) == col(Identity.id))
                .where(col(SystemIdentity.system_id) == row_id)
            )
        else:
            query = (
                sa.select(col(AISystem.external_id))
                .join(SystemIdentity, col(SystemIdentity.system_id) == col(AISystem.id))
                .where(col(SystemIdentity.identity_id) == row_id)
            )
        return sorted(str(ext) for ext in self._session.execute(query).scalars())
