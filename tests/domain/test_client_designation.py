"""The client's own risk designation feeds the risk tier and is named as its factor."""

from __future__ import annotations

import pytest

from app.domain.enums import Autonomy, Exposure, RiskTier, Sensitivity
from app.domain.risk import designation_tier, risk_tier


@pytest.mark.parametrize(
    ("designation", "tier"),
    [
        ("high-impact", RiskTier.HIGH),
        ("Critical", RiskTier.CRITICAL),
        ("Tier 1", RiskTier.HIGH),
        ("material model", RiskTier.HIGH),
        ("Non-material", RiskTier.LOW),
        ("Tier 3", RiskTier.LOW),
        ("2 - Medium", RiskTier.MODERATE),
        ("see memo", None),
        ("", None),
    ],
)
def test_client_designation_reads_as_a_tier(designation, tier):
    assert designation_tier(designation) == tier


def test_the_tier_names_the_client_designation_as_its_factor():
    risk = risk_tier(
        autonomy=Autonomy.ADVISORY,
        data_classification=Sensitivity.INTERNAL,
        exposure=Exposure.INTERNAL,
        designation="Tier 1",
    )
    assert risk.tier is RiskTier.HIGH
    assert risk.factor == "client designation: Tier 1"
    plain = risk_tier(autonomy=Autonomy.ADVISORY, data_classification=Sensitivity.INTERNAL,
                      exposure=Exposure.INTERNAL, designation="see memo")  # fmt: skip
    assert plain.tier is RiskTier.LOW
