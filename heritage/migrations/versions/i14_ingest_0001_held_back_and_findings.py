"""ingest: items held back while their files failed or have not arrived; a batch's warnings and unlisted files;
the metadata line of each batch file

Revision ID: i14_ingest_0001
Revises: i8_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "i14_ingest_0001"
down_revision = "i8_0001"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_back", sa.Text(), nullable=True))
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", _json(), nullable=True))
        batch_op.add_column(sa.Column("unlisted", _json(), nullable=True))
    with op.batch_alter_table("batch_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batch_files", schema=None) as batch_op:
        batch_op.drop_column("line")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("unlisted")
        batch_op.drop_column("warnings")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("held_back")
