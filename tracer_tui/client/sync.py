"""The sync engine: the outbox to the server, the server's queue to the cache.

No Textual here. The app runs :meth:`SyncEngine.run` as a worker on its event loop, once
the agent is signed in; screens call :meth:`SyncEngine.wake` (from any thread) after putting
work in the outbox. The engine

- pushes the outbox in order, in batches (``POST /interviews/batch``), idempotently: every
  record carries its client-made UUID and the server deduplicates, so a batch whose answer
  was lost is simply sent again;
- pulls the queue into the cache (``GET /queue``), so that the agent works through cached
  tasks when the network or the server is down;
- after a failure waits with exponential backoff and jitter (``[sync] backoff_initial``,
  ``backoff_max``), else ``[sync] interval``;
- on a 401 (token expired) stops and calls ``on_signed_out``: nothing is lost, the app asks
  for the card and PIN, then calls :meth:`SyncEngine.resume`;
- reports what it knows in a :class:`SyncStatus` (``on_status``), and the records the server
  flagged because their task changed hands or closed meanwhile (``on_conflicts``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING
from uuid import UUID

from tracer_tui.client.errors import ApiError, AuthError, ServerError, Unreachable
from tracer_tui.client.store_db import utcnow
from tracer_tui.client.store_outbox import Delivered, OutboxItem, OutboxRecord
from tracer_tui.wire import InterviewBatchResult, InterviewSubmission

if TYPE_CHECKING:
    from tracer_tui.client.api import ApiClient
    from tracer_tui.client.store import LocalStore
    from tracer_tui.config import SyncConfig

log = logging.getLogger(__name__)

BATCH_SIZE = 250
PURGE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class SyncStatus:
    """What the header and the outbox list show. No personal data."""

    online: bool | None = None
    """Whether the server answered the last request; None before the first."""
    pending: int = 0
    """Records waiting to be sent."""
    errors: int = 0
    """Records the server refused for good (they stay until a person acts)."""
    conflicts: int = 0
    """Records sent but flagged by the server (task reassigned or closed meanwhile)."""
    signed_out: bool = False
    """The server refused the token: waiting for the card and PIN (then ``resume``)."""
    syncing: bool = False
    retry_at: datetime | None = None
    """When the next try is, after a failure."""
    last_error: str | None = None
    """Stable code of the last failure (``unreachable``, ``timeout``, ``server_error``…)."""
    last_sync: datetime | None = None
    """When the outbox was last found empty and the queue pulled."""

    @property
    def waiting(self) -> int:
        """What has not reached the server: the header's count."""
        return self.pending + self.errors


class Outcome(Enum):
    DONE = "done"
    FAILED = "failed"
    SIGNED_OUT = "signed_out"


