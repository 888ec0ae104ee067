"""Assessment records read from the workspace, and the helpers every assessment service shares.

An assessment keeps the exact text and SHA-256 of every framework file it uses in the
``framework_version`` table; :func:`load_questions` parses that stored text (once per hash, kept
in a small cache of immutable results), so an old assessment keeps its wording when the shipped
files change. :func:`editable_row` is the one place that refuses changes to a final assessment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.catalog.errors import CatalogError, UnknownIdError
from app.catalog.loader import load_framework_text
from app.catalog.schema import Framework, Question
from app.domain.enums import AssessmentKind, AssessmentStatus, Origin
from app.services.errors import UserError
from app.services.inheritance import (
    INHERITED_FIELDS,
    inherits_live,
    organisation_answers,
    organisation_row,
)
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import AISystem, Assessment, FrameworkVersion, Response, ResponseEvidence
from app.support.paths import assessments_dir

logger = logging.getLogger(__name__)

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
    """An assessment as plain values.

    ``questions`` counts every question; ``inherited`` those answered by the organisation
    assessment, ``overridden`` those the system answers itself instead. The organisation
    assessment has ``kind`` ``organisation`` and no system.
    """

    id: int
    system_id: int | None
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
    kind: str = AssessmentKind.SYSTEM.value
    inherited: int = 0
    overridden: int = 0

    @property
    def final(self) -> bool:
        """Return True when the assessment is final (read-only)."""
        return self.status == AssessmentStatus.FINAL

    @property
    def organisation(self) -> bool:
        """Return True for the engagement's organisation assessment."""
        return self.kind == AssessmentKind.ORGANISATION

    @property
    def own_questions(self) -> int:
        """Return how many questions this assessment asks of its own (not inherited)."""
        return self.questions - self.inherited

    @property
    def own_answers(self) -> int:
        """Return the answers neither inherited nor overridden: with both, they sum to all."""
        return self.questions - self.inherited - self.overridden

    def as_dict(self) -> dict[str, Any]:
        """Return the assessment as JSON-ready data, with ``own_questions`` and inherited."""
        data = journal.jsonable(asdict(self))
        data |= {"own_questions": self.own_questions, "inherited_questions": self.inherited}
        return data


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
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    origin: str = Origin.OWN.value
    override_reason: str = ""
    inherited_from: int | None = None
    inherited_on: dt.date | None = None

    @property
    def answered(self) -> bool:
        """Return True when the question has a level or is N/A."""
        return self.level is not None or self.not_applicable

    @property
    def inherited(self) -> bool:
        """Return True when the answer is the organisation assessment's (read-only here)."""
        return self.origin == Origin.INHERITED

    @property
    def source_text(self) -> str:
        """Return where the answer comes from, in words; empty for the system's own answer."""
        if self.inherited:
            day = f" of {self.inherited_on.isoformat()}" if self.inherited_on else ""
            return f"Inherited from the organisation assessment{day}"
        if self.origin == Origin.OVERRIDDEN:
            return f"Overridden for this system: {self.override_reason}"
        return ""

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


def _shipped_text(framework: Framework) -> str:
    path = assessments_dir() / framework.id / framework.source_name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {framework.source_name}: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != framework.sha256:
        raise UserError(f"{framework.source_name} changed on disk; restart Assay and try again")
    return data.decode("utf-8-sig")


def stored_version(session: Session, framework: Framework) -> FrameworkVersion:
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


def text_matches_hash(content: str, sha256: str) -> bool:
    """Return True when stored framework text is the text whose SHA-256 was recorded.

    A shipped file's hash is of its bytes, which may start with a UTF-8 byte order mark the
    stored text no longer has.
    """
    data = content.encode("utf-8")
    return sha256 in (hashlib.sha256(data).hexdigest(), hashlib.sha256(_BOM + data).hexdigest())


_BOM = b"\xef\xbb\xbf"


