"""The assessor's voice, answer provenance, evidence requests and the reviewer's comments.

A response gains where its answer came from (``source``: the assessor, or the client's
self-assessment from the responses sheet) and how the assessor verified it (method, with whom,
when, by whom). New tables hold the assessor's opinion of an assessment with its approval,
evidence requested of client contacts, and the reviewer's comments.

Revision ID: 0008_voice_review
Revises: 0007_themed_findings
Create Date: 2026-12-07
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_voice_review"
down_revision = "0007_themed_findings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.add_column(
            sa.Column("source", sa.String(), nullable=False, server_default="assessor")
        )
        batch.add_column(
            sa.Column("verification_method", sa.String(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("verified_with", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("verified_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("verified_by", sa.String(), nullable=False, server_default=""))
    _create_opinion()
    _create_requests()
    _create_comments()


def _create_opinion() -> None:
    op.create_table(
        "assessment_opinion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey("assessment.id", ondelete="CASCADE"),
            nullable=False,
        ),
        *_texts("rating", "rationale", "executive_summary", "key_themes", "scope_limitations"),
        sa.Column("edited", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_assessment_opinion_assessment_id", "assessment_opinion", ["assessment_id"], unique=True
    )


def _create_requests() -> None:
    op.create_table(
        "evidence_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned_by_assessment(),
        *_texts("contact", "contact_email", "description"),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        *_texts("note", "requested_by"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_evidence_request_assessment_id", "evidence_request", ["assessment_id"])


def _create_comments() -> None:
    op.create_table(
        "review_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned_by_assessment(),
        *_texts("text", "author"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_texts("status", "resolution", "resolved_by"),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_review_comment_assessment_id", "review_comment", ["assessment_id"])


def _owned_by_assessment() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey("assessment.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column(
            "finding_id",
            sa.Integer(),
            sa.ForeignKey("finding.id", ondelete="SET NULL"),
            nullable=True,
        ),
    ]


def _texts(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.String(), nullable=False) for name in names]


def downgrade() -> None:
    op.drop_table("review_comment")
    op.drop_table("evidence_request")
    op.drop_table("assessment_opinion")
    with op.batch_alter_table("response") as batch:
        for name in ("verified_by", "verified_on", "verified_with", "verification_method"):
            batch.drop_column(name)
        batch.drop_column("source")
