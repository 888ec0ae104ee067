"""Plan the move of an assessment to a newer version of one of its frameworks (read only).

The new version's file maps the old question ids onto its own (:mod:`app.catalog.mapping`).
:func:`plan_moves` works out, for every old question of the assessment, what its answer
becomes; :func:`carried_responses` builds the answers the new version will hold, so the
before and after scores can be shown side by side before anything is written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.catalog.mapping import TO_REVIEW, ChangeKind, VersionMapping
from app.catalog.schema import Framework
from app.domain.enums import EvidenceStrength, FocusArea
from app.services.assessment_records import AssessmentQuestions, ResponseInfo
from app.services.scoring import AssessmentScore
from app.support.text import plural

logger = logging.getLogger(__name__)

_STRENGTH_ORDER = [s.value for s in EvidenceStrength]


@dataclass(frozen=True)
class QuestionMove:
    """What happens to the answer of one old question.

    Attributes:
        old_id: The question in the assessment's current version.
        change: unchanged, reworded, changed, split, merged or removed.
        new_ids: The questions of the new version that receive its answer (in scope only).
        answered: True when the old question had a level or N/A.
        dropped: Targets the mapping names that the assessment's scope leaves out.
        note: The mapping's note.
    """

    old_id: str
    change: ChangeKind
    new_ids: tuple[str, ...]
    answered: bool
    dropped: tuple[str, ...] = ()
    note: str = ""

    @property
    def to_review(self) -> bool:
        """Return True when the carried answer is flagged for review."""
        return self.change in TO_REVIEW and bool(self.new_ids)

    def as_dict(self) -> dict[str, Any]:
        """Return the move as JSON-ready data."""
        return {
            "old_id": self.old_id,
            "change": self.change.value,
            "new_ids": list(self.new_ids),
            "answered": self.answered,
            "to_review": self.to_review,
            "dropped": list(self.dropped),
            "note": self.note,
        }


@dataclass(frozen=True)
class ScoreRow:
    """One node's figures before and after, matched by node key."""

    key: str
    title: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class UpgradePlan:
    """Everything an upgrade would do, worked out without writing.

    Attributes:
        assessment_id: The assessment.
        framework_id: The framework being moved.
        from_version: Its current version.
        to_version: The version it moves to.
        source: The current version's framework.
        target: The new version's framework.
        text: The new version's file text (stored with the assessment).
        moves: One per old question, in the old file's order.
        new_questions: Questions of the new version no old answer maps to, in scope.
        in_scope: Every question of the new version in the assessment's scope.
        before: The assessment's scores now.
        after: The scores it will have after the upgrade.
    """

    assessment_id: int
    framework_id: str
    from_version: str
    to_version: str
    source: Framework
    target: Framework
    text: str
    moves: tuple[QuestionMove, ...]
    new_questions: tuple[str, ...]
    in_scope: tuple[str, ...]
    before: AssessmentScore
    after: AssessmentScore
    custom: bool = False
    warnings: tuple[str, ...] = field(default=())

    def title_of(self, question_id: str) -> str:
        """Return a question's title in the new version, else in the current one."""
        for framework in (self.target, self.source):
            if any(q.id == question_id for q in framework.questions):
                return framework.question(question_id).title
        return ""

    def by_change(self, change: ChangeKind) -> tuple[QuestionMove, ...]:
        """Return the moves of one kind."""
        return tuple(m for m in self.moves if m.change == change)

    @property
    def kept(self) -> int:
        """Return how many answered old questions carry their answer somewhere."""
        return sum(1 for m in self.moves if m.answered and m.new_ids)

    @property
    def to_review(self) -> tuple[str, ...]:
        """Return the new question ids whose carried answers are flagged for review."""
        ids = [i for m in self.moves if m.to_review and m.answered for i in m.new_ids]
        return tuple(dict.fromkeys(ids))

    @property
    def removed(self) -> tuple[QuestionMove, ...]:
        """Return the old questions whose answers stay only in the history."""
        return tuple(m for m in self.moves if not m.new_ids)

    def summary(self) -> str:
        """Return what the move does in one sentence (without the final stop).

        The journal is named only when an answered question is removed: an unanswered one
        leaves nothing to keep.
        """
        answered = sum(1 for m in self.removed if m.answered)
        kept = f" ({answered} answered: the answers stay in the journal)" if answered else ""
        return (
            f"{plural(self.kept, 'answer')} carried, {len(self.to_review)} flagged to review, "
            f"{plural(len(self.new_questions), 'new question')}, "
            f"{plural(len(self.removed), 'removed question')}{kept}"
        )

    def score_rows(self) -> list[ScoreRow]:
        """Return overall, each framework, and the moved framework's top nodes, before/after."""
        before = _score_nodes(self.before, self.framework_id)
        after = _score_nodes(self.after, self.framework_id)
        keys = list(dict.fromkeys([*before, *after]))
        return [
            ScoreRow(key, (after.get(key) or before[key])["title"], before.get(key), after.get(key))
            for key in keys
        ]

    def as_dict(self) -> dict[str, Any]:
        """Return the plan as JSON-ready data."""
        return {
            "assessment": self.assessment_id,
            "framework": self.framework_id,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "kept": self.kept,
            "to_review": list(self.to_review),
            "new_questions": list(self.new_questions),
            "removed": [m.old_id for m in self.removed],
            "moves": [m.as_dict() for m in self.moves],
            "scores": [
                {"key": r.key, "title": r.title, "before": r.before, "after": r.after}
                for r in self.score_rows()
            ],
            "warnings": list(self.warnings),
        }


