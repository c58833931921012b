"""items keep a record's whole rights statement and date text: real records (FSU's MODS accessCondition, an EAD
component's many unitdates) run past the 300 and 200 characters these columns held

Revision ID: i17_text_0001
Revises: i16_expl_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i17_text_0001"
down_revision = "i16_expl_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.alter_column("rights", type_=sa.Text(), existing_type=sa.String(300), existing_nullable=True)
        batch_op.alter_column("date_text", type_=sa.Text(), existing_type=sa.String(200), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.alter_column("rights", type_=sa.String(300), existing_type=sa.Text(), existing_nullable=True)
        batch_op.alter_column("date_text", type_=sa.String(200), existing_type=sa.Text(), existing_nullable=True)
