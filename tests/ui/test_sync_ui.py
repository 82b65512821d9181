"""The app offline: the queue from the local store, the header counting what waits, the
outbox screen, and everything sent when the network is back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.answers import complete_answers
from tests.ui.conftest import SCRIPTS, SIZE, Practice, settle, signed_in
from tests.ui.test_login import Flaky
from tracer_tui.config import Settings
from tracer_tui.questionnaire_files import load_file
from tracer_tui.server.tables import InterviewSubmission as Row
from tracer_tui.ui.app import TracerApp
from tracer_tui.ui.screens.outbox import OutboxScreen
from tracer_tui.ui.screens.queue import QueueScreen
from tracer_tui.wire import InterviewSubmission


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the app did not get there in time"
        await pilot.pause(0.05)


async def test_offline_work_waits_in_the_outbox_and_goes_when_back(settings: Settings) -> None:
    network = Flaky()
    practice = Practice(settings, connect=network.connect)
    try:
        async with practice.app.run_test(size=SIZE) as pilot:
            app = pilot.app
            assert isinstance(app, TracerApp)
            await signed_in(pilot)
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            await until(pilot, lambda: app.sync_status is not None and not app.sync_status.syncing)
            tasks = list(screen.tasks)

            network.down = True
            await pilot.press("r")
            await settle(pilot)
            assert "offline" in app.sub_title
            status = str(screen.query_one("#queue-status", Static).render())
            assert status.startswith("Offline: the queue as it was at")
            assert list(screen.tasks) == tasks  # work goes on with the cached tasks

            # The agent finishes one: what the interview screen does with the store.
            task = screen.tasks[tasks[0]]
            assert app.services.store is not None
            store = app.services.store()
            now = datetime.now(UTC)
            name = f"{task.questionnaire_id}.v{task.questionnaire_version}.yaml"
            submission = InterviewSubmission(
                submission_id=uuid4(),
                questionnaire_id=task.questionnaire_id,
                questionnaire_version=task.questionnaire_version,
                language=task.person.language,
                answers=complete_answers(
                    load_file(SCRIPTS / name),
                    today=now.date(),
                ),
                started_at=now - timedelta(minutes=10),
                finished_at=now,
            )
            await asyncio.to_thread(store.submit_interview, task.id, submission)
            app.sync_now()
            await until(pilot, lambda: app.pending == 1)
            assert "1 waiting" in app.sub_title
            await pilot.press("r")
            await settle(pilot)
            assert task.id not in screen.tasks
            assert "will be sent" in str(screen.query_one("#queue-status", Static).render())

            await pilot.press("o")
            await settle(pilot)
            outbox = app.screen
            assert isinstance(outbox, OutboxScreen)
            table = outbox.query_one("#outbox", DataTable)
            assert table.row_count == 1
            assert table.get_row_at(0)[:3] == [str(task.id), task.person.display_name, "waiting"]

            network.down = False  # back: sent without the agent doing a thing
            app.sync_now()
            await until(pilot, lambda: app.pending == 0 and app.online is True)
            assert "waiting" not in app.sub_title
            await settle(pilot)
            assert table.get_row_at(0)[2] == "sent"
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
        with Session(practice.world.engine) as session:
            rows = session.exec(select(Row).where(col(Row.task_id) == task.id)).all()
            assert [row.submission_id for row in rows] == [submission.submission_id]
    finally:
        practice.close()
