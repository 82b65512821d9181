"""The real stack: pcscd + vpcd + the virtual card + pyscard.

Runs whenever pcscd, vsmartcard-vpcd and pyscard are installed (scripts/apt-packages.txt and
the 'pcsc' extra); skipped, saying what is missing, otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from tracer_tui.eid import (
    BelgianEid,
    CardRemoved,
    CountingTransport,
    PinBlocked,
    WrongPin,
    verify_card_signature,
)
from tracer_tui.eid.apdu import response
from tracer_tui.eid.personalise import PersonalisedCard
from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.eid.vpcd import VirtualCard, VpcdCard

from .pcscd_stack import READER_NAME, PcscdStack, missing_parts, pcscd_with_vpcd

MISSING = missing_parts()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)}")

RUN_CLI = "from tracer_tui.cli_card import main; main(prog_name='tracer card')"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscdStack]:
    with pcscd_with_vpcd(tmp_path_factory.mktemp("pcscd")) as running:
        yield running


def wait_until_empty(stack: PcscdStack, timeout: float = 3.0) -> float:
    """Seconds until pcscd reports no card in the reader."""
    from tracer_tui.eid.pcsc import PcscContext

    start = time.perf_counter()
    with PcscContext() as context:
        states = context.states([stack.reader])
        while states[0].present:
            remaining = timeout - (time.perf_counter() - start)
            if remaining <= 0:
                raise AssertionError("pcscd still sees a card")
            states = context.wait_for_change(states, remaining)
    return time.perf_counter() - start


Insert = Callable[[VirtualCard], VpcdCard]


@pytest.fixture
def insert(stack: PcscdStack) -> Iterator[Insert]:
    """insert(card) puts a card in the vpcd slot; it is removed at the end of the test."""
    runners: list[VpcdCard] = []

    def put(card: VirtualCard) -> VpcdCard:
        runner = VpcdCard(card, "127.0.0.1", stack.port).start()
        runners.append(runner)
        return runner

    yield put
    for runner in runners:
        if runner.running:
            runner.stop()
            wait_until_empty(stack)


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_login_sequence_and_removal(
    stack: PcscdStack,
    insert: Insert,
    personalised: dict[str, PersonalisedCard],
    applet: str,
    record_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tracer_tui.eid.pcsc import CardEvent, CardWatcher, PcscTransport

    card = VirtualEid(personalised[applet])
    runner = insert(card)
    inserted = time.perf_counter()
    transport = PcscTransport.connect(READER_NAME, timeout=5)
    connected = time.perf_counter() - inserted
    counter = CountingTransport(transport)
    eid = BelgianEid(counter)
    nonce = os.urandom(32)

    start = time.perf_counter()
    identity = eid.read_identity()
    certificate = eid.read_authentication_certificate()
    eid.verify_pin("1234")
    signature = eid.sign(nonce)
    eid.logoff()
    elapsed = time.perf_counter() - start

    assert identity.surname == "Janssens"
    assert verify_card_signature(certificate, nonce, signature)
    assert elapsed < 1.0
    figure = (
        f"applet {applet} through pcscd+vpcd: identity + certificate + VERIFY + sign + "
        f"LOGOFF = {counter.count} APDUs in {elapsed * 1000:.1f} ms "
        f"(connect after insertion {connected * 1000:.0f} ms)"
    )
    record_property("figure", figure)
    with capsys.disabled():
        print(f"\n[figure] {figure}")

    watcher = CardWatcher(READER_NAME)
    try:
        assert [e.kind for e in watcher.poll(0)] == ["inserted"]
        runner.stop()
        removed_at = time.perf_counter()
        events: list[CardEvent] = []
        while not events and time.perf_counter() - removed_at < 3:
            events = watcher.poll(0.5)
        seen_after = time.perf_counter() - removed_at
    finally:
        watcher.stop()
    assert [e.kind for e in events] == ["removed"]
    assert seen_after < 2.0
    with pytest.raises(CardRemoved):
        eid.card_data(refresh=True)
    assert not transport.card_present()
    transport.close()


def test_watcher_callbacks(
    stack: PcscdStack, insert: Insert, personalised: dict[str, PersonalisedCard]
) -> None:
    from tracer_tui.eid.pcsc import CardEvent, CardWatcher

    seen: list[CardEvent] = []
    watcher = CardWatcher("tracer test")
    watcher.start(seen.append, timeout=10)
    try:
        runner = insert(VirtualEid(personalised["1.8"]))
        deadline = time.monotonic() + 3
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        runner.stop()
        while len(seen) < 2 and time.monotonic() < deadline + 3:
            time.sleep(0.05)
    finally:
        stopping = time.perf_counter()
        watcher.stop()  # wakes the blocked wait at once
        assert time.perf_counter() - stopping < 1.0
    assert [e.kind for e in seen] == ["inserted", "removed"]
    assert seen[0].atr == personalised["1.8"].atr


def test_wrong_pin_until_blocked(
    stack: PcscdStack, insert: Insert, personalised: dict[str, PersonalisedCard]
) -> None:
    from tracer_tui.eid.pcsc import PcscTransport

    insert(VirtualEid(personalised["1.8"]))
    with PcscTransport.connect(READER_NAME, timeout=5) as transport:
        eid = BelgianEid(transport)
        with pytest.raises(WrongPin) as wrong:
            eid.verify_pin("0000")
        assert wrong.value.tries_left == 2
        assert eid.pin_tries_left() == 2
        with pytest.raises(WrongPin):
            eid.verify_pin("0000")
        with pytest.raises(PinBlocked):
            eid.verify_pin("0000")
        with pytest.raises(PinBlocked):
            eid.verify_pin("1234")


def test_cli_info(
    stack: PcscdStack, insert: Insert, personalised: dict[str, PersonalisedCard]
) -> None:
    card = personalised["1.7"]
    insert(VirtualEid(card))
    result = run_cli("info", "--reader", "tracer TEST", "--timeout", "5")
    assert result.returncode == 0, result.stderr
    number = card.identity.card_number
    assert f"Reader:         {stack.reader}" in result.stdout
    assert "Applet:         1.7 (RSA)" in result.stdout
    assert "Holder:         Pieter Jan Janssens" in result.stdout
    assert f"Card number:    {number[:3]}-{number[3:10]}-{number[10:]}" in result.stdout
    assert "(valid)" in result.stdout


def test_cli_info_errors(stack: PcscdStack, insert: Insert) -> None:
    no_card = run_cli("info", "--timeout", "0.3")
    assert no_card.returncode == 2
    assert no_card.stderr == "tracer card: error: no card in the reader: insert your eID card\n"
    no_reader = run_cli("info", "--reader", "Brand X", "--timeout", "0")
    assert no_reader.returncode == 2
    assert no_reader.stderr == "tracer card: error: no card reader matches 'Brand X'\n"

    class OtherCard:
        atr = bytes.fromhex("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A")

        def transmit(self, apdu: bytes) -> bytes:
            return response(sw=0x6D00)

        def reset(self) -> None:
            pass

    insert(OtherCard())
    other = run_cli("info", "--timeout", "5")
    assert other.returncode == 2
    assert other.stderr.startswith("tracer card: error: the card is not a Belgian eID")
    assert "Traceback" not in other.stderr


def test_cli_virtual_card(stack: PcscdStack) -> None:
    from tracer_tui.eid.pcsc import PcscTransport

    process = subprocess.Popen(
        [
            sys.executable, "-c", RUN_CLI, "virtual",
            "--vpcd", f"127.0.0.1:{stack.port}",
            "--applet", "1.7",
            "--pin", "4321",
            "--name", "Van den Berg, Els",
            "--national-number", "85.07.30-033.28",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        with PcscTransport.connect(READER_NAME, timeout=10) as transport:
            eid = BelgianEid(transport)
            identity = eid.read_identity()
            assert (identity.first_names, identity.surname) == ("Els", "Van den Berg")
            assert identity.national_number == "85073003328"
            assert identity.sex == "M"
            certificate = eid.read_authentication_certificate()
            assert verify_card_signature(certificate, b"x", eid.sign(b"x", pin="4321"))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "PIN 4321" in out
    assert "Traceback" not in err
    assert wait_until_empty(stack) < 2.0
