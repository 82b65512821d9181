"""The agent's call queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tracer_tui.client.errors import ApiError, AuthError, Unreachable
from tracer_tui.core.i18n import N_, _, ngettext
from tracer_tui.core.identifiers import format_phone
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.labels import due_label, kind_label
from tracer_tui.ui.messages import describe_error
from tracer_tui.wire import TaskView


class QueueScreen(TracerScreen[None]):
    BINDINGS = [
        Binding("enter", "open_task", N_("Open"), id="open", tooltip=N_("Open the selected task")),
        Binding("r", "refresh", N_("Refresh"), id="refresh", tooltip=N_("Reload the queue")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, TaskView] = {}

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

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Refresh"), _("Reload the queue"), self.action_refresh)

    def action_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="queue")
    async def load(self) -> None:
        api = self.tracer.api
        if api is None:
            return
        status = self.query_one("#queue-status", Static)
        try:
            queue = await api.queue()
        except ApiError as error:
            self.tracer.online = not isinstance(error, Unreachable)
            status.update(describe_error(error))
            status.add_class("error")
            if isinstance(error, AuthError):
                from tracer_tui.ui.screens.login import LoginScreen

                self.app.switch_screen(LoginScreen())
            return
        self.tracer.online = True
        status.remove_class("error")
        self.show(queue.tasks, queue.server_time)

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
        status = self.query_one("#queue-status", Static)
        if tasks:
            status.update(
                ngettext(
                    "{count} task in your queue", "{count} tasks in your queue", len(tasks)
                ).format(count=len(tasks))
            )
        else:
            status.update(_("Your queue is empty."))

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
