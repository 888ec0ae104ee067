"""Initial schema: every table of the workspace design.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: Marks the file as an Assay workspace ("ASSY").
APPLICATION_ID = 0x41535359
#: The table that marks a server database as Assay's (a file has its application id).
SERVER_MARK_TABLE = "assay_workspace"


def upgrade() -> None:
    op.create_table(
        "engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("assessor", sa.String(), nullable=False),
        sa.Column("assessor_organisation", sa.String(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("classification", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "evidence_blob",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "framework_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("custom", sa.Boolean(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("framework_id", "version", "sha256", name="uq_fwv"),
    )
    op.create_index(
        op.f("ix_framework_version_framework_id"),
        "framework_version",
        ["framework_id"],
        unique=False,
    )
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("file_sha256", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "journal_entry",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("organisation", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("environment", sa.String(), nullable=True),
        sa.Column("sensitivity", sa.String(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_resource_external_id"), "resource", ["external_id"], unique=True)
    op.create_table(
        "workspace_setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "ai_system",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("business_unit", sa.String(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("lifecycle_stage", sa.String(), nullable=True),
        sa.Column("environment", sa.String(), nullable=True),
        sa.Column("autonomy", sa.String(), nullable=True),
        sa.Column("data_classification", sa.String(), nullable=True),
        sa.Column("exposure", sa.String(), nullable=True),
        sa.Column("tools", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ai_system_external_id"), "ai_system", ["external_id"], unique=True)
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collected_by", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["evidence_blob.sha256"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_evidence_sha256"), "evidence", ["sha256"], unique=False)
    op.create_table(
        "identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("environment", sa.String(), nullable=True),
        sa.Column("created", sa.Date(), nullable=True),
        sa.Column("last_rotated", sa.Date(), nullable=True),
        sa.Column("last_used", sa.Date(), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("revocation_procedure", sa.String(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_identity_external_id"), "identity", ["external_id"], unique=True)
    op.create_table(
        "access_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=True),
        sa.Column("logged", sa.Boolean(), nullable=True),
        sa.Column("last_used", sa.Date(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity_id", "resource_id", "action", "scope", name="uq_grant"),
    )
    op.create_index(
        op.f("ix_access_grant_identity_id"), "access_grant", ["identity_id"], unique=False
    )
    op.create_index(
        op.f("ix_access_grant_resource_id"), "access_grant", ["resource_id"], unique=False
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("frameworks", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("risk_tier", sa.String(), nullable=True),
        sa.Column("risk_factor", sa.String(), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=False),
        sa.Column("assessor", sa.String(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["previous_id"], ["assessment.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["system_id"], ["ai_system.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_assessment_system_id"), "assessment", ["system_id"], unique=False)
    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_identity_id", sa.Integer(), nullable=False),
        sa.Column("to_identity_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["from_identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("from_identity_id", "to_identity_id", "kind", name="uq_delegation"),
    )
    op.create_index(
        op.f("ix_delegation_from_identity_id"), "delegation", ["from_identity_id"], unique=False
    )
    op.create_index(
        op.f("ix_delegation_to_identity_id"), "delegation", ["to_identity_id"], unique=False
    )
    op.create_table(
        "system_evidence",
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["system_id"], ["ai_system.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("system_id", "evidence_id"),
    )
    op.create_table(
        "system_identity",
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["system_id"], ["ai_system.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("system_id", "identity_id"),
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("rule_id", sa.String(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("recommendation", sa.String(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["system_id"], ["ai_system.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(op.f("ix_finding_assessment_id"), "finding", ["assessment_id"], unique=False)
    op.create_index(op.f("ix_finding_identity_id"), "finding", ["identity_id"], unique=False)
    op.create_index(op.f("ix_finding_system_id"), "finding", ["system_id"], unique=False)
    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("not_applicable", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.String(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("evidence_strength", sa.String(), nullable=True),
        sa.Column("target_override", sa.Integer(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("answered_by", sa.String(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id", "question_id", name="uq_response"),
    )
    op.create_index(op.f("ix_response_assessment_id"), "response", ["assessment_id"], unique=False)
    op.create_table(
        "finding_evidence",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("finding_id", "evidence_id"),
    )
    op.create_table(
        "response_evidence",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "evidence_id"),
    )
    _mark_as_assay()


def _mark_as_assay() -> None:
    """Mark the database as an Assay workspace: a file's application id, a server's table."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA application_id={APPLICATION_ID}")
        return
    op.create_table(
        SERVER_MARK_TABLE, sa.Column("application_id", sa.Integer(), nullable=False)
    )  # fmt: skip
    op.execute(f"INSERT INTO {SERVER_MARK_TABLE} (application_id) VALUES ({APPLICATION_ID})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_table(SERVER_MARK_TABLE)
    op.drop_table("response_evidence")
    op.drop_table("finding_evidence")
    op.drop_index(op.f("ix_response_assessment_id"), table_name="response")
    op.drop_table("response")
    op.drop_index(op.f("ix_finding_system_id"), table_name="finding")
    op.drop_index(op.f("ix_finding_identity_id"), table_name="finding")
    op.drop_index(op.f("ix_finding_assessment_id"), table_name="finding")
    op.drop_table("finding")
    op.drop_table("system_identity")
    op.drop_table("system_evidence")
    op.drop_index(op.f("ix_delegation_to_identity_id"), table_name="delegation")
    op.drop_index(op.f("ix_delegation_from_identity_id"), table_name="delegation")
    op.drop_table("delegation")
    op.drop_index(op.f("ix_assessment_system_id"), table_name="assessment")
    op.drop_table("assessment")
    op.drop_index(op.f("ix_access_grant_resource_id"), table_name="access_grant")
    op.drop_index(op.f("ix_access_grant_identity_id"), table_name="access_grant")
    op.drop_table("access_grant")
    op.drop_index(op.f("ix_identity_external_id"), table_name="identity")
    op.drop_table("identity")
    op.drop_index(op.f("ix_evidence_sha256"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_ai_system_external_id"), table_name="ai_system")
    op.drop_table("ai_system")
    op.drop_table("workspace_setting")
    op.drop_index(op.f("ix_resource_external_id"), table_name="resource")
    op.drop_table("resource")
    op.drop_table("person")
    op.drop_table("journal_entry")
    op.drop_table("import_run")
    op.drop_index(op.f("ix_framework_version_framework_id"), table_name="framework_version")
    op.drop_table("framework_version")
    op.drop_table("evidence_blob")
    op.drop_table("engagement")
