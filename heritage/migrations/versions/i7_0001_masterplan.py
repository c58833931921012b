"""masterplan: policy versions, decisions, overrides, approvals, readings, movements, inventory, transfers;
items.attributes holds the facts the rules read

Revision ID: i7_0001
Revises: 0001
Create Date: 2026-11-27 23:57:35.299893
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "i7_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("subject", "kind", "role", name="uq_approvals_subject_kind_role"),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvals_subject"), ["subject"], unique=False)

    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "document", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("source", sa.String(length=1000), nullable=True),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("scope", "sha256", name="uq_policy_versions_scope_sha256"),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_versions_scope"), ["scope"], unique=False)

    op.create_table(
        "environment_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("t", sa.Float(), nullable=True),
        sa.Column("rh", sa.Float(), nullable=True),
        sa.Column("lux", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_environment_readings_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environment_readings")),
        sa.UniqueConstraint("location_id", "at", name="uq_environment_readings_location_at"),
    )
    with op.batch_alter_table("environment_readings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_environment_readings_location_id"), ["location_id"], unique=False)

    op.create_table(
        "inventory_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column(
            "scanned", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "missing", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "unexpected", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "unknown", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_inventory_checks_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_checks")),
    )
    with op.batch_alter_table("inventory_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_checks_location_id"), ["location_id"], unique=False)

    op.create_table(
        "movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=True),
        sa.Column("to_location_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_location_id"], ["locations.id"], name=op.f("fk_movements_from_location_id_locations")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_movements_item_id_items")),
        sa.ForeignKeyConstraint(
            ["to_location_id"], ["locations.id"], name=op.f("fk_movements_to_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movements")),
    )
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_movements_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_movements_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movements_to_location_id"), ["to_location_id"], unique=False)

    op.create_table(
        "policy_decisions",
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column(
            "inputs", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("policy_version", sa.String(length=300), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("significance", sa.Float(), nullable=True),
        sa.Column("priority", sa.Float(), nullable=True),
        sa.Column("priority_gate", sa.String(length=32), nullable=True),
        sa.Column(
            "priority_factors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_policy_decisions_item_id_items")),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_policy_decisions")),
    )
    with op.batch_alter_table("policy_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_decisions_decision"), ["decision"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_decisions_due"), ["due"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_decisions_priority"), ["priority"], unique=False)

    op.create_table(
        "policy_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_policy_overrides_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_overrides")),
    )
    with op.batch_alter_table("policy_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_overrides_item_id"), ["item_id"], unique=False)

    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=True),
        sa.Column("to_unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "items", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.String(length=200), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["from_unit_id"], ["units.id"], name=op.f("fk_transfers_from_unit_id_units")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_transfers_item_id_items")),
        sa.ForeignKeyConstraint(["to_unit_id"], ["units.id"], name=op.f("fk_transfers_to_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_status"), ["status"], unique=False)

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "attributes",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("attributes")

    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_status"))
        batch_op.drop_index(batch_op.f("ix_transfers_item_id"))

    op.drop_table("transfers")
    with op.batch_alter_table("policy_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_overrides_item_id"))

    op.drop_table("policy_overrides")
    with op.batch_alter_table("policy_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_decisions_priority"))
        batch_op.drop_index(batch_op.f("ix_policy_decisions_due"))
        batch_op.drop_index(batch_op.f("ix_policy_decisions_decision"))

    op.drop_table("policy_decisions")
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_movements_to_location_id"))
        batch_op.drop_index(batch_op.f("ix_movements_item_id"))
        batch_op.drop_index(batch_op.f("ix_movements_at"))

    op.drop_table("movements")
    with op.batch_alter_table("inventory_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_checks_location_id"))

    op.drop_table("inventory_checks")
    with op.batch_alter_table("environment_readings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_environment_readings_location_id"))

    op.drop_table("environment_readings")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_versions_scope"))

    op.drop_table("policy_versions")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_subject"))

    op.drop_table("approvals")
