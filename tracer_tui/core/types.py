"""Domain enumerations shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """Languages of the platform: the interview runs in the person's, the UI in the agent's."""

    FR = "fr"
    NL = "nl"
    DE = "de"
    EN = "en"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FIELD = "field"
    SPECIALIST = "specialist"
    TRAINER = "trainer"
    ADMIN = "admin"


class TaskKind(StrEnum):
    INDEX_CALL = "index_call"
    CONTACT_CALL = "contact_call"
    FOLLOW_UP = "follow_up"
    FIELD_VISIT = "field_visit"


class TaskStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_CALL = "in_call"
    WAITING_RETRY = "waiting_retry"
    CALLBACK = "callback"
    ESCALATED = "escalated"
    DONE = "done"
    CLOSED = "closed"


OPEN_STATUSES: frozenset[TaskStatus] = frozenset(
    {
        TaskStatus.NEW,
        TaskStatus.ASSIGNED,
        TaskStatus.IN_CALL,
        TaskStatus.WAITING_RETRY,
        TaskStatus.CALLBACK,
    }
)
