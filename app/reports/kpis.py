"""Identity KPIs of the portfolio report: the client's own figures, each beside its aim.

The figures are shares of the client's own inventory, computed here from
:class:`~app.reports.viewmodels.IdentityKpis`. Each is set beside the aim it is measured
against (every identity owned, none over-privileged, every secret rotated in time), not beside
survey figures about other organisations, whose sources a client could not check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.reports.viewmodels import IdentityKpis

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One KPI: the client's share and count beside the aim it is measured against.

    Attributes:
        label: What is measured for the client.
        client: The client's share (0–1), or None when nothing could be counted.
        client_text: The client's count, e.g. ``97 of 146 identities``.
        aim: The share to aim for (0–1).
        aim_text: The aim in words.
        better_when_high: True when a higher client share is better.
    """

    label: str
    client: float | None
    client_text: str
    aim: float
    aim_text: str
    better_when_high: bool


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def kpi_rows(kpis: IdentityKpis) -> tuple[KpiRow, ...]:
    """Return the three KPI rows of the portfolio report for the client's figures."""
    return (
        KpiRow(
            label="Identities with a named owner",
            client=_share(kpis.with_owner, kpis.identities),
            client_text=f"{kpis.with_owner} of {kpis.identities} identities",
            aim=1.0,
            aim_text="Every identity has a named owner who answers for it",
            better_when_high=True,
        ),
        KpiRow(
            label="Over-privileged identities",
            client=_share(kpis.over_privileged, kpis.identities),
            client_text=f"{kpis.over_privileged} of {kpis.identities} identities",
            aim=0.0,
            aim_text="No identity holds wildcard or admin scope or grants it does not use",
            better_when_high=False,
        ),
        KpiRow(
            label=f"Secrets not rotated within {kpis.rotation_days} days",
            client=_share(kpis.not_rotated, kpis.rotation_tracked),
            client_text=f"{kpis.not_rotated} of {kpis.rotation_tracked} secrets",
            aim=0.0,
            aim_text=f"Every secret is rotated within {kpis.rotation_days} days",
            better_when_high=False,
        ),
    )
