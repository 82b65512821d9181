"""What the app is given to work with. Agent, supervisor and practice modes differ only in
what they inject, never in branches inside screens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer_tui.client.api import ApiClient
    from tracer_tui.client.card import CardBackend
    from tracer_tui.client.secrets import SecretStore
    from tracer_tui.client.store import LocalStore
    from tracer_tui.config import Settings


def _nothing() -> None:
    return None


@dataclass
class Services:
    connect: Callable[[], ApiClient]
    """Builds the API client. May be slow (practice mode boots its server): the UI calls it
    once, off the UI thread."""

    card: CardBackend
    """Where eID cards come from: real readers through pcscd, or a virtual card (practice
    mode, whose PIN the login screen shows). Watched once the API client exists."""

    secrets: SecretStore
    """Secrets that survive a restart: the system keyring, or memory in practice mode."""

    shutdown: Callable[[], None] = field(default=_nothing)
    """Releases what ``connect`` built (practice mode deletes its temporary data)."""

    store: Callable[[], LocalStore] | None = None
    """Opens the local store (drafts, cached queue, outbox) at the first call and gives the
    same store after. Blocks: call it off the UI thread. The agent's store is at
    ``[store] path``; practice mode's lives in its temporary directory. None: no store."""


@dataclass(frozen=True)
class Boot:
    """How an app starts. What the first frame needs is known at once and cheaply; the rest
    (validating the configuration, building the services) runs in a worker after the first
    paint, because pydantic alone costs more than Textual's whole first frame."""

    language: str
    """UI language of the first frame: the configuration's, read without validation."""

    theme: str
    """Textual theme of the first frame, likewise."""

    start: Callable[[], tuple[Settings, Services]]
    """Validates the configuration and builds the services; raises a UserError (bad
    configuration) that ends the app with one line and exit code 2."""

    marker: str | None = None
    """A permanent banner on every screen (practice mode: fake data), as an ``N_()`` text."""

    @classmethod
    def ready(cls, settings: Settings, services: Services, marker: str | None = None) -> Boot:
        """A boot whose settings and services exist already (tests, embedding)."""
        return cls(
            language=str(settings.ui.language),
            theme=settings.ui.theme,
            start=lambda: (settings, services),
            marker=marker,
        )
