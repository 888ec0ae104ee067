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

from app.catalog.errors import CatalogError, UnknownIdError
from app.catalog.loader import load_framework_text
from app.catalog.schema import Framework, Question
from app.domain.enums import AssessmentKind, AssessmentStatus, Origin
from app.services.errors import UserError
from app.services.inheritance import INHERITED_FIELDS, inherits_live, organisation_answers
from app.services.unit import reads
from app.storage import journal
from app.storage.models import AISystem, Assessment, FrameworkVersion, Response
from app.storage.repositories.assessments import AssessmentRepository
from app.storage.repositories.responses import ANSWER_COLUMNS, ANSWER_FIELDS, ResponseRepository
from app.storage.unit_of_work import UnitOfWork
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
        data: dict[str, Any] = journal.jsonable(asdict(self))
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
        data: dict[str, Any] = journal.jsonable(asdict(self))
        return data


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


def stored_version(uow: UnitOfWork, framework: Framework) -> FrameworkVersion:
    """Return the ``framework_version`` row of this exact text, storing it if needed."""
    assessments = uow.repository(AssessmentRepository)
    row = assessments.framework_version(framework.id, framework.version, framework.sha256)
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
    return assessments.add_framework_version(row)


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


def _frameworks_of(uow: UnitOfWork, refs: Sequence[FrameworkRef]) -> tuple[Framework, ...]:
    frameworks = []
    for ref in refs:
        cached = _parsed.get(ref.sha256)
        if cached is not None:
            _parsed.move_to_end(ref.sha256)
            frameworks.append(cached)
            continue
        row = uow.repository(AssessmentRepository).framework_version_by_id(ref.stored_id)
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


def load_row(uow: UnitOfWork, assessment_id: int) -> tuple[Assessment, AISystem | None]:
    """Return an assessment row and its system (None for the organisation assessment).

    Raises:
        UserError: No assessment has this id.
    """
    assessments = uow.repository(AssessmentRepository)
    row = assessments.get(assessment_id)
    if row is None:
        raise UserError(f"no assessment {assessment_id}")
    if row.system_id is None:
        return row, None
    system = assessments.system(row.system_id)
    if system is None:  # pragma: no cover - the foreign key forbids it
        raise UserError(f"assessment {assessment_id} names a missing system")
    return row, system


def editable_row(uow: UnitOfWork, assessment_id: int) -> Assessment:
    """Return an assessment for changing, refusing a final one.

    Raises:
        UserError: No such assessment, or it is final.
    """
    row, _ = load_row(uow, assessment_id)
    if row.status == AssessmentStatus.FINAL:
        raise UserError(f"assessment {assessment_id} is final and read-only; re-assess to change")
    return row


def response_row(uow: UnitOfWork, assessment_id: int, question_id: str) -> Response:
    """Return the response row of one question, for reading or changing in the unit.

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    load_row(uow, assessment_id)
    row = uow.repository(ResponseRepository).find(assessment_id, question_id)
    if row is None:
        raise UserError(f"question {question_id!r} is not part of assessment {assessment_id}")
    return row


def system_row(uow: UnitOfWork, external_id: str) -> AISystem:
    """Return the AI system with this inventory id.

    Raises:
        UserError: No system has this inventory id.
    """
    row = uow.repository(AssessmentRepository).system_by_external_id(external_id)
    if row is None:
        raise UserError(f"no AI system {external_id!r} in the inventory")
    return row


def check_level(value: int, what: str = "level") -> int:
    """Return a maturity level 0–5, or raise a :class:`UserError` naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
        raise UserError(f"{what} must be a whole number from 0 to 5, not {value!r}")
    return value


def _counts(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, tuple[int, int, int, int]]:
    return uow.repository(AssessmentRepository).answer_counts(ids)


