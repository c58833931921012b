"""preservation outbox: changes of items waiting for their next OCFL version

Written in the transaction of each change and deleted once the version holding it is written (and
replicated), so a process killed right after its commit loses nothing. Existing catalogues start with an
empty outbox: `heritage fixity audit` reports objects behind their catalogue rows, and
`heritage preservation sync --all` brings them up to date.

Revision ID: i14_store_0001
Revises: i14_ingest_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i14_store_0001"
down_revision = "i14_ingest_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preservation_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_outbox")),
    )
    with op.batch_alter_table("preservation_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preservation_outbox_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("preservation_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preservation_outbox_item_id"))
    op.drop_table("preservation_outbox")
