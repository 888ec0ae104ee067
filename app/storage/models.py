"""Tables of the workspace (DESIGN §3).

Every table is declared here once; the first Alembic migration creates all of them, so later
changes add columns rather than foundations. Enum-valued columns hold the ``StrEnum`` values of
``app.domain.enums`` as plain text; JSON columns hold lists and dicts of plain values.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _json_column(default: Any) -> sa.Column[Any]:
    return sa.Column(sa.JSON, nullable=False, default=default)


#: SQL giving a random version-4 UUID as text: the database's own default for every ``gid``,
#: so rows inserted in bulk (without the model's default) get one of their own each.
GID_SQL = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || "
    "'-' || lower(hex(randomblob(6)))"
)


def new_gid() -> str:
    """Return a new global id: a random UUID as text."""
    return str(uuid.uuid4())


def _gid() -> Any:
    """Return the ``gid`` field: the same record's identity in every workspace it travels to."""
    return Field(
        default_factory=new_gid,
        unique=True,
        index=True,
        sa_column_kwargs={"server_default": sa.text(f"({GID_SQL})")},
    )


class Engagement(SQLModel, table=True):
    """The client engagement this workspace belongs to (one row per workspace)."""

    __tablename__ = "engagement"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    client: str = ""
    title: str = ""
    assessor: str = ""
    assessor_organisation: str = ""
    reviewer: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    classification: str = "confidential"
    created_at: dt.datetime = Field(default_factory=_utcnow)


class WorkspaceSetting(SQLModel, table=True):
    """A workspace-wide setting (hygiene thresholds, branding), stored as JSON."""

    __tablename__ = "workspace_setting"

    key: str = Field(primary_key=True)
    value: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


class Person(SQLModel, table=True):
    """An accountable owner or contact."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    name: str = ""
    email: str | None = Field(default=None, unique=True)
    role: str = ""
    organisation: str = ""


class AISystem(SQLModel, table=True):
    """One AI system of the client's inventory."""

    __tablename__ = "ai_system"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    external_id: str = Field(unique=True, index=True)
    name: str = ""
    description: str = ""
    business_unit: str = ""
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    provider: str = ""
    model: str = ""
    lifecycle_stage: str | None = None
    environment: str | None = None
    autonomy: str | None = None
    data_classification: str | None = None
    exposure: str | None = None
    tools: list[str] = Field(default_factory=list, sa_column=_json_column(list))
    tags: list[str] = Field(default_factory=list, sa_column=_json_column(list))
    review_due: dt.date | None = None
    risk_designation: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))
    created_at: dt.datetime = Field(default_factory=_utcnow)
    updated_at: dt.datetime = Field(default_factory=_utcnow)


class Identity(SQLModel, table=True):
    """A non-human identity, or a human's delegated access, that lets a system act."""

    __tablename__ = "identity"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    external_id: str = Field(unique=True, index=True)
    name: str = ""
    kind: str | None = None
    provider: str = ""
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    environment: str | None = None
    created: dt.date | None = None
    last_rotated: dt.date | None = None
    last_used: dt.date | None = None
    expires: dt.date | None = None
    revocation_procedure: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))
    created_at: dt.datetime = Field(default_factory=_utcnow)
    updated_at: dt.datetime = Field(default_factory=_utcnow)


class SystemIdentity(SQLModel, table=True):
    """Which identities an AI system uses."""

    __tablename__ = "system_identity"

    system_id: int = Field(foreign_key="ai_system.id", primary_key=True, ondelete="CASCADE")
    identity_id: int = Field(foreign_key="identity.id", primary_key=True, ondelete="CASCADE")


class Resource(SQLModel, table=True):
    """Something an identity can reach: a data store, an API, a queue, a tool."""

    __tablename__ = "resource"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    external_id: str = Field(unique=True, index=True)
    name: str = ""
    kind: str = ""
    environment: str | None = None
    sensitivity: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))


class Grant(SQLModel, table=True):
    """A permission of an identity on a resource."""

    __tablename__ = "access_grant"
    __table_args__ = (
        sa.UniqueConstraint("identity_id", "resource_id", "action", "scope", name="uq_grant"),
    )

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    identity_id: int = Field(foreign_key="identity.id", index=True, ondelete="CASCADE")
    resource_id: int = Field(foreign_key="resource.id", index=True, ondelete="CASCADE")
    action: str = "read"
    scope: str = ""
    approval_required: bool | None = None
    logged: bool | None = None
    last_used: dt.date | None = None
    #: True when a deny, a condition or a boundary may narrow the grant (identity exports).
    conditional: bool | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))


