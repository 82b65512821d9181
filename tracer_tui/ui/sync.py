"""The sync engine in the app: started once signed in, its state in the header and in one
sentence that says what happens next.

:class:`SyncMixin` gives :class:`~tracer_tui.ui.app.TracerApp`

- :meth:`~SyncMixin.start_sync`: open the local store (in a worker) and run the engine; once
  it runs, the same call resumes it (after the agent signed in again);
- :meth:`~SyncMixin.sync_now`: sync at once (after putting work in the outbox);
- the handlers of the engine's messages: :class:`SyncChanged` sets ``online``, ``pending``
  and ``sync_status``; :class:`SyncConflicts` tells the agent; :class:`SyncSignedOut` tells
  the agent to sign in again (override ``on_sync_signed_out`` to ask for the card);
  :class:`QueueCached` is passed on to the screens, which show the cached queue.

Nothing here imports the store or the engine before they are needed: the first frame stays
light.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from textual.message import Message

from tracer_tui.core.i18n import _, ngettext
from tracer_tui.errors import UserError

if TYPE_CHECKING:
    from textual.app import App

    from tracer_tui.client.store_outbox import OutboxItem
    from tracer_tui.client.sync import SyncEngine, SyncStatus
    from tracer_tui.ui.app import TracerApp

    _Base = App[None]
else:
    _Base = object

log = logging.getLogger(__name__)


class SyncChanged(Message):
    def __init__(self, status: SyncStatus) -> None:
        super().__init__()
        self.status = status


class SyncConflicts(Message):
    """Sent records the server flagged: their task was reassigned or closed meanwhile."""

    def __init__(self, items: list[OutboxItem]) -> None:
        super().__init__()
        self.items = items


class SyncSignedOut(Message):
    """The server refused the token: the agent must sign in again (nothing is lost)."""


class QueueCached(Message, bubble=False):
    """A fresh queue is in the local store's cache (the app passes it on to its screens;
    it does not bubble back)."""


def waiting_label(count: int) -> str:
    """The header's count of what has not reached the server."""
    return ngettext("{count} waiting", "{count} waiting", count).format(count=count)


def describe_sync(status: SyncStatus, now: datetime | None = None) -> str:
    """One sentence: where the agent's work is, and what happens next."""
    now = now or datetime.now(UTC)
    waiting = status.waiting
    if status.signed_out:
        if not waiting:
            return _("Sign in again to go on syncing with the server.")
        return ngettext(
            "{count} item waits: it will be sent once you sign in again.",
            "{count} items wait: they will be sent once you sign in again.",
            waiting,
        ).format(count=waiting)
    parts: list[str] = []
    if status.retry_at is not None and status.last_error is not None:
        seconds = max(1, round((status.retry_at - now).total_seconds()))
        if status.online is False:
            parts.append(_("The server cannot be reached."))
        else:
            parts.append(_("The server had a problem."))
        if status.pending:
            parts.append(
                ngettext(
                    "{count} item is kept on this computer and will be sent.",
                    "{count} items are kept on this computer and will be sent.",
                    status.pending,
                ).format(count=status.pending)
            )
        parts.append(_("Will retry in {seconds} s.").format(seconds=seconds))
    elif status.pending:
        parts.append(
            ngettext("Sending {count} item…", "Sending {count} items…", status.pending).format(
                count=status.pending
            )
        )
    if status.errors:
        parts.append(
            ngettext(
                "{count} item was refused by the server and is kept: see the outbox.",
                "{count} items were refused by the server and are kept: see the outbox.",
                status.errors,
            ).format(count=status.errors)
        )
    if not parts:
        return _("Everything is sent.") if status.last_sync is not None else ""
    return " ".join(parts)


class SyncMixin(_Base):
    """The sync part of TracerApp (see the module's docstring)."""

    _sync_engine: SyncEngine | None = None
    _sync_task: asyncio.Task[None] | None = None

    @property
    def sync_engine(self) -> SyncEngine | None:
        return self._sync_engine

    def start_sync(self) -> None:
        """Start syncing (once signed in); if it runs, resume it. Safe to call again."""
        if self._sync_engine is not None:
            self._sync_engine.resume()
            return
        if self._sync_task is not None and not self._sync_task.done():
            return
        # A plain task, not a Textual worker: it runs as long as the app, and waiting for
        # "all workers done" (tests, shutdown) must not wait for it.
        self._sync_task = asyncio.create_task(self._run_sync(), name="tracer-sync")

    def sync_now(self) -> None:
        """Sync at once: work was just put in the outbox (callable from any thread)."""
        if self._sync_engine is not None:
            self._sync_engine.wake()

    def stop_sync(self) -> None:
        """Stop syncing now (the app is closing): what is not sent stays in the outbox."""
        if self._sync_engine is not None:
            self._sync_engine.stop()
        if self._sync_task is not None:
            self._sync_task.cancel()
            self._sync_task = None

    async def _run_sync(self) -> None:
        from tracer_tui.client.sync import SyncEngine

        app = cast("TracerApp", self)
        opener = app.services.store
        if opener is None or app.api is None:
            return
        try:
            store = await asyncio.to_thread(opener)
        except UserError as error:
            log.error("the local store cannot be opened: %s", error)
            app.notify(
                _("The local store cannot be opened: {reason}").format(reason=error),
                severity="error",
                timeout=30,
            )
            return
        engine = SyncEngine(
            store,
            app.api,
            app.settings.sync,
            retention_days=app.settings.store.retention_days,
            on_status=lambda status: self.post_message(SyncChanged(status)),
            on_conflicts=lambda items: self.post_message(SyncConflicts(items)),
            on_signed_out=lambda: self.post_message(SyncSignedOut()),
            on_queue=lambda: self.post_message(QueueCached()),
        )
        self._sync_engine = engine
        try:
            await engine.run()
        except Exception:  # never takes the app down: the outbox keeps everything
            log.exception("the sync engine stopped")
        finally:
            self._sync_engine = None

    # -- the engine's messages ---------------------------------------------------------------
    def on_sync_changed(self, message: SyncChanged) -> None:
        app = cast("TracerApp", self)
        status = message.status
        app.sync_status = status
        app.pending = status.waiting
        if status.online is not None:
            app.online = status.online

    def on_sync_conflicts(self, message: SyncConflicts) -> None:
        for item in message.items:
            self.notify(
                _(
                    "Task {task} had been reassigned or closed while you were offline: "
                    "your interview was kept and your supervisor will look at it."
                ).format(task=item.task_id),
                severity="warning",
                timeout=15,
            )

    def on_sync_signed_out(self, message: SyncSignedOut) -> None:
        self.notify(
            _("Your session has ended: insert your card and enter your PIN. Nothing is lost."),
            severity="warning",
            timeout=15,
        )

    def on_queue_cached(self, message: QueueCached) -> None:
        for screen in self.screen_stack:
            screen.post_message(QueueCached())
