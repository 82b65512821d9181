"""The card login in practice mode: the practice card and PIN, wrong PINs, a blocked card,
the server down, cards the server refuses, the pledge, and the lock on card removal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.ui.conftest import SIZE, Practice, settle, signed_in, type_pin
from tests.ui.test_practice_flow import open_index_case
from tracer_tui.client.api import ApiClient
from tracer_tui.config import Settings
from tracer_tui.eid.testca import generate_test_ca
from tracer_tui.launch import PRACTICE_BASE_URL, PRACTICE_CA, PracticeWorld
from tracer_tui.server.tables import AuthToken, PledgeSignature
from tracer_tui.ui.pin import PinInput
from tracer_tui.ui.screens.lock import LockScreen, SignInAgainScreen
from tracer_tui.ui.screens.login import LoginScreen
from tracer_tui.ui.screens.pledge import PledgeScreen
from tracer_tui.ui.screens.queue import QueueScreen

ANOTHER_PERSON = "85073003328"


def text(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


def pin_entry(pilot: Pilot[None]) -> PinInput:
    return pilot.app.screen.query_one(PinInput)


async def test_the_practice_card_is_read_and_its_pin_shown(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        identity = practice.card.card.identity
        assert text(pilot, "#login-holder") == identity.full_name
        assert practice.world.pin in text(pilot, "#login-hint")
        assert "Type your PIN" in text(pilot, "#login-status")
        assert pilot.app.focused is pin_entry(pilot)
        assert pin_entry(pilot).password


async def test_the_pin_entry_takes_4_to_12_digits_only(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"12ab-3")
        assert pin_entry(pilot).value == "123"
        await pilot.press("enter")
        await settle(pilot)
        assert text(pilot, "#login-message") == "A PIN has 4 to 12 digits."
        assert practice.card.tries_left == 3  # nothing was sent to the card
        await pilot.press(*"4567890123456")
        assert pin_entry(pilot).value == "123456789012"


async def test_wrong_pin_tries_left_then_blocked(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_pin(pilot, "0000")
        assert text(pilot, "#login-message") == "Wrong PIN: 2 tries left."
        assert pin_entry(pilot).value == ""
        assert pilot.app.focused is pin_entry(pilot)
        await type_pin(pilot, "0000")
        assert text(pilot, "#login-message") == "Wrong PIN: 1 try left."
        await type_pin(pilot, "0000")
        assert "PIN of this card is blocked" in text(pilot, "#login-status")
        assert not pin_entry(pilot).display
        assert practice.card.blocked
        # nothing more is offered: the right PIN cannot even be typed
        await type_pin(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert not pin_entry(pilot).display
        assert "sign-in" not in {b.binding.id for b in pilot.app.screen.active_bindings.values()}


async def test_a_card_blocked_before_it_is_inserted_says_so_at_once(
    practice: Practice,
) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        practice.card.tries_left = 0
        practice.cards.remove()
        practice.cards.insert(practice.card)
        await settle(pilot)
        assert "PIN of this card is blocked" in text(pilot, "#login-status")
        assert not pin_entry(pilot).display


async def test_taking_the_card_out_before_signing_in_waits_for_a_card(
    practice: Practice,
) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"12")
        practice.cards.remove()
        await settle(pilot)
        assert text(pilot, "#login-status") == "Insert your eID card in the reader."
        assert not pin_entry(pilot).display
        assert pin_entry(pilot).value == ""
        assert not pilot.app.screen.query_one("#login-holder").display
        assert not any(isinstance(s, LockScreen) for s in pilot.app.screen_stack)
        practice.cards.insert(practice.card)
        await settle(pilot)
        assert pin_entry(pilot).display
        await signed_in(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)


class Flaky(httpx.AsyncBaseTransport):
    """The network between the app and the embedded server, which can go down."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport | None = None
        self.down = False

    def connect(self, world: PracticeWorld) -> ApiClient:
        self.inner = httpx.ASGITransport(app=world.start_server())
        return ApiClient(httpx.AsyncClient(transport=self, base_url=PRACTICE_BASE_URL))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down or self.inner is None:
            raise httpx.ConnectError("network down", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def flaky(settings: Settings) -> Iterator[tuple[Practice, Flaky]]:
    network = Flaky()
    session = Practice(settings, connect=network.connect)
    yield session, network
    session.close()


async def test_server_down_is_told_and_enter_tries_again(
    flaky: tuple[Practice, Flaky],
) -> None:
    practice, network = flaky
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        network.down = True
        await type_pin(pilot)
        assert text(pilot, "#login-message") == (
            "The central server cannot be reached. Check the network and press Enter to try again."
        )
        assert practice.app.online is False
        assert "offline" in pilot.app.sub_title
        assert practice.card.tries_left == 3  # the PIN was not even sent to the card
        assert pin_entry(pilot).value == practice.world.pin  # kept for the retry
        network.down = False
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PledgeScreen)
        assert practice.app.online is True


