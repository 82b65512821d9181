"""The server's database: engine, schema creation and versioning, sessions.

SQLite (a file, or in memory for practice mode) or PostgreSQL (psycopg 3, a pool of
connections per worker process; ``postgresql://`` URLs get the psycopg driver). On SQLite
the server takes over ``BEGIN`` from the ``sqlite3`` module so that a session that writes
starts with ``BEGIN IMMEDIATE``: it takes the write lock up front (waiting up to the busy
timeout) instead of failing half way when another writer got there first.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlmodel import Session

from tracer_tui.server import audit

BUSY_TIMEOUT_SECONDS = 30.0
_BEGIN_OPTION = "tracer_begin"


class SchemaError(RuntimeError):
    """The database holds a schema this code cannot use as it is."""


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


class _NoRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records (result rows): they hold personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _quiet_engine_log() -> None:
    """SQL statements may be logged (at INFO, parameters hidden by ``hide_parameters``), result
    rows never, whatever level an operator sets."""
    engine_log = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(existing, _NoRows) for existing in engine_log.filters):
        engine_log.addFilter(_NoRows())


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url``, set up for the server's way of using it.

    PostgreSQL: a pool of ``pool_size`` connections (as many again in overflow) per process;
    a dropped connection is noticed on use and the pool renewed (no ping per checkout: it
    would cost a round trip per transaction). Logs and errors never show SQL parameters or
    result rows (personal data), whatever the log level.

    An in-memory SQLite database is one connection, shared by every thread in turn: the pool
    holds exactly that connection and hands it to one user at a time, so that two threads
    never interleave their transactions on it.
    """
    _quiet_engine_log()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=BUSY_TIMEOUT_SECONDS,
            pool_recycle=3600,
            hide_parameters=True,
        )
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)

    memory = _is_memory(parsed)
    if not memory and not parsed.query.get("uri") and parsed.database:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
        "hide_parameters": True,
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
    """Create or upgrade the schema to the newest revision (see :mod:`.migrate`).

    Raises SchemaError for a database written by a newer server, or not a tracer database.
    """
    from tracer_tui.server.migrate import init_db as migrate

    migrate(engine)


@contextmanager
def begin_immediate(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write (SQLite: ``BEGIN IMMEDIATE``), committed
    on a clean exit."""
    with engine.execution_options(**{_BEGIN_OPTION: "immediate"}).begin() as connection:
        yield connection


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; anything not committed is rolled back on exit."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def single_read(engine: Engine) -> Iterator[Connection]:
    """A connection for one read-only statement: on PostgreSQL in autocommit, so that it
    costs one round trip (no ``BEGIN`` and ``ROLLBACK`` around it)."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        yield connection


class ServerSession(Session):
    """A session whose commit first writes the audit records staged by ``audit.record``
    (chained under the chain's lock, as late as possible in the transaction)."""

    def __init__(self, bind: Engine) -> None:
        super().__init__(bind, expire_on_commit=False)
        self.info[audit.PENDING] = []

    def commit(self) -> None:
        audit.append_pending(self)
        super().commit()


@contextmanager
def write_session(engine: Engine) -> Iterator[ServerSession]:
    """A session that will write: on SQLite it takes the write lock when it begins.

    The caller commits; anything not committed (audit records staged included) is rolled
    back on exit.
    """
    bind = engine.execution_options(**{_BEGIN_OPTION: "immediate"})
    with ServerSession(bind) as session:
        yield session
