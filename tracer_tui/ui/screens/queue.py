"""The agent's call queue."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tracer_tui.client.errors import ApiError, AuthError, Unreachable
from tracer_tui.core.i18n import N_, _, ngettext
from tracer_tui.core.identifiers import format_phone
from tracer_tui.errors import UserError
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.labels import due_label, kind_label
from tracer_tui.ui.messages import describe_error
from tracer_tui.ui.sync import QueueCached, describe_sync
from tracer_tui.wire import TaskView

if TYPE_CHECKING:
    from tracer_tui.client.store import LocalStore
    from tracer_tui.client.sync import SyncStatus

log = logging.getLogger(__name__)


class QueueScreen(TracerScreen[None]):
    BINDINGS = [
        Binding("enter", "open_task", N_("Open"), id="open", tooltip=N_("Open the selected task")),
        Binding("r", "refresh", N_("Refresh"), id="refresh", tooltip=N_("Reload the queue")),
        Binding(
            "o",
            "outbox",
            N_("Outbox"),
            id="outbox",
            tooltip=N_("The work waiting for the server, and what was sent"),
            show=False,
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, TaskView] = {}
        self._queue_text = ""

    def compose_body(self) -> Iterable[Widget]:
        table: DataTable[str] = DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="queue-status")

    def on_mount(self) -> None:
        self.title = _("Call queue")
        table = self.query_one("#queue", DataTable)
        table.add_column(_("Kind"), key="kind")
        table.add_column(_("Person"), key="person", width=28)
        table.add_column(_("Lang."), key="language")
        table.add_column(_("Phone"), key="phone")
        table.add_column(_("Due"), key="due")
        table.add_column(_("Attempts"), key="attempts")
        table.focus()
        self.watch(self.app, "sync_status", self._sync_changed, init=False)
        self.set_interval(1.0, self._tick)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Refresh"), _("Reload the queue"), self.action_refresh)
        yield SystemCommand(
            _("Outbox"), _("The work waiting for the server, and what was sent"), self.action_outbox
        )

    def action_outbox(self) -> None:
        from tracer_tui.ui.screens.outbox import OutboxScreen

        self.app.push_screen(OutboxScreen())

    def action_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="queue")
    async def load(self) -> None:
        api = self.tracer.api
        if api is None:
            return
        self.tracer.start_sync()
        status = self.query_one("#queue-status", Static)
        store = await self._store()
        try:
            queue = await api.queue()
        except ApiError as error:
            self.tracer.online = not isinstance(error, Unreachable)
            if store is not None and isinstance(error, Unreachable):
                await self._show_cached(store)  # work goes on through the cached tasks
                return
            status.update(describe_error(error))
            status.add_class("error")
            if isinstance(error, AuthError):
                self.tracer.ask_sign_in_again()
            return
        self.tracer.online = True
        status.remove_class("error")
        if store is None:
            self.show(queue.tasks, queue.server_time)
            return
        await asyncio.to_thread(store.queue.replace, queue.tasks, queue.server_time)
        self.show(await asyncio.to_thread(store.queue.tasks), queue.server_time)

    async def _store(self) -> LocalStore | None:
        opener = self.tracer.services.store
        if opener is None:
            return None
        try:
            return await asyncio.to_thread(opener)
        except UserError as error:  # the sync engine tells the agent
            log.error("queue without the local store: %s", error)
            return None

    async def _show_cached(self, store: LocalStore) -> None:
        """The queue kept on this computer (offline), without the tasks finished here."""
        tasks = await asyncio.to_thread(store.queue.tasks)
        fetched = await asyncio.to_thread(store.queue.fetched_at)
        self.show(tasks, datetime.now(UTC))
        if fetched is None:
            note = _("Offline: no queue is kept on this computer yet.")
        else:
            note = _("Offline: the queue as it was at {time}.").format(
                time=fetched.astimezone().strftime("%d/%m %H:%M")
            )
        self._queue_text = f"{note} {self._queue_text}"
        self._render_status()

    def on_queue_cached(self, message: QueueCached) -> None:
        """The sync engine pulled the queue: show it (the tasks finished here stay out)."""
        self.load_cached()

    @work(exclusive=True, group="queue-cache")
    async def load_cached(self) -> None:
        store = await self._store()
        if store is not None:
            self.show(await asyncio.to_thread(store.queue.tasks), datetime.now(UTC))

    # -- the sync state under the queue -------------------------------------------------------
    def _sync_changed(self, status: SyncStatus | None) -> None:
        self._render_status()

    def _tick(self) -> None:
        status = self.tracer.sync_status
        if status is not None and status.retry_at is not None:
            self._render_status()  # the seconds before the next try

    def _render_status(self) -> None:
        text = self._queue_text
        status = self.tracer.sync_status
        if status is not None and (status.waiting or status.signed_out or status.retry_at):
            text = f"{text} {describe_sync(status)}".strip()
        self.query_one("#queue-status", Static).update(text)

    def show(self, tasks: list[TaskView], now: datetime) -> None:
        table = self.query_one("#queue", DataTable)
        selected = self.selected_id()
        table.clear()
        self.tasks = {task.id: task for task in tasks}
        for task in tasks:
            phone = format_phone(task.person.phones[0]) if task.person.phones else "—"
            table.add_row(
                kind_label(task.kind),
                task.person.display_name,
                task.person.language.value.upper(),
                phone,
                due_label(task.due_at, now),
                str(task.attempts),
                key=str(task.id),
            )
        if selected is not None and selected in self.tasks:
            table.move_cursor(row=table.get_row_index(str(selected)))
        if tasks:
            self._queue_text = ngettext(
                "{count} task in your queue", "{count} tasks in your queue", len(tasks)
            ).format(count=len(tasks))
        else:
            self._queue_text = _("Your queue is empty.")
        self._render_status()

    def selected_id(self) -> int | None:
        table = self.query_one("#queue", DataTable)
        if not self.tasks or table.cursor_row < 0 or table.cursor_row >= table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @on(DataTable.RowSelected, "#queue")
    def _row_selected(self) -> None:
        self.action_open_task()

    def action_open_task(self) -> None:
        task_id = self.selected_id()
        if task_id is None:
            return
        from tracer_tui.ui.screens.interview import InterviewScreen

        self.app.push_screen(InterviewScreen(self.tasks[task_id]))