def _parse_stored(row: FrameworkVersion) -> Framework:
    cached = _parsed.get(row.sha256)
    if cached is not None:
        _parsed.move_to_end(row.sha256)
        return cached
    if not text_matches_hash(row.content, row.sha256):
        raise UserError(
            f"the stored text of {row.framework_id} {row.version} does not match its recorded "
            "SHA-256; the workspace was altered outside Assay"
        )
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


def framework_ref(row: FrameworkVersion) -> FrameworkRef:
    """Return the reference an assessment keeps to a stored framework version."""
    return FrameworkRef(row.framework_id, row.version, row.title, row.sha256, row.id or 0)


def _refs(row: Assessment) -> tuple[FrameworkRef, ...]:
    return tuple(FrameworkRef(**ref) for ref in row.frameworks)


ORGANISATION_LABEL = "Organisation"


def assessment_info(
    row: Assessment, system: AISystem | None, counts: Sequence[int] = (0, 0)
) -> AssessmentInfo:
    """Return an assessment row as plain values.

    ``counts`` are questions, answered, inherited and overridden; missing ones are 0.
    """
    total, done, inherited, overridden = (*counts, 0, 0, 0, 0)[:4]
    return AssessmentInfo(
        id=row.id or 0,
        system_id=row.system_id,
        system=system.external_id if system is not None else ORGANISATION_LABEL,
        system_name=system.name if system is not None else ORGANISATION_LABEL,
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
        questions=total,
        answered=done,
        kind=row.kind,
        inherited=inherited,
        overridden=overridden,
    )


def _is(column: Any, value: str) -> sa.Case:
    return sa.case((column == value, 1), else_=0)


def _answer_counts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """Return per assessment: questions, answered (effective), inherited, overridden."""
    has_answer = sa.or_(Response.level.is_not(None), Response.not_applicable.is_(True))
    live = sa.and_(
        Response.origin == Origin.INHERITED.value,
        Assessment.status != AssessmentStatus.FINAL.value,
        Assessment.kind == AssessmentKind.SYSTEM.value,
    )
    own_answered = sa.case((sa.and_(sa.not_(live), has_answer), 1), else_=0)
    rows = session.execute(
        sa.select(
            Response.assessment_id,
            sa.func.count(),
            sa.func.sum(own_answered),
            sa.func.sum(_is(Response.origin, Origin.INHERITED.value)),
            sa.func.sum(_is(Response.origin, Origin.OVERRIDDEN.value)),
        )
        .join(Assessment, Assessment.id == Response.assessment_id)
        .where(Response.assessment_id.in_(ids))
        .group_by(Response.assessment_id)
    ).all()
    live_answered = _live_inherited_answered(session, ids)
    return {
        aid: (total, int(done or 0) + live_answered.get(aid, 0), int(inh or 0), int(ovr or 0))
        for aid, total, done, inh, ovr in rows
    }


