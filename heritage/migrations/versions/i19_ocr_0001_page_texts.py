"""page texts: the OCR (or delivered text) of every image page, its state, languages and confidence (issue 19)

Revision ID: i19_ocr_0001
Revises: i17_text_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i19_ocr_0001"
down_revision = "i17_text_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_texts",
        sa.Column("file_id", sa.String(32), primary_key=True),
        sa.Column("item_id", sa.String(32), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16)),
        sa.Column("languages", sa.String(100)),
        sa.Column("engine", sa.String(100)),
        sa.Column("confidence", sa.Float()),
        sa.Column("words", sa.Integer()),
        sa.Column("reason", sa.Text()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_page_texts_item_id", "page_texts", ["item_id"])
    op.create_index("ix_page_texts_collection_id", "page_texts", ["collection_id"])
    op.create_index("ix_page_texts_state", "page_texts", ["state"])


def downgrade() -> None:
    op.drop_table("page_texts")
