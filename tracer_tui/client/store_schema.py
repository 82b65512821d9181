"""The local store's tables and their migrations.

The tables live in their own SQLAlchemy registry (:class:`StoreTable`): the server's tables
share a process with them in practice mode, never a ``MetaData``. The schema is made by
ordered migration steps written as plain SQL (:data:`MIGRATIONS`), never by ``create_all``:
step N always builds the same schema, whatever the Python classes look like later. The
``store_schema`` table records the steps applied; a test checks that the migrated database
matches the classes below.

Personal data sits only in the ``payload`` columns, sealed with the store key
(:mod:`tracer_tui.client.store_key`). The other columns (ids, states, times) order and
select rows without opening them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Dialect, LargeBinary, String, Text, TypeDecorator, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class UTCText(TypeDecorator[datetime]):
    """A point in time as ISO 8601 UTC text (sorts as it compares), read back aware."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class StoreTable(SQLModel, registry=registry()):
    """Base of every local store table: its own registry and metadata."""


class SchemaStep(StoreTable, table=True):
    __tablename__ = "store_schema"

    version: int = Field(primary_key=True)
    applied_at: datetime = Field(sa_type=UTCText)


class Meta(StoreTable, table=True):
    """Small named values: the key check, the last queue pull."""

    __tablename__ = "store_meta"

    name: str = Field(primary_key=True, sa_type=String(64))
    value: bytes = Field(sa_type=LargeBinary)


class DraftRow(StoreTable, table=True):
    """An interview in progress; ``payload`` seals the answers."""

    __tablename__ = "draft"

    task_id: int = Field(primary_key=True)
    submission_id: str = Field(sa_type=String(36))
    questionnaire_id: str = Field(sa_type=String(100))
    questionnaire_version: int
    language: str = Field(sa_type=String(2))
    screen_id: str | None = Field(default=None, sa_type=String(100))
    payload: bytes = Field(sa_type=LargeBinary)
    started_at: datetime = Field(sa_type=UTCText)
    updated_at: datetime = Field(sa_type=UTCText)


class TaskRow(StoreTable, table=True):
    """A task of the agent's queue as last pulled; ``payload`` seals the ``TaskView``."""

    __tablename__ = "cached_task"

    task_id: int = Field(primary_key=True)
    position: int
    payload: bytes = Field(sa_type=LargeBinary)
    fetched_at: datetime = Field(sa_type=UTCText)
    finished_at: datetime | None = Field(default=None, sa_type=UTCText)
    """Set when the agent's work on it went to the outbox: no longer offered."""


class OutboxRow(StoreTable, table=True):
    """Work waiting for (or sent to) the server, in the order it was done."""

    __tablename__ = "outbox"

    seq: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(sa_type=String(36), unique=True)
    kind: str = Field(sa_type=String(20))
    task_id: int
    payload: bytes = Field(sa_type=LargeBinary)
    state: str = Field(sa_type=String(10))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=String(200))
    conflict: str | None = Field(default=None, sa_type=String(40))
    created_at: datetime = Field(sa_type=UTCText)
    tried_at: datetime | None = Field(default=None, sa_type=UTCText)
    sent_at: datetime | None = Field(default=None, sa_type=UTCText)


# -- migrations ------------------------------------------------------------------------------

_V1 = (
    """CREATE TABLE store_meta (
        name VARCHAR(64) NOT NULL PRIMARY KEY,
        value BLOB NOT NULL)""",
    """CREATE TABLE draft (
        task_id INTEGER NOT NULL PRIMARY KEY,
        submission_id VARCHAR(36) NOT NULL,
        questionnaire_id VARCHAR(100) NOT NULL,
        questionnaire_version INTEGER NOT NULL,
        language VARCHAR(2) NOT NULL,
        screen_id VARCHAR(100),
        payload BLOB NOT NULL,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    """CREATE TABLE cached_task (
        task_id INTEGER NOT NULL PRIMARY KEY,
        position INTEGER NOT NULL,
        payload BLOB NOT NULL,
        fetched_at TEXT NOT NULL,
        finished_at TEXT)""",
    """CREATE TABLE outbox (
        seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        record_id VARCHAR(36) NOT NULL UNIQUE,
        kind VARCHAR(20) NOT NULL,
        task_id INTEGER NOT NULL,
        payload BLOB NOT NULL,
        state VARCHAR(10) NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR(200),
        conflict VARCHAR(40),
        created_at TEXT NOT NULL,
        tried_at TEXT,
        sent_at TEXT)""",
    "CREATE INDEX ix_outbox_state_seq ON outbox (state, seq)",
    "CREATE INDEX ix_outbox_sent_at ON outbox (sent_at)",
)


def _run(statements: tuple[str, ...]) -> Callable[[Connection], None]:
    def step(connection: Connection) -> None:
        for statement in statements:
            connection.execute(text(statement))

    return step


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_run(_V1),)
"""Step ``i`` takes the schema from version ``i`` to ``i + 1``. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)

SCHEMA_TABLE_DDL = """CREATE TABLE IF NOT EXISTS store_schema (
    version INTEGER NOT NULL PRIMARY KEY,
    applied_at TEXT NOT NULL)"""
