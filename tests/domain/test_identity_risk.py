"""Risk tier of an AI system, the factor that set it, and the default target maturity."""

from __future__ import annotations

import pytest

from app.domain.enums import Autonomy, Exposure, RiskTier, Sensitivity
from app.domain.inventory_facts import SystemFacts
from app.domain.risk import DEFAULT_TARGET, risk_tier, system_risk, tier_rank

LOW, MOD, HIGH, CRIT = RiskTier.LOW, RiskTier.MODERATE, RiskTier.HIGH, RiskTier.CRITICAL


def test_default_targets() -> None:
    assert [DEFAULT_TARGET[t] for t in (LOW, MOD, HIGH, CRIT)] == [2, 3, 4, 4]


@pytest.mark.parametrize(
    ("autonomy", "data", "exposure", "blast", "tier", "factor"),
    [
        (Autonomy.ADVISORY, Sensitivity.PUBLIC, Exposure.INTERNAL, LOW, LOW, "blast radius: low"),
        (
            Autonomy.HUMAN_IN_THE_LOOP,
            Sensitivity.INTERNAL,
            Exposure.INTERNAL,
            None,
            MOD,
            "autonomy: human-in-the-loop",
        ),
        (
            Autonomy.ADVISORY,
            Sensitivity.RESTRICTED,
            Exposure.INTERNAL,
            LOW,
            HIGH,
            "data classification: restricted",
        ),
        (Autonomy.ADVISORY, Sensitivity.PUBLIC, Exposure.PUBLIC, LOW, HIGH, "exposure: public"),
        (
            Autonomy.ADVISORY,
            Sensitivity.PUBLIC,
            Exposure.INTERNAL,
            CRIT,
            CRIT,
            "blast radius: critical",
        ),
        (
            Autonomy.AUTONOMOUS,
            Sensitivity.RESTRICTED,
            Exposure.INTERNAL,
            LOW,
            CRIT,
            "autonomous system with restricted data",
        ),
        (
            Autonomy.AUTONOMOUS,
            Sensitivity.INTERNAL,
            Exposure.PUBLIC,
            LOW,
            CRIT,
            "autonomous system open to the public",
        ),
        (
            Autonomy.AUTONOMOUS,
            Sensitivity.CONFIDENTIAL,
            Exposure.PARTNER,
            MOD,
            HIGH,
            "autonomy: autonomous",
        ),
    ],
)
def test_tier_and_factor(autonomy, data, exposure, blast, tier, factor) -> None:
    result = risk_tier(
        autonomy=autonomy, data_classification=data, exposure=exposure, blast_tier=blast
    )
    assert result.tier is tier
    assert result.factor == factor
    assert result.target_level == DEFAULT_TARGET[tier]
    assert all(tier_rank(f.tier) <= tier_rank(tier) for f in result.factors)


def test_unrecorded_factors_count_as_moderate_and_say_so() -> None:
    result = risk_tier(autonomy=None, data_classification=None, exposure=None)
    assert result.tier is MOD
    # The tier is not "set by autonomy: not recorded": no recorded input set it.
    assert result.factor == "unrecorded inputs, counted as moderate"
    assert [f.text for f in result.factors] == [
        "autonomy: not recorded",
        "data classification: not recorded",
        "exposure: not recorded",
    ]


def test_system_risk_names_the_blast_radius_score() -> None:
    system = SystemFacts(
        "AIS-1",
        autonomy=Autonomy.ADVISORY,
        data_classification=Sensitivity.PUBLIC,
        exposure=Exposure.INTERNAL,
    )
    result = system_risk(system, HIGH, 61)
    assert (result.tier, result.factor, result.target_level) == (
        HIGH,
        "blast radius: score 61, high",
        4,
    )


def _calm(ext_id: str) -> SystemFacts:
    return SystemFacts(
        ext_id,
        autonomy=Autonomy.ADVISORY,
        data_classification=Sensitivity.PUBLIC,
        exposure=Exposure.INTERNAL,
    )


def test_unknown_inputs_never_count_as_the_lowest_and_make_the_tier_provisional() -> None:
    # Everything known is low; the blast radius is unknown: moderate and provisional.
    system = _calm("AIS-9")
    result = system_risk(system, None, None)
    assert result.tier is RiskTier.MODERATE
    assert result.factor == "unrecorded inputs, counted as moderate"
    assert result.missing == ("blast radius",)
    assert result.provisional
    assert result.note() == "provisional: blast radius not recorded"
    bare = system_risk(SystemFacts("AIS-8"), None, None)
    assert bare.missing == ("blast radius", "autonomy", "data classification", "exposure")
    assert bare.tier is RiskTier.MODERATE


def test_a_complete_record_is_not_provisional() -> None:
    system = _calm("AIS-7")
    result = system_risk(system, RiskTier.LOW, 3)
    assert (result.tier, result.missing, result.note()) == (RiskTier.LOW, (), "")
