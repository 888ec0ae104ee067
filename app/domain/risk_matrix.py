"""The risk rating of a finding: likelihood × impact on a stated 5×5 matrix (pure functions).

Likelihood and impact are each rated 1–5; their product (1–25) falls in a band that gives the
finding's severity. The same words are printed in the report's method text, so a client can
re-derive every rating.
"""

from __future__ import annotations

import logging

from app.domain.enums import Severity

logger = logging.getLogger(__name__)

#: The scale of both axes.
SCALE: tuple[int, ...] = (1, 2, 3, 4, 5)

LIKELIHOOD_LABELS: dict[int, str] = {
    1: "Rare",
    2: "Unlikely",
    3: "Possible",
    4: "Likely",
    5: "Almost certain",
}
IMPACT_LABELS: dict[int, str] = {
    1: "Negligible",
    2: "Minor",
    3: "Moderate",
    4: "Major",
    5: "Severe",
}

#: Lowest score of each band, strongest first.
RATING_BANDS: tuple[tuple[int, Severity], ...] = (
    (20, Severity.CRITICAL),
    (10, Severity.HIGH),
    (5, Severity.MEDIUM),
    (1, Severity.LOW),
)

MATRIX_METHOD_TEXT = (
    "Each finding is rated on a 5×5 matrix: likelihood (1 Rare, 2 Unlikely, 3 Possible, "
    "4 Likely, 5 Almost certain) times impact (1 Negligible, 2 Minor, 3 Moderate, 4 Major, "
    "5 Severe). A score of 20–25 is critical, 10–16 high, 5–9 medium and 1–4 low. The first "
    "rating is drafted from the gaps behind the finding (how far below target the practices are, "
    "and how important they are); the assessor confirms or changes it."
)


def checked(value: int, axis: str) -> int:
    """Return ``value`` when it is on the scale.

    Raises:
        ValueError: It is not a whole number from 1 to 5.
    """
    if value not in SCALE:
        raise ValueError(f"{axis} must be a whole number from 1 to 5, not {value!r}")
    return value


def score(likelihood: int, impact: int) -> int:
    """Return likelihood × impact."""
    return likelihood * impact


def rating(likelihood: int, impact: int) -> Severity:
    """Return the severity band of a likelihood and impact pair."""
    points = score(likelihood, impact)
    for lowest, severity in RATING_BANDS:
        if points >= lowest:
            return severity
    return Severity.LOW


def gap_risk(level: int, target: int, priority: int | None) -> tuple[int, int]:
    """Draft the likelihood and impact of one question below its target.

    The further below target, the likelier the weakness is exploited; the higher the question's
    priority (1 High, 2 Moderate, 3 Foundational), the greater the impact when it is.
    """
    gap = max(1, target - level)
    likelihood = min(5, 1 + gap + (1 if level == 0 else 0))
    impact = {1: 4, 2: 3, 3: 2}.get(priority or 0, 3)
    return likelihood, impact


#: Drafted likelihood and impact of an identity rule by the severity it reported.
_RULE_RISK: dict[str, tuple[int, int]] = {
    Severity.CRITICAL.value: (4, 5),
    Severity.HIGH.value: (4, 4),
    Severity.MEDIUM.value: (3, 3),
    Severity.LOW.value: (2, 2),
}


def rule_risk(severity: str) -> tuple[int, int]:
    """Draft the likelihood and impact of an identity-hygiene rule that fired."""
    return _RULE_RISK.get(severity, (3, 3))


def combined(risks: list[tuple[int, int]]) -> tuple[int, int]:
    """Return the rating of a group of gaps: their typical likelihood and their worst impact.

    Likelihood is the rounded mean of the gaps', one level higher when eight or more gaps share
    the theme (a weakness repeated across many controls is likelier to be found), up to the top
    of the scale.
    """
    if not risks:
        return (1, 1)
    mean = sum(r[0] for r in risks) / len(risks)
    likelihood = int(mean + 0.5) + (1 if len(risks) >= 8 else 0)
    return min(5, likelihood), max(r[1] for r in risks)
