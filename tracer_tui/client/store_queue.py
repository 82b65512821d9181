"""The cached queue: the agent's tasks as last pulled from the server, so that work goes on
without a network.

A task leaves the offered queue as soon as the agent's work on it is in the outbox
(``finished_at``), before the server knows. A pull replaces the cache, but keeps the tasks
the agent still has work on here (a draft, or an outbox record not sent yet): those are
never dropped by a pull, even if the server gave the task to someone else meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from tracer_tui.client.store_db import StoreDatabase, get_meta, set_meta
from tracer_tui.client.store_outbox import OutboxState
from tracer_tui.client.store_schema import DraftRow, OutboxRow, TaskRow
from tracer_tui.wire import TaskView

_FETCHED = "queue_fetched_at"
_KEPT_POSITION = 1_000_000  # kept tasks the server no longer lists go after the others


def _place(task_id: int) -> str:
    return f"task:{task_id}"


class QueueCache:
    """The cached queue of a :class:`~tracer_tui.client.store.LocalStore` (``store.queue``)."""

    def __init__(self, db: StoreDatabase) -> None:
        self.db = db

    def replace(self, tasks: Sequence[TaskView], fetched_at: datetime) -> None:
        """The queue as the server gave it now, in its order (one transaction)."""
        ids = [task.id for task in tasks]
        drafts = select(col(DraftRow.task_id))
        unsent = select(col(OutboxRow.task_id)).where(
            col(OutboxRow.state) != OutboxState.SENT.value
        )
        with self.db.transaction() as connection:
            connection.execute(
                delete(TaskRow).where(
                    col(TaskRow.task_id).not_in(ids),
                    col(TaskRow.task_id).not_in(drafts),
                    col(TaskRow.task_id).not_in(unsent),
                )
            )
            connection.execute(
                update(TaskRow)
                .where(col(TaskRow.task_id).not_in(ids), col(TaskRow.position) < _KEPT_POSITION)
                .values(position=col(TaskRow.position) + _KEPT_POSITION)
            )
            for position, task in enumerate(tasks):
                payload = self.db.seal(task.model_dump_json().encode(), _place(task.id))
                statement = insert(TaskRow).values(
                    task_id=task.id, position=position, payload=payload, fetched_at=fetched_at
                )
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["task_id"],
                        set_={
                            "position": position,
                            "payload": payload,
                            "fetched_at": fetched_at,
                        },
                    )
                )
            set_meta(connection, _FETCHED, _stamp(fetched_at))

    def tasks(self) -> list[TaskView]:
        """The tasks to offer: cached, not finished here, in the server's order."""
        query = (
            select(col(TaskRow.task_id), col(TaskRow.payload))
            .where(col(TaskRow.finished_at).is_(None))
            .order_by(col(TaskRow.position), col(TaskRow.task_id))
        )
        with self.db.transaction() as connection:
            rows = connection.execute(query).all()
        return [self._open(task_id, payload) for task_id, payload in rows]

    def get(self, task_id: int) -> TaskView | None:
        """A cached task, finished here or not."""
        query = select(col(TaskRow.payload)).where(col(TaskRow.task_id) == task_id)
        with self.db.transaction() as connection:
            payload = connection.execute(query).scalar_one_or_none()
        return None if payload is None else self._open(task_id, payload)

    def fetched_at(self) -> datetime | None:
        """When the queue was last pulled."""
        with self.db.transaction() as connection:
            value = get_meta(connection, _FETCHED)
        return None if value is None else _unstamp(value)

    def mark_finished(self, connection: Connection, task_id: int, at: datetime) -> None:
        connection.execute(
            update(TaskRow).where(col(TaskRow.task_id) == task_id).values(finished_at=at)
        )

    def purge_finished(self, connection: Connection, before: datetime) -> int:
        """Forget tasks finished before ``before`` that nothing here refers to any more (no
        draft, no outbox record: purge the sent records first)."""
        drafts = select(col(DraftRow.task_id))
        records = select(col(OutboxRow.task_id))
        result = connection.execute(
            delete(TaskRow).where(
                col(TaskRow.finished_at) < before,
                col(TaskRow.task_id).not_in(drafts),
                col(TaskRow.task_id).not_in(records),
            )
        )
        return int(result.rowcount)

    def _open(self, task_id: int, payload: bytes) -> TaskView:
        return TaskView.model_validate_json(self.db.unseal(payload, _place(task_id)))


def _stamp(at: datetime) -> bytes:
    return at.astimezone(UTC).isoformat().encode()


def _unstamp(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode())
