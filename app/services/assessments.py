"""Assessments of AI systems: create, read, answer, and move through draft → in review → final.

An assessment fixes its questions when it is created: one ``response`` row per question in scope
(unanswered at first), and the exact text and SHA-256 of every framework file it uses in the
``framework_version`` table, so it keeps its wording when the shipped files change. A final
assessment is read-only; every mutating function here raises :class:`UserError` on one.

Every change is one write transaction with its journal entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.catalog.errors import CatalogError, UnknownIdError
from app.catalog.loader import load_framework_text
from app.catalog.registry import Catalog
from app.catalog.schema import Framework, Question
from app.domain.blast_radius import system_blast_radius
from app.domain.enums import AssessmentStatus, EvidenceStrength, FocusArea, RiskTier
from app.domain.risk import DEFAULT_TARGET, RiskAssessment, system_risk
from app.services import journal
from app.services.errors import UserError
from app.services.frameworks import catalog_for
from app.services.identity_analysis import load_graph
from app.services.workspace import Workspace
from app.storage.models import (
    AISystem,
    Assessment,
    Evidence,
    FrameworkVersion,
    Response,
    ResponseEvidence,
)
from app.support.paths import assessments_dir

logger = logging.getLogger(__name__)

NOT_APPLICABLE = "na"
_PARSED_CACHE_SIZE = 8
_parsed: OrderedDict[str, Framework] = OrderedDict()


@dataclass(frozen=True)
class FrameworkRef:
    """Which framework version an assessment uses.

    Attributes:
        id: The framework id.
        version: Its content version.
        title: Its title.
        sha256: The SHA-256 of the file it was read from.
        stored_id: The ``framework_version`` row holding its text.
    """

    id: str
    version: str
    title: str
    sha256: str
    stored_id: int


@dataclass(frozen=True)
class AssessmentInfo:
    """An assessment as plain values."""

    id: int
    system_id: int
    system: str
    system_name: str
    title: str
    status: str
    frameworks: tuple[FrameworkRef, ...]
    scope: dict[str, Any]
    risk_tier: str | None
    risk_factor: str
    target_level: int
    assessor: str
    reviewer: str
    previous_id: int | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    finalized_at: dt.datetime | None
    questions: int = 0
    answered: int = 0

    @property
    def final(self) -> bool:
        """Return True when the assessment is final (read-only)."""
        return self.status == AssessmentStatus.FINAL

    def as_dict(self) -> dict[str, Any]:
        """Return the assessment as JSON-ready data."""
        return journal.jsonable(asdict(self))


@dataclass(frozen=True)
class ResponseInfo:
    """The answer to one question, as plain values."""

    question_id: str
    level: int | None
    not_applicable: bool
    justification: str
    notes: str
    evidence_strength: str | None
    target_override: int | None
    flagged: bool
    reviewed: bool
    answered_by: str
    answered_at: dt.datetime | None
    evidence_ids: tuple[int, ...] = ()

    @property
    def answered(self) -> bool:
        """Return True when the question has a level or is N/A."""
        return self.level is not None or self.not_applicable

    def as_dict(self) -> dict[str, Any]:
        """Return the response as JSON-ready data."""
        return journal.jsonable(asdict(self))


@dataclass(frozen=True)
class AssessmentQuestions:
    """An assessment with the framework versions it uses and its questions in order."""

    info: AssessmentInfo
    frameworks: tuple[Framework, ...]
    in_scope: frozenset[str]

    def entries(self) -> Iterable[tuple[Framework, Question]]:
        """Yield every question in the assessment's scope with its framework, in file order."""
        for framework in self.frameworks:
            for question in framework.questions:
                if question.id in self.in_scope:
                    yield framework, question

    def find(self, question_id: str) -> tuple[Framework, Question]:
        """Return a question and its framework.

        Raises:
            UserError: The question is not part of this assessment.
        """
        if question_id not in self.in_scope:
            raise UserError(f"assessment {self.info.id} has no question {question_id!r}")
        for framework in self.frameworks:
            try:
                return framework, framework.question(question_id)
            except UnknownIdError:
                continue
        raise UserError(f"assessment {self.info.id} has no question {question_id!r}")


# --------------------------------------------------------------------------- frameworks stored


def _shipped_text(framework: Framework) -> str:
    path = assessments_dir() / framework.id / framework.source_name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {framework.source_name}: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != framework.sha256:
        raise UserError(f"{framework.source_name} changed on disk; restart Assay and try again")
    return data.decode("utf-8-sig")