class Delegation(SQLModel, table=True):
    """One identity can act as another (assume a role, impersonate, act on behalf of)."""

    __tablename__ = "delegation"
    __table_args__ = (
        sa.UniqueConstraint("from_identity_id", "to_identity_id", "kind", name="uq_delegation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    from_identity_id: int = Field(foreign_key="identity.id", index=True, ondelete="CASCADE")
    to_identity_id: int = Field(foreign_key="identity.id", index=True, ondelete="CASCADE")
    kind: str = "assume-role"
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))


class ImportRun(SQLModel, table=True):
    """One applied inventory import, with the snapshot of the inventory after it (for drift)."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = ""
    file_sha256: str = ""
    format: str = ""
    actor: str = ""
    applied_at: dt.datetime = Field(default_factory=_utcnow)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))


class FrameworkVersion(SQLModel, table=True):
    """The exact questionnaire text an assessment was answered against, or a custom set."""

    __tablename__ = "framework_version"
    __table_args__ = (sa.UniqueConstraint("framework_id", "version", "sha256", name="uq_fwv"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: str = Field(index=True)
    version: str = ""
    title: str = ""
    sha256: str = ""
    custom: bool = False
    source_name: str = ""
    content: str = ""
    added_at: dt.datetime = Field(default_factory=_utcnow)


class Assessment(SQLModel, table=True):
    """An assessment of one AI system, or of the organisation, against one or more frameworks.

    An organisation assessment (``kind`` ``organisation``) has no system; it answers the
    organisation-level questions once for every system assessment of the engagement.
    """

    __tablename__ = "assessment"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    kind: str = "system"
    system_id: int | None = Field(
        default=None, foreign_key="ai_system.id", index=True, ondelete="RESTRICT"
    )
    title: str = ""
    status: str = "draft"
    frameworks: list[dict[str, Any]] = Field(default_factory=list, sa_column=_json_column(list))
    scope: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column(dict))
    risk_tier: str | None = None
    risk_factor: str = ""
    target_level: int = 3
    assessor: str = ""
    reviewer: str = ""
    previous_id: int | None = Field(default=None, foreign_key="assessment.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=_utcnow)
    submitted_at: dt.datetime | None = None
    finalized_at: dt.datetime | None = None


class Response(SQLModel, table=True):
    """The answer to one question of an assessment."""

    __tablename__ = "response"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "question_id", name="uq_response"),)

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    question_id: str
    level: int | None = None
    not_applicable: bool = False
    justification: str = ""
    notes: str = ""
    evidence_strength: str | None = None
    target_override: int | None = None
    flagged: bool = False
    reviewed: bool = False
    answered_by: str = ""
    answered_at: dt.datetime | None = None
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    origin: str = "own"
    override_reason: str = ""
    #: Who gave the answer: ``assessor`` or ``client`` (self-assessment from the responses sheet).
    source: str = "assessor"
    #: How the assessor verified it: ``document-review``, ``interview``, ``test`` or empty.
    verification_method: str = ""
    verified_with: str = ""
    verified_on: dt.date | None = None
    verified_by: str = ""


class EvidenceBlob(SQLModel, table=True):
    """Evidence bytes, stored once per SHA-256 however often they are linked."""

    __tablename__ = "evidence_blob"

    sha256: str = Field(primary_key=True)
    size: int = 0
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


class Evidence(SQLModel, table=True):
    """A piece of evidence: a named file with who collected it and when."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    sha256: str = Field(foreign_key="evidence_blob.sha256", index=True, ondelete="RESTRICT")
    file_name: str = ""
    media_type: str = "application/octet-stream"
    size: int = 0
    collected_at: dt.datetime | None = None
    collected_by: str = ""
    description: str = ""
    added_at: dt.datetime = Field(default_factory=_utcnow)


class ResponseEvidence(SQLModel, table=True):
    """Links evidence to responses."""

    __tablename__ = "response_evidence"

    response_id: int = Field(foreign_key="response.id", primary_key=True, ondelete="CASCADE")
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True, ondelete="CASCADE")


