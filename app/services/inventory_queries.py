"""Read the inventory for analysis, the CLI and the GUI, as plain values.

:func:`load_inventory` reads the whole inventory into
:class:`~app.domain.inventory_facts.InventoryFacts` (see
:class:`~app.storage.repositories.inventory_facts.InventoryFactsRepository`). The listing
functions return frozen dataclasses that a table widget or ``--json`` output can use as they are.
"""

from __future__ import annotations

import logging

from app.domain.enums import severity_rank
from app.domain.identity_names import readable
from app.services.errors import UserError
from app.services.unit import reads
from app.storage.repositories.inventory_facts import (
    GraphInputs,
    InventoryFactsRepository,
    LoadedInventory,
)
from app.storage.repositories.inventory_listing import (
    DelegationRow,
    FindingRow,
    GrantRow,
    IdentityDetail,
    IdentityRow,
    InventoryListingRepository,
    SystemDetail,
    SystemRow,
)
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

__all__ = [
    "DelegationRow",
    "FindingRow",
    "GrantRow",
    "GraphInputs",
    "IdentityDetail",
    "IdentityRow",
    "LoadedInventory",
    "SystemDetail",
    "SystemRow",
    "get_identity",
    "get_system",
    "identity_labels",
    "list_findings",
    "list_identities",
    "list_systems",
    "load_graph_inputs",
    "load_inventory",
]

_OPEN = ("open", "in-progress")


@reads
def load_inventory(uow: UnitOfWork) -> LoadedInventory:
    """Read every system, identity, resource, grant and delegation of the workspace."""
    return uow.repository(InventoryFactsRepository).load()


@reads
def load_graph_inputs(uow: UnitOfWork) -> GraphInputs:
    """Read only what blast radius and risk tier need, keyed by row ids (the fast path)."""
    return uow.repository(InventoryFactsRepository).graph_inputs()


@reads
def list_systems(uow: UnitOfWork, *, search: str | None = None) -> list[SystemRow]:
    """Return the AI systems, by inventory id; ``search`` filters on id, name or unit."""
    return uow.repository(InventoryListingRepository).system_rows(search=search)


@reads
def identity_labels(uow: UnitOfWork) -> dict[str, str]:
    """Return ``name (id)`` for each identity whose id is opaque and that has a display name.

    Identities with a readable id (an ARN, an e-mail, a register's name) are left out: a
    caller shows those ids as they are (``labels.get(ident, ident)``).
    """
    rows = uow.repository(InventoryListingRepository).identity_names()
    labels = {ext: readable(ext, name) for ext, name in rows}
    return {ext: label for ext, label in labels.items() if label != ext}


@reads
def get_system(uow: UnitOfWork, ext_id: str) -> SystemDetail:
    """Return one AI system by its inventory id.

    Raises:
        UserError: No system has this id.
    """
    detail = uow.repository(InventoryListingRepository).system_detail(ext_id)
    if detail is None:
        raise UserError(f"no AI system with id {ext_id!r} in this workspace")
    return detail


@reads
def list_identities(uow: UnitOfWork, *, system: str | None = None) -> list[IdentityRow]:
    """Return the identities by inventory id; with ``system``, only those that system uses.

    Raises:
        UserError: ``system`` names no AI system.
    """
    listing = uow.repository(InventoryListingRepository)
    if system is not None and system not in listing.system_ids().values():
        raise UserError(f"no AI system with id {system!r} in this workspace")
    rows = listing.identity_rows()
    return [row for row in rows if system is None or system in row.systems]


@reads
def get_identity(uow: UnitOfWork, ext_id: str) -> IdentityDetail:
    """Return one identity by its inventory id, with its grants and delegations.

    Raises:
        UserError: No identity has this id.
    """
    detail = uow.repository(InventoryListingRepository).identity_detail(ext_id)
    if detail is None:
        raise UserError(f"no identity with id {ext_id!r} in this workspace")
    return detail


@reads
def list_findings(
    uow: UnitOfWork,
    *,
    system: str | None = None,
    source: str | None = None,
    status: str | None = None,
) -> list[FindingRow]:
    """Return findings from the ``finding`` table, most severe first.

    Args:
        uow: The unit of work (or the workspace).
        system: Only findings about this AI system (inventory id), including the findings
            about the identities it uses.
        source: Only findings from this source (``gap``, ``identity-rule``, ``manual``).
        status: Only findings in this status (``open``, ``in-progress``, ``accepted``,
            ``resolved``).

    Raises:
        UserError: ``system`` names no AI system.
    """
    listing = uow.repository(InventoryListingRepository)
    system_id = None
    if system is not None:
        system_id = next((k for k, v in listing.system_ids().items() if v == system), None)
        if system_id is None:
            raise UserError(f"no AI system with id {system!r} in this workspace")
    rows = listing.finding_rows(system_id=system_id, source=source, status=status)
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
