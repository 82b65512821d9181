"""SVG snapshots of every screen state at a fixed terminal size.

Update after a deliberate change with ``pytest tests/ui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import SIZE, Practice, settle, signed_in
from tests.ui.interviewing import set_answer
from tests.ui.test_practice_flow import open_index_case
from tracer_tui.config import Settings


@pytest.fixture
def practice_fr(settings: Settings) -> Iterator[Practice]:
    session = Practice(settings, language="fr")
    yield session
    session.close()


async def open_interview(pilot: Pilot[None]) -> None:
    await signed_in(pilot)
    open_index_case(pilot.app)
    await pilot.press("enter")
    await settle(pilot)


def test_login_ready(practice: Practice, snap_compare: Any) -> None:
    assert snap_compare(practice.app, terminal_size=SIZE, run_before=settle)


def test_queue(practice: Practice, snap_compare: Any) -> None:
    assert snap_compare(practice.app, terminal_size=SIZE, run_before=signed_in)


def test_queue_in_french(practice_fr: Practice, snap_compare: Any) -> None:
    assert snap_compare(practice_fr.app, terminal_size=SIZE, run_before=signed_in)


def test_interview(practice: Practice, snap_compare: Any) -> None:
    assert snap_compare(practice.app, terminal_size=SIZE, run_before=open_interview)


def test_interview_with_errors(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_interview(pilot)
        await pilot.press("pagedown")
        await settle(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_review(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_interview(pilot)
        await set_answer(pilot, "identity_confirmed", True)
        await pilot.press("pagedown")
        await settle(pilot)
        await set_answer(pilot, "contacts_count", "2")
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)
