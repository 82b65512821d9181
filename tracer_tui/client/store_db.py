"""The local store's database: one SQLite connection behind a lock, the key, migrations.

WAL mode with ``synchronous = FULL``: a committed transaction is on disk when the commit
returns, and survives the process being killed or the machine losing power. Every
transaction starts with ``BEGIN IMMEDIATE`` and holds the lock: the store is safe from any
thread, one thread at a time.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic_core
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlmodel import col

from tracer_tui.client.store_key import StoreKey, StoreKeyError
from tracer_tui.client.store_schema import (
    MIGRATIONS,
    SCHEMA_TABLE_DDL,
    SCHEMA_VERSION,
    Meta,
    SchemaStep,
)
from tracer_tui.errors import UserError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 10.0
_KEY_CHECK = b"tracer-local-store-v1"


class StoreError(UserError):
    """The store file cannot be used (newer schema, not a store, unreadable)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoreDatabase:
    """The connection, its lock and the key: what the parts of the store share."""

    def __init__(self, engine: Engine, key: StoreKey) -> None:
        self.engine = engine
        self.key = key
        self.lock = threading.RLock()
        self._connection: Connection | None = engine.connect()

    @classmethod
    def open(cls, path: Path, key: StoreKey) -> StoreDatabase:
        """Open, create or migrate the store at ``path``; check the key."""
        _create_private(path)
        engine = _make_engine(path)
        try:
            db = cls(engine, key)
        except Exception as exc:
            engine.dispose()
            raise StoreError(f"cannot open the local store {path}: {exc}") from exc
        try:
            with db.transaction() as connection:
                migrate(connection, utcnow())
                _check_key(connection, key)
        except Exception as exc:
            db.close()
            if isinstance(exc, StoreError | StoreKeyError):
                raise
            raise StoreError(f"cannot use the local store {path}: {exc}") from exc
        return db

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction (``BEGIN IMMEDIATE``), committed on a clean exit, rolled back on
        an exception; other threads wait for it."""
        with self.lock:
            if self._connection is None:
                raise StoreError("the local store is closed")
            with self._connection.begin():
                yield self._connection

    def seal(self, data: bytes, place: str) -> bytes:
        return self.key.seal(data, place.encode())

    def unseal(self, sealed: bytes, place: str) -> bytes:
        return self.key.unseal(sealed, place.encode())

    def seal_json(self, value: Any, place: str) -> bytes:
        return self.seal(pydantic_core.to_json(value), place)

    def unseal_json(self, sealed: bytes, place: str) -> Any:
        return json.loads(self.unseal(sealed, place))

    def close(self) -> None:
        with self.lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self.engine.dispose()


def _make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=StaticPool,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # the "begin" hook below emits BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _create_private(path: Path) -> None:
    """Make the file readable by its owner only before SQLite opens it (SQLite gives the
    WAL and shared-memory files the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)


def migrate(connection: Connection, now: datetime) -> int:
    """Apply the missing migration steps in one transaction; the version reached."""
    connection.exec_driver_sql(SCHEMA_TABLE_DDL)
    query = select(func.max(col(SchemaStep.version)))
    found = connection.execute(query).scalar_one_or_none() or 0
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the local store has schema version {found}; this version of tracer knows "
            f"up to {SCHEMA_VERSION}: update tracer"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version - 1](connection)
        connection.execute(insert(SchemaStep).values(version=version, applied_at=now))
        log.info("local store migrated to schema version %d", version)
    return SCHEMA_VERSION


def _check_key(connection: Connection, key: StoreKey) -> None:
    """The first key a store is opened with is the only one it opens with."""
    query = select(col(Meta.value)).where(col(Meta.name) == "key_check")
    sealed = connection.execute(query).scalar_one_or_none()
    if sealed is None:
        value = key.seal(_KEY_CHECK, b"meta:key_check")
        connection.execute(insert(Meta).values(name="key_check", value=value))
        return
    try:
        ok = key.unseal(sealed, b"meta:key_check") == _KEY_CHECK
    except StoreKeyError:
        ok = False
    if not ok:
        raise StoreKeyError(
            "the local store was made with another key (the keyring entry changed or was "
            "removed); its data cannot be read with this key"
        )


def get_meta(connection: Connection, name: str) -> bytes | None:
    query = select(col(Meta.value)).where(col(Meta.name) == name)
    value = connection.execute(query).scalar_one_or_none()
    return None if value is None else bytes(value)


def set_meta(connection: Connection, name: str, value: bytes) -> None:
    statement = insert(Meta).values(name=name, value=value)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"value": value})
    )
