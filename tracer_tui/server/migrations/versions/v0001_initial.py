"""The first schema: teams, agents, people, tasks, attempts, interviews, tokens, card login
challenges, pledge signatures and the audit trail (what ``SCHEMA_VERSION = 2`` created before
the migrations existed).

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _times(*names: str, nullable: bool = False) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.DateTime(), nullable=nullable) for name in names]


def upgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), primary_key=True),
        *_times("applied_at"),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("national_number", sa.String(11), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("team.id"), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("pledge_version", sa.Integer(), nullable=True),
        sa.UniqueConstraint("national_number"),
    )
    op.create_index("ix_agent_team_id", "agent", ["team_id"])
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_name", sa.String(200), nullable=False),
        sa.Column("last_name", sa.String(200), nullable=False),
        sa.Column("national_number", sa.String(11), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("street", sa.String(300), nullable=True),
        sa.Column("postcode", sa.String(10), nullable=True),
        sa.Column("municipality", sa.String(200), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        *_times("created_at"),
    )
    op.create_index("ix_person_national_number", "person", ["national_number"])
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("team.id"), nullable=False),
        sa.Column("assigned_agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=True),
        *_times("due_at", "created_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(100), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("test_date", sa.Date(), nullable=True),
        sa.Column("last_exposure", sa.Date(), nullable=True),
    )
    op.create_index("ix_task_person_id", "task", ["person_id"])
    op.create_index(
        "ix_task_pool", "task", ["team_id", "assigned_agent_id", "status", "priority", "due_at"]
    )
    op.create_index("ix_task_queue", "task", ["assigned_agent_id", "status", "due_at", "id"])
    op.create_table(
        "call_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_uuid", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
        *_times("at"),
        sa.UniqueConstraint("client_uuid"),
    )
    op.create_index("ix_call_attempt_task_id", "call_attempt", ["task_id"])
    op.create_table(
        "interview_submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("questionnaire_id", sa.String(100), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        *_times("started_at", "finished_at", "accepted_at"),
        sa.UniqueConstraint("submission_id"),
    )
    op.create_index("ix_interview_submission_task_id", "interview_submission", ["task_id"])
    op.create_table(
        "auth_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        *_times("expires_at"),
        sa.Column("public_key", sa.LargeBinary(), nullable=True),
        sa.Column("certificate_sha256", sa.String(64), nullable=True),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_auth_token_agent_id", "auth_token", ["agent_id"])
    op.create_index("ix_auth_token_expires_at", "auth_token", ["expires_at"])
    op.create_table(
        "login_challenge",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        *_times("created_at", "expires_at"),
        *_times("used_at", nullable=True),
    )
    op.create_index("ix_login_challenge_expires_at", "login_challenge", ["expires_at"])
    op.create_table(
        "pledge_signature",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("signature_algorithm", sa.String(32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("certificate_sha256", sa.String(64), nullable=False),
        *_times("signed_at"),
        sa.UniqueConstraint("agent_id", "version", name="uq_pledge_agent_version"),
    )
    op.create_index("ix_pledge_signature_agent_id", "pledge_signature", ["agent_id"])
    op.create_table(
        "audit_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_times("at"),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_record_agent_id", "audit_record", ["agent_id"])
    op.create_index("ix_audit_record_at", "audit_record", ["at"])


def downgrade() -> None:
    for table in (
        "audit_record",
        "pledge_signature",
        "login_challenge",
        "auth_token",
        "interview_submission",
        "call_attempt",
        "task",
        "person",
        "agent",
        "team",
        "schema_version",
    ):
        op.drop_table(table)