def _stored_version(session: Session, framework: Framework) -> FrameworkVersion:
    """Return the ``framework_version`` row of this exact text, storing it if needed."""
    row = session.execute(
        sa.select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework.id,
            FrameworkVersion.version == framework.version,
            FrameworkVersion.sha256 == framework.sha256,
        )
    ).scalar_one_or_none()
    if row is not None:
        return row
    if framework.custom:
        raise UserError(f"custom framework {framework.id} is not stored in this workspace")
    row = FrameworkVersion(
        framework_id=framework.id,
        version=framework.version,
        title=framework.title,
        sha256=framework.sha256,
        custom=False,
        source_name=framework.source_name,
        content=_shipped_text(framework),
    )
    session.add(row)
    session.flush()
    return row


def _parse_stored(row: FrameworkVersion) -> Framework:
    cached = _parsed.get(row.sha256)
    if cached is not None:
        _parsed.move_to_end(row.sha256)
        return cached
    try:
        framework = load_framework_text(
            row.content, row.source_name or row.framework_id, custom=row.custom, sha256=row.sha256
        )
    except CatalogError as exc:
        raise UserError(f"stored {row.framework_id} {row.version} no longer loads: {exc}") from exc
    _parsed[row.sha256] = framework
    while len(_parsed) > _PARSED_CACHE_SIZE:
        _parsed.popitem(last=False)
    return framework


def _frameworks_of(session: Session, refs: Sequence[FrameworkRef]) -> tuple[Framework, ...]:
    frameworks = []
    for ref in refs:
        cached = _parsed.get(ref.sha256)
        if cached is not None:
            _parsed.move_to_end(ref.sha256)
            frameworks.append(cached)
            continue
        row = session.get(FrameworkVersion, ref.stored_id)
        if row is None or row.sha256 != ref.sha256:
            raise UserError(f"the stored text of {ref.id} {ref.version} is missing")
        frameworks.append(_parse_stored(row))
    return tuple(frameworks)


# --------------------------------------------------------------------------- reading


def _refs(row: Assessment) -> tuple[FrameworkRef, ...]:
    return tuple(FrameworkRef(**ref) for ref in row.frameworks)


def _info(row: Assessment, system: AISystem, counts: tuple[int, int] = (0, 0)) -> AssessmentInfo:
    return AssessmentInfo(
        id=row.id or 0,
        system_id=row.system_id,
        system=system.external_id,
        system_name=system.name,
        title=row.title,
        status=row.status,
        frameworks=_refs(row),
        scope=dict(row.scope),
        risk_tier=row.risk_tier,
        risk_factor=row.risk_factor,
        target_level=row.target_level,
        assessor=row.assessor,
        reviewer=row.reviewer,
        previous_id=row.previous_id,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        finalized_at=row.finalized_at,
        questions=counts[0],
        answered=counts[1],
    )


def _answer_counts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    answered = sa.case(
        (sa.or_(Response.level.is_not(None), Response.not_applicable.is_(True)), 1), else_=0
    )
    rows = session.execute(
        sa.select(Response.assessment_id, sa.func.count(), sa.func.sum(answered))
        .where(Response.assessment_id.in_(ids))
        .group_by(Response.assessment_id)
    ).all()
    return {aid: (total, int(done or 0)) for aid, total, done in rows}


def _load_row(session: Session, assessment_id: int) -> tuple[Assessment, AISystem]:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise UserError(f"no assessment {assessment_id}")
    system = session.get(AISystem, row.system_id)
    if system is None:  # pragma: no cover - the foreign key forbids it
        raise UserError(f"assessment {assessment_id} names a missing system")
    return row, system


def get_assessment(workspace: Workspace, assessment_id: int) -> AssessmentInfo:
    """Return one assessment with its question and answer counts.

    Raises:
        UserError: No assessment has this id.
    """
    with workspace.db.read() as session:
        row, system = _load_row(session, assessment_id)
        counts = _answer_counts(session, [assessment_id]).get(assessment_id, (0, 0))
        return _info(row, system, counts)


