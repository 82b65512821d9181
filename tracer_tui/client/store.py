"""The agent's local store: SQLite on the workstation, so that no answer is ever lost.

It holds the interview drafts (every answer saved as it is entered), the cached queue and the
outbox of work for the server (:mod:`tracer_tui.client.outbox`). Personal data is sealed with
the store key (AES-GCM, :mod:`tracer_tui.client.store_key`); ids, states and times stay clear
so that rows can be ordered and selected without opening them.

Durability: the database runs in WAL mode with ``synchronous = FULL``; when a write method
returns, its data is on disk and survives the process being killed or the machine losing
power. Every method blocks (a few milliseconds) and is safe from any thread: the store has one
connection, used by one thread at a time under a lock. Call it from workers, not the UI
thread.
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
from uuid import UUID

import pydantic_core
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, create_engine, delete, event, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlmodel import col

from tracer_tui.client.store_key import StoreKey, StoreKeyError
from tracer_tui.client.store_schema import (
    MIGRATIONS,
    SCHEMA_TABLE_DDL,
    SCHEMA_VERSION,
    DraftRow,
    Meta,
    SchemaStep,
)
from tracer_tui.core.types import Language
from tracer_tui.errors import UserError

__all__ = ["Draft", "LocalStore", "StoreError", "StoreKey", "StoreKeyError"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 10.0
_KEY_CHECK = b"tracer-local-store-v1"


class StoreError(UserError):
    """The store file cannot be used (newer schema, not a store, unreadable)."""


class Draft(BaseModel):
    """An interview in progress, as the interview screen saves it after every answer."""

    model_config = ConfigDict(frozen=True)

    task_id: int
    submission_id: UUID
    """Made when the draft is created; the submission reuses it (the server deduplicates)."""
    questionnaire_id: str
    questionnaire_version: int
    language: Language
    answers: dict[str, Any]
    """``Interview.answers``: every answer as entered, JSON-ready."""
    screen_id: str | None
    """Where the agent was."""
    started_at: datetime
    updated_at: datetime

    def __repr_args__(self) -> Any:  # answers are personal data: never in a repr or a log
        for name, value in super().__repr_args__():
            yield name, ("…" if name == "answers" else value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoreDatabase:
    """The connection, its lock and the key: what the parts of the store share."""

    def __init__(self, engine: Engine, key: StoreKey) -> None:
        self.engine = engine
        self.key = key
        self.lock = threading.RLock()
        self._connection: Connection | None = engine.connect()

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
    found = connection.execute(select(func.max(col(SchemaStep.version)))).scalar_one_or_none() or 0
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
    sealed = connection.execute(
        select(col(Meta.value)).where(col(Meta.name) == "key_check")
    ).scalar_one_or_none()
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


class LocalStore:
    """The agent's local store. Open it with :meth:`open`; close it with :meth:`close`."""

    def __init__(self, db: StoreDatabase, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path, *, key: StoreKey | None = None) -> LocalStore:
        """Open (create, migrate) the store at ``path``. Blocks.

        ``key`` seals the personal data; None makes an ephemeral key (practice mode, tests):
        a store made with it cannot be opened again after :meth:`close`. The agent app passes
        :meth:`StoreKey.from_keyring`. Raises StoreError or StoreKeyError.
        """
        key = key or StoreKey.ephemeral()
        _create_private(path)
        engine = _make_engine(path)
        try:
            db = StoreDatabase(engine, key)
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
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- drafts ----------------------------------------------------------------------------
    def save_draft(self, draft: Draft) -> None:
        """Create or replace the draft of ``draft.task_id``; on disk when this returns."""
        place = f"draft:{draft.task_id}"
        values = {
            "task_id": draft.task_id,
            "submission_id": str(draft.submission_id),
            "questionnaire_id": draft.questionnaire_id,
            "questionnaire_version": draft.questionnaire_version,
            "language": draft.language.value,
            "screen_id": draft.screen_id,
            "payload": self.db.seal_json(draft.answers, place),
            "started_at": draft.started_at,
            "updated_at": draft.updated_at,
        }
        statement = insert(DraftRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["task_id"],
            set_={name: statement.excluded[name] for name in values if name != "task_id"},
        )
        with self.db.transaction() as connection:
            connection.execute(statement)

    def load_draft(self, task_id: int) -> Draft | None:
        with self.db.transaction() as connection:
            row = connection.execute(
                select(DraftRow).where(col(DraftRow.task_id) == task_id)
            ).one_or_none()
        if row is None:
            return None
        return Draft(
            task_id=row.task_id,
            submission_id=UUID(row.submission_id),
            questionnaire_id=row.questionnaire_id,
            questionnaire_version=row.questionnaire_version,
            language=Language(row.language),
            answers=self.db.unseal_json(row.payload, f"draft:{row.task_id}"),
            screen_id=row.screen_id,
            started_at=row.started_at,
            updated_at=row.updated_at,
        )

    def draft_task_ids(self) -> list[int]:
        """The tasks that have a draft (the queue marks them "in progress")."""
        with self.db.transaction() as connection:
            return list(connection.execute(select(col(DraftRow.task_id))).scalars())

    def discard_draft(self, task_id: int) -> None:
        with self.db.transaction() as connection:
            connection.execute(delete(DraftRow).where(col(DraftRow.task_id) == task_id))
