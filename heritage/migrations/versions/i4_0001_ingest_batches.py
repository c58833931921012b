"""ingest batches and their files; pages of multi-page masters

Revision ID: i4_0001
Revises: i7_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "i4_0001"
down_revision = "i7_0001"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("root", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("standard", sa.String(length=32), nullable=True),
        sa.Column("metadata_file", sa.String(length=1000), nullable=True),
        sa.Column("options", _json(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("items_created", sa.Integer(), nullable=False),
        sa.Column("items_updated", sa.Integer(), nullable=False),
        sa.Column("problems", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"], ["collections.id"], name=op.f("fk_batches_collection_id_collections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_collection_id"), ["collection_id"], unique=False)

    op.create_table(
        "batch_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("file_id", sa.String(length=32), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("format_name", sa.String(length=100), nullable=True),
        sa.Column("puid", sa.String(length=32), nullable=True),
        sa.Column("quality", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_batch_files_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_files")),
        sa.UniqueConstraint("batch_id", "key", name="uq_batch_files_batch_key"),
    )
    with op.batch_alter_table("batch_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_files_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_files_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_files_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_files_state"), ["state"], unique=False)

    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_files_item_sha256", type_="unique")
        batch_op.create_unique_constraint("uq_files_item_sha256_page", ["item_id", "sha256", "page"])


def downgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_constraint("uq_files_item_sha256_page", type_="unique")
        batch_op.create_unique_constraint("uq_files_item_sha256", ["item_id", "sha256"])
        batch_op.drop_column("page")
    with op.batch_alter_table("batch_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_files_state"))
        batch_op.drop_index(batch_op.f("ix_batch_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_batch_files_item_id"))
        batch_op.drop_index(batch_op.f("ix_batch_files_batch_id"))
    op.drop_table("batch_files")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_collection_id"))
    op.drop_table("batches")