def list_assessments(workspace: Workspace, system: str | None = None) -> list[AssessmentInfo]:
    """Return every assessment (of one system when ``system`` names its inventory id), newest last.

    Raises:
        UserError: ``system`` names no AI system.
    """
    with workspace.db.read() as session:
        query = sa.select(Assessment, AISystem).join(AISystem).order_by(Assessment.id)
        if system is not None:
            query = query.where(AISystem.id == _system_row(session, system).id)
        rows = session.execute(query).all()
        counts = _answer_counts(session, [row.id for row, _ in rows])
        return [_info(row, sys_row, counts.get(row.id, (0, 0))) for row, sys_row in rows]


def load_questions(workspace: Workspace, assessment_id: int) -> AssessmentQuestions:
    """Return an assessment with the framework versions it was created with.

    Raises:
        UserError: No such assessment, or its stored framework text is missing or broken.
    """
    with workspace.db.read() as session:
        row, system = _load_row(session, assessment_id)
        counts = _answer_counts(session, [assessment_id]).get(assessment_id, (0, 0))
        frameworks = _frameworks_of(session, _refs(row))
        in_scope = session.execute(
            sa.select(Response.question_id).where(Response.assessment_id == assessment_id)
        ).scalars()
        return AssessmentQuestions(_info(row, system, counts), frameworks, frozenset(in_scope))


def _response_info(row: Response, evidence: Sequence[int]) -> ResponseInfo:
    return ResponseInfo(
        question_id=row.question_id,
        level=row.level,
        not_applicable=row.not_applicable,
        justification=row.justification,
        notes=row.notes,
        evidence_strength=row.evidence_strength,
        target_override=row.target_override,
        flagged=row.flagged,
        reviewed=row.reviewed,
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        evidence_ids=tuple(evidence),
    )


def _evidence_links(session: Session, response_ids: Sequence[int]) -> dict[int, list[int]]:
    links: dict[int, list[int]] = {}
    rows = session.execute(
        sa.select(ResponseEvidence.response_id, ResponseEvidence.evidence_id)
        .where(ResponseEvidence.response_id.in_(response_ids))
        .order_by(ResponseEvidence.evidence_id)
    ).all()
    for response_id, evidence_id in rows:
        links.setdefault(response_id, []).append(evidence_id)
    return links


_RESPONSE_COLUMNS = (
    Response.id,
    Response.question_id,
    Response.level,
    Response.not_applicable,
    Response.justification,
    Response.notes,
    Response.evidence_strength,
    Response.target_override,
    Response.flagged,
    Response.reviewed,
    Response.answered_by,
    Response.answered_at,
)


def list_responses(workspace: Workspace, assessment_id: int) -> list[ResponseInfo]:
    """Return every response of an assessment, in question order.

    Raises:
        UserError: No assessment has this id.
    """
    with workspace.db.read() as session:
        if session.get(Assessment, assessment_id) is None:
            raise UserError(f"no assessment {assessment_id}")
        rows = session.execute(
            sa.select(*_RESPONSE_COLUMNS)
            .where(Response.assessment_id == assessment_id)
            .order_by(Response.id)
        ).all()
        links = _evidence_links(session, [row[0] for row in rows])
    return [ResponseInfo(*row[1:], evidence_ids=tuple(links.get(row[0], ()))) for row in rows]


