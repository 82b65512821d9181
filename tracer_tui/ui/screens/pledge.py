"""The confidentiality pledge, due before the first connection (and at each new version).

The text is shown in the agent's UI language, scrollable. Accepting signs
``PledgeText.signed_message()`` with the login card; the card was logged off after the
login, so its PIN is asked again. Declining signs out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from tracer_tui.core.i18n import N_, _, current_language
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.card_text import describe_failure
from tracer_tui.ui.pin import PinInput

if TYPE_CHECKING:
    from tracer_tui.client.login import LoginError, LoginFlow
    from tracer_tui.wire import PledgeText


class PledgeScreen(TracerScreen[None]):
    BINDINGS = [
        Binding(
            "ctrl+s",
            "accept",
            N_("Accept and sign"),
            id="accept",
            tooltip=N_("Accept the pledge and sign it with your eID card"),
        ),
        Binding(
            "escape",
            "decline",
            N_("Decline"),
            id="decline",
            tooltip=N_("Do not accept the pledge, and sign out"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pledge: PledgeText | None = None
        self.busy = False
        self.final = False

    def compose_body(self) -> Iterable[Widget]:
        with Vertical(id="pledge"):
            yield Static(_("Confidentiality pledge"), id="pledge-title")
            with VerticalScroll(id="pledge-scroll"):
                yield Static(_("Loading the pledge…"), id="pledge-text")
            yield Static(
                _(
                    "Read the pledge to its end. Accepting it signs it with your eID card: "
                    "the central server keeps your signature."
                ),
                id="pledge-help",
            )
            with Horizontal(id="pledge-sign"):
                yield PinInput(id="pledge-pin")
                yield Static("", id="pledge-status")
            with Horizontal(id="pledge-buttons"):
                yield Button(
                    _("Accept and sign") + " (Ctrl+S)",
                    id="pledge-accept",
                    variant="primary",
                    disabled=True,
                )
                yield Button(_("Decline") + " (Esc)", id="pledge-decline")

    def on_mount(self) -> None:
        self.title = _("Confidentiality pledge")
        self.query_one("#pledge-scroll").focus()
        self.load()

    @property
    def flow(self) -> LoginFlow:
        flow = self.tracer.login_flow
        assert flow is not None
        return flow

    @property
    def pin(self) -> PinInput:
        return self.query_one("#pledge-pin", PinInput)

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#pledge-status", Static)
        status.update(text)
        status.set_class(error, "error")

    @work(exclusive=True, group="pledge")
    async def load(self) -> None:
        from tracer_tui.client.login import LoginError

        try:
            pledge = await self.flow.pledge()
        except LoginError as error:
            self.show_status(describe_failure(error), error=True)
            return
        self.pledge = pledge
        language = current_language()
        self.query_one("#pledge-title", Static).update(pledge.title[language])
        self.query_one("#pledge-text", Static).update(reflow(pledge.text[language]))
        self.query_one("#pledge-accept", Button).disabled = False

    # -- accepting ---------------------------------------------------------------------
    @on(Button.Pressed, "#pledge-accept")
    def _accept_pressed(self) -> None:
        self.action_accept()

    @on(Input.Submitted, "#pledge-pin")
    def _pin_submitted(self) -> None:
        self.action_accept()

    def action_accept(self) -> None:
        if self.pledge is None or self.busy or self.final:
            return
        if not self.pin.display:
            self.ask_pin(_("Type your PIN and press Enter to sign the pledge."))
            return
        if not self.pin.complete:
            self.show_status(_("A PIN has 4 to 12 digits."), error=True)
            return
        self.busy = True
        self.pin.disabled = True
        self.show_status(_("Signing…"))
        self.sign(self.pledge, self.pin.take())

    def ask_pin(self, text: str, *, error: bool = False) -> None:
        self.pin.show()
        self.show_status(text, error=error)

    @work(exclusive=True, group="sign-pledge")
    async def sign(self, pledge: PledgeText, pin: str | None) -> None:
        from tracer_tui.client.login import LoginError

        try:
            await self.flow.accept_pledge(pledge, current_language(), pin)
        except LoginError as error:
            self.busy = False
            self.failed(error)
            return
        self.busy = False
        from tracer_tui.ui.screens.queue import QueueScreen

        self.app.switch_screen(QueueScreen())

    def failed(self, error: LoginError) -> None:
        reason = error.reason.value
        if reason == "unreachable":
            self.tracer.online = False
        if reason in ("wrong_pin", "pin_needed", "pin_cancelled") or error.retryable:
            self.ask_pin(describe_failure(error), error=True)
            return
        if reason == "pin_blocked" or reason == "session_ended":
            self.final = True
            self.pin.hide()
            self.query_one("#pledge-accept", Button).disabled = True
        self.show_status(describe_failure(error), error=True)

    # -- declining ---------------------------------------------------------------------
    @on(Button.Pressed, "#pledge-decline")
    def _decline_pressed(self) -> None:
        self.action_decline()

    def action_decline(self) -> None:
        self.decline()

    @work(exclusive=True, group="sign-pledge")
    async def decline(self) -> None:
        await self.flow.log_out()
        self.tracer.agent = None
        from tracer_tui.ui.screens.login import LoginScreen

        notice = _("Without the confidentiality pledge you cannot work in tracer.")
        self.app.switch_screen(LoginScreen(notice=notice))


def reflow(text: str) -> str:
    """The pledge as the terminal's width allows: the file wraps its lines at about 95
    characters, which a narrower screen would break again mid-line. Paragraphs stay apart.
    (What is signed is the text as published, not this display.)"""
    paragraphs = [
        " ".join(line.strip() for line in block.splitlines())
        for block in text.strip().split("\n\n")
    ]
    return "\n\n".join(paragraphs)