class _Stop(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


def backoff_delay(failures: int, initial: float, maximum: float, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` failures in a row: doubling from ``initial`` up to
    ``maximum``, then a random part taken off (between none and half) so that many
    workstations that lost the server together do not come back in step."""
    ceiling: float = min(maximum, initial * 2.0 ** max(0, failures - 1))
    return ceiling * rng.uniform(0.5, 1.0)


def _error_code(error: ApiError) -> str:
    if isinstance(error, Unreachable):
        return "timeout" if error.code == "timeout" else "unreachable"
    if isinstance(error, ServerError):
        return "server_error"
    return error.code


class SyncEngine:
    """Keeps the local store and the server in step. Runs on one event loop."""

    def __init__(
        self,
        store: LocalStore,
        api: ApiClient,
        config: SyncConfig,
        *,
        retention_days: int | None = None,
        batch_size: int = BATCH_SIZE,
        on_status: Callable[[SyncStatus], object] | None = None,
        on_conflicts: Callable[[list[OutboxItem]], object] | None = None,
        on_signed_out: Callable[[], object] | None = None,
        on_queue: Callable[[], object] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.api = api
        self.config = config
        self.retention_days = retention_days
        self.batch_size = batch_size
        self.on_status = on_status
        self.on_conflicts = on_conflicts
        self.on_signed_out = on_signed_out
        self.on_queue = on_queue
        self.rng = rng or random.Random()
        self.clock = clock
        self.status = SyncStatus()
        self.failures = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopped = False
        self._last_purge: datetime | None = None

    # -- control (any thread) --------------------------------------------------------------
    def wake(self) -> None:
        """Sync now (something was put in the outbox, or the network came back)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def resume(self) -> None:
        """The agent signed in again: go on from where the 401 stopped."""
        self.wake()

    def stop(self) -> None:
        self._stopped = True
        self.wake()

    # -- the loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        """Sync until :meth:`stop`: now, then after every interval, backoff or wake-up."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopped = False
        await self.refresh()
        while not self._stopped:
            self._wake.clear()
            outcome = await self.sync_once()
            if self._stopped:
                break
            delay: float | None
            if outcome is Outcome.SIGNED_OUT:
                delay = None  # until resume()
            elif outcome is Outcome.FAILED:
                delay = backoff_delay(
                    self.failures, self.config.backoff_initial, self.config.backoff_max, self.rng
                )
                self._publish(retry_at=self.clock() + timedelta(seconds=delay))
            else:
                delay = self.config.interval
            await self._sleep(delay)

    async def _sleep(self, seconds: float | None) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def sync_once(self) -> Outcome:
        """Push the whole outbox, then pull the queue; never raises an ApiError."""
        if not self.api.signed_in:
            self._signed_out(online=self.status.online)
            return Outcome.SIGNED_OUT
        await self.refresh(syncing=True, signed_out=False)
        try:
            await self.push()
            await self.pull()
        except _Stop as stop:
            if stop.outcome is Outcome.FAILED:
                self.failures += 1
            await self.refresh(syncing=False)
            return stop.outcome
        self.failures = 0
        await self._purge()
        await self.refresh(
            syncing=False, online=True, retry_at=None, last_error=None, last_sync=self.clock()
        )
        return Outcome.DONE

    # -- push ---------------------------------------------------------------------------------
    async def push(self) -> None:
        """Send every pending record, oldest first; raises _Stop when it cannot go on."""
        after = 0
        while True:
            records = await asyncio.to_thread(
                self.store.outbox.pending, self.batch_size, after_seq=after
            )
            if not records:
                return
            after = records[-1].item.seq
            results = await self._send(records)
            await self._record(records, results)

    async def _send(self, records: Sequence[OutboxRecord]) -> list[InterviewBatchResult]:
        items = [
            (record.item.task_id, InterviewSubmission.model_validate_json(record.body))
            for record in records
        ]
        try:
            return await self.api.submit_interviews(items)
        except AuthError as error:
            self._signed_out()
            raise _Stop(Outcome.SIGNED_OUT) from error
        except ApiError as error:
            code = _error_code(error)
            log.warning("sync: sending %d records failed (%s)", len(records), code)
            seqs = [record.item.seq for record in records]
            await asyncio.to_thread(self.store.outbox.mark_failed, seqs, code, self.clock())
            self._publish(online=not isinstance(error, Unreachable), last_error=code)
            raise _Stop(Outcome.FAILED) from error

    async def _record(
        self, records: Sequence[OutboxRecord], results: Sequence[InterviewBatchResult]
    ) -> None:
        """Keep what the server said of each record; raises _Stop at the first record that
        failed for a reason that may pass (the next try starts again from it)."""
        now = self.clock()
        delivered: list[Delivered] = []
        flagged: list[UUID] = []
        transient: list[int] = []
        code = ""
        for record, result in zip(records, results, strict=True):
            seq = record.item.seq
            if transient:
                transient.append(seq)
            elif result.accepted is not None:
                delivered.append(Delivered(seq, result.accepted.conflict))
                if result.accepted.conflict is not None:
                    flagged.append(record.item.record_id)
            elif result.status >= 500 or result.status == 401:
                code = result.error.code if result.error else "server_error"
                transient.append(seq)
            else:
                reason = result.error.code if result.error else f"http_{result.status}"
                log.warning("sync: the server refused outbox record %d (%s)", seq, reason)
                await asyncio.to_thread(self.store.outbox.mark_refused, seq, reason, now)
        await asyncio.to_thread(self.store.outbox.mark_sent, delivered, now)
        self._publish(online=True)
        if flagged and self.on_conflicts is not None:
            self.on_conflicts(await asyncio.to_thread(self._items, flagged))
        await self.refresh()
        if transient:
            await asyncio.to_thread(self.store.outbox.mark_failed, transient, code, now)
            self._publish(last_error=code)
            raise _Stop(Outcome.FAILED)

    def _items(self, record_ids: list[UUID]) -> list[OutboxItem]:
        found = (self.store.outbox.get(record_id) for record_id in record_ids)
        return [item for item in found if item is not None]

    # -- pull ---------------------------------------------------------------------------------
    async def pull(self) -> None:
        """The queue from the server into the cache."""
        try:
            queue = await self.api.queue()
        except AuthError as error:
            self._signed_out()
            raise _Stop(Outcome.SIGNED_OUT) from error
        except ApiError as error:
            code = _error_code(error)
            log.warning("sync: pulling the queue failed (%s)", code)
            self._publish(online=not isinstance(error, Unreachable), last_error=code)
            raise _Stop(Outcome.FAILED) from error
        await asyncio.to_thread(self.store.queue.replace, queue.tasks, self.clock())
        self._publish(online=True)
        if self.on_queue is not None:
            self.on_queue()

    # -- state ----------------------------------------------------------------------------------
    async def refresh(self, **changes: object) -> SyncStatus:
        """Count the outbox again and publish the status with ``changes``."""
        counts = await asyncio.to_thread(self.store.outbox.counts)
        return self._publish(
            pending=counts.pending, errors=counts.error, conflicts=counts.conflicts, **changes
        )

    def _publish(self, **changes: object) -> SyncStatus:
        status = replace(self.status, **changes)  # type: ignore[arg-type]
        if status != self.status:
            self.status = status
            if self.on_status is not None:
                self.on_status(status)
        return status

    def _signed_out(self, *, online: bool | None = True) -> None:
        log.info("sync: waiting for the agent to sign in again")
        self._publish(signed_out=True, syncing=False, online=online, retry_at=None)
        if self.on_signed_out is not None:
            self.on_signed_out()

    async def _purge(self) -> None:
        now = self.clock()
        if self.retention_days is None:
            return
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return
        self._last_purge = now
        await asyncio.to_thread(self.store.purge, self.retention_days, now=now)
