"""iiif access tokens: the IIIF Authorization Flow 2.0 tokens, hashed, short-lived, revocable (issue 21)

Revision ID: i21_auth_0001
Revises: i20_exhib_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i21_auth_0001"
down_revision = "i20_exhib_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "iiif_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_iiif_access_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iiif_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_iiif_access_tokens_token_hash")),
    )
    with op.batch_alter_table("iiif_access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iiif_access_tokens_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("iiif_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iiif_access_tokens_user_id"))
    op.drop_table("iiif_access_tokens")