def get_response(workspace: Workspace, assessment_id: int, question_id: str) -> ResponseInfo:
    """Return the response to one question.

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    with workspace.db.read() as session:
        row = response_row(session, assessment_id, question_id)
        links = _evidence_links(session, [row.id or 0])
        return _response_info(row, links.get(row.id or 0, ()))


# --------------------------------------------------------------------------- creating


def _system_row(session: Session, external_id: str) -> AISystem:
    row = session.execute(
        sa.select(AISystem).where(AISystem.external_id == external_id)
    ).scalar_one_or_none()
    if row is None:
        raise UserError(f"no AI system {external_id!r} in the inventory")
    return row


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


def check_level(value: int, what: str = "level") -> int:
    """Return a maturity level 0–5, or raise a :class:`UserError` naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
        raise UserError(f"{what} must be a whole number from 0 to 5, not {value!r}")
    return value


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
        system_row = _system_row(session, system)
        selected = [(fw, _select(fw, system_row, scope)) for fw in chosen]
        refs = [_ref(_stored_version(session, fw)) for fw in chosen]
        scope |= {
            "autonomy": system_row.autonomy,
            "uses_tools": bool(system_row.tools),
            "questions": {fw.id: len(qs) for fw, qs in selected},
        }
        row = Assessment(
            system_id=system_row.id or 0,
            title=title.strip() or f"{system_row.name or system} {dt.date.today().isoformat()}",
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
        info = _info(row, system_row, (len(rows), 0))
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


def _ref(row: FrameworkVersion) -> FrameworkRef:
    return FrameworkRef(row.framework_id, row.version, row.title, row.sha256, row.id or 0)


# --------------------------------------------------------------------------- changing


def editable_row(session: Session, assessment_id: int) -> Assessment:
    """Return an assessment for changing, refusing a final one.

    Raises:
        UserError: No such assessment, or it is final.
    """
    row, _ = _load_row(session, assessment_id)
    if row.status == AssessmentStatus.FINAL:
        raise UserError(f"assessment {assessment_id} is final and read-only; re-assess to change")
    return row


def response_row(session: Session, assessment_id: int, question_id: str) -> Response:
    """Return the response row of one question inside the caller's session.

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    _load_row(session, assessment_id)
    row = session.execute(
        sa.select(Response).where(
            Response.assessment_id == assessment_id, Response.question_id == question_id
        )
    ).scalar_one_or_none()
    if row is None:
        raise UserError(f"question {question_id!r} is not part of assessment {assessment_id}")
    return row


_RESPONSE_FIELDS = (
    "level",
    "not_applicable",
    "justification",
    "notes",
    "evidence_strength",
    "target_override",
    "flagged",
    "reviewed",
)
_ANSWER_FIELDS = frozenset({"level", "not_applicable", "justification", "notes"})


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(_RESPONSE_FIELDS)
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
    return {name: getattr(row, name) for name in _RESPONSE_FIELDS}


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
    clean = _validated(changes)
    with workspace.db.write() as session:
        editable_row(session, assessment_id)
        row = response_row(session, assessment_id, question_id)
        before = _snapshot(row)
        _apply(row, clean)
        if _ANSWER_FIELDS.intersection(clean) or "evidence_strength" in clean:
            row.answered_by, row.answered_at = workspace.actor, dt.datetime.now(dt.UTC)
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
        links = _evidence_links(session, [row.id or 0])
        return _response_info(row, links.get(row.id or 0, ()))


def link_response_evidence(session: Session, row: Response, evidence_id: int) -> None:
    """Link one evidence record to a response inside the caller's transaction (idempotent)."""
    if session.get(Evidence, evidence_id) is None:
        raise UserError(f"no evidence {evidence_id}")
    if session.get(ResponseEvidence, (row.id, evidence_id)) is None:
        session.add(ResponseEvidence(response_id=row.id or 0, evidence_id=evidence_id))
        session.flush()


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
        _record(session, workspace, "assessment.update", row, before, changes)
    return get_assessment(workspace, assessment_id)


def _record(
    session: Session,
    workspace: Workspace,
    action: str,
    row: Assessment,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    journal.record(
        session,
        actor=workspace.actor,
        action=action,
        entity="assessment",
        entity_id=row.id or 0,
        before=before,
        after=after,
    )


# --------------------------------------------------------------------------- lifecycle


def _move(
    workspace: Workspace,
    assessment_id: int,
    allowed_from: tuple[AssessmentStatus, ...],
    to: AssessmentStatus,
    refusal: str,
    extra: dict[str, Any] | None = None,
) -> AssessmentInfo:
    with workspace.db.write() as session:
        row = editable_row(session, assessment_id)
        if row.status not in allowed_from:
            raise UserError(refusal.format(id=assessment_id, status=row.status))
        before = {"status": row.status}
        row.status = to.value
        now = dt.datetime.now(dt.UTC)
        if to == AssessmentStatus.IN_REVIEW:
            row.submitted_at = now
        if to == AssessmentStatus.FINAL:
            row.finalized_at = now
        _record(
            session,
            workspace,
            f"assessment.{to.value}",
            row,
            before,
            {"status": row.status} | (extra or {}),
        )
    logger.info("assessment %s is now %s", assessment_id, to.value)
    return get_assessment(workspace, assessment_id)


def submit_for_review(workspace: Workspace, assessment_id: int) -> AssessmentInfo:
    """Move a draft assessment to review.

    Raises:
        UserError: The assessment is not a draft.
    """
    return _move(
        workspace,
        assessment_id,
        (AssessmentStatus.DRAFT,),
        AssessmentStatus.IN_REVIEW,
        "assessment {id} is {status}, not a draft; only a draft can be submitted for review",
    )


def return_to_draft(workspace: Workspace, assessment_id: int) -> AssessmentInfo:
    """Send an assessment in review back to draft.

    Raises:
        UserError: The assessment is not in review.
    """
    return _move(
        workspace,
        assessment_id,
        (AssessmentStatus.IN_REVIEW,),
        AssessmentStatus.DRAFT,
        "assessment {id} is {status}, not in review",
    )


def finalize(workspace: Workspace, assessment_id: int, *, force: bool = False) -> AssessmentInfo:
    """Make an assessment in review final (read-only from then on).

    The quality gate runs first; its errors refuse the move unless ``force`` is set (a forced
    finalisation is journalled with the errors it overrode). The gap findings are brought up
    to date just before the assessment becomes final.

    Raises:
        UserError: The assessment is not in review, or the quality gate found errors.
    """
    from app.services.findings import refresh_gap_findings
    from app.services.quality_gate import run_quality_gate

    current = get_assessment(workspace, assessment_id)
    if current.status != AssessmentStatus.IN_REVIEW:
        raise UserError(
            f"assessment {assessment_id} is {current.status}; submit it for review before "
            "finalising"
        )
    gate = run_quality_gate(workspace, assessment_id)
    if gate.errors and not force:
        raise UserError(
            f"assessment {assessment_id} has {len(gate.errors)} quality-gate error(s), first: "
            f"{gate.errors[0].message}; fix them or finalise with force"
        )
    refresh_gap_findings(workspace, assessment_id)
    extra = {"forced_over": [issue.message for issue in gate.errors]} if gate.errors else {}
    return _move(
        workspace,
        assessment_id,
        (AssessmentStatus.IN_REVIEW,),
        AssessmentStatus.FINAL,
        "assessment {id} is {status}; submit it for review before finalising",
        extra,
    )


def reassess(workspace: Workspace, assessment_id: int, *, title: str = "") -> AssessmentInfo:
    """Start a new draft assessment from a copy of a final one, which stays as it is.

    The copy keeps the framework versions, scope, target, answers, notes, question targets,
    flags and evidence links; ``reviewed`` is cleared. ``previous_id`` points at the original.

    Raises:
        UserError: No such assessment, or it is not final yet.
    """
    with workspace.db.write() as session:
        old, system = _load_row(session, assessment_id)
        if old.status != AssessmentStatus.FINAL:
            raise UserError(f"assessment {assessment_id} is {old.status}; finalise it first")
        new = Assessment(
            system_id=old.system_id,
            title=title.strip() or f"{system.name or system.external_id} {dt.date.today()}",
            status=AssessmentStatus.DRAFT.value,
            frameworks=list(old.frameworks),
            scope=dict(old.scope),
            risk_tier=old.risk_tier,
            risk_factor=old.risk_factor,
            target_level=old.target_level,
            assessor=workspace.actor,
            reviewer=old.reviewer,
            previous_id=old.id,
        )
        session.add(new)
        session.flush()
        copied = _copy_responses(session, assessment_id, new.id or 0)
        _record(
            session,
            workspace,
            "assessment.reassess",
            new,
            None,
            {"previous_id": assessment_id, "title": new.title, "responses": copied},
        )
        new_id = new.id or 0
    return get_assessment(workspace, new_id)


def _copy_responses(session: Session, old_id: int, new_id: int) -> int:
    old_rows = (
        session.execute(
            sa.select(Response).where(Response.assessment_id == old_id).order_by(Response.id)
        )
        .scalars()
        .all()
    )
    kept = ("question_id", *(f for f in _RESPONSE_FIELDS if f != "reviewed"))
    kept += ("answered_by", "answered_at")
    values = [{"assessment_id": new_id} | {f: getattr(r, f) for f in kept} for r in old_rows]
    if not values:
        return 0
    session.execute(sa.insert(Response), values)
    new_ids = dict(
        session.execute(
            sa.select(Response.question_id, Response.id).where(Response.assessment_id == new_id)
        ).all()
    )
    links = _evidence_links(session, [r.id for r in old_rows if r.id is not None])
    pairs = [
        {"response_id": new_ids[r.question_id], "evidence_id": evidence_id}
        for r in old_rows
        for evidence_id in links.get(r.id or 0, ())
    ]
    if pairs:
        session.execute(sa.insert(ResponseEvidence), pairs)
    return len(values)
