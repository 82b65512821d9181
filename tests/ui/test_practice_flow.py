"""Practice mode end to end: sign in, queue, interview, submit, task gone, row on the server."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlmodel import Session, select
from textual.widgets import DataTable, Static

from tests.ui.conftest import SIZE, Practice, settle, signed_in
from tests.ui.interviewing import on_server, set_answer
from tracer_tui.server.tables import InterviewSubmission, Task
from tracer_tui.ui.screens.interview import InterviewScreen
from tracer_tui.ui.screens.login import LoginScreen
from tracer_tui.ui.screens.queue import QueueScreen
from tracer_tui.ui.widgets.fields import error_id, field_id


def open_index_case(app: Any) -> int:
    """Put the cursor on the first index case of the queue; return its task id."""
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    table = screen.query_one("#queue", DataTable)
    for task_id, task in screen.tasks.items():
        if task.kind == "index_call":
            table.move_cursor(row=table.get_row_index(str(task_id)))
            return task_id
    raise AssertionError("no index case in the practice queue")


async def fill_index_interview(pilot: Any) -> None:
    """The small test script: a yes/no on the first screen, a date and a count on the second."""
    screen = pilot.app.screen
    assert isinstance(screen, InterviewScreen)
    await set_answer(pilot, "identity_confirmed", True)
    await pilot.press("pagedown")
    await settle(pilot)
    await set_answer(pilot, "symptom_onset", "24/11/2026")
    await set_answer(pilot, "contacts_count", "3")


async def test_sign_in_shows_the_queue_of_fake_cases(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        await signed_in(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one("#queue", DataTable)
        assert table.row_count == len(screen.tasks) > 0
        assert pilot.app.agent is not None
        assert pilot.app.agent.display_name in pilot.app.sub_title
        assert "online" in pilot.app.sub_title


async def test_interview_submitted_lands_in_the_server_database(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        task_id = open_index_case(pilot.app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InterviewScreen)
        await fill_index_interview(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QueueScreen)
        assert task_id not in screen.tasks
        await on_server(pilot, practice.world.engine)
    with Session(practice.world.engine) as db:
        stored = db.exec(select(InterviewSubmission)).all()
        assert [row.task_id for row in stored] == [task_id]
        assert stored[0].answers == {
            "identity_confirmed": True,
            "symptom_onset": "2026-11-24",
            "contacts_count": 3,
        }
        assert stored[0].questionnaire_id == "index-first-call"
        assert db.get(Task, task_id).status == "done"


async def test_missing_required_answer_is_shown_and_nothing_is_sent(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        open_index_case(pilot.app)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        error = screen.query_one(f"#{error_id('identity_confirmed')}", Static)
        assert "required" in str(error.render())
        assert pilot.app.focused is screen.query_one(f"#{field_id('identity_confirmed')}")
    with Session(practice.world.engine) as db:
        assert db.exec(select(InterviewSubmission)).all() == []


async def test_leaving_an_interview_keeps_the_task_in_the_queue(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        task_id = open_index_case(pilot.app)
        await pilot.press("enter")
        await settle(pilot)
        await set_answer(pilot, "identity_confirmed", True)
        await pilot.press("escape")
        await settle(pilot)
        queue = pilot.app.screen
        assert isinstance(queue, QueueScreen)
        assert task_id in queue.tasks


async def test_practice_mode_opens_no_network_socket(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[int, int]] = []
    real_socket = socket.socket

    class Guard(real_socket):  # type: ignore[misc,valid-type]
        def __init__(self, family: int = -1, type: int = -1, *args: Any, **kw: Any) -> None:
            if family in (socket.AF_INET, socket.AF_INET6):
                opened.append((family, type))
                raise OSError("practice mode must not open network sockets")
            super().__init__(family, type, *args, **kw)

    monkeypatch.setattr(socket, "socket", Guard)
    async with practice.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        open_index_case(pilot.app)
        await pilot.press("enter")
        await settle(pilot)
        await fill_index_interview(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        await on_server(pilot, practice.world.engine)
    assert opened == []
    with Session(practice.world.engine) as db:
        assert len(db.exec(select(InterviewSubmission)).all()) == 1


def test_practice_data_is_deleted_at_exit(practice: Practice) -> None:
    practice.services.connect()
    directory = practice.world.directory
    assert directory is not None
    assert directory.exists()
    practice.services.shutdown()
    assert not directory.exists()
