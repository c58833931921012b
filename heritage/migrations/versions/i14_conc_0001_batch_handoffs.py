"""batch handoffs: each item's policy evaluation and preservation version after a batch, and how it went

Batches finished before this revision handed their items on without a record; they get none (a rerun of
such a batch records its handoffs).

Revision ID: i14_conc_0001
Revises: i14_store_0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i14_conc_0001"
down_revision = "i14_store_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_batch_handoffs_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_handoffs")),
        sa.UniqueConstraint("batch_id", "item_id", "kind", name="uq_batch_handoffs_batch_item_kind"),
    )
    with op.batch_alter_table("batch_handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_handoffs_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("batch_handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_handoffs_batch_id"))
    op.drop_table("batch_handoffs")
