"""The audit trail: every read or write of personal data leaves a record.

A record holds identifiers only (who, what action, which object): never a name, a national
number or any other personal data. It is written in the same transaction as the action it
records, so that no action commits without its record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from tracer_tui.server.tables import AuditRecord


class Action(StrEnum):
    DEV_LOGIN = "auth.dev_login"
    LOGIN = "auth.login"  # every card login attempt; the object is its outcome code
    LOGOUT = "auth.logout"
    PLEDGE_SIGN = "pledge.sign"
    QUEUE_READ = "queue.read"
    TASK_ASSIGN = "task.assign"
    INTERVIEW_SUBMIT = "interview.submit"
    INTERVIEW_DUPLICATE = "interview.duplicate"


class ObjectType(StrEnum):
    AGENT = "agent"
    TASK = "task"
    SUBMISSION = "interview_submission"
    LOGIN_OUTCOME = "login_outcome"  # "ok" or the refusal code, e.g. "bad_signature"
    PLEDGE_SIGNATURE = "pledge_signature"


def record(
    session: Session,
    *,
    at: datetime,
    agent_id: int | None,
    action: Action,
    object_type: ObjectType,
    object_ids: Iterable[int | str],
) -> None:
    """Add one record per object to the session (the caller commits)."""
    session.add_all(
        AuditRecord(
            at=at,
            agent_id=agent_id,
            action=action.value,
            object_type=object_type.value,
            object_id=str(object_id),
        )
        for object_id in object_ids
    )
