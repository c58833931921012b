"""museum procedures: loans and their objects, condition checks, conservation, object entry/exit, acquisitions
(issue 20)

Revision ID: i20_loans_0001
Revises: i19_ocr_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i20_loans_0001"
down_revision = "i19_ocr_0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("party", sa.String(300), nullable=False),
        sa.Column(
            "venue_id", sa.Integer(), sa.ForeignKey("locations.id", name="fk_loans_venue_id_locations"), nullable=False
        ),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("terms", sa.Text()),
        sa.Column("insurance_kind", sa.String(16)),
        sa.Column("insurance_value", sa.Float()),
        sa.Column("courier", sa.String(300)),
        sa.Column("facility_report", sa.Text()),
        sa.Column("override_reason", sa.Text()),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_index("ix_loans_state", "loans", ["state"])
    op.create_index("ix_loans_venue_id", "loans", ["venue_id"])
    op.create_table(
        "loan_objects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "loan_id", sa.Integer(), sa.ForeignKey("loans.id", name="fk_loan_objects_loan_id_loans"), nullable=False
        ),
        sa.Column(
            "item_id", sa.String(32), sa.ForeignKey("items.id", name="fk_loan_objects_item_id_items"), nullable=False
        ),
        sa.Column(
            "home_location_id",
            sa.Integer(),
            sa.ForeignKey("locations.id", name="fk_loan_objects_home_location_id_locations"),
        ),
        sa.Column("value", sa.Float()),
    )
    op.create_index("ix_loan_objects_loan_id", "loan_objects", ["loan_id"])
    op.create_index("ix_loan_objects_item_id", "loan_objects", ["item_id"])
    op.create_table(
        "condition_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "item_id",
            sa.String(32),
            sa.ForeignKey("items.id", name="fk_condition_checks_item_id_items"),
            nullable=False,
        ),
        sa.Column("condition", sa.String(32), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checked_by", sa.String(200), nullable=False),
        sa.Column("hazards", JSON, nullable=False),
        sa.Column("file_ids", JSON, nullable=False),
        sa.Column("loan_id", sa.Integer(), sa.ForeignKey("loans.id", name="fk_condition_checks_loan_id_loans")),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_condition_checks_item_id", "condition_checks", ["item_id"])
    op.create_index("ix_condition_checks_loan_id", "condition_checks", ["loan_id"])
    op.create_table(
        "conservation_treatments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "item_id",
            sa.String(32),
            sa.ForeignKey("items.id", name="fk_conservation_treatments_item_id_items"),
            nullable=False,
        ),
        sa.Column("treatment", sa.Text(), nullable=False),
        sa.Column("materials", JSON, nullable=False),
        sa.Column("treated_on", sa.Date(), nullable=False),
        sa.Column("treated_by", sa.String(200), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_conservation_treatments_item_id", "conservation_treatments", ["item_id"])
    op.create_table(
        "object_passages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("receipt", sa.String(32), nullable=False, unique=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("party", sa.String(300), nullable=False),
        sa.Column("item_ids", JSON, nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_table(
        "acquisitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "item_id",
            sa.String(32),
            sa.ForeignKey("items.id", name="fk_acquisitions_item_id_items"),
            nullable=False,
            unique=True,
        ),
        sa.Column("accession_number", sa.String(64), nullable=False, unique=True),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("acquired_on", sa.Date(), nullable=False),
        sa.Column("documents", JSON, nullable=False),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("extra", JSON, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "acquisitions",
        "object_passages",
        "conservation_treatments",
        "condition_checks",
        "loan_objects",
        "loans",
    ):
        op.drop_table(table)
