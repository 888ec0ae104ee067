"""Maturity scoring of an assessment (DESIGN §6), as pure functions over plain values.

Each answered, unanswered or not-applicable question is a :class:`ScoredItem` that names the
nodes it rolls up into (framework, focus area, function, category …) from the root down. One
pass over the items fills an accumulator per node; every node and the overall result get the
same measures, defined once in :data:`METHOD_TEXT`, which reports print word for word.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.domain.enums import EvidenceStrength

logger = logging.getLogger(__name__)

MIN_LEVEL, MAX_LEVEL = 0, 5

#: Extra weight of a question by its IR 8596 priority: 1 High, 2 Moderate, 3 Foundational.
PRIORITY_WEIGHTS: dict[int | None, float] = {1: 3.0, 2: 2.0, 3: 1.0, None: 1.0}

#: Answers at or above this level count towards confidence.
CONFIDENCE_LEVEL = 3

#: Evidence strengths stronger than self-declared.
BACKED_STRENGTHS = frozenset(
    {EvidenceStrength.DOCUMENT, EvidenceStrength.OBSERVED, EvidenceStrength.TESTED}
)

LEVEL_NAMES: dict[int, str] = {
    0: "Not performed",
    1: "Initial",
    2: "Repeatable",
    3: "Defined",
    4: "Managed",
    5: "Optimizing",
}

OVERALL_KEY = "overall"

METHOD_TEXT = """\
Scale. Each question is answered with a maturity level: 0 Not performed, 1 Initial, \
2 Repeatable, 3 Defined, 4 Managed, 5 Optimizing. A question may instead be marked not \
applicable (N/A) with a written justification, or left unanswered.

Applicable questions. N/A questions are left out of every figure below, numerators and \
denominators alike. Unanswered questions stay in: they count as not meeting any level.

Weights. A question's weight is its own weight from the questionnaire multiplied by its \
priority weight: High 3, Moderate 2, Foundational 1 (IR 8596 proposed priorities; questions \
without a priority weigh 1).

Figures per node (category, function, focus area, framework) and overall, each computed over \
the applicable questions below that node:
- Mean maturity: the weighted mean level of the answered questions.
- Achieved level: the highest level L such that every applicable question is at L or above; \
an unanswered question holds it at 0. Unlike the mean, one weak question cannot hide behind \
strong ones.
- Coverage: the share of applicable questions answered at or above their target level.
- Completeness: the share of applicable questions that are answered.
- Gap: the weighted mean shortfall of the answered questions, where a question's shortfall is \
its target minus its level when below target and 0 otherwise; answers above target do not \
offset answers below it.
- Confidence: the share of answers at level 3 or above that are backed by evidence stronger \
than self-declared (a document, an observation or a test). An answer with an evidence file \
attached and no strength chosen counts as backed by a document.
Coverage, completeness and confidence are shares of questions, not weighted. A figure whose \
denominator is empty (for example, every question N/A) is shown as not available.

