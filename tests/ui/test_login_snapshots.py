"""SVG snapshots of the login states, the pledge and the lock (practice mode, fixed size).

Update after a deliberate change with
``pytest tests/ui/test_login_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.ui.conftest import SIZE, Practice, settle, signed_in, type_pin


def test_waiting_for_a_card(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        practice.cards.remove()
        await settle(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_pin_entry_with_the_holder_name(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*"12")

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_wrong_pin(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await type_pin(pilot, "0000")

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_blocked_card(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for _ in range(3):
            await type_pin(pilot, "0000")

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_pledge(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await type_pin(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_pledge_asks_for_the_pin(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await type_pin(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_lock(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await signed_in(pilot)
        practice.cards.remove()
        await settle(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)


def test_lock_refuses_another_persons_card(practice: Practice, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await signed_in(pilot)
        practice.cards.insert(practice.other_card(national_number="85073003328"))
        await settle(pilot)

    assert snap_compare(practice.app, terminal_size=SIZE, run_before=run_before)
