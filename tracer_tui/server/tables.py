"""The central server's tables (SQLModel).

The tables live in their own SQLAlchemy registry (:class:`ServerTable`), so that another
package's SQLModel tables (the agent's local store) can share a process without sharing a
``MetaData`` or table names. Enumerations are stored as short strings and times as UTC; the
SQL stays portable to PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Index,
    LargeBinary,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time stored as naive UTC, read back as an aware UTC datetime.

    Naive values given to the database are taken as UTC already.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ServerTable(SQLModel, registry=registry()):
    """Base of every server table: its own registry and metadata."""


class Team(ServerTable, table=True):
    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(100), unique=True)


class Agent(ServerTable, table=True):
    __tablename__ = "agent"

    id: int | None = Field(default=None, primary_key=True)
    national_number: str = Field(sa_type=String(11), unique=True)
    display_name: str = Field(sa_type=String(200))
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    roles: list[str] = Field(default_factory=list, sa_type=JSON)
    language: str = Field(sa_type=String(2))
    pledge_version: int | None = None  # version of the confidentiality pledge signed


class Person(ServerTable, table=True):
    """A person the centre calls (the fields of ``core.people.PersonData``)."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(sa_type=String(200))
    last_name: str = Field(sa_type=String(200))
    national_number: str | None = Field(default=None, sa_type=String(11), index=True)
    birth_date: date | None = None
    sex: str | None = Field(default=None, sa_type=String(1))
    language: str = Field(sa_type=String(2))
    phones: list[str] = Field(default_factory=list, sa_type=JSON)
    email: str | None = Field(default=None, sa_type=String(320))
    street: str | None = Field(default=None, sa_type=String(300))
    postcode: str | None = Field(default=None, sa_type=String(10))
    municipality: str | None = Field(default=None, sa_type=String(200))
    country: str | None = Field(default=None, sa_type=String(2))
    created_at: datetime = Field(sa_type=UTCDateTime)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Task(ServerTable, table=True):
    """A call order (ticket) for one person, done by one agent at a time."""

    __tablename__ = "task"
    __table_args__ = (
        # An agent's queue: their open tasks by due time.
        Index("ix_task_queue", "assigned_agent_id", "status", "due_at", "id"),
        # A team's pool: its unassigned open tasks by priority and due time.
        Index("ix_task_pool", "team_id", "assigned_agent_id", "status", "priority", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(32))
    status: str = Field(sa_type=String(32))
    person_id: int = Field(foreign_key="person.id", index=True)
    team_id: int = Field(foreign_key="team.id")
    assigned_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    due_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    priority: int = 0  # higher first when the pool is shared out
    questionnaire_id: str = Field(sa_type=String(100))
    questionnaire_version: int
    test_date: date | None = None
    last_exposure: date | None = None


class CallAttempt(ServerTable, table=True):
    __tablename__ = "call_attempt"

    id: int | None = Field(default=None, primary_key=True)
    client_uuid: UUID = Field(unique=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    agent_id: int = Field(foreign_key="agent.id")
    outcome: str = Field(sa_type=String(32))
    note: str | None = Field(default=None, sa_type=String(2000))
    at: datetime = Field(sa_type=UTCDateTime)


class InterviewSubmission(ServerTable, table=True):
    """A completed interview as the agent's client sent it, stored once."""

    __tablename__ = "interview_submission"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: UUID = Field(unique=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    agent_id: int = Field(foreign_key="agent.id")
    questionnaire_id: str = Field(sa_type=String(100))
    questionnaire_version: int
    language: str = Field(sa_type=String(2))
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime = Field(sa_type=UTCDateTime)
    conflict: str | None = Field(default=None, sa_type=String(20))
    """Set when the task had been reassigned or closed before the interview arrived (the
    agent worked offline): ``reassigned`` or ``closed``, for the supervisor to settle."""


class AuthToken(ServerTable, table=True):
    """A bearer token, known only by its SHA-256 hash."""

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Card logins: the login certificate's public key (SubjectPublicKeyInfo DER) and the
    # SHA-256 of the certificate, to check the pledge signature. None for the dev login.
    public_key: bytes | None = Field(default=None, sa_type=LargeBinary)
    certificate_sha256: str | None = Field(default=None, sa_type=String(64))


class LoginChallenge(ServerTable, table=True):
    """A login nonce: single use (``used_at``), short-lived, shared by every server worker."""

    __tablename__ = "login_challenge"

    id: str = Field(sa_type=String(64), primary_key=True)
    nonce: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PledgeSignature(ServerTable, table=True):
    """An agent's signed acceptance of one version of the confidentiality pledge.

    Enough to check the signature again later: the signed message is
    ``wire.pledge_message(version, text_sha256)`` and ``public_key`` the login certificate's.
    """

    __tablename__ = "pledge_signature"
    __table_args__ = (UniqueConstraint("agent_id", "version", name="uq_pledge_agent_version"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    version: int
    text_sha256: str = Field(sa_type=String(64))
    language: str = Field(sa_type=String(2))
    signature: bytes = Field(sa_type=LargeBinary)
    signature_algorithm: str = Field(sa_type=String(32))
    public_key: bytes = Field(sa_type=LargeBinary)
    certificate_sha256: str = Field(sa_type=String(64))
    signed_at: datetime = Field(sa_type=UTCDateTime)


class AuditRecord(ServerTable, table=True):
    """Who did what to which object, and when. Identifiers only: never personal data.

    Append-only (database triggers refuse UPDATE and DELETE) and hash-chained in ``seq``
    order: ``hash`` covers ``prev_hash`` (the previous record's ``hash``) and this record's
    fields; see :mod:`tracer_tui.server.audit`.
    """

    __tablename__ = "audit_record"
    __table_args__ = (UniqueConstraint("seq", name="uq_audit_record_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    action: str = Field(sa_type=String(64))
    object_type: str = Field(sa_type=String(32))
    object_id: str = Field(sa_type=String(64))
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64))


class AuditHead(ServerTable, table=True):
    """The end of the audit chain: one row (id 1), locked by every writer of audit records
    until it commits, so that the chain never forks."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    last_seq: int
    last_hash: str = Field(sa_type=String(64))


class RateLimit(ServerTable, table=True):
    """A fixed-window counter of attempts (logins, challenges) per key (a card's certificate
    hash, a client address), shared by every server worker."""

    __tablename__ = "rate_limit"

    key: str = Field(sa_type=String(100), primary_key=True)
    window_start: datetime = Field(sa_type=UTCDateTime, index=True)
    count: int
