"""The outbox: work for the server (completed interviews, later call attempts), in the order
it was done, each record with its own state.

- ``pending``: waiting to be sent; ``attempts`` and ``last_error`` tell how the last tries
  went (the sync engine retries it).
- ``sent``: the server has it (``conflict`` says if it was flagged for the supervisor);
  kept for ``[store] retention_days``, then purged.
- ``error``: the server refused it for good (``last_error`` says why); kept until a person
  acts, never dropped.

Records are identified by their client-made UUID (the submission id): the server
deduplicates on it, so sending one twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from tracer_tui.client.store_db import StoreDatabase
from tracer_tui.client.store_schema import OutboxRow

LAST_ERROR_MAX = 200


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    ERROR = "error"


class OutboxKind(StrEnum):
    INTERVIEW = "interview"


class OutboxItem(BaseModel):
    """One record, without its (sealed) content: what lists and headers show."""

    model_config = ConfigDict(frozen=True)

    seq: int
    record_id: UUID
    kind: OutboxKind
    task_id: int
    state: OutboxState
    attempts: int
    last_error: str | None
    conflict: str | None
    created_at: datetime
    tried_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class OutboxRecord:
    """A record to send: its item and its content (JSON bytes, opened)."""

    item: OutboxItem
    body: bytes


@dataclass(frozen=True)
class OutboxCounts:
    pending: int = 0
    error: int = 0
    sent: int = 0
    conflicts: int = 0
    """Sent, but flagged by the server for the supervisor."""

    @property
    def waiting(self) -> int:
        """What has not reached the server: the header's number."""
        return self.pending + self.error


@dataclass(frozen=True)
class Delivered:
    """The server's acceptance of one record."""

    seq: int
    conflict: str | None = None


def _item(row: Any) -> OutboxItem:
    """An item from a row of the ``outbox`` table (any object with its columns)."""
    return OutboxItem(
        seq=row.seq,
        record_id=UUID(row.record_id),
        kind=OutboxKind(row.kind),
        task_id=row.task_id,
        state=OutboxState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        conflict=row.conflict,
        created_at=row.created_at,
        tried_at=row.tried_at,
        sent_at=row.sent_at,
    )


def _place(record_id: UUID | str) -> str:
    return f"outbox:{record_id}"


def _short(error: str) -> str:
    return error[:LAST_ERROR_MAX]


