"""The server ends the session while the agent works: the card and PIN sign in again over
the current screen, and nothing typed is lost."""

from __future__ import annotations

from sqlmodel import Session, select

from tests.ui.conftest import SIZE, Practice, settle, type_pin
from tests.ui.test_login import open_interview_and_type
from tracer_tui.server.tables import AuthToken
from tracer_tui.ui.screens.lock import SignInAgainScreen


async def test_ended_session_asks_for_the_card_over_the_interview(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        field = await open_interview_and_type(pilot, "2")
        interview = pilot.app.screen
        with Session(practice.world.engine) as db:  # the server forgets every token
            for token in db.exec(select(AuthToken)).all():
                db.delete(token)
            db.commit()
        pilot.app.sync_now()
        for _ in range(100):
            if isinstance(pilot.app.screen, SignInAgainScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(pilot.app.screen, SignInAgainScreen)
        assert pilot.app.screen_stack[-2] is interview
        await settle(pilot)
        await type_pin(pilot)
        await settle(pilot)
        assert pilot.app.screen is interview
        assert field.value == "2"
        with Session(practice.world.engine) as db:
            assert db.exec(select(AuthToken)).all(), "a new sign-in gave a new token"
