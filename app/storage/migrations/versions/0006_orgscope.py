"""Engagement scope: an organisation assessment (no system), and inherited or overridden answers.

An assessment gains ``kind`` (``system`` or ``organisation``) and its system becomes optional,
since the organisation assessment of an engagement belongs to no system. A response gains
``origin`` (``own``, ``inherited`` from the organisation assessment, or ``overridden`` for this
system) and the ``override_reason`` an override must give.

Revision ID: 0006_orgscope
Revises: 0005_idsources
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_orgscope"
down_revision = "0005_idsources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("kind", sa.String(), nullable=False, server_default="system"))
        batch.alter_column("system_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("origin", sa.String(), nullable=False, server_default="own"))
        batch.add_column(
            sa.Column("override_reason", sa.String(), nullable=False, server_default="")
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM response WHERE assessment_id IN"
        " (SELECT id FROM assessment WHERE kind = 'organisation')"
    )
    op.execute("DELETE FROM assessment WHERE kind = 'organisation'")
    with op.batch_alter_table("response") as batch:
        batch.drop_column("override_reason")
        batch.drop_column("origin")
    with op.batch_alter_table("assessment") as batch:
        batch.alter_column("system_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("kind")
