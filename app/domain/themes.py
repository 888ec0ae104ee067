"""Drafts of a themed finding's texts from the gaps it groups (pure functions).

A theme groups gaps: questions answered below target, or identity-hygiene rules that fired.
Its first title, condition and recommendation are drafted from them; the recommendation is
built only from the questions' client-facing recommendations (or the rules' advice), never from
the assessor's test steps.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.enums import severity_rank
from app.domain.scoring import LEVEL_NAMES
from app.support.text import plural

logger = logging.getLogger(__name__)

THEME_METHOD_TEXT = (
    "Questions answered below their target are grouped into themed findings: by default one per "
    "framework category (a CSF 2.0 category, an AI RMF category, an OWASP entry) and one per "
    "identity-hygiene rule that fired on the system's identities. The assessor merges, splits, "
    "retitles and rewords themes; each lists the questions and checks behind it with their "
    "current and target levels as its criteria."
)

#: How many gaps the condition names before summing up the rest.
_NAMED = 3
#: How many distinct recommendations a drafted theme recommendation joins.
_ADVICE = 3


@dataclass(frozen=True)
class GapDraft:
    """What drafting needs of one gap."""

    kind: str
    ref: str
    title: str
    level: int | None
    target: int | None
    severity: str
    recommendation: str


def _worst_first(gaps: Sequence[GapDraft]) -> list[GapDraft]:
    return sorted(
        gaps,
        key=lambda g: (severity_rank(g.severity), -((g.target or 0) - (g.level or 0)), g.ref),
    )


def draft_title(group_title: str, gaps: Sequence[GapDraft]) -> str:
    """Return a theme's first title: the identity rule's name, or its category's."""
    if gaps and all(g.kind == "rule" for g in gaps):
        return group_title
    return f"{group_title}: practices below target"


def _level_text(level: int | None) -> str:
    if level is None:
        return "an unknown level"
    return f"level {level} ({LEVEL_NAMES.get(level, '')})"


def draft_condition(group_title: str, gaps: Sequence[GapDraft]) -> str:
    """Return the condition found: how many gaps, the widest ones named, with their levels."""
    ordered = _worst_first(gaps)
    if not ordered:
        return f"No gaps remain under {group_title}."
    checks = [g for g in ordered if g.kind == "rule"]
    questions = [g for g in ordered if g.kind != "rule"]
    parts = []
    if questions:
        count = "One practice falls" if len(questions) == 1 else f"{len(questions)} practices fall"
        named = "; ".join(
            f"{g.ref} {g.title} is at {_level_text(g.level)} against {_level_text(g.target)}"
            for g in questions[:_NAMED]
        )
        if len(questions) == 1:
            parts.append(f"{count} short of target: {named}.")
        else:
            parts.append(f"{count} short of target. The widest gaps: {named}.")
        others = len(questions) - _NAMED
        if others == 1:
            parts.append("One more is listed under criteria.")
        elif others > 1:
            parts.append(f"The other {others} are listed under criteria.")
    if checks:
        subjects = "; ".join(g.title for g in checks[:_NAMED])
        more = len(checks) - _NAMED
        rest = f"; and {more} more" if more > 0 else ""
        parts.append(f"The identity check found {plural(len(checks), 'case')}: {subjects}{rest}.")
    return " ".join(parts)


def draft_recommendation(gaps: Sequence[GapDraft]) -> str:
    """Return advice to the client drawn from the gaps' own recommendations, worst gap first."""
    advice: list[str] = []
    for gap in _worst_first(gaps):
        text = gap.recommendation.strip()
        if text and text not in advice:
            advice.append(text)
        if len(advice) == _ADVICE:
            break
    if not advice:
        return "Bring the practices listed under criteria up to their target level."
    rest = [g for g in gaps if g.recommendation.strip() not in advice]
    practices = sum(1 for g in rest if g.kind != "rule")
    checks = len(rest) - practices
    owed = []
    if practices:
        owed.append(f"{plural(practices, 'further practice')} to bring to target")
    if checks:
        owed.append(f"{plural(checks, 'further identity case')} to resolve")
    if owed:
        advice.append(f"The criteria list {' and '.join(owed)}.")
    return " ".join(advice)


def draft_effort(gaps: Sequence[GapDraft]) -> str:
    """Return a first effort estimate from how many gaps there are and how wide they are."""
    levels = sum(max(1, (g.target or 0) - (g.level or 0)) for g in gaps)
    if levels <= 3:
        return "low"
    if levels <= 10:
        return "medium"
    return "high"
