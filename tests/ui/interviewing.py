"""Driving the interview screen in Pilot tests the way an agent does: through its widgets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioSet, SelectionList

from tests.ui.conftest import settle
from tracer_tui.core.questionnaire import ItemType
from tracer_tui.ui.screens.interview import InterviewScreen
from tracer_tui.ui.screens.queue import QueueScreen
from tracer_tui.ui.widgets.fields import YesNo, field_id

TWO_DAYS_AGO = (date.today() - timedelta(days=2)).strftime("%d/%m/%Y")


def default_answer(item_type: ItemType) -> object:
    return {
        ItemType.YES_NO: False,
        ItemType.DATE: TWO_DAYS_AGO,
        ItemType.TEXT: "Teacher",
        ItemType.INTEGER: "0",
        ItemType.DECIMAL: "0",
        ItemType.PHONE: "0470 12 34 56",
        ItemType.EMAIL: "person@example.be",
        ItemType.POSTCODE: "4000",
        ItemType.NATIONAL_NUMBER: "85.07.30-033.28",
    }.get(item_type)


async def set_answer(pilot: Pilot[Any], key: str, value: object) -> None:
    """Type or choose an answer in the widget of ``key`` on the current screen or dialog."""
    widget = pilot.app.screen.query_one(f"#{field_id(key)}")
    if isinstance(widget, Input):
        widget.value = str(value)
    elif isinstance(widget, YesNo):
        widget.value = bool(value)
    elif isinstance(widget, SelectionList):
        values = value if isinstance(value, list) else [value]
        widget.deselect_all()
        for one in values:
            widget.select(one)
    elif isinstance(widget, RadioSet):
        buttons = list(widget.query("RadioButton"))
        view = pilot.app.screen.view_of(key)  # type: ignore[attr-defined]
        choices = [choice for choice, _label in view.choices]
        buttons[choices.index(value) if value in choices else 0].value = True
    await settle(pilot)


async def fill_required(pilot: Pilot[Any], answers: dict[str, object] | None = None) -> None:
    """Answer every visible required question of the current screen (``answers`` first),
    including those that appear because of an earlier answer."""
    answers = answers or {}
    screen = pilot.app.screen
    assert isinstance(screen, InterviewScreen)
    done: set[str] = set()
    while True:
        assert screen.view is not None
        assert screen.interview is not None
        todo = [
            view
            for view in screen.view.items
            if view.item.is_question
            and not view.item.is_group
            and view.key not in done
            and (view.key in answers or view.item.required)
        ]
        if not todo:
            return
        view = todo[0]
        done.add(view.key)
        value = answers.get(view.key, default_answer(view.item.type))
        if view.item.type is ItemType.MULTIPLE and value is None:
            value = [view.choices[0][0]]
        await set_answer(pilot, view.key, value)


async def open_task(pilot: Pilot[Any], kind: str) -> int:
    """Open the first task of ``kind`` from the queue; return its id."""
    queue = pilot.app.screen
    assert isinstance(queue, QueueScreen)
    table = queue.query_one("#queue", DataTable)
    task_id = next(tid for tid, task in queue.tasks.items() if task.kind == kind)
    table.move_cursor(row=table.get_row_index(str(task_id)))
    table.focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InterviewScreen)
    return task_id


async def on_server(pilot: Pilot[Any], engine: Any, count: int = 1) -> list[Any]:
    """The interviews the server holds, once the sync engine has sent ``count`` of them."""
    from sqlmodel import Session, select

    from tracer_tui.server.tables import InterviewSubmission

    for _ in range(200):
        with Session(engine) as db:
            rows = list(db.exec(select(InterviewSubmission)).all())
        if len(rows) >= count:
            return rows
        await pilot.pause(0.05)
    raise AssertionError(f"the server holds {len(rows)} interviews, not {count}")
