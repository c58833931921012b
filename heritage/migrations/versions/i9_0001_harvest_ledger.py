"""harvest ledger: what OAI-PMH and IIIF Change Discovery harvesters were shown, deletions included

Existing catalogues get a row for every item the public may see now, stamped
with the item's last change, so the first harvest after the upgrade lists them all.

Revision ID: i9_0001
Revises: i4_0001
Create Date: 2026-11-28 01:20:00
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "i9_0001"
down_revision = "i4_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "harvest_records",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("datestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("collection", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("standard", sa.String(length=32), nullable=True),
        sa.Column("manifest", sa.Boolean(), nullable=False),
        sa.Column("manifest_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_harvest_records")),
    )
    with op.batch_alter_table("harvest_records", schema=None) as batch_op:
        batch_op.create_index("ix_harvest_records_kind_datestamp", ["kind", "datestamp", "key"], unique=False)
    _backfill()


def _aware(value: object) -> datetime:
    if isinstance(value, str):  # SQLite keeps text
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _backfill() -> None:
    """Rows for what the public sees today: public and restricted items, and closures that lapsed."""
    bind = op.get_bind()
    today = date.today()
    rows = bind.execute(
        sa.text(
            """
            SELECT i.id, i.access, i.closed_until, i.updated_at, c.slug, c.domain,
                   COALESCE(iu.slug, cu.slug) AS unit,
                   (SELECT r.standard FROM metadata_records r WHERE r.item_id = i.id
                     ORDER BY r.is_primary DESC, r.id LIMIT 1) AS standard,
                   EXISTS (SELECT 1 FROM files f WHERE f.item_id = i.id AND f.role = 'master'
                           AND f.width > 0 AND f.height > 0 AND f.derivatives_ready) AS images
            FROM items i JOIN collections c ON c.id = i.collection_id
            LEFT JOIN units iu ON iu.id = i.unit_id LEFT JOIN units cu ON cu.id = c.unit_id
            """
        )
    )
    stamp_type = sa.DateTime(timezone=True)
    table = sa.table(
        "harvest_records",
        sa.column("kind", sa.String()),
        sa.column("key", sa.String()),
        sa.column("datestamp", stamp_type),
        sa.column("created", stamp_type),
        sa.column("deleted", sa.Boolean()),
        sa.column("collection", sa.String()),
        sa.column("unit", sa.String()),
        sa.column("domain", sa.String()),
        sa.column("standard", sa.String()),
        sa.column("manifest", sa.Boolean()),
        sa.column("manifest_since", stamp_type),
    )
    records: list[dict[str, object]] = []
    for row in rows:
        closed_until = date.fromisoformat(row.closed_until) if isinstance(row.closed_until, str) else row.closed_until
        access = row.access
        if access == "closed" and closed_until is not None and closed_until <= today:
            access = "public"
        if access == "closed":
            continue
        stamp = _aware(row.updated_at)
        manifest = access == "public" and bool(row.images)
        records.append(
            {
                "kind": "item",
                "key": row.id,
                "datestamp": stamp,
                "created": stamp,
                "deleted": False,
                "collection": row.slug,
                "unit": row.unit,
                "domain": row.domain,
                "standard": row.standard,
                "manifest": manifest,
                "manifest_since": stamp if manifest else None,
            }
        )
        if len(records) >= 1000:
            op.bulk_insert(table, records)
            records.clear()
    if records:
        op.bulk_insert(table, records)


def downgrade() -> None:
    with op.batch_alter_table("harvest_records", schema=None) as batch_op:
        batch_op.drop_index("ix_harvest_records_kind_datestamp")
    op.drop_table("harvest_records")
