"""authority records: persons, corporate bodies, families, places, subjects and taxa, linked to items

Existing catalogues start with no authorities; the next ingest of a batch (or `heritage authorities
update`) links the names its records hold.

Revision ID: i15_auth_0001
Revises: i15_edit_0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i15_auth_0001"
down_revision = "i15_edit_0002"
branch_labels = None
depends_on = None

KEY = sa.String(length=255).with_variant(sa.String(length=255, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "authorities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("variants", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("dates", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("merged_into", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["authorities.id"], name=op.f("fk_authorities_merged_into_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorities")),
    )
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorities_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_authorities_merged_into"), ["merged_into"], unique=False)

    op.create_table(
        "authority_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_authority_ids_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_ids")),
        sa.UniqueConstraint("uri", name="uq_authority_ids_uri"),
    )
    with op.batch_alter_table("authority_ids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authority_ids_authority_id"), ["authority_id"], unique=False)

    op.create_table(
        "authority_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("key", KEY, nullable=False),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_authority_keys_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_keys")),
        sa.UniqueConstraint("authority_id", "key", name="uq_authority_keys_authority_key"),
    )
    with op.batch_alter_table("authority_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authority_keys_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index("ix_authority_keys_type_key", ["type", "key"], unique=False)
        batch_op.create_index("ix_authority_keys_key", ["key"], unique=False)

    op.create_table(
        "authority_links",
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_authority_links_item_id_items")),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_authority_links_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("item_id", "authority_id", "role", name=op.f("pk_authority_links")),
    )
    with op.batch_alter_table("authority_links", schema=None) as batch_op:
        batch_op.create_index("ix_authority_links_authority_id", ["authority_id", "item_id"], unique=False)


def downgrade() -> None:
    op.drop_table("authority_links")
    op.drop_table("authority_keys")
    op.drop_table("authority_ids")
    op.drop_table("authorities")
