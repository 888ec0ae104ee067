"""The dry-run tabs an identity export adds: its conditional grants, and loose ends.

The loose ends are where the AI register and the exports fail to meet: systems whose identities
no export describes, and exported identities no system uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.widgets.rows_table import RowsTable
from app.services.inventory_import import ImportPlan

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConditionalGrant:
    """A grant a deny, a condition or a boundary may narrow."""

    identity: str
    resource: str
    action: str
    granted_by: str
    why: str


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """An AI system with identities in no export, or an exported identity no system uses."""

    what: str
    subject: str
    detail: str


def conditional_rows(plan: ImportPlan) -> list[ConditionalGrant]:
    """Return the plan's conditional grants with the first reason each is conditional."""
    rows = []
    for record in plan.resolved.records["grants"]:
        if not record.values.get("conditional"):
            continue
        attributes = record.attributes
        reasons = attributes.get("denied_by") or attributes.get("conditions") or []
        reasons = reasons or attributes.get("limits") or [""]
        identity, resource, action, scope = record.key
        shown = plan.coverage.label(identity) if plan.coverage else identity
        rows.append(ConditionalGrant(shown, resource, action, scope, str(reasons[0])))
    return rows


def coverage_rows(plan: ImportPlan) -> list[CoverageRow]:
    """Return the plan's coverage lists as rows (empty when no identity comes from an export)."""
    cover = plan.coverage
    if cover is None:
        return []
    rows = [
        CoverageRow(
            "AI system with identities in no export",
            system,
            ", ".join(cover.label(i) for i in identities),
        )
        for system, identities in cover.unfound.items()
    ]
    rows += [
        CoverageRow("Exported identity used by no AI system", cover.label(i), "")
        for i in cover.unused
    ]
    if cover.unused_count > len(cover.unused):
        more = cover.unused_count - len(cover.unused)
        rows.append(CoverageRow("Exported identity used by no AI system", f"… {more:,} more", ""))
    return rows


def conditional_table() -> RowsTable:
    """Return the table of conditional grants."""
    return RowsTable(
        [
            Column("Identity", attr("identity")),
            Column("Resource", attr("resource")),
            Column("Action", attr("action")),
            Column("May be narrowed by", attr("why"), tooltip=attr("why")),
            Column("Granted by", attr("granted_by")),
        ],
        noun="conditional grants",
    )


def coverage_table() -> RowsTable:
    """Return the table of the register's and the exports' loose ends."""
    return RowsTable(
        [
            Column("What", attr("what")),
            Column("Id", attr("subject")),
            Column("Identities found in no export", attr("detail"), tooltip=attr("detail")),
        ],
        noun="entries",
    )
