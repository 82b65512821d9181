"""The login through the real card stack: a private pcscd with a vpcd reader, the practice
agent's virtual eID in that reader, pyscard, and the app driven by Pilot.

Runs whenever pcscd, vsmartcard-vpcd and pyscard are installed (scripts/apt-packages.txt and
the 'pcsc' extra, which CI installs); skipped, saying what is missing, otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.eid.pcscd_stack import READER_NAME, PcscdStack, missing_parts, pcscd_with_vpcd
from tracer_tui.client.card import CardStatus, PcscCardBackend
from tracer_tui.client.secrets import MemorySecrets
from tracer_tui.client.services import Boot, Services
from tracer_tui.config import Settings
from tracer_tui.eid.vpcd import VpcdCard
from tracer_tui.launch import PracticeWorld
from tracer_tui.ui.app import TracerApp, make_app
from tracer_tui.ui.pin import PinInput
from tracer_tui.ui.screens.lock import LockScreen
from tracer_tui.ui.screens.pledge import PledgeScreen
from tracer_tui.ui.screens.queue import QueueScreen

MISSING = missing_parts()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)}")

SIZE = (110, 32)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscdStack]:
    with pcscd_with_vpcd(tmp_path_factory.mktemp("pcscd")) as running:
        yield running


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PracticeWorld]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    practice = PracticeWorld(Settings(), seed=11, cases=4)
    yield practice
    practice.stop()


def agent_app(world: PracticeWorld) -> TracerApp:
    """The agent app's wiring with pcscd as its card reader, against the practice server."""
    services = Services(
        connect=world.start,
        card=PcscCardBackend(READER_NAME, poll=0.5),
        secrets=MemorySecrets(),
        shutdown=world.stop,
    )
    return make_app(Boot.ready(world.settings, services))


async def wait_for(pilot: Pilot[None], ready: Callable[[], bool], timeout: float = 10) -> float:
    """Let the app run until ``ready()``; the seconds it took."""
    start = time.perf_counter()
    while not ready():
        if time.perf_counter() - start > timeout:
            raise AssertionError(f"still not there after {timeout} s: {pilot.app.screen}")
        await pilot.pause(0.02)
    return time.perf_counter() - start


def pin_offered(app: TracerApp) -> bool:
    entries = app.screen.query(PinInput)
    return bool(entries) and entries.first().display and not entries.first().disabled


async def type_pin(pilot: Pilot[None], pin: str) -> None:
    await pilot.press(*pin, "enter")


async def test_card_login_through_pcscd_then_pulling_the_card_locks(
    stack: PcscdStack, world: PracticeWorld
) -> None:
    app = agent_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.card_state is not None)
        assert app.card_state is not None
        assert app.card_state.status is CardStatus.NO_CARD
        assert world.card is not None
        card = VpcdCard(world.card, "127.0.0.1", stack.port).start()
        try:
            await wait_for(pilot, lambda: pin_offered(app))
            assert app.card_state.reader == stack.reader
            await type_pin(pilot, world.pin)
            await wait_for(pilot, lambda: isinstance(app.screen, PledgeScreen))
            await wait_for(pilot, lambda: not app.screen.query_one("#pledge-accept").disabled)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: pin_offered(app))
            await type_pin(pilot, world.pin)
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            await wait_for(pilot, lambda: bool(queue.tasks))
            assert app.agent is not None

            card.stop()  # the card is pulled out
            seen = await wait_for(pilot, lambda: isinstance(app.screen, LockScreen), 5)
            assert seen < 2.0
            assert app.screen_stack[-2] is queue

            card = VpcdCard(world.card, "127.0.0.1", stack.port).start()
            await wait_for(pilot, lambda: pin_offered(app))
            await type_pin(pilot, world.pin)
            await wait_for(pilot, lambda: app.screen is queue)
            assert not world.card.pin_verified
        finally:
            card.stop()
