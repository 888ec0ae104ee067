"""Assessments of AI systems: create them and answer their questions.

An assessment fixes its questions when it is created: one ``response`` row per question in scope
(unanswered at first), and the exact text and SHA-256 of every framework file it uses, stored in
the ``framework_version`` table. Every change is journalled in the unit of work it runs in (a
caller passing the workspace gets a unit of its own); a final assessment is read-only and every
mutating function raises :class:`UserError` on one.

This module is the entry point for the other layers: it re-exports the reading functions of
:mod:`app.services.assessment_records` and the lifecycle of
:mod:`app.services.assessment_lifecycle`. Those two never import this one, and the findings
import only the records, so finalising (lifecycle → findings → records) runs one way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app.catalog.errors import UnknownIdError
from app.catalog.registry import Catalog
from app.catalog.schema import Framework, Question
from app.domain.blast_radius import system_blast_radius
from app.domain.enums import AssessmentKind, AssessmentStatus, EvidenceStrength, Origin, RiskTier
from app.domain.risk import DEFAULT_TARGET, RiskAssessment, system_risk
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
    effective,
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
from app.services.assessment_selection import FrameworkFilter, filters_for, origin_of, select
from app.services.errors import UserError
from app.services.frameworks import catalog_for
from app.services.identity_analysis import load_graph
from app.services.inheritance import answered, organisation_answers
from app.services.presets import find_preset
from app.services.unit import reads, writes
from app.services.workspace import Workspace
from app.storage.models import AISystem, Assessment, Response
from app.storage.repositories.assessments import AssessmentRepository
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

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
]

NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class Plan:
    """What a new assessment would ask: its questions per framework and where answers come from.

    Attributes:
        frameworks: The chosen frameworks in order.
        filters: Each framework's filter.
        questions: Framework id → the questions asked, in file order.
        origins: Question id → ``own`` or ``inherited``.
    """

    frameworks: tuple[Framework, ...]
    filters: dict[str, FrameworkFilter]
    questions: dict[str, list[Question]]
    origins: dict[str, str]

    @property
    def total(self) -> int:
        """Return how many questions the assessment has."""
        return sum(len(qs) for qs in self.questions.values())

    @property
    def inherited(self) -> int:
        """Return how many of them the organisation assessment answers."""
        return sum(origin == Origin.INHERITED for origin in self.origins.values())

    @property
    def own(self) -> int:
        """Return how many the assessment asks of its own."""
        return self.total - self.inherited


def _chosen_frameworks(catalog: Catalog, frameworks: Sequence[str]) -> list[Framework]:
    names = list(dict.fromkeys(f.strip() for f in frameworks if f.strip()))
    if not names:
        raise UserError("choose at least one framework")
    try:
        return [catalog.framework(name) for name in names]
    except UnknownIdError as exc:
        raise UserError(str(exc)) from None


def plan_questions(
    uow: UnitOfWork,
    catalog: Catalog,
    system: AISystem | None,
    frameworks: Sequence[str],
    *,
    focus_areas: Iterable[str] | None = None,
    max_priority: int | None = None,
    filters: Mapping[str, FrameworkFilter] | None = None,
) -> Plan:
    """Work out which questions an assessment would ask, reading in the caller's unit.

    Args:
        uow: The unit of work (reading or writing).
        catalog: The catalog to take frameworks from.
        system: The system's row; None for the organisation assessment.
        frameworks: Framework ids.
        focus_areas: Assessment-wide focus areas (when a framework has no filter of its own).
        max_priority: Assessment-wide highest priority.
        filters: Per-framework filters (a preset's).

    Raises:
        UserError: Unknown framework, focus area or node, a bad priority, or no question left.
    """
    chosen = _chosen_frameworks(catalog, frameworks)
    checked = filters_for(chosen, focus_areas, max_priority, filters)
    questions = {fw.id: select(fw, system, checked[fw.id]) for fw in chosen}
    origins: dict[str, str] = {}
    ids = [q.id for qs in questions.values() for q in qs]
    found = organisation_answers(uow, ids) if system is not None else None
    if found is not None:  # without an organisation assessment a system answers everything
        rows = found.rows
        for fw in chosen:
            for q in questions[fw.id]:
                origins[q.id] = origin_of(fw, q, answered(rows.get(q.id))).value
    return Plan(tuple(chosen), checked, questions, origins)


def plan_assessment(
    workspace: Workspace,
    system: str | None,
    frameworks: Sequence[str],
    *,
    catalog: Catalog | None = None,
    **choices: Any,
) -> Plan:
    """Work out which questions an assessment would ask before creating it (dialogs, previews).

    Args:
        workspace: The open workspace.
        system: The system's inventory id; None for the organisation assessment.
        frameworks: Framework ids.
        catalog: The catalog; the workspace's when None.
        **choices: ``focus_areas``, ``max_priority`` and ``filters`` as for
            :func:`plan_questions`.

    Raises:
        UserError: As :func:`plan_questions`, or an unknown system.
    """
    return _plan(workspace, catalog or catalog_for(workspace), system, frameworks, **choices)


@reads
def _plan(
    uow: UnitOfWork,
    /,
    catalog: Catalog,
    system: str | None,
    frameworks: Sequence[str],
    **choices: Any,
) -> Plan:
    row = system_row(uow, system) if system is not None else None
    return plan_questions(uow, catalog, row, frameworks, **choices)


def new_assessment(
    workspace: Workspace,
    system: str | None,
    frameworks: Sequence[str] = (),
    *,
    focus_areas: Iterable[str] | None = None,
    max_priority: int | None = None,
    target: int | None = None,
    risk_tier: str | None = None,
    risk_factor: str = "",
    title: str = "",
    catalog: Catalog | None = None,
    filters: Mapping[str, FrameworkFilter] | None = None,
    preset: str | None = None,
) -> AssessmentInfo:
    """Start an assessment of an AI system, or the organisation assessment, against frameworks.

    Args:
        workspace: The open workspace.
        system: The system's inventory id (e.g. ``AIS-001``); None starts the engagement's
            organisation assessment, which asks the organisation-level questions once for
            every system.
        frameworks: Framework ids (e.g. ``nist-ir-8596``); a preset's when empty.
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
        filters: Per-framework focus areas, priority and nodes (override the common ones).
        preset: A preset id (``agentic``, ``organisation-baseline`` or the user's own): its
            frameworks and filters, unless ``frameworks`` names others.

    Returns:
        The new draft assessment, with how many questions it inherits.

    Raises:
        UserError: Unknown system, framework, preset or focus area; a bad priority or target;
            or no question of a framework applies.
    """
    if target is not None:
        check_level(target, "the target")
    if preset is not None:
        chosen = find_preset(preset)
        frameworks = frameworks or chosen.framework_ids
        filters = filters or chosen.filters
    catalog = catalog or catalog_for(workspace)
    tier, factor = _risk(workspace, system, risk_tier, risk_factor)
    choices = {"focus_areas": focus_areas, "max_priority": max_priority, "filters": filters}
    info, inherited = _create(
        workspace, catalog, system, frameworks, choices, (tier, factor), target, title, preset
    )
    logger.info(
        "created assessment %s of %s with %d questions (%d inherited)",
        info.id, info.system, info.questions, inherited,
    )  # fmt: skip
    return info


@writes
def _create(
    uow: UnitOfWork,
    catalog: Catalog,
    system: str | None,
    frameworks: Sequence[str],
    choices: dict[str, Any],
    risk: tuple[RiskTier, str],
    target: int | None,
    title: str,
    preset: str | None,
) -> tuple[AssessmentInfo, int]:
    """Store a new assessment and its blank answers; return it and how many it inherits."""
    target_system = system_row(uow, system) if system is not None else None
    plan = plan_questions(uow, catalog, target_system, frameworks, **choices)
    row = _assessment_row(uow, plan, target_system, title, preset)
    tier, factor = risk
    row.risk_tier, row.risk_factor = tier.value, factor
    row.target_level = DEFAULT_TARGET[tier] if target is None else target
    uow.repository(AssessmentRepository).add(row)
    asked = [(q.id, plan.origins.get(q.id, "own")) for qs in plan.questions.values() for q in qs]
    uow.repository(ResponseRepository).add_blank(row.id or 0, asked)
    info = assessment_info(row, target_system, (len(asked), 0, plan.inherited, 0))
    after = {k: v for k, v in info.as_dict().items() if k not in ("questions", "answered")}
    uow.record("assessment.create", "assessment", info.id, after=after | {"questions": len(asked)})
    if info.inherited:
        info = get_assessment(uow, info.id)  # counts the inherited answers already given
    return info, plan.inherited


def _risk(
    workspace: Workspace, system: str | None, risk_tier: str | None, risk_factor: str
) -> tuple[RiskTier, str]:
    if system is None:
        return RiskTier.MODERATE, "the organisation as a whole"
    if risk_tier is None:
        risk = system_risk_of(workspace, system)
        return risk.tier, risk.factor
    return _tier(risk_tier), risk_factor


def _assessment_row(
    uow: UnitOfWork,
    plan: Plan,
    system: AISystem | None,
    title: str,
    preset: str | None,
) -> Assessment:
    refs = [framework_ref(stored_version(uow, fw)) for fw in plan.frameworks]
    filters = {fw_id: f.as_dict() for fw_id, f in plan.filters.items()}
    first = next(iter(filters.values()))
    uniform = all(f == first for f in filters.values())
    scope = {
        "focus_areas": first["focus_areas"] if uniform else None,
        "max_priority": first["max_priority"] if uniform else None,
        "filters": filters,
        "questions": {fw_id: len(qs) for fw_id, qs in plan.questions.items()},
        "preset": preset,
    }
    if system is not None:
        scope |= {"autonomy": system.autonomy, "uses_tools": bool(system.tools)}
        default_title = f"{system.name or system.external_id} {uow.now().date().isoformat()}"
    else:
        default_title = f"Organisation {uow.now().date().isoformat()}"
    return Assessment(
        kind=(AssessmentKind.SYSTEM if system is not None else AssessmentKind.ORGANISATION).value,
        system_id=system.id if system is not None else None,
        title=title.strip() or default_title,
        status=AssessmentStatus.DRAFT.value,
        frameworks=[asdict(ref) for ref in refs],
        scope=scope,
        assessor=uow.actor,
        created_at=uow.now(),
    )


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
#: What an inherited answer takes from the organisation, so a system cannot change it.
_INHERITED_ONLY = _ANSWER_FIELDS | {"evidence_strength"}


def validate_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Return response changes checked and normalised.

    Raises:
        UserError: An unknown field or a bad value.
    """
    unknown = set(changes) - set(RESPONSE_FIELDS)
    if unknown:
        fields = plural(len(unknown), "response field", number=False)
        raise UserError(f"unknown {fields}: {', '.join(sorted(unknown))}")
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


@writes
def update_response(
    uow: UnitOfWork,
    /,
    assessment_id: int,
    question_id: str,
    *,
    link_evidence: Sequence[int] = (),
    **changes: Any,
) -> ResponseInfo:
    """Change the response to one question and journal it in the unit's transaction.

    Callers that change several answers as one user action pass their unit, so the action
    stays all or nothing.

    Args:
        uow: The unit of work (or the workspace, to save at once).
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
    clean = validate_changes(changes)
    assessment = editable_row(uow, assessment_id)
    row = response_row(uow, assessment_id, question_id)
    before, after = change_row(uow, row, clean, link_evidence)
    uow.record(
        "response.update",
        "response",
        f"{assessment_id}:{question_id}",
        before=before,
        after=after,
    )
    links = evidence_links(uow, [row.id or 0])
    return effective(uow, assessment, [response_info(row, links.get(row.id or 0, ()))])[0]


def change_row(
    uow: UnitOfWork,
    row: Response,
    clean: dict[str, Any],
    link_evidence: Sequence[int] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply validated changes to one response row; return what changed, before and after.

    Raises:
        UserError: The answer is inherited from the organisation assessment (override it
            first), or N/A lacks a justification.
    """
    if row.origin == Origin.INHERITED and (_INHERITED_ONLY.intersection(clean) or link_evidence):
        raise UserError(
            f"{row.question_id} is inherited from the organisation assessment; override it for "
            "this system (with a reason) to answer it here"
        )
    before = _snapshot(row)
    _apply(row, clean)
    now = uow.now()
    if _ANSWER_FIELDS.intersection(clean) or "evidence_strength" in clean:
        row.answered_by, row.answered_at = uow.actor, now
    if {"level", "not_applicable"}.intersection(clean):
        row.source = "assessor"  # an answer the assessor gives is theirs (provenance, issue 13)
    if "reviewed" in clean:
        row.reviewed_by, row.reviewed_at = (uow.actor, now) if row.reviewed else ("", None)
    uow.flush()
    for evidence_id in link_evidence:
        link_response_evidence(uow, row, evidence_id)
    after = _snapshot(row)
    changed = {k for k in after if before[k] != after[k]}
    linked = {"evidence_linked": list(link_evidence)} if link_evidence else {}
    return {k: before[k] for k in changed}, {k: after[k] for k in changed} | linked


def link_response_evidence(uow: UnitOfWork, row: Response, evidence_id: int) -> None:
    """Link one evidence record to a response in the unit's transaction (idempotent)."""
    responses = uow.repository(ResponseRepository)
    if not responses.evidence_exists(evidence_id):
        raise UserError(f"no evidence {evidence_id}")
    responses.link(row.id or 0, evidence_id)


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


@writes
def answer(
    uow: UnitOfWork,
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
    return update_response(uow, assessment_id, question_id, link_evidence=evidence_ids, **changes)


@writes
def update_assessment(
    uow: UnitOfWork,
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
    row = editable_row(uow, assessment_id)
    before = {name: getattr(row, name) for name in changes}
    for name, value in changes.items():
        setattr(row, name, value)
    record_change(uow, "assessment.update", row, before, changes)
    uow.flush()
    return get_assessment(uow, assessment_id)