def _live_inherited_answered(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Count, per open system assessment, the inherited questions the organisation answered."""
    source = organisation_row(session)
    if source is None:
        return {}
    org = sa.orm.aliased(Response)
    rows = session.execute(
        sa.select(Response.assessment_id, sa.func.count())
        .join(Assessment, Assessment.id == Response.assessment_id)
        .join(org, sa.and_(org.question_id == Response.question_id, org.assessment_id == source.id))
        .where(
            Response.assessment_id.in_(ids),
            Response.origin == Origin.INHERITED.value,
            Assessment.status != AssessmentStatus.FINAL.value,
            Assessment.kind == AssessmentKind.SYSTEM.value,
            sa.or_(org.level.is_not(None), org.not_applicable.is_(True)),
        )
        .group_by(Response.assessment_id)
    ).all()
    return {aid: int(n) for aid, n in rows}


def load_row(session: Session, assessment_id: int) -> tuple[Assessment, AISystem | None]:
    """Return an assessment row and its system (None for the organisation assessment).

    Raises:
        UserError: No assessment has this id.
    """
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise UserError(f"no assessment {assessment_id}")
    if row.system_id is None:
        return row, None
    system = session.get(AISystem, row.system_id)
    if system is None:  # pragma: no cover - the foreign key forbids it
        raise UserError(f"assessment {assessment_id} names a missing system")
    return row, system


def editable_row(session: Session, assessment_id: int) -> Assessment:
    """Return an assessment for changing, refusing a final one.

    Raises:
        UserError: No such assessment, or it is final.
    """
    row, _ = load_row(session, assessment_id)
    if row.status == AssessmentStatus.FINAL:
        raise UserError(f"assessment {assessment_id} is final and read-only; re-assess to change")
    return row


def response_row(session: Session, assessment_id: int, question_id: str) -> Response:
    """Return the response row of one question inside the caller's session.

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    load_row(session, assessment_id)
    row = session.execute(
        sa.select(Response).where(
            Response.assessment_id == assessment_id, Response.question_id == question_id
        )
    ).scalar_one_or_none()
    if row is None:
        raise UserError(f"question {question_id!r} is not part of assessment {assessment_id}")
    return row


def system_row(session: Session, external_id: str) -> AISystem:
    """Return the AI system with this inventory id.

    Raises:
        UserError: No system has this inventory id.
    """
    row = session.execute(
        sa.select(AISystem).where(AISystem.external_id == external_id)
    ).scalar_one_or_none()
    if row is None:
        raise UserError(f"no AI system {external_id!r} in the inventory")
    return row


def check_level(value: int, what: str = "level") -> int:
    """Return a maturity level 0–5, or raise a :class:`UserError` naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
        raise UserError(f"{what} must be a whole number from 0 to 5, not {value!r}")
    return value


def get_assessment(workspace: Workspace, assessment_id: int) -> AssessmentInfo:
    """Return one assessment with its question and answer counts.

    Raises:
        UserError: No assessment has this id.
    """
    with workspace.db.read() as session:
        row, system = load_row(session, assessment_id)
        counts = _answer_counts(session, [assessment_id]).get(assessment_id, (0, 0))
        return assessment_info(row, system, counts)


def list_assessments(workspace: Workspace, system: str | None = None) -> list[AssessmentInfo]:
    """Return every assessment (of one system when ``system`` names its inventory id), newest last.

    Raises:
        UserError: ``system`` names no AI system.
    """
    with workspace.db.read() as session:
        query = (
            sa.select(Assessment, AISystem)
            .join(AISystem, isouter=True)
            .order_by(Assessment.kind, Assessment.id)  # the organisation first
        )
        if system == ORGANISATION_LABEL:  # the organisation's rounds (it has no system id)
            query = query.where(Assessment.kind == AssessmentKind.ORGANISATION.value)
        elif system is not None:
            query = query.where(AISystem.id == system_row(session, system).id)
        rows = session.execute(query).all()
        counts = _answer_counts(session, [row.id for row, _ in rows])
        return [assessment_info(row, sys_row, counts.get(row.id, (0, 0))) for row, sys_row in rows]


def load_questions(workspace: Workspace, assessment_id: int) -> AssessmentQuestions:
    """Return an assessment with the framework versions it was created with.

    Raises:
        UserError: No such assessment, or its stored framework text is missing or broken.
    """
    with workspace.db.read() as session:
        return questions_in(session, assessment_id)


def questions_in(session: Session, assessment_id: int) -> AssessmentQuestions:
    """Return an assessment with its framework versions, read in the caller's session.

    Raises:
        UserError: No such assessment, or its stored framework text is missing or broken.
    """
    row, system = load_row(session, assessment_id)
    counts = _answer_counts(session, [assessment_id]).get(assessment_id, (0, 0))
    frameworks = _frameworks_of(session, _refs(row))
    in_scope = session.execute(
        sa.select(Response.question_id).where(Response.assessment_id == assessment_id)
    ).scalars()
    return AssessmentQuestions(
        assessment_info(row, system, counts), frameworks, frozenset(in_scope)
    )


RESPONSE_FIELDS = (
    "level",
    "not_applicable",
    "justification",
    "notes",
    "evidence_strength",
    "target_override",
    "flagged",
    "reviewed",
)


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
    Response.reviewed_by,
    Response.reviewed_at,
    Response.origin,
    Response.override_reason,
)


def response_info(row: Response, evidence: Sequence[int]) -> ResponseInfo:
    """Return a response row as plain values with its linked evidence ids."""
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
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        origin=row.origin,
        override_reason=row.override_reason,
    )


def evidence_links(session: Session, response_ids: Sequence[int]) -> dict[int, list[int]]:
    """Return the evidence ids linked to each of these responses."""
    links: dict[int, list[int]] = {}
    rows = session.execute(
        sa.select(ResponseEvidence.response_id, ResponseEvidence.evidence_id)
        .where(ResponseEvidence.response_id.in_(response_ids))
        .order_by(ResponseEvidence.evidence_id)
    ).all()
    for response_id, evidence_id in rows:
        links.setdefault(response_id, []).append(evidence_id)
    return links


def list_responses(workspace: Workspace, assessment_id: int) -> list[ResponseInfo]:
    """Return every response of an assessment, in question order.

    Raises:
        UserError: No assessment has this id.
    """
    with workspace.db.read() as session:
        return responses_in(session, assessment_id)


def responses_in(session: Session, assessment_id: int) -> list[ResponseInfo]:
    """Return every response of an assessment in question order, read in the caller's session.

    Raises:
        UserError: No assessment has this id.
    """
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise UserError(f"no assessment {assessment_id}")
    rows = session.execute(
        sa.select(*_RESPONSE_COLUMNS)
        .where(Response.assessment_id == assessment_id)
        .order_by(Response.id)
    ).all()
    links = evidence_links(session, [row[0] for row in rows])
    infos = [
        ResponseInfo(
            *row[1:-4],
            evidence_ids=tuple(links.get(row[0], ())),
            reviewed_by=row[-4],
            reviewed_at=row[-3],
            origin=row[-2],
            override_reason=row[-1],
        )
        for row in rows
    ]
    return effective(session, assessment, infos)


def effective(
    session: Session, assessment: Assessment, infos: list[ResponseInfo]
) -> list[ResponseInfo]:
    """Return the answers as they count: inherited ones replaced by the organisation's.

    A final assessment keeps the values frozen into it when it was finalised.
    """
    inherited = [info.question_id for info in infos if info.inherited]
    if not inherited or not inherits_live(assessment):
        return infos
    found = organisation_answers(session, inherited)
    if found is None:
        return infos
    out = []
    for info in infos:
        source = found.rows.get(info.question_id) if info.inherited else None
        if source is not None:
            info = replace(
                info,
                **{name: getattr(source, name) for name in INHERITED_FIELDS},
                evidence_ids=tuple(found.evidence.get(info.question_id, ())),
                inherited_from=found.assessment_id,
                inherited_on=found.created,
            )
        elif info.inherited:
            info = replace(info, inherited_from=found.assessment_id, inherited_on=found.created)
        out.append(info)
    return out


def get_response(workspace: Workspace, assessment_id: int, question_id: str) -> ResponseInfo:
    """Return the response to one question.

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    with workspace.db.read() as session:
        row = response_row(session, assessment_id, question_id)
        links = evidence_links(session, [row.id or 0])
        info = response_info(row, links.get(row.id or 0, ()))
        return effective(session, load_row(session, assessment_id)[0], [info])[0]


def record_change(
    session: Session,
    workspace: Workspace,
    action: str,
    row: Assessment,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Journal a change to an assessment in the caller's write transaction."""
    journal.record(
        session,
        actor=workspace.actor,
        action=action,
        entity="assessment",
        entity_id=row.id or 0,
        before=before,
        after=after,
    )
