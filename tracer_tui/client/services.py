"""What the app is given to work with. Agent, supervisor and practice modes differ only in
the services they inject, never in branches inside screens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracer_tui.client.api import ApiClient


def _nothing() -> None:
    return None


@dataclass
class Services:
    connect: Callable[[], ApiClient]
    """Builds the API client. May be slow (practice mode boots its server): the UI calls it
    once, off the UI thread, after the first paint."""

    dev_identity: str | None = None
    """National number for the development login (practice mode only)."""

    marker: str | None = None
    """A permanent banner shown on every screen (practice mode: fake data)."""

    shutdown: Callable[[], None] = field(default=_nothing)
    """Releases what ``connect`` built (practice mode deletes its temporary data)."""
