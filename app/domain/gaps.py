"""Severity of a finding raised from a maturity gap (DESIGN §6), as pure functions.

A question below its target becomes a finding. Its severity grows with the size of the gap and
with the question's priority: points = gap × priority factor, then fixed bands.
"""

from __future__ import annotations

import logging

from app.domain.enums import Severity

logger = logging.getLogger(__name__)

#: Priority factor for severity: 1 High 3, 2 Moderate 2, 3 Foundational 1; no priority 2.
SEVERITY_PRIORITY_FACTOR: dict[int | None, int] = {1: 3, 2: 2, 3: 1, None: 2}

#: Lowest points of each band, strongest first.
SEVERITY_BANDS: tuple[tuple[int, Severity], ...] = (
    (9, Severity.CRITICAL),
    (6, Severity.HIGH),
    (3, Severity.MEDIUM),
    (1, Severity.LOW),
)

GAP_METHOD_TEXT = (
    "A question answered below its target becomes a finding. Its severity is set by points = "
    "gap in levels × priority factor (High 3, Moderate 2, Foundational 1, no priority 2): "
    "9 or more critical, 6–8 high, 3–5 medium, 1–2 low."
)


def gap_points(level: int, target: int, priority: int | None) -> int:
    """Return the severity points of a gap (0 when the level meets the target)."""
    gap = max(0, target - level)
    return gap * SEVERITY_PRIORITY_FACTOR.get(priority, 2)


def gap_severity(level: int, target: int, priority: int | None) -> Severity | None:
    """Return the severity of a finding for a question at ``level`` against ``target``.

    Args:
        level: The answered level 0–5.
        target: The question's target level 0–5.
        priority: 1 High, 2 Moderate, 3 Foundational, or None.

    Returns:
        The severity, or None when the level meets the target (no finding).
    """
    points = gap_points(level, target, priority)
    for lowest, severity in SEVERITY_BANDS:
        if points >= lowest:
            return severity
    return None
