"""Sign-in with the eID card: live reader status, the holder's name, the PIN, the outcome.

The screen first boots and connects (off the UI thread: practice mode boots its server
there), then follows the app's ``card_state``. A card in the reader is read at once (who
holds it, no PIN); the agent types the PIN; :class:`~tracer_tui.client.login.LoginFlow` does
the rest in workers. Then the pledge if it is due, else the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static

from tracer_tui.core.i18n import N_, _
from tracer_tui.errors import UserError
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.card_text import blocked, describe_card_state, describe_failure
from tracer_tui.ui.pin import PinInput

if TYPE_CHECKING:
    from tracer_tui.client.api import ApiClient
    from tracer_tui.client.card import CardHolder, CardState
    from tracer_tui.client.login import LoginError
    from tracer_tui.wire import LoginResponse

log = logging.getLogger(__name__)


class LoginScreen(TracerScreen[None]):
    BINDINGS = [
        Binding(
            "enter",
            "submit",
            N_("Sign in"),
            id="sign-in",
            tooltip=N_("Sign in with your eID card and its PIN"),
        ),
    ]

    def __init__(self, notice: str | None = None) -> None:
        super().__init__()
        self.notice = notice
        self.holder: CardHolder | None = None
        self.reading: int | None = None
        """The insertion being read or read: a state with another one is another card."""
        self.final = False
        """Nothing more to offer with this card (blocked, unknown, not trusted…)."""
        self.busy = False

    def compose_body(self) -> Iterable[Widget]:
        with Center(), Vertical(id="login-box"):
            yield Static(_("Sign in with your eID card"), id="login-title")
            yield Static("", id="login-holder")
            yield Static(_("Connecting to the central server…"), id="login-status")
            yield PinInput(id="pin")
            yield Static(self.notice or "", id="login-message", classes="error")
            yield Static("", id="login-hint")

    def on_mount(self) -> None:
        self.title = _("Sign in")
        self.query_one("#login-holder").display = False
        if self.tracer.api is not None:
            self.ready()
        else:
            # Connect once the first frame is on screen: practice mode boots its server
            # here, and its imports would otherwise compete with the first paint.
            self.call_after_refresh(self.connect)

    @property
    def pin(self) -> PinInput:
        return self.query_one("#pin", PinInput)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return self.holder is not None and not self.final
        return True

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#login-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def show_message(self, text: str) -> None:
        self.query_one("#login-message", Static).update(text)

    # -- connecting (off the UI thread: practice mode boots its server here) ---------------
    @work(thread=True, exclusive=True, group="connect")
    def connect(self) -> None:
        app = self.tracer
        if not app.booted:
            try:
                settings, services = app.boot.start()
            except UserError as exc:
                app.call_from_thread(app.fail_boot, str(exc))
                return
            except Exception:
                log.exception("could not start")
                app.call_from_thread(
                    self.show_status,
                    _("Could not start: see the log file for details."),
                    error=True,
                )
                return
            app.call_from_thread(app.finish_boot, settings, services)
        try:
            client = app.services.connect()
        except Exception:
            log.exception("could not start the connection")
            self.app.call_from_thread(
                self.show_status, _("Could not start: see the log file for details."), error=True
            )
            return
        self.app.call_from_thread(self.connected, client)

    def connected(self, client: ApiClient) -> None:
        self.tracer.start_card(client)
        self.ready()

    def ready(self) -> None:
        flow = self.tracer.login_flow
        if flow is not None and flow.signed_in is not None:  # the session ended
            flow.forget_sign_in()
            self.tracer.agent = None
        hint = self.tracer.services.card.pin_hint
        if hint:
            self.query_one("#login-hint", Static).update(
                _("Practice card: its PIN is {pin}.").format(pin=hint)
            )
        self.watch(self.tracer, "card_state", self.card_changed)

    # -- the card ----------------------------------------------------------------------
    def card_changed(self, state: CardState | None) -> None:
        if state is not None and state.present:
            if state.insertion != self.reading:
                self.reading = state.insertion
                self.final = False
                self.show_message(self.notice or "")
                self.read_card(state.insertion)
            return
        self.reading = None
        self.holder = None
        self.final = False
        self.refresh_bindings()
        self.query_one("#login-holder").display = False
        self.pin.hide()
        problem = state is not None and state.status.value == "no_service"
        self.show_status(describe_card_state(state), error=problem)

    @work(exclusive=True, group="card")
    async def read_card(self, insertion: int) -> None:
        from tracer_tui.client.login import LoginError

        flow = self.tracer.login_flow
        assert flow is not None
        self.show_status(_("Reading the card…"))
        try:
            holder = await flow.read_card(insertion)
        except LoginError as error:
            if self.reading == insertion:
                self.failed(error)
            return
        if self.reading != insertion:
            return
        self.holder = holder
        self.refresh_bindings()
        name = self.query_one("#login-holder", Static)
        name.update(holder.display_name)
        name.display = True
        if holder.blocked:
            self.offer_nothing(blocked())
            return
        self.show_status(_("Type your PIN and press Enter."))
        self.pin.show()

    # -- signing in --------------------------------------------------------------------
    @on(Input.Submitted, "#pin")
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.holder is None or self.final or self.busy or not self.pin.display:
            return
        if not self.pin.complete:
            self.show_message(_("A PIN has 4 to 12 digits."))
            return
        self.busy = True
        self.pin.disabled = True
        self.show_message("")
        self.show_status(_("Signing in…"))
        self.sign_in(self.pin.value)

    @work(exclusive=True, group="sign-in")
    async def sign_in(self, pin: str) -> None:
        from tracer_tui.client.login import LoginError

        flow = self.tracer.login_flow
        assert flow is not None
        try:
            login = await flow.log_in(pin)
        except LoginError as error:
            self.busy = False
            self.failed(error)
            return
        self.busy = False
        self.signed_in(login)

    def signed_in(self, login: LoginResponse) -> None:
        self.pin.value = ""
        self.tracer.online = True
        self.tracer.agent = login.agent
        if login.pledge_due:
            from tracer_tui.ui.screens.pledge import PledgeScreen

            self.app.switch_screen(PledgeScreen())
        else:
            from tracer_tui.ui.screens.queue import QueueScreen

            self.app.switch_screen(QueueScreen())

    def failed(self, error: LoginError) -> None:
        """Say what went wrong; offer what still makes sense."""
        reason = error.reason.value
        if reason in ("unreachable",):
            self.tracer.online = False
        elif reason in ("server_error", "refused", "unknown_agent", "untrusted_certificate"):
            self.tracer.online = True
        message = describe_failure(error)
        if error.card_gone:  # the reader's next report will say more
            self.pin.hide()
            self.show_status(message)
            return
        if reason == "wrong_pin":
            self.pin.value = ""
        if reason == "wrong_pin" or reason == "pin_format" or error.retryable:
            self.show_status(_("Type your PIN and press Enter."))
            self.show_message(message)
            self.pin.show()
            return
        self.offer_nothing(message)

    def offer_nothing(self, message: str) -> None:
        """This card cannot sign in: say why; only another card can help."""
        self.final = True
        self.refresh_bindings()
        self.pin.hide()
        self.show_status(message, error=True)
        self.show_message("")
