"""Sign-in. In this version: the development sign-in of practice mode; the eID card login
replaces the placeholder for the agent app."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widget import Widget
from textual.widgets import Button, Static

from tracer_tui.client.errors import ApiError, Unreachable
from tracer_tui.core.i18n import N_, _
from tracer_tui.errors import UserError
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.messages import describe_error

if TYPE_CHECKING:
    from tracer_tui.client.api import ApiClient

log = logging.getLogger(__name__)


class LoginScreen(TracerScreen[None]):
    BINDINGS = [
        Binding("enter", "sign_in", N_("Sign in"), id="sign-in", tooltip=N_("Sign in")),
    ]

    def compose_body(self) -> Iterable[Widget]:
        with Center(), Vertical(id="login-box"):
            yield Static(_("Sign in"), id="login-title")
            yield Static(_("Connecting to the central server…"), id="login-status")
            yield Button(_("Sign in"), id="sign-in", variant="primary", disabled=True)

    def on_mount(self) -> None:
        self.title = _("Sign in")
        # Connect once the first frame is on screen: practice mode boots its server here,
        # and its imports would otherwise compete with the first paint.
        self.call_after_refresh(self.connect)

    @property
    def status(self) -> Static:
        return self.query_one("#login-status", Static)

    def show_status(self, text: str, *, error: bool = False) -> None:
        self.status.update(text)
        self.status.set_class(error, "error")

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
        self.tracer.api = client
        button = self.query_one("#sign-in", Button)
        if self.tracer.services.dev_identity:
            self.show_status(_("Practice agent ready. Press Enter to sign in."))
            button.disabled = False
            button.focus()
        else:
            self.show_status(
                _("Card sign-in is not available in this version."),
                error=True,
            )

    # -- signing in --------------------------------------------------------------------
    @on(Button.Pressed, "#sign-in")
    def _pressed(self) -> None:
        self.action_sign_in()

    def action_sign_in(self) -> None:
        identity = self.tracer.services.dev_identity
        if self.tracer.api is None or not identity:
            return
        self.query_one("#sign-in", Button).disabled = True
        self.show_status(_("Signing in…"))
        self.sign_in(identity)

    @work(exclusive=True, group="sign-in")
    async def sign_in(self, identity: str) -> None:
        api = self.tracer.api
        assert api is not None
        try:
            login = await api.dev_login(identity)
        except ApiError as error:
            self.tracer.online = not isinstance(error, Unreachable)
            self.show_status(describe_error(error), error=True)
            self.query_one("#sign-in", Button).disabled = False
            return
        self.tracer.online = True
        self.tracer.agent = login.agent
        from tracer_tui.ui.screens.queue import QueueScreen

        self.app.switch_screen(QueueScreen())
