"""search outbox: items whose search documents may be behind the catalogue

Written in the transaction of each change and deleted by the indexing that follows it, so a process
killed between its commit and its re-indexing leaves the request for the next command. Existing
catalogues start with an empty outbox (`heritage reindex` brings an index that is behind up to date).

Revision ID: i14_search_0001
Revises: i14_conc_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i14_search_0001"
down_revision = "i14_conc_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("descendants", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_outbox_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_outbox_item_id"))
    op.drop_table("search_outbox")
