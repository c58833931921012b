"""policy decisions keep their explanation as a template with its values, so pages say it in Dutch and English

Decisions stored before this revision have none (null) and are shown in English until evaluated again.

Revision ID: i16_expl_0001
Revises: i16_gov_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i16_expl_0001"
down_revision = "i16_gov_0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("policy_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("explanation_said", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_decisions", schema=None) as batch_op:
        batch_op.drop_column("explanation_said")