class Finding(SQLModel, table=True):
    """A finding from a gap, an identity rule, or entered by hand."""

    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    key: str | None = Field(default=None, unique=True)
    source: str = "manual"
    rule_id: str = ""
    assessment_id: int | None = Field(
        default=None, foreign_key="assessment.id", index=True, ondelete="CASCADE"
    )
    system_id: int | None = Field(
        default=None, foreign_key="ai_system.id", index=True, ondelete="CASCADE"
    )
    identity_id: int | None = Field(
        default=None, foreign_key="identity.id", index=True, ondelete="CASCADE"
    )
    question_id: str = ""
    severity: str = "medium"
    title: str = ""
    detail: str = ""
    recommendation: str = ""
    references: list[str] = Field(default_factory=list, sa_column=_json_column(list))
    owner: str = ""
    due_date: dt.date | None = None
    status: str = "open"
    created_at: dt.datetime = Field(default_factory=_utcnow)
    updated_at: dt.datetime = Field(default_factory=_utcnow)
    likelihood: int | None = None
    impact: int | None = None
    effort: str = ""
    management_response: str = ""
    acceptance_justification: str = ""
    accepted_by: str = ""
    #: Fields the assessor wrote or decided; a refresh never overwrites them.
    edited: list[str] = Field(default_factory=list, sa_column=_json_column(list))
    #: Default theme keys merged into this finding (their gaps keep coming here).
    merged_keys: list[str] = Field(default_factory=list, sa_column=_json_column(list))


class FindingItem(SQLModel, table=True):
    """One gap a themed finding groups: a question below target or an identity rule that fired.

    ``group_key`` is the default theme the gap belongs to; ``placed`` is True once the assessor
    moved it (split or merge), after which a refresh leaves it where it was put.
    """

    __tablename__ = "finding_item"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "item_key", name="uq_finding_item"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True, ondelete="CASCADE")
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    item_key: str = ""
    kind: str = "question"
    group_key: str = ""
    framework: str = ""
    ref: str = ""
    title: str = ""
    level: int | None = None
    target: int | None = None
    severity: str = "low"
    recommendation: str = ""
    placed: bool = False


class FindingEvidence(SQLModel, table=True):
    """Links evidence to findings."""

    __tablename__ = "finding_evidence"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True, ondelete="CASCADE")
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True, ondelete="CASCADE")


class SystemEvidence(SQLModel, table=True):
    """Links evidence to AI systems."""

    __tablename__ = "system_evidence"

    system_id: int = Field(foreign_key="ai_system.id", primary_key=True, ondelete="CASCADE")
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True, ondelete="CASCADE")


class JournalEntry(SQLModel, table=True):
    """One hash-chained record of a change made through a service."""

    __tablename__ = "journal_entry"

    seq: int | None = Field(default=None, primary_key=True)
    at: str = ""
    actor: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    before: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    after: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    prev_hash: str = ""
    hash: str = ""


class AssessmentOpinion(SQLModel, table=True):
    """The assessor's voice on one assessment (opinion, summary, themes, limits) and approval.

    ``edited`` lists the text fields a person wrote or changed; a generated draft never
    replaces those.
    """

    __tablename__ = "assessment_opinion"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    assessment_id: int = Field(
        foreign_key="assessment.id", unique=True, index=True, ondelete="CASCADE"
    )
    rating: str = ""
    rationale: str = ""
    executive_summary: str = ""
    key_themes: str = ""
    scope_limitations: str = ""
    edited: list[str] = Field(default_factory=list, sa_column=_json_column(list))
    updated_by: str = ""
    updated_at: dt.datetime | None = None
    approved_by: str = ""
    approved_at: dt.datetime | None = None


class EvidenceRequest(SQLModel, table=True):
    """Evidence asked of a named client contact for a question or a finding."""

    __tablename__ = "evidence_request"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    question_id: str = ""
    finding_id: int | None = Field(default=None, foreign_key="finding.id", ondelete="SET NULL")
    contact: str = ""
    contact_email: str = ""
    description: str = ""
    due_date: dt.date | None = None
    status: str = "requested"
    received_on: dt.date | None = None
    note: str = ""
    requested_by: str = ""
    created_at: dt.datetime = Field(default_factory=_utcnow)


class ReviewComment(SQLModel, table=True):
    """A reviewer's comment on an answer or a finding; open comments block finalising."""

    __tablename__ = "review_comment"

    id: int | None = Field(default=None, primary_key=True)
    gid: str = _gid()
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    question_id: str = ""
    finding_id: int | None = Field(default=None, foreign_key="finding.id", ondelete="SET NULL")
    text: str = ""
    author: str = ""
    created_at: dt.datetime = Field(default_factory=_utcnow)
    status: str = "open"
    resolution: str = ""
    resolved_by: str = ""
    resolved_at: dt.datetime | None = None
