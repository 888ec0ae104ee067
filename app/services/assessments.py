"""Assessments of AI systems: create them and answer their questions.

An assessment fixes its questions when it is created: one ``response`` row per question in scope
(unanswered at first), and the exact text and SHA-256 of every framework file it uses, stored in
the ``framework_version`` table. Every change is one write transaction with its journal entry; a
final assessment is read-only and every mutating function raises :class:`UserError` on one.

This module is the entry point for the other layers: it re-exports the reading functions of
:mod:`app.services.assessment_records` and the lifecycle of
:mod:`app.services.assessment_lifecycle`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.catalog.errors import UnknownIdError
from app.catalog.registry import Catalog
from app.catalog.schema import Framework, Question
from app.domain.blast_radius import system_blast_radius
from app.domain.enums import AssessmentStatus, EvidenceStrength, FocusArea, RiskTier
from app.domain.risk import DEFAULT_TARGET, RiskAssessment, system_risk
from app.services import journal
from app.services.assessment_lifecycle import (
    finalize,
    reassess,
    return_to_draft,
    submit_for_review,
)
from app.services.assessment_records import (
    RESPONSE_FIELDS,
    AssessmentInfo,
    AssessmentQuestions,
    FrameworkRef,
    ResponseInfo,
    assessment_info,
    check_level,
    editable_row,
    evidence_links,
    framework_ref,
    get_assessment,
    get_response,
    list_assessments,
    list_responses,
    load_questions,
    record_change,
    response_info,
    response_row,
    stored_version,
    system_row,
)
from app.services.errors import UserError
from app.services.frameworks import catalog_for
from app.services.identity_analysis import load_graph
from app.services.workspace import Workspace
from app.storage.models import AISystem, Assessment, Evidence, Response, ResponseEvidence

logger = logging.getLogger(__name__)

__all__ = [
    "NOT_APPLICABLE",
    "AssessmentInfo",
    "AssessmentQuestions",
    "FrameworkRef",
    "ResponseInfo",
    "answer",
    "check_level",
    "editable_row",
    "finalize",
    "get_assessment",
    "get_response",
    "link_response_evidence",
    "list_assessments",
    "list_responses",
    "load_questions",
    "new_assessment",
    "reassess",
    "response_row",
    "return_to_draft",
    "submit_for_review",
    "system_risk_of",
    "update_assessment",
    "update_response",
    "update_response_in",
]

NOT_APPLICABLE = "na"


def _focus_areas(values: Iterable[str] | None) -> frozenset[FocusArea] | None:
    if values is None:
        return None
    chosen = set()
    for value in values:
        try:
            chosen.add(FocusArea(value.strip().lower()))
        except ValueError:
            known = ", ".join(f.value for f in FocusArea)
            raise UserError(f"unknown focus area {value!r} (use {known})") from None
    if not chosen:
        raise UserError("choose at least one focus area")
    return frozenset(chosen)


def _select(framework: Framework, system: AISystem, scope: dict[str, Any]) -> list[Question]:
    focus = scope["focus_areas"]
    questions = framework.select(
        autonomy=system.autonomy,
        uses_tools=bool(system.tools),
        focus_areas=frozenset(FocusArea(f) for f in focus) if focus is not None else None,
        max_priority=scope["max_priority"],
    )
    if not questions:
        acts = f"autonomy {system.autonomy or 'not recorded'}, {len(system.tools)} tool(s)"
        raise UserError(
            f"no question of {framework.id} is in scope for {system.external_id} ({acts}); "
            "it applies only to systems that act, or the focus/priority filter excludes all"
        )
    return list(questions)


def new_assessment(
    workspace: Workspace,
    system: str,
    frameworks: Sequence[str],
    *,
    focus_areas: Iterable[str] | None = None,
    max_priority: int | None = None,
    target: int | None = None,
    risk_tier: str | None = None,
    risk_factor: str = "",
    title: str = "",
    catalog: Catalog | None = None,
) -> AssessmentInfo:
    """Start an assessment of an AI system against one or more frameworks.

    Args:
        workspace: The open workspace.
        system: The system's inventory id (e.g. ``AIS-001``).
        frameworks: Framework ids (e.g. ``nist-ir-8596``).
        focus_areas: IR 8596 focus areas to keep (secure, defend, thwart); all when None.
        max_priority: Keep questions with priority at most this (1 High only … 3 all).
        target: The target maturity 0–5; by default the one the system's risk tier sets
            (autonomy, data, exposure and blast radius, see :mod:`app.domain.risk`). The tier
            and the factor that set it are stored either way.
        risk_tier: The system's risk tier when the caller already worked it out (e.g. a
            dialog that showed it); computed from the inventory when None.
        risk_factor: The factor that set ``risk_tier``.
        title: A title; by default the system's name and today's date.
        catalog: The catalog to take frameworks from; the workspace's when None.

    Returns:
        The new draft assessment.

    Raises:
        UserError: Unknown system, framework or focus area; a bad priority or target; or no
            question of a framework applies to the system.
    """
    names = list(dict.fromkeys(f.strip() for f in frameworks if f.strip()))
    if not names:
        raise UserError("choose at least one framework")
    if max_priority is not None and max_priority not in (1, 2, 3):
        raise UserError("--max-priority must be 1 (High), 2 (Moderate) or 3 (Foundational)")
    if target is not None:
        check_level(target, "the target")
    focus = _focus_areas(focus_areas)
    catalog = catalog or catalog_for(workspace)
    try:
        chosen = [catalog.framework(name) for name in names]
    except UnknownIdError as exc:
        raise UserError(str(exc)) from None
    scope = {
        "focus_areas": sorted(f.value for f in focus) if focus is not None else None,
        "max_priority": max_priority,
    }
    if risk_tier is None:
        risk = system_risk_of(workspace, system)
        tier, factor = risk.tier, risk.factor
    else:
        tier, factor = _tier(risk_tier), risk_factor
    target_level = DEFAULT_TARGET[tier] if target is None else target
    with workspace.db.write() as session:
        target_system = system_row(session, system)
        selected = [(fw, _select(fw, target_system, scope)) for fw in chosen]
        refs = [framework_ref(stored_version(session, fw)) for fw in chosen]
        scope |= {
            "autonomy": target_system.autonomy,
            "uses_tools": bool(target_system.tools),
            "questions": {fw.id: len(qs) for fw, qs in selected},
        }
        row = Assessment(
            system_id=target_system.id or 0,
            title=title.strip() or f"{target_system.name or system} {dt.date.today().isoformat()}",
            status=AssessmentStatus.DRAFT.value,
            frameworks=[asdict(ref) for ref in refs],
            scope=scope,
            risk_tier=tier.value,
            risk_factor=factor,
            target_level=target_level,
            assessor=workspace.actor,
        )
        session.add(row)
        session.flush()
        rows = [{"assessment_id": row.id, "question_id": q.id} for _, qs in selected for q in qs]
        session.execute(sa.insert(Response), rows)
        info = assessment_info(row, target_system, (len(rows), 0))
        journal.record(
            session,
            actor=workspace.actor,
            action="assessment.create",
            entity="assessment",
            entity_id=info.id,
            after={k: v for k, v in info.as_dict().items() if k not in ("questions", "answered")}
            | {"questions": len(rows)},
        )
    logger.info("created assessment %s of %s with %d questions", info.id, system, len(rows))
    return info


def system_risk_of(workspace: Workspace, system: str) -> RiskAssessment:
    """Return an AI system's risk tier, the factor that set it and its default target.

    Raises:
        UserError: No system has this inventory id.
    """
    loaded, graph = load_graph(workspace)
    facts = loaded.facts.systems.get(system)
    if facts is None:
        raise UserError(f"no AI system {system!r} in the inventory")
    blast = system_blast_radius(graph, system, explain=False)
    return system_risk(facts, blast.tier, blast.score)


def _tier(value: str) -> RiskTier:
    try:
        return RiskTier(value)
    except ValueError:
        known = ", ".join(t.value for t in RiskTier)
        raise UserError(f"unknown risk tier {value!r} (use {known})") from None


_ANSWER_FIELDS = frozenset({"level", "not_applicable", "justification", "notes"})


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(RESPONSE_FIELDS)
    if unknown:
        raise UserError(f"unknown response field(s): {', '.join(sorted(unknown))}")
    clean = dict(changes)
    if clean.get("level") is not None:
        check_level(clean["level"])
        if clean.get("not_applicable"):
            raise UserError("an answer is either a level or N/A, not both")
    if clean.get("target_override") is not None:
        check_level(clean["target_override"], "a question's target")
    strength = clean.get("evidence_strength")
    if strength is not None:
        try:
            clean["evidence_strength"] = EvidenceStrength(strength).value
        except ValueError:
            known = ", ".join(s.value for s in EvidenceStrength)
            raise UserError(f"unknown evidence strength {strength!r} (use {known})") from None
    for name in ("justification", "notes"):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
    return clean


def _apply(row: Response, changes: dict[str, Any]) -> None:
    if changes.get("level") is not None:
        row.not_applicable, row.justification = False, ""
    if changes.get("not_applicable"):
        row.level = None
    for name, value in changes.items():
        setattr(row, name, value)
    if row.not_applicable and not row.justification:
        raise UserError(f"{row.question_id}: N/A needs a justification (give it as the note)")
    if row.not_applicable:
        row.level = None


def _snapshot(row: Response) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RESPONSE_FIELDS}


def update_response(
    workspace: Workspace,
    assessment_id: int,
    question_id: str,
    *,
    link_evidence: Sequence[int] = (),
    **changes: Any,
) -> ResponseInfo:
    """Change the response to one question, saved and journalled at once.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        question_id: The question.
        link_evidence: Evidence ids to link to the response as well.
        **changes: Any of ``level`` (0–5 or None), ``not_applicable``, ``justification``,
            ``notes``, ``evidence_strength``, ``target_override`` (0–5 or None), ``flagged``,
            ``reviewed``. A level clears N/A; N/A clears the level and needs a justification.

    Returns:
        The response after the change.

    Raises:
        UserError: The assessment is final, the question is not in it, or a value is invalid.
    """
    _validated(changes)  # refuse a bad value before waiting for the write lock
    with workspace.db.write() as session:
        return update_response_in(
            session,
            workspace,
            assessment_id,
            question_id,
            link_evidence=link_evidence,
            **changes,
        )


def update_response_in(
    session: Session,
    workspace: Workspace,
    assessment_id: int,
    question_id: str,
    *,
    link_evidence: Sequence[int] = (),
    **changes: Any,
) -> ResponseInfo:
    """Change the response to one question inside the caller's write transaction.

    The change and its journal entry commit (or roll back) with the rest of the caller's
    transaction, so a user action that changes several answers stays all or nothing.

    Args:
        session: A session from ``Database.write()``.
        workspace: The open workspace (for the actor).
        assessment_id: The assessment.
        question_id: The question.
        link_evidence: Evidence ids to link to the response as well.
        **changes: As for :func:`update_response`.

    Returns:
        The response after the change.

    Raises:
        UserError: The assessment is final, the question is not in it, or a value is invalid.
    """
    clean = _validated(changes)
    editable_row(session, assessment_id)
    row = response_row(session, assessment_id, question_id)
    before = _snapshot(row)
    _apply(row, clean)
    now = dt.datetime.now(dt.UTC)
    if _ANSWER_FIELDS.intersection(clean) or "evidence_strength" in clean:
        row.answered_by, row.answered_at = workspace.actor, now
    if "reviewed" in clean:
        row.reviewed_by, row.reviewed_at = (workspace.actor, now) if row.reviewed else ("", None)
    session.flush()
    for evidence_id in link_evidence:
        link_response_evidence(session, row, evidence_id)
    after = _snapshot(row)
    journal.record(
        session,
        actor=workspace.actor,
        action="response.update",
        entity="response",
        entity_id=f"{assessment_id}:{question_id}",
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]}
        | ({"evidence_linked": list(link_evidence)} if link_evidence else {}),
    )
    links = evidence_links(session, [row.id or 0])
    return response_info(row, links.get(row.id or 0, ()))


def link_response_evidence(session: Session, row: Response, evidence_id: int) -> None:
    """Link one evidence record to a response inside the caller's transaction (idempotent)."""
    if session.get(Evidence, evidence_id) is None:
        raise UserError(f"no evidence {evidence_id}")
    if session.get(ResponseEvidence, (row.id, evidence_id)) is None:
        session.add(ResponseEvidence(response_id=row.id or 0, evidence_id=evidence_id))
        session.flush()