def _score_nodes(score: AssessmentScore, framework_id: str) -> dict[str, dict[str, Any]]:
    data = score.as_dict()
    rows = {"overall": data["overall"]}
    for node in data["nodes"]:
        own = node["id"].startswith(f"{framework_id}/")
        if node["depth"] == 0 or (node["depth"] == 1 and own):
            rows[node["id"]] = node
    return rows


def scope_of(target: Framework, scope: dict[str, Any]) -> tuple[str, ...]:
    """Return the new version's questions in an assessment's stored scope, in file order."""
    focus = scope.get("focus_areas")
    chosen = target.select(
        autonomy=scope.get("autonomy"),
        uses_tools=bool(scope.get("uses_tools")),
        focus_areas=frozenset(FocusArea(f) for f in focus) if focus is not None else None,
        max_priority=scope.get("max_priority"),
    )
    return tuple(q.id for q in chosen)


def plan_moves(
    versions: tuple[Framework, Framework],
    loaded: AssessmentQuestions,
    responses: dict[str, ResponseInfo],
    mapping: VersionMapping,
    in_scope: Sequence[str],
) -> tuple[tuple[QuestionMove, ...], tuple[str, ...]]:
    """Return the move of every old question in the assessment, and the new questions.

    Args:
        versions: The framework's current and new version.
        loaded: The assessment as it is.
        responses: Its answers by question id.
        mapping: The new version's mapping from the current one.
        in_scope: The new version's questions in the assessment's scope.

    A new question is one of the new version in scope that no old answer maps to.
    """
    old, target = versions
    new_ids = frozenset(q.id for q in target.questions)
    scope = set(in_scope)
    moves = []
    for question in old.questions:
        if question.id not in loaded.in_scope:
            continue
        change = mapping.change_of(question.id, new_ids)
        response = responses.get(question.id)
        moves.append(
            QuestionMove(
                old_id=question.id,
                change=change.change,
                new_ids=tuple(t for t in change.target if t in scope),
                answered=bool(response and response.answered),
                dropped=tuple(t for t in change.target if t not in scope),
                note=change.note,
            )
        )
    reached = {t for m in moves for t in m.new_ids}
    return tuple(moves), tuple(q for q in in_scope if q not in reached)


def carried_responses(
    moves: Sequence[QuestionMove], responses: dict[str, ResponseInfo]
) -> dict[str, ResponseInfo]:
    """Return the answer each new question receives, by new question id."""
    sources: dict[str, list[tuple[QuestionMove, ResponseInfo]]] = {}
    for move in moves:
        response = responses.get(move.old_id)
        if response is None:
            continue
        for new_id in move.new_ids:
            sources.setdefault(new_id, []).append((move, response))
    return {new_id: _combine(new_id, found) for new_id, found in sources.items()}


def _combine(new_id: str, found: list[tuple[QuestionMove, ResponseInfo]]) -> ResponseInfo:
    review = any(move.to_review for move, r in found if r.answered)
    if len(found) == 1:
        response = found[0][1]
        flagged = response.flagged or review
        return replace(
            response, question_id=new_id, flagged=flagged, reviewed=response.reviewed and not review
        )
    return _merge(new_id, [r for _, r in found], review)


def _merge(new_id: str, parts: list[ResponseInfo], review: bool) -> ResponseInfo:
    """Combine the answers of merged questions, conservatively.

    The lowest level (N/A only when every answered part is N/A), the weakest evidence
    strength, the highest target override, every note (prefixed with its old id) and file.
    """
    answered = [r for r in parts if r.answered]
    levels = [r.level for r in answered if r.level is not None]
    all_na = bool(answered) and not levels
    first = answered[0] if answered else parts[0]
    strengths = [r.evidence_strength for r in answered if r.evidence_strength]
    return replace(
        first,
        question_id=new_id,
        level=min(levels) if levels else None,
        not_applicable=all_na,
        justification=_joined(parts, "justification") if all_na else "",
        notes=_joined(parts, "notes"),
        evidence_strength=min(strengths, key=_STRENGTH_ORDER.index) if strengths else None,
        target_override=_highest([r.target_override for r in parts]),
        flagged=any(r.flagged for r in parts) or review,
        reviewed=False,
        evidence_ids=tuple(sorted({e for r in parts for e in r.evidence_ids})),
    )


def _joined(parts: Sequence[ResponseInfo], name: str) -> str:
    texts = [f"[{r.question_id}] {getattr(r, name)}" for r in parts if getattr(r, name)]
    return "\n".join(texts)


def _highest(values: Sequence[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
