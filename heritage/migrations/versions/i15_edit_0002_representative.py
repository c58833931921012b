"""editing: the file that stands for an item (chosen by staff; none = its first image)

Revision ID: i15_edit_0002
Revises: i15_edit_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i15_edit_0002"
down_revision = "i15_edit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("representative_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("representative_id")
