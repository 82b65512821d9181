"""An interview that arrived after its task was reassigned or closed (the agent worked
offline) is stored all the same, flagged for the supervisor: ``interview_submission.conflict``.

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interview_submission") as batch:
        batch.add_column(sa.Column("conflict", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interview_submission") as batch:
        batch.drop_column("conflict")