Target. Each question's target is the assessment's target level (by default set from the AI \
system's risk tier), unless the assessor set a different target for that question.
"""


class ScoringError(ValueError):
    """An item that cannot be scored (a level or target outside 0–5)."""


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One question of an assessment, as scoring sees it.

    Attributes:
        question_id: The question's id.
        node_path: The keys of the nodes it rolls up into, root first (e.g. framework, focus
            area, function, category); each key must be unique across the whole assessment.
        weight: The question's weight (> 0).
        priority: 1 High, 2 Moderate, 3 Foundational, or None.
        level: The answered level 0–5, or None when unanswered or N/A.
        not_applicable: True when marked N/A.
        target: The target level 0–5 for this question.
        strength: How the answer is backed, or None (treated as self-declared).
    """

    question_id: str
    node_path: tuple[str, ...]
    weight: float
    priority: int | None
    level: int | None
    not_applicable: bool
    target: int
    strength: EvidenceStrength | str | None = None

    @property
    def effective_weight(self) -> float:
        """Return the question weight times its priority weight."""
        return self.weight * PRIORITY_WEIGHTS.get(self.priority, 1.0)

    @property
    def answered(self) -> bool:
        """Return True when the question has a level and is not N/A."""
        return self.level is not None and not self.not_applicable


@dataclass(frozen=True, slots=True)
class NodeScore:
    """Every figure of one node (or of the whole assessment).

    Attributes:
        key: The node key (``overall`` for the whole assessment).
        path: The node keys from the root down to this one.
        questions: All questions below the node, N/A included.
        applicable: Questions not marked N/A.
        answered: Applicable questions with a level.
        not_applicable: Questions marked N/A.
        at_target: Answered questions at or above their target.
        mean: Weighted mean level of the answered questions.
        achieved_level: The highest level every applicable question reaches.
        coverage: ``at_target / applicable``.
        completeness: ``answered / applicable``.
        gap: Weighted mean shortfall below target of the answered questions.
        confidence: Share of answers at level 3+ backed by more than self-declaration.
        target: Weighted mean target of the applicable questions.
    """

    key: str
    path: tuple[str, ...]
    questions: int
    applicable: int
    answered: int
    not_applicable: int
    at_target: int
    mean: float | None
    achieved_level: int | None
    coverage: float | None
    completeness: float | None
    gap: float | None
    confidence: float | None
    target: float | None


@dataclass(frozen=True)
class ScoreResult:
    """The scores of an assessment: every node in first-seen order, and the overall one."""

    overall: NodeScore
    nodes: tuple[NodeScore, ...]
    by_key: dict[str, NodeScore] = field(repr=False, compare=False, default_factory=dict)

    def node(self, key: str) -> NodeScore:
        """Return the score of one node.

        Raises:
            KeyError: No question rolls up into that node.
        """
        return self.by_key[key]


class _Accumulator:
    """Running sums for one node; each item is added once."""

    __slots__ = (
        "answered",
        "applicable",
        "at_target",
        "backed_high",
        "gap_sum",
        "high",
        "min_level",
        "not_applicable",
        "questions",
        "target_sum",
        "target_weight",
        "weight",
        "weighted_level",
    )

    def __init__(self) -> None:
        self.questions = self.applicable = self.answered = self.not_applicable = 0
        self.at_target = self.high = self.backed_high = 0
        self.weight = self.weighted_level = self.gap_sum = 0.0
        self.target_sum = self.target_weight = 0.0
        self.min_level = MAX_LEVEL

    def add(self, item: ScoredItem, weight: float, backed: bool) -> None:
        self.questions += 1
        if item.not_applicable:
            self.not_applicable += 1
            return
        self.applicable += 1
        self.target_sum += weight * item.target
        self.target_weight += weight
        level = item.level
        if level is None:
            self.min_level = MIN_LEVEL
            return
        self.answered += 1
        self.weight += weight
        self.weighted_level += weight * level
        self.min_level = min(self.min_level, level)
        if level >= item.target:
            self.at_target += 1
        else:
            self.gap_sum += weight * (item.target - level)
        if level >= CONFIDENCE_LEVEL:
            self.high += 1
            self.backed_high += backed

    def result(self, key: str, path: tuple[str, ...]) -> NodeScore:
        applicable, answered = self.applicable, self.answered
        return NodeScore(
            key=key,
            path=path,
            questions=self.questions,
            applicable=applicable,
            answered=answered,
            not_applicable=self.not_applicable,
            at_target=self.at_target,
            mean=self.weighted_level / self.weight if answered else None,
            achieved_level=self.min_level if applicable else None,
            coverage=self.at_target / applicable if applicable else None,
            completeness=answered / applicable if applicable else None,
            gap=self.gap_sum / self.weight if answered else None,
            confidence=self.backed_high / self.high if self.high else None,
            target=self.target_sum / self.target_weight if applicable else None,
        )


def _check(item: ScoredItem) -> None:
    if item.level is not None and not MIN_LEVEL <= item.level <= MAX_LEVEL:
        raise ScoringError(f"{item.question_id}: level {item.level} is outside 0-5")
    if not MIN_LEVEL <= item.target <= MAX_LEVEL:
        raise ScoringError(f"{item.question_id}: target {item.target} is outside 0-5")
    if item.weight <= 0:
        raise ScoringError(f"{item.question_id}: weight must be above 0")


def is_backed(strength: EvidenceStrength | str | None) -> bool:
    """Return True when an evidence strength is stronger than self-declared."""
    return strength is not None and strength in BACKED_STRENGTHS


def score_items(items: Iterable[ScoredItem]) -> ScoreResult:
    """Score an assessment: every node its items roll up into, and the whole.

    Args:
        items: The assessment's questions with their answers. An N/A item's level is ignored.

    Returns:
        Node scores in tree order (each node before its children, siblings in the order they
        were first seen), and the overall score.

    Raises:
        ScoringError: A level or target outside 0–5, or a weight not above 0.
    """
    overall = _Accumulator()
    nodes: dict[str, tuple[tuple[str, ...], _Accumulator]] = {}
    for item in items:
        _check(item)
        weight = item.effective_weight
        backed = is_backed(item.strength)
        overall.add(item, weight, backed)
        for depth, key in enumerate(item.node_path):
            entry = nodes.get(key)
            if entry is None:
                entry = nodes[key] = (item.node_path[: depth + 1], _Accumulator())
            entry[1].add(item, weight, backed)
    first_seen = {key: index for index, key in enumerate(nodes)}
    scored = tuple(
        sorted(
            (acc.result(key, path) for key, (path, acc) in nodes.items()),
            key=lambda score: tuple(first_seen[k] for k in score.path),
        )
    )
    by_key = {score.key: score for score in scored}
    return ScoreResult(overall.result(OVERALL_KEY, ()), scored, by_key)


def children_of(result: ScoreResult, path: Sequence[str]) -> tuple[NodeScore, ...]:
    """Return the nodes directly below ``path`` (the top-level nodes for an empty path)."""
    depth = len(path)
    prefix = tuple(path)
    return tuple(
        node for node in result.nodes if len(node.path) == depth + 1 and node.path[:depth] == prefix
    )
