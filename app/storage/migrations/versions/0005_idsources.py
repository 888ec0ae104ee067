"""A grant read from an identity export may be narrowed by a deny or a condition: keep that.

Revision ID: 0005_idsources
Revises: 0004_registers
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_idsources"
down_revision = "0004_registers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_grant") as batch:
        batch.add_column(sa.Column("conditional", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_grant") as batch:
        batch.drop_column("conditional")
