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

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from tracer_tui.client.store_db import StoreDatabase, StoreError, utcnow
from tracer_tui.client.store_key import StoreKey, StoreKeyError
from tracer_tui.client.store_outbox import (
    Outbox,
    OutboxCounts,
    OutboxItem,
    OutboxKind,
    OutboxState,
)
from tracer_tui.client.store_queue import QueueCache
from tracer_tui.client.store_schema import DraftRow
from tracer_tui.core.types import Language
from tracer_tui.wire import InterviewSubmission

__all__ = [
    "Draft",
    "LocalStore",
    "OutboxCounts",
    "OutboxItem",
    "OutboxState",
    "StoreError",
    "StoreKey",
    "StoreKeyError",
]

log = logging.getLogger(__name__)


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


class LocalStore:
    """The agent's local store. Open it with :meth:`open`; close it with :meth:`close`.

    ``store.queue`` is the cached queue (:class:`~tracer_tui.client.store_queue.QueueCache`),
    ``store.outbox`` the work waiting for the server
    (:class:`~tracer_tui.client.store_outbox.Outbox`).
    """

    def __init__(self, db: StoreDatabase, path: Path) -> None:
        self.db = db
        self.path = path
        self.queue = QueueCache(db)
        self.outbox = Outbox(db)

    @classmethod
    def open(cls, path: Path, *, key: StoreKey | None = None) -> LocalStore:
        """Open (create, migrate) the store at ``path``. Blocks.

        ``key`` seals the personal data; None makes an ephemeral key (practice mode, tests):
        a store made with it cannot be opened again after :meth:`close`. The agent app passes
        :meth:`StoreKey.from_secrets`. Raises StoreError or StoreKeyError.
        """
        return cls(StoreDatabase.open(path, key or StoreKey.ephemeral()), path)

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

    # -- finishing work --------------------------------------------------------------------
    def submit_interview(
        self, task_id: int, submission: InterviewSubmission, *, now: datetime | None = None
    ) -> OutboxItem:
        """Put a completed interview in the outbox, drop its draft and take its task out of
        the offered queue: one transaction, on disk when this returns. Submitting the same
        ``submission_id`` again changes nothing. Then wake the sync engine."""
        now = now or utcnow()
        body = submission.model_dump_json().encode()
        with self.db.transaction() as connection:
            seq = self.outbox.add(
                connection,
                record_id=submission.submission_id,
                kind=OutboxKind.INTERVIEW,
                task_id=task_id,
                body=body,
                now=now,
            )
            connection.execute(delete(DraftRow).where(col(DraftRow.task_id) == task_id))
            self.queue.mark_finished(connection, task_id, now)
        log.info("interview for task %d queued for the server (outbox %d)", task_id, seq)
        item = self.outbox.get(submission.submission_id)
        assert item is not None
        return item

    def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Forget what reached the server more than ``retention_days`` ago (sent records,
        their finished tasks); how many rows went. Unsent work is never purged."""
        before = (now or utcnow()) - timedelta(days=retention_days)
        with self.db.transaction() as connection:
            count = self.outbox.purge_sent(connection, before)
            count += self.queue.purge_finished(connection, before)
        if count:
            log.info("purged %d synced rows older than %d days", count, retention_days)
        return count
