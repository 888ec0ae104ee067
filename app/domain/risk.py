"""Risk tier of an AI system and the default target maturity it sets (DESIGN §5).

Each factor gives a tier on its own; the system's tier is the highest of them, and the report
names the factor that set it (the first one at that tier, in the order below):

1. combination: an autonomous system that handles restricted data, or that the public can
   reach, is critical;
2. client designation: the client's own risk designation (``critical``, ``Tier 1``,
   ``high-impact``, ``material model``...), when it reads as a tier;
3. blast radius: the tier of the system's blast radius score;
4. autonomy: advisory low, human-in-the-loop moderate, human-on-the-loop high, autonomous high;
5. data classification: public and internal low, confidential moderate, restricted high;
6. exposure: internal low, partner moderate, public high.

Unknown is not the lowest value: an input that is not recorded (autonomy, data classification,
exposure, or a blast radius whose access is not recorded) counts as moderate, never as low, and
the tier is *provisional*: it names every missing input ("provisional: autonomy, blast radius
not recorded"). Recording the input can lower a provisional tier as well as raise it. The default
target maturity per tier is low 2, moderate 3, high 4, critical 4; an assessor can override it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from app.domain.enums import Autonomy, Exposure, RiskTier, Sensitivity
from app.domain.inventory_facts import SystemFacts

logger = logging.getLogger(__name__)

DEFAULT_TARGET: Mapping[RiskTier, int] = {
    RiskTier.LOW: 2,
    RiskTier.MODERATE: 3,
    RiskTier.HIGH: 4,
    RiskTier.CRITICAL: 4,
}
AUTONOMY_TIER: Mapping[Autonomy, RiskTier] = {
    Autonomy.ADVISORY: RiskTier.LOW,
    Autonomy.HUMAN_IN_THE_LOOP: RiskTier.MODERATE,
    Autonomy.HUMAN_ON_THE_LOOP: RiskTier.HIGH,
    Autonomy.AUTONOMOUS: RiskTier.HIGH,
}
DATA_TIER: Mapping[Sensitivity, RiskTier] = {
    Sensitivity.PUBLIC: RiskTier.LOW,
    Sensitivity.INTERNAL: RiskTier.LOW,
    Sensitivity.CONFIDENTIAL: RiskTier.MODERATE,
    Sensitivity.RESTRICTED: RiskTier.HIGH,
}
EXPOSURE_TIER: Mapping[Exposure, RiskTier] = {
    Exposure.INTERNAL: RiskTier.LOW,
    Exposure.PARTNER: RiskTier.MODERATE,
    Exposure.PUBLIC: RiskTier.HIGH,
}
UNRECORDED_TIER = RiskTier.MODERATE
#: Words of a client's risk designation and the tier they read as, checked in this order.
_DESIGNATIONS: tuple[tuple[re.Pattern[str], RiskTier], ...] = tuple(
    (re.compile(pattern), tier)
    for pattern, tier in (
        (r"\b(?:non|not|im)[ -]?material\b|\bnegligible\b|\bminimal\b", RiskTier.LOW),
        (
            r"\bcritical\b|\bsevere\b|\bvery high\b|\bextreme\b|\btier ?0\b|\bunacceptable\b",
            RiskTier.CRITICAL,
        ),
        (
            r"\bhigh\b|\btier ?1\b|\bmaterial\b|\bsignificant\b|\bmajor\b|\bimpacting\b",
            RiskTier.HIGH,
        ),
        (r"\bmedium\b|\bmoderate\b|\btier ?2\b|\blimited\b", RiskTier.MODERATE),
        (r"\blow\b|\btier ?[34]\b|\bminor\b", RiskTier.LOW),
    )
)
#: How the risk tier treats what is not recorded, in words (stated in every report's method).
RISK_METHOD_TEXT = (
    "Risk tier. Autonomy, data classification, exposure, the identity blast radius and the "
    "client's own risk designation (where the register records one) each give a tier on their "
    "own; the system's tier is the highest of them, and the report names the factor that set "
    "it. Unknown is not the lowest value: an input that is not recorded, "
    "including a blast radius whose access is not recorded, counts as moderate, and the tier is "
    "marked provisional with the missing inputs named. Recording them can lower the tier as "
    "well as raise it. A blast radius is unknown, never 0, when none of the identities a system "
    "can act as has a recorded grant."
)
_NOT_RECORDED = ": not recorded"
#: The factor named when no recorded input reaches the tier an unrecorded one counts as.
UNRECORDED_FACTOR = f"unrecorded inputs, counted as {UNRECORDED_TIER.value}"
_RANK = {tier: n for n, tier in enumerate(RiskTier)}


@dataclass(frozen=True, slots=True)
class RiskFactor:
    """One input of the risk tier and the tier it gives on its own.

    Attributes:
        name: ``combination``, ``blast radius``, ``autonomy``, ``data classification`` or
            ``exposure``.
        tier: The tier this factor alone gives.
        text: The factor in words, e.g. ``autonomy: autonomous``.
    """

    name: str
    tier: RiskTier
    text: str


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """An AI system's risk tier, why, and the target maturity it sets.

    Attributes:
        tier: The highest tier among the factors.
        factor: The factor that set the tier, in words.
        target_level: The default target maturity (0–5) for the system's assessments.
        factors: Every factor considered, in the order of the module docstring.
        missing: The inputs that were not recorded (the tier is then provisional).
    """

    tier: RiskTier
    factor: str
    target_level: int
    factors: tuple[RiskFactor, ...]
    missing: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        """Return True when an input of the tier was not recorded."""
        return bool(self.missing)

    def note(self) -> str:
        """Return ``provisional: autonomy, blast radius not recorded``, or '' when complete."""
        return provisional_note(self.missing)


def provisional_note(missing: tuple[str, ...]) -> str:
    """Return ``provisional: … not recorded`` naming the missing inputs, or '' for none."""
    return f"provisional: {', '.join(missing)} not recorded" if missing else ""


def tier_rank(tier: RiskTier) -> int:
    """Return the order of a tier: low 0, moderate 1, high 2, critical 3."""
    return _RANK[tier]


@lru_cache(maxsize=8192)
def risk_tier(
    *,
    autonomy: Autonomy | None,
    data_classification: Sensitivity | None,
    exposure: Exposure | None,
    blast_tier: RiskTier | None = None,
    blast_score: int | None = None,
    designation: str = "",
    blast_unknown: bool = False,
) -> RiskAssessment:
    """Return the risk tier from the system's attributes and its blast radius.

    Args:
        autonomy: How far the system acts on its own (None: not recorded).
        data_classification: The most sensitive data it handles (None: not recorded).
        exposure: Who can reach it (None: not recorded).
        blast_tier: The tier of its blast radius; None leaves blast radius out.
        blast_score: The blast radius score, only to name it in the factor text.
        designation: The client's own risk designation as written; empty when none.
        blast_unknown: The blast radius is unknown (access not recorded): it counts as an
            unrecorded input.

    Results are cached: the same inputs give the same (immutable) assessment.
    """
    factors: list[RiskFactor] = []
    if autonomy is Autonomy.AUTONOMOUS and data_classification is Sensitivity.RESTRICTED:
        factors.append(
            RiskFactor("combination", RiskTier.CRITICAL, "autonomous system with restricted data")
        )
    if autonomy is Autonomy.AUTONOMOUS and exposure is Exposure.PUBLIC:
        factors.append(
            RiskFactor("combination", RiskTier.CRITICAL, "autonomous system open to the public")
        )
    designated = designation_tier(designation)
    if designated is not None:
        factors.append(
            RiskFactor("client designation", designated, f"client designation: {designation}")
        )
    if blast_unknown:
        factors.append(RiskFactor("blast radius", UNRECORDED_TIER, "blast radius: not recorded"))
    elif blast_tier is not None:
        score = f"score {blast_score}, " if blast_score is not None else ""
        factors.append(
            RiskFactor("blast radius", blast_tier, f"blast radius: {score}{blast_tier.value}")
        )
    factors.append(_factor("autonomy", autonomy, AUTONOMY_TIER))
    factors.append(_factor("data classification", data_classification, DATA_TIER))
    factors.append(_factor("exposure", exposure, EXPOSURE_TIER))
    top = max(factors, key=lambda f: _RANK[f.tier])
    missing = tuple(f.name for f in factors if f.text.endswith(_NOT_RECORDED))
    # An unrecorded input that sets the tier is named for what it is, not as its value: read
    # as "set by unrecorded inputs, counted as moderate", never "set by blast radius: not
    # recorded".
    factor = UNRECORDED_FACTOR if top.text.endswith(_NOT_RECORDED) else top.text
    return RiskAssessment(top.tier, factor, DEFAULT_TARGET[top.tier], tuple(factors), missing)


def system_risk(
    system: SystemFacts, blast_tier: RiskTier | None = None, blast_score: int | None = None
) -> RiskAssessment:
    """Return the risk tier of an AI system (see :func:`risk_tier`).

    Its blast radius is always an input here: a None ``blast_tier`` means it is unknown.
    A portfolio has few kinds of system: each is worked out once (looked up by position,
    which costs a fraction of the keyword lookup of :func:`risk_tier`'s own cache).
    """
    return kind_risk(system.autonomy, system.data_classification, system.exposure,
                     system.designation, blast_tier, blast_score)  # fmt: skip


@lru_cache(maxsize=8192)
def kind_risk(
    autonomy: Autonomy | None,
    data_classification: Sensitivity | None,
    exposure: Exposure | None,
    designation: str,
    blast_tier: RiskTier | None,
    blast_score: int | None,
) -> RiskAssessment:
    """Return the risk tier of one kind of system: its risk inputs in order (see above)."""
    return risk_tier(
        autonomy=autonomy,
        data_classification=data_classification,
        exposure=exposure,
        blast_tier=blast_tier,
        blast_score=blast_score,
        designation=designation,
        blast_unknown=blast_tier is None,
    )


def designation_tier(text: str) -> RiskTier | None:
    """Return the tier a client's risk designation reads as (``Tier 1`` high), if any."""
    words = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if not words:
        return None
    return next((tier for pattern, tier in _DESIGNATIONS if pattern.search(words)), None)


def _factor(
    name: str,
    value: Autonomy | Sensitivity | Exposure | None,
    tiers: Mapping[Autonomy, RiskTier]
    | Mapping[Sensitivity, RiskTier]
    | Mapping[Exposure, RiskTier],
) -> RiskFactor:
    if value is None:
        return RiskFactor(name, UNRECORDED_TIER, f"{name}{_NOT_RECORDED}")
    return RiskFactor(name, tiers[value], f"{name}: {value.value}")  # type: ignore[index]