class Outbox:
    """The outbox of a :class:`~tracer_tui.client.store.LocalStore` (``store.outbox``)."""

    def __init__(self, db: StoreDatabase) -> None:
        self.db = db

    # -- adding (inside the store's transactions) --------------------------------------
    def add(
        self,
        connection: Connection,
        *,
        record_id: UUID,
        kind: OutboxKind,
        task_id: int,
        body: bytes,
        now: datetime,
    ) -> int:
        """Append a pending record; if ``record_id`` is there already, keep the first
        (adding twice is harmless). The record's ``seq``."""
        statement = (
            insert(OutboxRow)
            .values(
                record_id=str(record_id),
                kind=kind.value,
                task_id=task_id,
                payload=self.db.seal(body, _place(record_id)),
                state=OutboxState.PENDING.value,
                attempts=0,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["record_id"])
        )
        connection.execute(statement)
        seq = connection.execute(
            select(col(OutboxRow.seq)).where(col(OutboxRow.record_id) == str(record_id))
        ).scalar_one()
        assert seq is not None
        return seq

    # -- reading ---------------------------------------------------------------------------
    def pending(self, limit: int, *, after_seq: int = 0) -> list[OutboxRecord]:
        """The oldest pending records (after ``after_seq``), opened, in order."""
        query = (
            select(OutboxRow)
            .where(
                col(OutboxRow.state) == OutboxState.PENDING.value, col(OutboxRow.seq) > after_seq
            )
            .order_by(col(OutboxRow.seq))
            .limit(limit)
        )
        with self.db.transaction() as connection:
            rows = connection.execute(query).all()
        return [
            OutboxRecord(_item(row), self.db.unseal(row.payload, _place(row.record_id)))
            for row in rows
        ]

    def items(
        self, *, states: Iterable[OutboxState] | None = None, limit: int = 200
    ) -> list[OutboxItem]:
        """Records newest first, for a list on screen."""
        query = select(OutboxRow)
        if states is not None:
            query = query.where(col(OutboxRow.state).in_([state.value for state in states]))
        query = query.order_by(col(OutboxRow.seq).desc()).limit(limit)
        with self.db.transaction() as connection:
            return [_item(row) for row in connection.execute(query).all()]

    def for_task(self, task_id: int) -> list[OutboxItem]:
        query = (
            select(OutboxRow).where(col(OutboxRow.task_id) == task_id).order_by(col(OutboxRow.seq))
        )
        with self.db.transaction() as connection:
            return [_item(row) for row in connection.execute(query).all()]

    def get(self, record_id: UUID) -> OutboxItem | None:
        query = select(OutboxRow).where(col(OutboxRow.record_id) == str(record_id))
        with self.db.transaction() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _item(row)

    def counts(self) -> OutboxCounts:
        query = select(
            col(OutboxRow.state), func.count(), func.count(col(OutboxRow.conflict))
        ).group_by(col(OutboxRow.state))
        with self.db.transaction() as connection:
            rows = connection.execute(query).all()
        by_state = {state: (total, flagged) for state, total, flagged in rows}
        return OutboxCounts(
            pending=by_state.get(OutboxState.PENDING.value, (0, 0))[0],
            error=by_state.get(OutboxState.ERROR.value, (0, 0))[0],
            sent=by_state.get(OutboxState.SENT.value, (0, 0))[0],
            conflicts=by_state.get(OutboxState.SENT.value, (0, 0))[1],
        )

    # -- what the sync engine learnt ---------------------------------------------------------
    def mark_sent(self, delivered: Sequence[Delivered], now: datetime) -> None:
        """The server has these records (one transaction for all)."""
        if not delivered:
            return
        with self.db.transaction() as connection:
            for done in delivered:
                connection.execute(
                    update(OutboxRow)
                    .where(col(OutboxRow.seq) == done.seq)
                    .values(
                        state=OutboxState.SENT.value,
                        attempts=OutboxRow.attempts + 1,
                        last_error=None,
                        conflict=done.conflict,
                        tried_at=now,
                        sent_at=now,
                    )
                )

    def mark_failed(self, seqs: Sequence[int], error: str, now: datetime) -> None:
        """A try that may succeed later (no network, server down): still pending."""
        if not seqs:
            return
        with self.db.transaction() as connection:
            connection.execute(
                update(OutboxRow)
                .where(col(OutboxRow.seq).in_(list(seqs)))
                .values(attempts=OutboxRow.attempts + 1, last_error=_short(error), tried_at=now)
            )

    def mark_refused(self, seq: int, error: str, now: datetime) -> None:
        """The server refused the record for good: kept in ``error`` for a person to act."""
        with self.db.transaction() as connection:
            connection.execute(
                update(OutboxRow)
                .where(col(OutboxRow.seq) == seq)
                .values(
                    state=OutboxState.ERROR.value,
                    attempts=OutboxRow.attempts + 1,
                    last_error=_short(error),
                    tried_at=now,
                )
            )

    def retry_refused(self) -> int:
        """Put every refused record back in the queue (after the cause was fixed)."""
        with self.db.transaction() as connection:
            result = connection.execute(
                update(OutboxRow)
                .where(col(OutboxRow.state) == OutboxState.ERROR.value)
                .values(state=OutboxState.PENDING.value)
            )
        return int(result.rowcount)

    def purge_sent(self, connection: Connection, before: datetime) -> int:
        result = connection.execute(
            delete(OutboxRow).where(
                col(OutboxRow.state) == OutboxState.SENT.value, col(OutboxRow.sent_at) < before
            )
        )
        return int(result.rowcount)
