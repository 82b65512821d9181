"""The audit trail made append-only and hash-chained; login rate limits kept in the database;
``schema_version`` replaced by Alembic's own version table.

Existing audit records are chained in id order.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-28
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
REFUSE = "audit_record is append-only"

_audit = sa.table(
    "audit_record",
    sa.column("id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("at", sa.DateTime()),
    sa.column("agent_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _hash(prev: str, seq: int, at: datetime, agent: int | None, *fields: str) -> str:
    """The chain's hash as this revision defines it (``audit.record_hash``, frozen here)."""
    parts = [
        prev,
        str(seq),
        at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "" if agent is None else str(agent),
    ]
    return hashlib.sha256("\x1f".join([*parts, *fields]).encode("utf-8")).hexdigest()


def _chain_existing() -> tuple[int, str]:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _audit.c.id,
            _audit.c.at,
            _audit.c.agent_id,
            _audit.c.action,
            _audit.c.object_type,
            _audit.c.object_id,
        ).order_by(_audit.c.id)
    ).all()
    last_seq, last_hash = 0, GENESIS
    for row_id, at, agent_id, action, object_type, object_id in rows:
        seq = last_seq + 1
        digest = _hash(last_hash, seq, at, agent_id, action, object_type, object_id)
        bind.execute(
            _audit.update()
            .where(_audit.c.id == row_id)
            .values(seq=seq, prev_hash=last_hash, hash=digest)
        )
        last_seq, last_hash = seq, digest
    return last_seq, last_hash


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
            "FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_record_no_{event.lower()} BEFORE {event} ON audit_record "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_record_no_truncate ON audit_record")
        op.execute("DROP TRIGGER audit_record_append_only ON audit_record")
        op.execute("DROP FUNCTION audit_record_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER audit_record_no_{event}")


def upgrade() -> None:
    op.drop_table("schema_version")
    for name in ("seq", "prev_hash", "hash"):
        kind = sa.Integer() if name == "seq" else sa.String(64)
        op.add_column("audit_record", sa.Column(name, kind, nullable=True))
    last_seq, last_hash = _chain_existing()
    with op.batch_alter_table("audit_record") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_audit_record_seq", ["seq"])
    _append_only_triggers()
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_seq": last_seq, "last_hash": last_hash}])
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_rate_limit_window_start", "rate_limit", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_window_start", table_name="rate_limit")
    op.drop_table("rate_limit")
    op.drop_table("audit_head")
    _drop_triggers()
    with op.batch_alter_table("audit_record") as batch:
        batch.drop_constraint("uq_audit_record_seq", type_="unique")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("seq")
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
    )
    op.execute("INSERT INTO schema_version (version, applied_at) VALUES (2, CURRENT_TIMESTAMP)")
