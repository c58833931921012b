"""governance: approvals by accounts, refusals, external approvals, disposals carried out with their documents

Approvals recorded before this revision keep their typed name in `person` and no account (`user_id` null).

Revision ID: i16_gov_0001
Revises: i15_auth_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i16_gov_0001"
down_revision = "i15_auth_0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_approvals_user_id_users"), "users", ["user_id"], ["id"])

    op.create_table(
        "refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_refusals_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refusals")),
        sa.UniqueConstraint("subject", "kind", "role", name="uq_refusals_subject_kind_role"),
    )
    with op.batch_alter_table("refusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refusals_subject"), ["subject"], unique=False)

    op.create_table(
        "external_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("flags", JSON, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_external_approvals_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_approvals")),
    )
    with op.batch_alter_table("external_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_approvals_subject"), ["subject"], unique=False)

    op.create_table(
        "disposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("identifiers", JSON, nullable=False),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("collection", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("decision", JSON, nullable=False),
        sa.Column("approvals", JSON, nullable=False),
        sa.Column("external_approvals", JSON, nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carried_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_disposals_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposals")),
        sa.UniqueConstraint("item_id", name="uq_disposals_item_id"),
    )
    with op.batch_alter_table("disposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposals_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disposals_route"), ["route"], unique=False)
        batch_op.create_index(batch_op.f("ix_disposals_carried_out_at"), ["carried_out_at"], unique=False)

    op.create_table(
        "disposal_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disposal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disposal_id"], ["disposals.id"], name=op.f("fk_disposal_documents_disposal_id_disposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_documents")),
    )
    with op.batch_alter_table("disposal_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposal_documents_disposal_id"), ["disposal_id"], unique=False)


def downgrade() -> None:
    op.drop_table("disposal_documents")
    op.drop_table("disposals")
    op.drop_table("external_approvals")
    op.drop_table("refusals")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_approvals_user_id_users"), type_="foreignkey")
        batch_op.drop_column("user_id")
