"""Keep the client's own risk designation of an AI system (high-impact, Tier 1, material...).

Revision ID: 0004_registers
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_registers"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ai_system") as batch:
        batch.add_column(
            sa.Column("risk_designation", sa.String(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("ai_system") as batch:
        batch.drop_column("risk_designation")
