"""Practice-mode apps for Pilot and snapshot tests: the real server in-process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tracer_tui.client.services import Boot, Services
from tracer_tui.config import Settings
from tracer_tui.launch import PRACTICE_MARKER, PracticeWorld, practice_services
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
    def __init__(self, settings: Settings, language: str = "en") -> None:
        self.settings = settings.model_copy(
            update={"ui": settings.ui.model_copy(update={"language": language})}
        )
        self.world = PracticeWorld(self.settings, seed=7, now=FIXED_NOW)
        self.services: Services = practice_services(self.world)
        self.app: TracerApp = make_app(
            Boot.ready(self.settings, self.services, marker=PRACTICE_MARKER)
        )

    def close(self) -> None:
        self.services.shutdown()


@pytest.fixture
def practice(settings: Settings) -> Iterator[Practice]:
    session = Practice(settings)
    yield session
    session.close()


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and the screen is drawn."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def signed_in(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
