"""The standardised interview screen by screen, on the real scripts, in practice mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import SIZE, Practice, settle, signed_in
from tests.ui.interviewing import fill_required, on_server, open_task, set_answer
from tracer_tui.config import Settings
from tracer_tui.server.tables import InterviewSubmission
from tracer_tui.ui.screens.entry import EntryEditor
from tracer_tui.ui.screens.interview import InterviewScreen
from tracer_tui.ui.screens.queue import QueueScreen
from tracer_tui.ui.screens.review import ReviewScreen
from tracer_tui.ui.widgets.entries import EntryTable
from tracer_tui.ui.widgets.fields import error_id, field_id


@pytest.fixture
def real_scripts(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"central": settings.central.model_copy(update={"questionnaires_dir": None})}
    )


@pytest.fixture
def session(real_scripts: Settings) -> Iterator[Practice]:
    practice = Practice(real_scripts)
    yield practice
    practice.close()


def progress(screen: InterviewScreen) -> str:
    return str(screen.query_one("#progress", Static).render())


async def test_screen_by_screen_with_validation_in_the_agents_language(session: Practice) -> None:
    async with session.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await open_task(pilot, "contact_call")
        screen = pilot.app.screen
        assert isinstance(screen, InterviewScreen)
        assert progress(screen).startswith("Step 1 of")
        await pilot.press("pagedown")
        await settle(pilot)
        assert progress(screen).startswith("Step 1 of")  # the required answer is missing
        error = screen.query_one(f"#{error_id('identity_confirmed')}", Static)
        assert "required" in str(error.render())
        assert pilot.app.focused is screen.query_one(f"#{field_id('identity_confirmed')}")
        await set_answer(pilot, "identity_confirmed", True)
        await pilot.press("enter")  # Enter on the last field goes on to the next screen
        await settle(pilot)
        assert progress(screen).startswith("Step 2 of")
        await pilot.press("pageup")
        await settle(pilot)
        assert progress(screen).startswith("Step 1 of")


async def test_condition_shows_a_question_when_its_answer_calls_for_it(session: Practice) -> None:
    async with session.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await open_task(pilot, "index_call")
        screen = pilot.app.screen
        assert isinstance(screen, InterviewScreen)
        await fill_required(pilot, {"identity_confirmed": True})
        await pilot.press("pagedown")
        await settle(pilot)
        await fill_required(pilot, {"consent": True})
        await pilot.press("pagedown")
        await settle(pilot)
        assert not screen.query(f"#{field_id('symptom_onset')}")
        await set_answer(pilot, "has_symptoms", True)
        assert screen.query(f"#{field_id('symptom_onset')}")
        await set_answer(pilot, "has_symptoms", False)
        assert not screen.query(f"#{field_id('symptom_onset')}")


async def walk_to_contacts(pilot) -> InterviewScreen:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, InterviewScreen)
    first = {
        "identity_confirmed": True,
        "consent": True,
        "has_symptoms": False,
        "isolation_possible": True,
    }
    for _ in range(10):
        assert screen.view is not None
        if screen.view.id == "contact_list":
            return screen
        await fill_required(pilot, first)
        await pilot.press("pagedown")
        await settle(pilot)
    raise AssertionError("never reached the contact list")


async def test_contact_list_add_edit_remove_with_risk_class(session: Practice) -> None:
    async with session.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await open_task(pilot, "index_call")
        screen = await walk_to_contacts(pilot)
        table = screen.query_one(EntryTable)
        table.focus()
        await pilot.press("a")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, EntryEditor)
        exposure = {
            "household": True,
            "physical_contact": False,
            "body_fluids": False,
            "care_without_protection": False,
            "face_to_face_minutes": "0",
            "same_room_minutes": "0",
            "travel_minutes": "0",
        }
        await set_answer(pilot, "contacts[0].first_name", "Lotte")
        await set_answer(pilot, "contacts[0].last_name", "Peeters")
        await set_answer(pilot, "contacts[0].phone", "0478 12 34 56")
        for child, value in exposure.items():
            if editor.query(f"#{field_id(f'contacts[0].{child}')}"):
                await set_answer(pilot, f"contacts[0].{child}", value)
        await fill_required_entry(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.interview is not None
        assert screen.interview.entry_count("contacts") == 1
        assert screen.interview.entry_computed("contacts", 0)["risk"] == "high"
        row = screen.query_one(EntryTable).get_row_at(0)
        assert "Lotte" in [str(cell) for cell in row]
        assert any("high risk" in str(cell) for cell in row)
        # remove it again, after a confirmation
        screen.query_one(EntryTable).focus()
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert screen.interview.entry_count("contacts") == 0


async def fill_required_entry(pilot) -> None:  # type: ignore[no-untyped-def]
    editor = pilot.app.screen
    assert isinstance(editor, EntryEditor)
    from tests.ui.interviewing import default_answer

    for _ in range(20):
        entry = editor.entry()
        todo = [
            v
            for v in entry.items
            if v.item.required
            and v.item.is_question
            and editor.interview.value(v.key) in (None, "")
        ]
        if not todo:
            return
        await set_answer(pilot, todo[0].key, default_answer(todo[0].item.type))


async def test_review_then_send_lands_on_the_server_without_hidden_answers(
    session: Practice,
) -> None:
    async with session.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        task_id = await open_task(pilot, "contact_call")
        screen = pilot.app.screen
        assert isinstance(screen, InterviewScreen)
        answers = {
            "identity_confirmed": True,
            "household": False,
            "physical_contact": False,
            "body_fluids": False,
            "care_without_protection": False,
            "has_symptoms": True,
        }
        for _ in range(10):
            await fill_required(pilot, answers)
            assert screen.interview is not None
            if not screen.interview.has_next:
                break
            await pilot.press("pagedown")
            await settle(pilot)
        # an answer typed then hidden again is never sent
        await pilot.press("ctrl+r")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen)
        assert "complete" in str(review.query_one("#review-status", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        assert task_id not in pilot.app.screen.tasks
        await on_server(pilot, session.world.engine)
    with Session(session.world.engine) as db:
        stored = db.exec(select(InterviewSubmission)).one()
        assert stored.task_id == task_id
        assert stored.questionnaire_id == "contact-first-call"
        assert stored.answers["identity_confirmed"] is True
        assert stored.answers["has_symptoms"] is True
        assert "symptom_onset" in stored.answers
        assert "wrong_person" not in stored.answers


async def test_leaving_and_reopening_comes_back_to_the_same_screen_and_answers(
    session: Practice,
) -> None:
    async with session.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        task_id = await open_task(pilot, "index_call")
        screen = pilot.app.screen
        assert isinstance(screen, InterviewScreen)
        await fill_required(pilot, {"identity_confirmed": True})
        await pilot.press("pagedown")
        await settle(pilot)
        await set_answer(pilot, "consent", True)
        await pilot.press("escape")
        await settle(pilot)
        queue = pilot.app.screen
        assert isinstance(queue, QueueScreen)
        assert task_id in queue.tasks
        await open_task(pilot, "index_call")
        again = pilot.app.screen
        assert isinstance(again, InterviewScreen)
        assert again.interview is not None
        assert again.interview.screen_id == "privacy"
        assert again.interview.value("consent") is True
        assert again.interview.value("identity_confirmed") is True


def test_contact_entry_snapshot(session: Practice, snap_compare: Any) -> None:
    """The contact dialog over the contact list: the risk class computed as the agent types."""

    async def run_before(pilot: Pilot[None]) -> None:
        await signed_in(pilot)
        await open_task(pilot, "index_call")
        screen = await walk_to_contacts(pilot)
        screen.query_one(EntryTable).focus()
        await pilot.press("a")
        await settle(pilot)
        await set_answer(pilot, "contacts[0].first_name", "Lotte")
        await set_answer(pilot, "contacts[0].last_name", "Peeters")
        await set_answer(pilot, "contacts[0].household", True)

    assert snap_compare(session.app, terminal_size=SIZE, run_before=run_before)
