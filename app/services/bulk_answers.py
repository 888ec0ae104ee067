"""Answer many questions at once, override or re-inherit an organisation answer.

Each function here is one user action: one write transaction and one journal entry, however
many answers it changes, so one undo takes it back (:func:`restore_answers`, with the
``before`` values the action returned). :func:`answer_focus_areas` answers the three IR 8596
focus-area questions of one CSF subcategory together: a level for each, one shared note and
evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.schema import Framework, Question
from app.domain.enums import Origin
from app.services.assessment_records import (
    AssessmentQuestions,
    ResponseInfo,
    editable_row,
    list_responses,
    load_questions,
    response_row,
)
from app.services.assessments import answer_changes, change_row, validate_changes
from app.services.errors import UserError
from app.services.inheritance import INHERITED_FIELDS, organisation_answers
from app.services.unit import writes
from app.storage.models import Response
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BulkResult:
    """What one bulk action changed.

    Attributes:
        responses: The changed answers as they now count.
        before: Question id → the values before (what :func:`restore_answers` puts back).
        linked: Evidence ids the action linked to every answer (the undo unlinks them).
    """

    responses: tuple[ResponseInfo, ...]
    before: dict[str, dict[str, Any]]
    linked: tuple[int, ...] = ()


@writes
def update_many(
    uow: UnitOfWork,
    assessment_id: int,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    link_evidence: Sequence[int] = (),
    unlink_evidence: Sequence[int] = (),
    action: str = "response.bulk_update",
) -> BulkResult:
    """Change several answers in one transaction with one journal entry.

    Args:
        uow: The unit of work (or the workspace, to save at once).
        assessment_id: The assessment.
        changes: Question id → its changes (fields as for ``update_response``).
        link_evidence: Evidence ids to link to every changed answer.
        unlink_evidence: Evidence ids to unlink from every changed answer.
        action: The journal action.

    Raises:
        UserError: The assessment is final, a question is not in it or is inherited, or a
            value is invalid; then nothing changes.
    """
    if not changes:
        raise UserError("choose at least one question")
    clean = {qid: validate_changes(dict(c)) for qid, c in changes.items()}
    editable_row(uow, assessment_id)
    before, after = {}, {}
    for question_id, values in clean.items():
        row = response_row(uow, assessment_id, question_id)
        old, new = change_row(uow, row, values, link_evidence)
        if unlink_evidence:
            uow.repository(ResponseRepository).unlink(row.id or 0, unlink_evidence)
            new["evidence_unlinked"] = list(unlink_evidence)
        before[question_id], after[question_id] = old, new
    uow.record(
        action,
        "assessment",
        assessment_id,
        before={"questions": before},
        after={"questions": after, "count": len(clean)},
    )
    shown = [r for r in list_responses(uow, assessment_id) if r.question_id in clean]
    logger.info("%s: %s of assessment %s", action, plural(len(clean), "answer"), assessment_id)
    return BulkResult(tuple(shown), before, tuple(link_evidence))


@writes
def bulk_answer(
    uow: UnitOfWork,
    /,
    assessment_id: int,
    question_ids: Sequence[str],
    *,
    link_evidence: Sequence[int] = (),
    **values: Any,
) -> BulkResult:
    """Give several questions the same level, N/A with a reason, strength or evidence at once.

    Raises:
        UserError: As :func:`update_many`, or nothing to set.
    """
    if not values and not link_evidence:
        raise UserError("say what to set: a level, N/A with a reason, evidence or provenance")
    changes = {qid: dict(values) for qid in dict.fromkeys(question_ids)}
    return update_many(uow, assessment_id, changes, link_evidence=link_evidence)


@writes
def restore_answers(
    uow: UnitOfWork,
    assessment_id: int,
    before: Mapping[str, Mapping[str, Any]],
    unlink: Sequence[int] = (),
) -> BulkResult:
    """Undo a bulk action as one action: put back its ``before`` values, unlink its evidence."""
    changes = {qid: _undo_values(values) for qid, values in before.items() if values or unlink}
    if not changes:
        raise UserError("nothing to undo")
    return update_many(
        uow, assessment_id, changes, unlink_evidence=unlink, action="response.bulk_undo"
    )


def _undo_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if out.get("not_applicable"):
        out.pop("level", None)
    return out


def matching(
    loaded: AssessmentQuestions,
    responses: Sequence[ResponseInfo],
    *,
    framework: str | None = None,
    node: str | None = None,
    focus_area: str | None = None,
    max_priority: int | None = None,
    unanswered: bool = False,
    text: str = "",
) -> list[str]:
    """Return the question ids of an assessment that pass a filter (own answers only).

    Inherited answers are never chosen: a bulk change of them would be refused.
    """
    by_id = {r.question_id: r for r in responses}
    chosen = []
    for fw, question in loaded.entries():
        response = by_id.get(question.id)
        if response is None or response.inherited:
            continue
        if framework and fw.id != framework:
            continue
        if node and question.id not in {q.id for q in _under(fw, node)}:
            continue
        if focus_area and (question.focus_area or "") != focus_area:
            continue
        if max_priority is not None and (question.priority or 0) > max_priority:
            continue
        if unanswered and response.answered:
            continue
        if text and text.casefold() not in f"{question.ref} {question.title}".casefold():
            continue
        chosen.append(question.id)
    return chosen


def _under(framework: Framework, node: str) -> tuple[Question, ...]:
    if not framework.has_node(node):
        raise UserError(f"{framework.id} has no node {node!r}")
    return framework.questions_under(node)


@writes
def override(uow: UnitOfWork, assessment_id: int, question_id: str, reason: str) -> ResponseInfo:
    """Answer an inherited question for this system instead, starting from the inherited answer.

    Raises:
        UserError: No reason, the answer is not inherited, or the assessment is final.
    """
    if not reason.strip():
        raise UserError("an override needs a reason")
    editable_row(uow, assessment_id)
    row = response_row(uow, assessment_id, question_id)
    if row.origin != Origin.INHERITED:
        raise UserError(f"{question_id} is not inherited from the organisation assessment")
    found = organisation_answers(uow, [question_id])
    source = found.rows.get(question_id) if found is not None else None
    for name in INHERITED_FIELDS:
        value = getattr(source, name) if source is not None else None
        setattr(row, name, value if value is not None or name == "level" else _blank(name))
    row.origin, row.override_reason = Origin.OVERRIDDEN.value, reason.strip()
    _journal_origin(uow, row, "response.override", Origin.INHERITED)
    return _one(uow, assessment_id, question_id)


@writes
def inherit_again(uow: UnitOfWork, assessment_id: int, question_id: str) -> ResponseInfo:
    """Drop a system's override: the organisation answer counts again.

    Raises:
        UserError: The answer is not overridden, or the assessment is final.
    """
    editable_row(uow, assessment_id)
    row = response_row(uow, assessment_id, question_id)
    if row.origin != Origin.OVERRIDDEN:
        raise UserError(f"{question_id} is not overridden")
    kept = {"level": row.level, "reason": row.override_reason}
    for name in INHERITED_FIELDS:
        setattr(row, name, None if name in ("level", "answered_at") else _blank(name))
    row.origin, row.override_reason = Origin.INHERITED.value, ""
    _journal_origin(uow, row, "response.inherit", Origin.OVERRIDDEN, kept)
    return _one(uow, assessment_id, question_id)


def _blank(name: str) -> Any:
    return {"not_applicable": False, "evidence_strength": None}.get(name, "")


def _journal_origin(
    uow: UnitOfWork,
    row: Response,
    action: str,
    was: Origin,
    extra: dict[str, Any] | None = None,
) -> None:
    uow.flush()
    uow.record(
        action,
        "response",
        f"{row.assessment_id}:{row.question_id}",
        before={"origin": was.value} | (extra or {}),
        after={"origin": row.origin, "override_reason": row.override_reason},
    )


def _one(uow: UnitOfWork, assessment_id: int, question_id: str) -> ResponseInfo:
    return next(r for r in list_responses(uow, assessment_id) if r.question_id == question_id)


def focus_area_group(loaded: AssessmentQuestions, question_id: str) -> list[Question]:
    """Return the focus-area questions of the same CSF subcategory in the assessment, in order.

    A question without a focus area forms a group of its own.
    """
    _, question = loaded.find(question_id)
    if question.focus_area is None:
        return [question]
    return [
        q
        for _, q in loaded.entries()
        if q.ref == question.ref and q.node == question.node and q.focus_area is not None
    ]


@writes
def answer_focus_areas(
    uow: UnitOfWork,
    assessment_id: int,
    ref: str,
    levels: Mapping[str, int | str | None],
    *,
    note: str | None = None,
    strength: str | None = None,
    link_evidence: Sequence[int] = (),
) -> BulkResult:
    """Answer the focus-area questions of one subcategory (e.g. ``PR.AA-05``) in one action.

    Args:
        uow: The unit of work (or the workspace, to save at once).
        assessment_id: The assessment.
        ref: The subcategory reference.
        levels: Focus area (secure, defend, thwart) → level 0–5, ``"na"`` or None; one
            entry ``"all"`` gives every focus area the same level.
        note: The shared note (for N/A, the shared justification).
        strength: The shared evidence strength.
        link_evidence: Evidence ids linked to every answer.

    Raises:
        UserError: Unknown subcategory or focus area, or as :func:`update_many`.
    """
    loaded = load_questions(uow, assessment_id)
    changes = focus_area_changes(loaded, ref, levels, note=note, strength=strength)
    return update_many(
        uow, assessment_id, changes, link_evidence=link_evidence,
        action="response.focus_areas",
    )  # fmt: skip


def focus_area_changes(
    loaded: AssessmentQuestions,
    ref: str,
    levels: Mapping[str, int | str | None],
    *,
    note: str | None = None,
    strength: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Return the changes that answer one subcategory's focus areas, by question id.

    Raises:
        UserError: Unknown subcategory, focus area or level.
    """
    group = [q for _, q in loaded.entries() if q.ref == ref and q.focus_area is not None]
    if not group:
        raise UserError(f"assessment {loaded.info.id} has no focus-area question {ref!r}")
    by_area = {q.focus_area.value: q for q in group if q.focus_area is not None}
    unknown = set(levels) - set(by_area) - {"all"}
    if unknown:
        raise UserError(f"{ref} has no focus area {', '.join(sorted(unknown))} in this assessment")
    return {
        question.id: answer_changes(levels.get(area, levels.get("all")), note=note,
                                    strength=strength)
        for area, question in by_area.items()
        if area in levels or "all" in levels
    }  # fmt: skip
