"""The application object and the one factory that builds it for every mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from tracer_tui.core.i18n import N_, _, set_language
from tracer_tui.ui.sync import SyncMixin, SyncSignedOut, waiting_label

if TYPE_CHECKING:
    from tracer_tui.client.api import ApiClient
    from tracer_tui.client.card import CardState
    from tracer_tui.client.login import LoginFlow
    from tracer_tui.client.services import Boot, Services
    from tracer_tui.client.sync import SyncStatus
    from tracer_tui.config import Settings
    from tracer_tui.core.questionnaire import Questionnaire
    from tracer_tui.wire import AgentProfile

log = logging.getLogger(__name__)


class CardChanged(Message):
    """The card backend saw a change (posted from its thread)."""

    def __init__(self, state: CardState) -> None:
        super().__init__()
        self.state = state


class TracerApp(SyncMixin, App[None]):
    CSS_PATH = "tracer.tcss"
    TITLE = "tracer"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), id="quit", tooltip=N_("Leave tracer")),
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            id="palette",
            tooltip=N_("Search every command"),
            show=False,
        ),
        Binding("f1", "help", N_("Keys"), id="help", tooltip=N_("Show every key of this screen")),
    ]

    online: reactive[bool | None] = reactive(None)
    pending: reactive[int] = reactive(0)
    """Work that has not reached the server (the outbox): its count is in the header."""
    sync_status: reactive[SyncStatus | None] = reactive(None)
    """The sync engine's last report (``ui.sync.describe_sync`` tells it); None before."""
    agent: reactive[AgentProfile | None] = reactive(None)
    card_state: reactive[CardState | None] = reactive(None)
    """What the card reader holds; None until the card backend is watched."""

    def __init__(self, boot: Boot) -> None:
        set_language(boot.language)
        super().__init__()
        from tracer_tui.ui.base import translate_bindings

        translate_bindings(self)
        self.boot = boot
        self._settings: Settings | None = None
        self._services: Services | None = None
        self.boot_error: str | None = None
        self.api: ApiClient | None = None
        self.login_flow: LoginFlow | None = None
        """The card session and the sign-in: made once the API client exists."""
        self.questionnaires: dict[tuple[str, int], Questionnaire] = {}

    @property
    def settings(self) -> Settings:
        """The validated configuration; there once the boot has finished (before sign-in)."""
        assert self._settings is not None, "settings are read before the boot finished"
        return self._settings

    @property
    def services(self) -> Services:
        assert self._services is not None, "services are used before the boot finished"
        return self._services

    @property
    def booted(self) -> bool:
        return self._services is not None

    def on_mount(self) -> None:
        if self.boot.theme in self.available_themes:
            self.theme = self.boot.theme
        from tracer_tui.ui.screens.login import LoginScreen

        self.push_screen(LoginScreen())

    def finish_boot(self, settings: Settings, services: Services) -> None:
        """Called by the worker that ran ``boot.start()``, on the UI thread."""
        self._settings = settings
        self._services = services
        if str(settings.ui.language) != self.boot.language:
            set_language(settings.ui.language)
        if settings.ui.theme not in self.available_themes:
            self.notify(
                _("Unknown theme {name!r}: using the default.").format(name=settings.ui.theme),
                severity="warning",
            )

    # -- the card ------------------------------------------------------------------------
    def start_card(self, api: ApiClient) -> LoginFlow:
        """Once connected: the login flow, and the card backend watched from now on."""
        from tracer_tui.client.login import LoginFlow

        self.api = api
        if self.login_flow is None:
            self.login_flow = LoginFlow(api, self.services.card)
            self.services.card.start(self._card_state_seen)
        return self.login_flow

    def _card_state_seen(self, state: CardState) -> None:
        """Called by the card backend, from any thread (post_message is thread-safe)."""
        self.post_message(CardChanged(state))

    @property
    def signed_in(self) -> bool:
        return self.login_flow is not None and self.login_flow.signed_in is not None

    def on_card_changed(self, message: CardChanged) -> None:
        before, state = self.card_state, message.state
        self.card_state = state
        if before is None or not before.present:
            return
        if not state.present or state.insertion != before.insertion:
            self.forget_card(before.insertion)  # that card is gone
            if self.signed_in:
                self.lock()

    @work(group="card-close")
    async def forget_card(self, insertion: int) -> None:
        if self.login_flow is not None:
            await self.login_flow.forget_card(insertion)

    def lock(self) -> None:
        """Cover everything at once; the screens beneath keep what was typed."""
        from tracer_tui.ui.screens.lock import LockScreen

        if not any(isinstance(screen, LockScreen) for screen in self.screen_stack):
            log.info("card removed: the app is locked")
            self.push_screen(LockScreen())

    def on_sync_signed_out(self, message: SyncSignedOut) -> None:
        self.ask_sign_in_again()

    def ask_sign_in_again(self) -> None:
        """The server refused the token (it expired, or was revoked): ask for the same card
        and its PIN over the current screen, so that nothing typed is lost."""
        from tracer_tui.ui.screens.lock import LockScreen, SignInAgainScreen
        from tracer_tui.ui.screens.login import LoginScreen

        if any(isinstance(screen, LockScreen | LoginScreen) for screen in self.screen_stack):
            return
        if self.login_flow is None:
            self.switch_screen(LoginScreen())
            return
        log.info("session ended by the server: asking to sign in again")
        self.push_screen(SignInAgainScreen())

    def _release_card(self) -> None:
        if self._services is not None:
            self._services.card.stop()
        flow = self.login_flow
        if flow is not None and flow.session is not None:
            flow.session.close()

    def fail_boot(self, message: str) -> None:
        """A bad configuration: leave the terminal and let the command print one line."""
        self.boot_error = message
        self.exit(return_code=2)

    def shutdown_services(self) -> None:
        """Release what the services built (the caller of ``run()`` calls this)."""
        if self._services is not None:
            self._services.shutdown()

    # -- header ------------------------------------------------------------------------
    def _update_subtitle(self) -> None:
        parts: list[str] = []
        if self.agent is not None:
            parts.append(self.agent.display_name)
        if self.online is True:
            parts.append(_("online"))
        elif self.online is False:
            parts.append(_("offline"))
        if self.pending:
            parts.append(waiting_label(self.pending))
        self.sub_title = " · ".join(parts)

    def watch_online(self) -> None:
        self._update_subtitle()

    def watch_agent(self) -> None:
        self._update_subtitle()

    def watch_pending(self) -> None:
        self._update_subtitle()

    # -- commands ----------------------------------------------------------------------
    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Quit"), _("Leave tracer"), self.action_quit)
        yield SystemCommand(
            _("Keys"), _("Show every key of this screen"), self.action_show_help_panel
        )
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        yield from getattr(screen, "screen_commands", lambda: ())()

    async def on_unmount(self) -> None:
        """Stop watching the card, release the API client; the caller of ``run()`` calls
        ``services.shutdown()``."""
        self.stop_sync()
        try:
            await asyncio.to_thread(self._release_card)
        except Exception:  # closing must never stop the app from quitting
            log.exception("releasing the card failed")
        if self.api is not None:
            try:
                await self.api.aclose()
            except Exception:  # closing must never stop the app from quitting
                log.exception("closing the API client failed")
            self.api = None


def make_app(boot: Boot) -> TracerApp:
    """The one factory: agent, supervisor and practice apps differ only in their boot (the
    services it builds and the marker it shows); ``Boot.ready(settings, services)`` makes
    one from objects that already exist."""
    return TracerApp(boot)
