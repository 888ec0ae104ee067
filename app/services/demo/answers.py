"""Plausible answers for the demo assessments: levels, notes, N/A reasons, evidence strength."""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.catalog.schema import Question

NOTES = {
    0: "Nothing in place; the team was not aware this was expected.",
    1: "Done case by case by one engineer; nothing written down.",
    2: "A practice exists and is repeated, but it is not documented or owned.",
    3: "Documented procedure, followed for this system; seen in the walkthrough.",
    4: "Measured and reviewed monthly; deviations are tracked to closure.",
    5: "Continuously improved; metrics feed the quarterly risk review.",
}
NA_REASONS = (
    "The system does not use AI in any security operation, so this defensive use does not apply.",
    "Out of scope for this engagement: handled by the group-level programme.",
)
STRENGTH_BY_LEVEL = {
    0: "self-declared",
    1: "self-declared",
    2: "document",
    3: "document",
    4: "observed",
    5: "tested",
}


@dataclass(frozen=True)
class PlannedAnswer:
    """One answer the demo will record."""

    question_id: str
    level: int | None
    not_applicable: bool
    note: str
    strength: str | None
    with_evidence: bool


def _is_identity_question(question: Question) -> bool:
    return bool(question.inventory_facts) or question.ref.startswith(("PR.AA", "NHI"))


def plan_answers(
    questions: list[Question], *, base: float, seed: int, na_share: float = 0.04
) -> list[PlannedAnswer]:
    """Return an answer for every question around a base maturity.

    Identity questions score a level lower (the demo client's weak spot); High-priority
    questions a little higher (they got attention first). Some Defend questions are N/A.
    """
    rng = random.Random(seed)
    planned = []
    for question in questions:
        defend = question.focus_area is not None and question.focus_area.value == "defend"
        if defend and rng.random() < na_share * 3:
            planned.append(
                PlannedAnswer(question.id, None, True, rng.choice(NA_REASONS), None, False)
            )
            continue
        shift = -1.0 if _is_identity_question(question) else 0.0
        shift += 0.5 if question.priority == 1 else 0.0
        level = int(round(min(5.0, max(0.0, rng.gauss(base + shift, 0.9)))))
        strength = STRENGTH_BY_LEVEL[level]
        if level >= 3 and rng.random() < 0.25:
            strength = "self-declared"  # confidence below 100%, as in real engagements
        planned.append(
            PlannedAnswer(
                question.id,
                level,
                False,
                NOTES[level] if rng.random() < 0.6 else "",
                strength,
                level >= 3 and rng.random() < 0.5,
            )
        )
    return planned
