"""Practice-mode apps for Pilot and snapshot tests: the real server in-process."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tracer_tui.client.api import ApiClient
from tracer_tui.client.card import VirtualCardBackend
from tracer_tui.client.services import Boot, Services
from tracer_tui.config import Settings
from tracer_tui.eid.personalise import Holder, personalise
from tracer_tui.eid.testca import CertificateAuthority, generate_test_ca
from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.launch import PRACTICE_CA, PRACTICE_MARKER, PracticeWorld, practice_services
from tracer_tui.ui.app import TracerApp, make_app

FIXED_NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SCRIPTS = Path(__file__).resolve().parent / "scripts"
SIZE = (110, 32)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return Settings(central={"questionnaires_dir": SCRIPTS})


class Practice:
    """A practice-mode app: the server in-process, the practice card in a virtual reader
    (``cards``: insert and remove cards). ``connect`` replaces ``PracticeWorld.start``."""

    def __init__(
        self,
        settings: Settings,
        language: str = "en",
        connect: Callable[[PracticeWorld], ApiClient] | None = None,
    ) -> None:
        self.settings = settings.model_copy(
            update={"ui": settings.ui.model_copy(update={"language": language})}
        )
        self.world = PracticeWorld(self.settings, seed=7, now=FIXED_NOW)
        self.services: Services = practice_services(self.world, connect)
        self.cards = cast(VirtualCardBackend, self.services.card)
        self.app: TracerApp = make_app(
            Boot.ready(self.settings, self.services, marker=PRACTICE_MARKER)
        )

    @property
    def card(self) -> VirtualEid:
        """The practice agent's card (once the app has connected)."""
        assert self.world.card is not None
        return self.world.card

    def other_card(
        self,
        *,
        national_number: str | None = None,
        ca: CertificateAuthority | None = None,
        seed: int = 99,
        valid_from: date | None = None,
    ) -> VirtualEid:
        """Another card: by default the practice agent's name and national number on a new
        card of the practice CA (PIN 1234); change the person, the CA or the dates."""
        identity = self.card.card.identity
        holder = Holder(
            surname=identity.surname,
            first_names=identity.first_names,
            national_number=national_number or identity.national_number,
        )
        issuer = ca or generate_test_ca(PRACTICE_CA, seed=self.world.seed)
        return VirtualEid(personalise(holder, ca=issuer, seed=seed, valid_from=valid_from))

    def close(self) -> None:
        self.services.shutdown()


@pytest.fixture
def practice(settings: Settings) -> Iterator[Practice]:
    session = Practice(settings)
    yield session
    session.close()


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished, the messages they posted are handled (which
    may start more workers: connect, then read the card…) and the screen is drawn."""
    quiet = 0
    for _ in range(30):
        # an exclusive worker replaced by a newer one is cancelled: go on waiting
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet = 0 if any(worker.is_running for worker in pilot.app.workers) else quiet + 1
        if quiet >= 3:
            return


def practice_pin(app: App[None]) -> str:
    assert isinstance(app, TracerApp)
    pin = app.services.card.pin_hint
    assert pin is not None
    return pin


async def type_pin(pilot: Pilot[None], pin: str | None = None) -> None:
    """Type the PIN (the practice card's by default) and Enter, then settle."""
    await pilot.press(*(pin or practice_pin(pilot.app)), "enter")
    await settle(pilot)


async def signed_in(pilot: Pilot[None]) -> None:
    """The real card login of practice mode: the practice PIN, then the pledge if due."""
    from tracer_tui.ui.screens.pledge import PledgeScreen

    await settle(pilot)
    await type_pin(pilot)
    if isinstance(pilot.app.screen, PledgeScreen):
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_pin(pilot)
