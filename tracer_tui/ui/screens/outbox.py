"""The outbox: the agent's finished work, each record waiting, sent or refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tracer_tui.client.store_outbox import OutboxItem, OutboxState
from tracer_tui.core.i18n import N_, _
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.sync import QueueCached, describe_sync

if TYPE_CHECKING:
    from tracer_tui.client.sync import SyncStatus

STATE_LABELS: dict[OutboxState, str] = {
    OutboxState.PENDING: N_("waiting"),
    OutboxState.SENT: N_("sent"),
    OutboxState.ERROR: N_("refused"),
}

ERROR_LABELS: dict[str, str] = {
    "unreachable": N_("no network or server down"),
    "timeout": N_("no answer in time"),
    "server_error": N_("server problem"),
    "unknown_task": N_("task unknown to the server"),
    "unknown_questionnaire": N_("questionnaire unknown to the server"),
    "questionnaire_mismatch": N_("wrong questionnaire for the task"),
    "submission_conflict": N_("already used for another task"),
    "task_not_open": N_("task already closed"),
}


def state_label(item: OutboxItem) -> str:
    label = _(STATE_LABELS[item.state])
    if item.conflict is not None:
        return _("{state}, flagged for the supervisor").format(state=label)
    return label


def error_label(code: str | None) -> str:
    if code is None:
        return ""
    return _(ERROR_LABELS[code]) if code in ERROR_LABELS else code


def when_label(at: datetime | None) -> str:
    return "" if at is None else at.astimezone().strftime("%d/%m %H:%M")


class OutboxScreen(TracerScreen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back", tooltip=N_("Back to the queue")),
        Binding("s", "sync", N_("Send now"), id="sync", tooltip=N_("Try to send now")),
        Binding(
            "t",
            "retry",
            N_("Try refused again"),
            id="retry",
            tooltip=N_("Put the refused records back in the queue to the server"),
        ),
    ]

    def compose_body(self) -> Iterable[Widget]:
        yield Static("", id="outbox-sync")
        table: DataTable[str] = DataTable(id="outbox", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self.title = _("Outbox")
        table = self.query_one("#outbox", DataTable)
        table.add_column(_("Task"), key="task")
        table.add_column(_("Person"), key="person", width=24)
        table.add_column(_("State"), key="state")
        table.add_column(_("Tries"), key="tries")
        table.add_column(_("Last error"), key="error")
        table.add_column(_("Done"), key="done")
        table.add_column(_("Sent"), key="sent")
        table.focus()
        self.watch(self.app, "sync_status", self._sync_changed, init=False)
        self.set_interval(1.0, self._show_sync)
        self.refresh_items()

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Send now"), _("Try to send now"), self.action_sync)

    def on_queue_cached(self, message: QueueCached) -> None:
        self.refresh_items()

    def _sync_changed(self, status: SyncStatus | None) -> None:
        self.refresh_items()

    def _show_sync(self) -> None:
        status = self.tracer.sync_status
        text = describe_sync(status) if status is not None else ""
        self.query_one("#outbox-sync", Static).update(text or _("Not synced yet."))

    @work(exclusive=True, group="outbox")
    async def refresh_items(self) -> None:
        opener = self.tracer.services.store
        if opener is None:
            return
        store = await asyncio.to_thread(opener)
        items = await asyncio.to_thread(store.outbox.items)

        def names() -> dict[int, str]:
            found = {}
            for item in items:
                task = store.queue.get(item.task_id)
                if task is not None:
                    found[item.task_id] = task.person.display_name
            return found

        people = await asyncio.to_thread(names)
        table = self.query_one("#outbox", DataTable)
        table.clear()
        for item in items:
            table.add_row(
                str(item.task_id),
                people.get(item.task_id, "—"),
                state_label(item),
                str(item.attempts),
                error_label(item.last_error),
                when_label(item.created_at),
                when_label(item.sent_at),
                key=str(item.seq),
            )
        self._show_sync()

    def action_sync(self) -> None:
        self.tracer.start_sync()
        self.tracer.sync_now()

    @work(exclusive=True, group="outbox-retry")
    async def action_retry(self) -> None:
        opener = self.tracer.services.store
        if opener is None:
            return
        store = await asyncio.to_thread(opener)
        count = await asyncio.to_thread(store.outbox.retry_refused)
        if count:
            self.tracer.sync_now()
        self.refresh_items()
