"""Identity KPIs of the portfolio report, set beside the published industry figures.

The industry figures are widely quoted survey results about non-human identities; they describe
other organisations, not the client, and the report says so. The client's figures are shares
of its own inventory, computed here from :class:`~app.reports.viewmodels.IdentityKpis`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.reports.viewmodels import IdentityKpis

logger = logging.getLogger(__name__)

INDUSTRY_SOURCE = "Published industry survey figures on non-human identities"


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One KPI: the client's share and count beside the industry figure.

    Attributes:
        label: What is measured for the client.
        client: The client's share (0–1), or None when nothing could be counted.
        client_text: The client's count, e.g. ``97 of 146 identities``.
        industry: The published figure (0–1).
        industry_text: What the published figure says.
        better_when_high: True when a higher client share is better.
    """

    label: str
    client: float | None
    client_text: str
    industry: float
    industry_text: str
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
            industry=0.057,
            industry_text="5.7% of organisations have full visibility of their service accounts",
            better_when_high=True,
        ),
        KpiRow(
            label="Over-privileged identities",
            client=_share(kpis.over_privileged, kpis.identities),
            client_text=f"{kpis.over_privileged} of {kpis.identities} identities",
            industry=0.97,
            industry_text="97% of non-human identities carry excessive privileges",
            better_when_high=False,
        ),
        KpiRow(
            label=f"Secrets not rotated within {kpis.rotation_days} days",
            client=_share(kpis.not_rotated, kpis.rotation_tracked),
            client_text=f"{kpis.not_rotated} of {kpis.rotation_tracked} secrets",
            industry=0.71,
            industry_text="71% of non-human identities are not rotated in time",
            better_when_high=False,
        ),
    )
