"""What the agent is told about sync: one sentence that says what happens next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracer_tui.client.sync import SyncStatus
from tracer_tui.core.i18n import set_language
from tracer_tui.ui.sync import describe_sync, waiting_label

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (SyncStatus(), ""),
        (SyncStatus(online=True, last_sync=NOW), "Everything is sent."),
        (SyncStatus(online=True, pending=3, syncing=True), "Sending 3 items…"),
        (
            SyncStatus(
                online=False,
                pending=2,
                last_error="unreachable",
                retry_at=NOW + timedelta(seconds=30),
            ),
            "The server cannot be reached. 2 items are kept on this computer and will be "
            "sent. Will retry in 30 s.",
        ),
        (
            SyncStatus(
                online=True, pending=1, last_error="server_error", retry_at=NOW + timedelta(2)
            ),
            "The server had a problem. 1 item is kept on this computer and will be sent. "
            "Will retry in 172800 s.",
        ),
        (
            SyncStatus(online=True, pending=4, signed_out=True),
            "4 items wait: they will be sent once you sign in again.",
        ),
        (
            SyncStatus(online=True, signed_out=True),
            "Sign in again to go on syncing with the server.",
        ),
        (
            SyncStatus(online=True, errors=1, last_sync=NOW),
            "1 item was refused by the server and is kept: see the outbox.",
        ),
    ],
)
def test_the_sentence_says_what_happens_next(status: SyncStatus, sentence: str) -> None:
    assert describe_sync(status, NOW) == sentence


def test_the_countdown_never_shows_zero_or_less() -> None:
    status = SyncStatus(online=False, last_error="timeout", retry_at=NOW - timedelta(seconds=5))
    assert describe_sync(status, NOW).endswith("Will retry in 1 s.")


def test_waiting_label_and_counts() -> None:
    assert waiting_label(1) == "1 waiting"
    assert waiting_label(12) == "12 waiting"
    assert SyncStatus(pending=2, errors=1).waiting == 3