@reads
def get_assessment(uow: UnitOfWork, assessment_id: int) -> AssessmentInfo:
    """Return one assessment with its question and answer counts.

    Raises:
        UserError: No assessment has this id.
    """
    row, system = load_row(uow, assessment_id)
    counts = _counts(uow, [assessment_id]).get(assessment_id, (0, 0))
    return assessment_info(row, system, counts)


@reads
def list_assessments(uow: UnitOfWork, system: str | None = None) -> list[AssessmentInfo]:
    """Return every assessment (of one system when ``system`` names its inventory id), newest last.

    Raises:
        UserError: ``system`` names no AI system.
    """
    assessments = uow.repository(AssessmentRepository)
    if system == ORGANISATION_LABEL:  # the organisation's rounds (it has no system id)
        rows = assessments.with_systems(organisation_only=True)
    elif system is not None:
        rows = assessments.with_systems(system_id=system_row(uow, system).id)
    else:
        rows = assessments.with_systems()
    counts = _counts(uow, [row.id for row, _ in rows if row.id is not None])
    return [assessment_info(row, sys_row, counts.get(row.id or 0, (0, 0))) for row, sys_row in rows]


@reads
def load_questions(uow: UnitOfWork, assessment_id: int) -> AssessmentQuestions:
    """Return an assessment with the framework versions it was created with.

    Raises:
        UserError: No such assessment, or its stored framework text is missing or broken.
    """
    row, system = load_row(uow, assessment_id)
    counts = _counts(uow, [assessment_id]).get(assessment_id, (0, 0))
    frameworks = _frameworks_of(uow, _refs(row))
    in_scope = uow.repository(ResponseRepository).question_ids(assessment_id)
    return AssessmentQuestions(
        assessment_info(row, system, counts), frameworks, frozenset(in_scope)
    )


RESPONSE_FIELDS = ANSWER_FIELDS


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


def evidence_links(uow: UnitOfWork, response_ids: Sequence[int]) -> dict[int, list[int]]:
    """Return the evidence ids linked to each of these responses."""
    return uow.repository(ResponseRepository).evidence_links(response_ids)


@reads
def list_responses(uow: UnitOfWork, assessment_id: int) -> list[ResponseInfo]:
    """Return every response of an assessment, in question order.

    Raises:
        UserError: No assessment has this id.
    """
    assessment = uow.repository(AssessmentRepository).get(assessment_id)
    if assessment is None:
        raise UserError(f"no assessment {assessment_id}")
    responses = uow.repository(ResponseRepository)
    rows = responses.answer_values(assessment_id)
    links = responses.evidence_links([row[0] for row in rows])
    infos = [_answer_info(row, links.get(row[0], ())) for row in rows]
    return effective(uow, assessment, infos)


def _answer_info(values: Sequence[Any], evidence: Sequence[int]) -> ResponseInfo:
    named = dict(zip(ANSWER_COLUMNS, values, strict=True))
    named.pop("id")
    return ResponseInfo(**named, evidence_ids=tuple(evidence))


def effective(
    uow: UnitOfWork, assessment: Assessment, infos: list[ResponseInfo]
) -> list[ResponseInfo]:
    """Return the answers as they count: inherited ones replaced by the organisation's.

    A final assessment keeps the values frozen into it when it was finalised.
    """
    inherited = [info.question_id for info in infos if info.inherited]
    if not inherited or not inherits_live(assessment):
        return infos
    found = organisation_answers(uow, inherited)
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


@reads
def get_response(uow: UnitOfWork, assessment_id: int, question_id: str) -> ResponseInfo:
    """Return the response to one question.

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    row = response_row(uow, assessment_id, question_id)
    links = evidence_links(uow, [row.id or 0])
    info = response_info(row, links.get(row.id or 0, ()))
    return effective(uow, load_row(uow, assessment_id)[0], [info])[0]


def record_change(
    uow: UnitOfWork,
    action: str,
    row: Assessment,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Journal a change to an assessment in the unit's transaction."""
    uow.record(action, "assessment", row.id or 0, before=before, after=after)
