"""exhibitions: the exhibition, its objects (room or case, label, home) and its pages online (issue 20)

Revision ID: i20_exhib_0001
Revises: i20_loans_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "i20_exhib_0001"
down_revision = "i20_loans_0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "exhibitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text()),
        sa.Column("summary_en", sa.Text()),
        sa.Column("starts_on", sa.Date()),
        sa.Column("ends_on", sa.Date()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("slug", name="uq_exhibitions_slug"),
    )
    op.create_table(
        "exhibition_objects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("exhibition_id", sa.Integer(), sa.ForeignKey("exhibitions.id"), nullable=False),
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id")),
        sa.Column("home_location_id", sa.Integer(), sa.ForeignKey("locations.id")),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text()),
        sa.Column("label_en", sa.Text()),
        sa.UniqueConstraint("exhibition_id", "item_id", name="uq_exhibition_objects_item"),
    )
    op.create_index("ix_exhibition_objects_exhibition_id", "exhibition_objects", ["exhibition_id"])
    op.create_index("ix_exhibition_objects_item_id", "exhibition_objects", ["item_id"])
    op.create_table(
        "exhibition_pages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("exhibition_id", sa.Integer(), sa.ForeignKey("exhibitions.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("text_en", sa.Text()),
        sa.Column("images", JSON, nullable=False),
        sa.UniqueConstraint("exhibition_id", "position", name="uq_exhibition_pages_position"),
    )
    op.create_index("ix_exhibition_pages_exhibition_id", "exhibition_pages", ["exhibition_id"])


def downgrade() -> None:
    op.drop_table("exhibition_pages")
    op.drop_table("exhibition_objects")
    op.drop_table("exhibitions")
