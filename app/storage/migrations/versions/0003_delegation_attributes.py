"""Keep a delegation's custom (unmapped) import columns, as systems and identities do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegation") as batch:
        batch.add_column(
            sa.Column("attributes", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("delegation") as batch:
        batch.drop_column("attributes")
