"""The server's database: engine, schema creation and versioning, sessions.

SQLite (a file, or in memory for practice mode) or PostgreSQL. On SQLite the server takes over
``BEGIN`` from the ``sqlite3`` module so that a session that writes starts with
``BEGIN IMMEDIATE``: it takes the write lock up front (waiting up to the busy timeout) instead
of failing half way when another writer got there first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, make_url, select
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlmodel import Session

from tracer_tui.server.tables import SchemaVersion, ServerTable

SCHEMA_VERSION = 2
"""The schema this code writes. Raise it with every migration (Alembic, later).

2: card login (``login_challenge``, the login key on ``auth_token``), ``pledge_signature``.
"""

BUSY_TIMEOUT_SECONDS = 30.0
_BEGIN_OPTION = "tracer_begin"


class SchemaError(RuntimeError):
    """The database holds a schema this code cannot use as it is."""


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def make_engine(url: str) -> Engine:
    """An engine for ``url``, set up for the server's way of using it.

    An in-memory SQLite database is one connection, shared by every thread in turn: the pool
    holds exactly that connection and hands it to one user at a time, so that two threads never
    interleave their transactions on it.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)

    memory = _is_memory(parsed)
    if not memory and not parsed.query.get("uri") and parsed.database:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
    }
    if memory:
        options.update(
            poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=BUSY_TIMEOUT_SECONDS
        )
    engine = create_engine(parsed, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # the "begin" hook below emits BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_BEGIN_OPTION) == "immediate"
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def init_db(engine: Engine) -> None:
    """Create the tables if needed and record the schema version.

    Raises SchemaError for a database written by another version of the schema.
    """
    ServerTable.metadata.create_all(engine)
    with write_session(engine) as session:
        found = session.execute(select(func.max(SchemaVersion.version))).scalar_one_or_none()
        if found is None:
            session.add(SchemaVersion(version=SCHEMA_VERSION, applied_at=datetime.now(UTC)))
            session.commit()
        elif found != SCHEMA_VERSION:
            raise SchemaError(
                f"the database has schema version {found}, this server uses {SCHEMA_VERSION}"
            )


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; anything not committed is rolled back on exit."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session that will write: on SQLite it takes the write lock when it begins.

    The caller commits; anything not committed is rolled back on exit.
    """
    bind = engine.execution_options(**{_BEGIN_OPTION: "immediate"})
    with Session(bind, expire_on_commit=False) as session:
        yield session