def answer_changes(
    level: int | str | None, *, note: str | None = None, strength: str | None = None
) -> dict[str, Any]:
    """Return the response changes of an answer: a level 0–5, ``"na"`` or None, note, strength.

    Raises:
        UserError: A level that is neither a number nor ``na``.
    """
    changes: dict[str, Any] = {}
    if isinstance(level, str) and level.strip().lower() == NOT_APPLICABLE:
        changes |= {"not_applicable": True, "justification": note or ""}
    elif isinstance(level, str):
        try:
            changes["level"] = int(level)
        except ValueError:
            raise UserError(f"level must be 0-5 or na, not {level!r}") from None
    else:
        changes |= {"level": level, "not_applicable": False}
    if note is not None and "justification" not in changes:
        changes["notes"] = note
    if strength is not None:
        changes["evidence_strength"] = strength
    return changes


def answer(
    workspace: Workspace,
    assessment_id: int,
    question_id: str,
    level: int | str | None,
    *,
    note: str | None = None,
    strength: str | None = None,
    evidence_ids: Sequence[int] = (),
) -> ResponseInfo:
    """Answer a question with a level 0–5, ``"na"`` (the note is the justification) or None.

    Raises:
        UserError: As :func:`update_response`, or N/A without a note.
    """
    changes = answer_changes(level, note=note, strength=strength)
    return update_response(
        workspace, assessment_id, question_id, link_evidence=evidence_ids, **changes
    )


def update_assessment(
    workspace: Workspace,
    assessment_id: int,
    *,
    title: str | None = None,
    target_level: int | None = None,
    reviewer: str | None = None,
) -> AssessmentInfo:
    """Change an assessment's title, target level (the per-assessment override) or reviewer.

    Raises:
        UserError: The assessment is final or the target is not 0–5.
    """
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title.strip()
    if target_level is not None:
        changes["target_level"] = check_level(target_level, "the target")
    if reviewer is not None:
        changes["reviewer"] = reviewer.strip()
    with workspace.db.write() as session:
        row = editable_row(session, assessment_id)
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        record_change(session, workspace, "assessment.update", row, before, changes)
    return get_assessment(workspace, assessment_id)