@pytest.mark.parametrize(
    ("card", "sentence"),
    [
        ("unknown", "This card is not registered for tracer"),
        ("untrusted", "The central server does not trust the certificate of this card"),
        ("expired", "This card or its certificate has expired"),
    ],
)
async def test_cards_the_server_refuses_each_get_a_sentence(
    practice: Practice, card: str, sentence: str
) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if card == "unknown":
            other = practice.other_card(national_number=ANOTHER_PERSON)
        elif card == "untrusted":
            other = practice.other_card(ca=generate_test_ca(PRACTICE_CA, seed=1234))
        else:
            other = practice.other_card(valid_from=date(2010, 1, 1))
        practice.cards.insert(other)
        await settle(pilot)
        await type_pin(pilot, "1234")
        assert text(pilot, "#login-status").startswith(sentence)
        assert not pin_entry(pilot).display
        assert isinstance(pilot.app.screen, LoginScreen)
        assert practice.app.agent is None


async def test_first_login_asks_for_the_pledge_then_shows_the_queue(
    practice: Practice,
) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_pin(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PledgeScreen)
        assert text(pilot, "#pledge-title") == "Confidentiality pledge for contact-tracing staff"
        assert "professional secrecy" in text(pilot, "#pledge-text")
        assert pilot.app.focused is screen.query_one("#pledge-scroll")
        await pilot.press("pagedown")  # the text scrolls
        assert screen.query_one("#pledge-scroll").scroll_y > 0
        assert not pin_entry(pilot).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pin_entry(pilot).display  # the card was logged off after the login
        assert pilot.app.focused is pin_entry(pilot)
        await type_pin(pilot, "0000")
        assert text(pilot, "#pledge-status") == "Wrong PIN: 2 tries left."
        assert isinstance(pilot.app.screen, PledgeScreen)
        await type_pin(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        assert not practice.card.pin_verified  # logged off again
    with Session(practice.world.engine) as db:
        signed = db.exec(select(PledgeSignature)).all()
        assert [(row.version, row.language) for row in signed] == [(1, "en")]


async def test_the_pledge_is_in_the_ui_language(settings: Settings) -> None:
    practice = Practice(settings, language="nl")
    try:
        async with practice.app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await type_pin(pilot)
            assert text(pilot, "#pledge-title").startswith("Vertrouwelijkheidsverklaring")
            await pilot.press("ctrl+s")
            await settle(pilot)
            await type_pin(pilot)
            assert isinstance(pilot.app.screen, QueueScreen)
        with Session(practice.world.engine) as db:
            assert [row.language for row in db.exec(select(PledgeSignature)).all()] == ["nl"]
    finally:
        practice.close()


async def test_declining_the_pledge_signs_out(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_pin(pilot)
        assert isinstance(pilot.app.screen, PledgeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert "Without the confidentiality pledge" in text(pilot, "#login-message")
        assert practice.app.agent is None
        assert not practice.app.signed_in
        practice.cards.remove()  # no lock: nobody is signed in
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
    with Session(practice.world.engine) as db:
        assert db.exec(select(AuthToken)).all() == []
        assert db.exec(select(PledgeSignature)).all() == []


async def open_interview_and_type(pilot: Pilot[None], answer: str) -> Input:
    """Open the first index case, answer its first screen, and type ``answer`` in the first
    text entry of the second."""
    await signed_in(pilot)
    open_index_case(pilot.app)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("y")  # the first question (yes/no) has the focus
    await pilot.press("pagedown")
    await settle(pilot)
    field = pilot.app.screen.query("#pane-health Input").first(Input)
    field.focus()
    await pilot.press(*answer)
    assert field.value == answer
    return field


async def test_card_removed_locks_and_only_the_same_card_and_pin_unlock(
    practice: Practice,
) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        field = await open_interview_and_type(pilot, "2")
        interview = pilot.app.screen
        practice.cards.remove()
        await pilot.pause()  # at once: no worker to wait for
        lock = pilot.app.screen
        assert isinstance(lock, LockScreen)
        assert pilot.app.screen_stack[-2] is interview
        assert practice.app.agent is not None
        name = practice.app.agent.display_name
        assert f"Insert the card of {name} " in text(pilot, "#lock-reason")
        await pilot.press("3", "ctrl+q")  # keys go nowhere beneath, nor quit
        assert field.value == "2"

        practice.cards.insert(practice.other_card(national_number=ANOTHER_PERSON))
        await settle(pilot)
        assert text(pilot, "#lock-status") == (
            f"This is another person's card. Only {name} can unlock tracer."
        )
        assert not pin_entry(pilot).display

        practice.cards.insert(practice.other_card())  # the agent's, but not the login card
        await settle(pilot)
        assert text(pilot, "#lock-status").startswith("This is not the card you signed in with")
        assert not pin_entry(pilot).display

        practice.cards.insert(practice.card)
        await settle(pilot)
        assert pilot.app.focused is pin_entry(pilot)
        await type_pin(pilot, "9999")
        assert text(pilot, "#lock-message") == "Wrong PIN: 2 tries left."
        assert pilot.app.screen is lock
        await type_pin(pilot)
        assert pilot.app.screen is interview
        assert field.value == "2"
        assert not practice.card.pin_verified


async def test_a_lock_needs_the_login_card_even_on_the_pledge_screen(
    practice: Practice,
) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_pin(pilot)
        pledge = pilot.app.screen
        assert isinstance(pledge, PledgeScreen)
        practice.cards.remove()
        await pilot.pause()
        assert isinstance(pilot.app.screen, LockScreen)
        practice.cards.insert(practice.card)
        await settle(pilot)
        await type_pin(pilot)
        assert pilot.app.screen is pledge  # type: ignore[comparison-overlap]


async def test_an_ended_session_signs_in_again_with_the_same_card(practice: Practice) -> None:
    async with practice.app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        queue = pilot.app.screen
        with Session(practice.world.engine) as db:  # the server forgets the token
            for token in db.exec(select(AuthToken)).all():
                db.delete(token)
            db.commit()
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInAgainScreen)
        assert pilot.app.screen_stack[-2] is queue
        practice.cards.remove()
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInAgainScreen)
        practice.cards.insert(practice.card)
        await settle(pilot)
        await type_pin(pilot)
        await settle(pilot)
        assert pilot.app.screen is queue  # the pledge is signed already
        with Session(practice.world.engine) as db:
            assert db.exec(select(AuthToken)).all()


def test_pledge_paragraphs_reflow_to_the_screen_width() -> None:
    from tracer_tui.ui.screens.pledge import reflow

    text = "I declare that I have read and\n   understood the following.\n\n1. Secret.\n   Kept."
    assert (
        reflow(text)
        == "I declare that I have read and understood the following.\n\n1. Secret. Kept."
    )
