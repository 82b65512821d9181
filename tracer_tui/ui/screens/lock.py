"""The lock: pushed over every screen the moment the login card leaves the reader.

The screens beneath stay as they were (every typed answer is kept) and hidden: the lock is
opaque. Only the card the agent signed in with, and its PIN, unlock it: the card signs a
fresh local challenge, checked with the key of the login certificate. Another person's card
is told so, and offered nothing more. Being modal, the lock also keeps the app's keys
(quit, commands) from whoever stands at the keyboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Input, Static

from tracer_tui.core.i18n import N_, _
from tracer_tui.ui.base import PracticeMarker, TracerModal
from tracer_tui.ui.card_text import blocked, describe_card_state, describe_failure
from tracer_tui.ui.pin import PinInput

if TYPE_CHECKING:
    from tracer_tui.client.card import CardState
    from tracer_tui.client.login import LoginError, LoginFlow
    from tracer_tui.ui.app import TracerApp


class LockScreen(TracerModal[None]):
    BINDINGS = [
        Binding(
            "enter",
            "unlock",
            N_("Unlock"),
            id="unlock",
            tooltip=N_("Unlock with the card you signed in with and its PIN"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reading: int | None = None
        self.ready = False
        self.busy = False

    @property
    def tracer(self) -> TracerApp:
        from tracer_tui.ui.app import TracerApp

        assert isinstance(self.app, TracerApp)
        return self.app

    @property
    def flow(self) -> LoginFlow:
        flow = self.tracer.login_flow
        assert flow is not None
        return flow

    @property
    def pin(self) -> PinInput:
        return self.query_one("#lock-pin", PinInput)

    def owner(self) -> str:
        agent = self.tracer.agent
        return agent.display_name if agent is not None else ""

    def reason(self) -> str:
        return _(
            "The card was taken out of the reader. Insert the card of {name} and "
            "type its PIN to go on: nothing you typed is lost."
        ).format(name=self.owner())

    def compose(self) -> ComposeResult:
        marker = self.tracer.boot.marker
        if marker:
            yield PracticeMarker(_(marker))
        with Center(), Vertical(id="lock-box"):
            yield Static(_("tracer is locked"), id="lock-title")
            yield Static(self.reason(), id="lock-reason")
            yield Static("", id="lock-status")
            yield PinInput(id="lock-pin")
            yield Static("", id="lock-message", classes="error")
            hint = self.tracer.services.card.pin_hint
            yield Static(
                _("Practice card: its PIN is {pin}.").format(pin=hint) if hint else "",
                id="lock-hint",
            )

    def on_mount(self) -> None:
        self.watch(self.tracer, "card_state", self.card_changed)

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#lock-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def show_message(self, text: str) -> None:
        self.query_one("#lock-message", Static).update(text)

    def card_changed(self, state: CardState | None) -> None:
        if state is not None and state.present:
            if state.insertion != self.reading:
                self.reading = state.insertion
                self.ready = False
                self.show_message("")
                self.read_card(state.insertion)
            return
        self.reading = None
        self.ready = False
        self.pin.hide()
        self.show_message("")
        self.show_status(describe_card_state(state))

    @work(exclusive=True, group="card")
    async def read_card(self, insertion: int) -> None:
        from tracer_tui.client.login import LoginError

        self.show_status(_("Reading the card…"))
        try:
            holder = await self.flow.read_card(insertion)
            self.flow.check_same_card(holder)
        except LoginError as error:
            if self.reading == insertion:
                self.show_status(describe_failure(error, owner=self.owner()), error=True)
            return
        if self.reading != insertion:
            return
        if holder.blocked:
            self.show_status(blocked(), error=True)
            return
        self.ready = True
        self.show_status(_("Type your PIN and press Enter."))
        self.pin.show()

    @on(Input.Submitted, "#lock-pin")
    def _submitted(self) -> None:
        self.action_unlock()

    def action_unlock(self) -> None:
        if not self.ready or self.busy:
            return
        if not self.pin.complete:
            self.show_message(_("A PIN has 4 to 12 digits."))
            return
        self.busy = True
        self.pin.disabled = True
        self.show_message("")
        self.show_status(_("Checking the card…"))
        self.unlock(self.pin.take())

    @work(exclusive=True, group="unlock")
    async def unlock(self, pin: str) -> None:
        from tracer_tui.client.login import LoginError

        try:
            await self.flow.unlock(pin)
        except LoginError as error:
            self.busy = False
            self.failed(error)
            return
        self.busy = False
        self.dismiss()

    def failed(self, error: LoginError) -> None:
        reason = error.reason.value
        message = describe_failure(error, owner=self.owner())
        if reason in ("wrong_pin", "pin_cancelled") or error.retryable:
            self.show_status(_("Type your PIN and press Enter."))
            self.show_message(message)
            self.pin.show()
            return
        self.ready = False
        self.pin.hide()
        self.show_message("")
        self.show_status(message, error=True)


class SignInAgainScreen(LockScreen):
    """The server ended the session (a 401 while syncing): the same card and its PIN sign in
    again, over whatever the agent was doing; nothing typed is lost, and syncing resumes."""

    BINDINGS = [
        Binding(
            "enter",
            "unlock",
            N_("Sign in"),
            id="sign-in-again",
            tooltip=N_("Sign in again with the card you signed in with and its PIN"),
        ),
    ]

    def reason(self) -> str:
        return _(
            "Your session with the central server has ended. Insert the card of {name} and "
            "type its PIN to sign in again: nothing you typed is lost."
        ).format(name=self.owner())

    @work(exclusive=True, group="unlock")
    async def unlock(self, pin: str) -> None:
        from tracer_tui.client.login import LoginError

        try:
            await self.flow.log_in(pin)
        except LoginError as error:
            self.busy = False
            self.failed(error)
            return
        self.busy = False
        self.tracer.start_sync()
        self.dismiss()
