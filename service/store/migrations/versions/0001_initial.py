"""The schema of the first versions: reviews and their jobs, events, batches, keys,
idempotency records, the readiness probe.

A database made before migrations existed (by ``create_all`` plus the old
add-missing-columns code) has some or all of these tables already: they are kept,
the columns they lack are added, and the database is then stamped like any other.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

meta = sa.MetaData()

sa.Table(
    "api_keys",
    meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(32), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("admin", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.Column("last_used_at", sa.DateTime, nullable=True),
    sa.Index("ix_api_keys_key_hash", "key_hash", unique=True),
)
sa.Table(
    "batches",
    meta,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("options_json", sa.Text, nullable=False),
    sa.Column("skipped_json", sa.Text, nullable=False),
    sa.Column("key_id", sa.String(32), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
sa.Table(
    "reviews",
    meta,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("options_json", sa.Text, nullable=False),
    sa.Column("input_data", sa.LargeBinary, nullable=True),
    sa.Column("plan_json", sa.Text, nullable=True),
    sa.Column("review_json", sa.Text, nullable=True),
    sa.Column("finding_count", sa.Integer, nullable=True),
    sa.Column("error_kind", sa.String(64), nullable=True),
    sa.Column("error_status", sa.Integer, nullable=True),
    sa.Column("error_detail", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_by", sa.String(160), nullable=True),
    sa.Column("lease_until", sa.DateTime, nullable=True),
    sa.Column(
        "batch_id", sa.String(40), sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("key_id", sa.String(32), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Index("ix_reviews_status", "status"),
    sa.Index("ix_reviews_batch_id", "batch_id"),
)
sa.Table(
    "review_events",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "review_id",
        sa.String(40),
        sa.ForeignKey("reviews.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("data_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_review_events_review_seq", "review_id", "seq"),
)
sa.Table(
    "idempotency",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("principal", sa.String(80), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("headers_json", sa.Text, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("principal", "key", name="uq_idempotency_principal_key"),
)
sa.Table(
    "readiness_probe",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
)

# What an added column holds in rows that existed before it (the models' defaults).
LEGACY_DEFAULTS = {
    "stage": "'queued'",
    "options_json": "'{}'",
    "skipped_json": "'[]'",
    "headers_json": "'{}'",
    "data_json": "'{}'",
    "attempts": "0",
    "position": "0",
    "total": "0",
    "admin": "false",
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    existing = set(inspector.get_table_names())
    meta.create_all(bind, checkfirst=True)
    # A database from before migrations: add the columns its tables lack (nullable, since
    # rows already exist; with the models' default where there is one), as the old
    # add-missing-columns code did.
    for table in meta.sorted_tables:
        if table.name not in existing:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            default = LEGACY_DEFAULTS.get(column.name)
            op.add_column(
                table.name,
                sa.Column(
                    column.name,
                    column.type,
                    nullable=True,
                    server_default=sa.text(default) if default else None,
                ),
            )


def downgrade() -> None:
    for table in reversed(meta.sorted_tables):
        op.drop_table(table.name)
