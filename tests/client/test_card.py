"""Card backends: the virtual reader's states, sessions on a card, and the pcsc backend's
states without pcscd."""

from __future__ import annotations

import time

import pytest

from tracer_tui.client.card import (
    CardSession,
    CardState,
    CardStatus,
    PcscCardBackend,
    VirtualCardBackend,
)
from tracer_tui.eid.card import EidFile
from tracer_tui.eid.errors import CardRemoved, NoCard, SecurityStatusNotSatisfied, WrongPin
from tracer_tui.eid.personalise import Holder, personalise
from tracer_tui.eid.signature import verify_card_signature
from tracer_tui.eid.testca import generate_test_ca
from tracer_tui.eid.virtual import VirtualEid

HOLDER = Holder(surname="Claes", first_names="Lotte", national_number="85031506233")


@pytest.fixture(scope="module", params=["1.7", "1.8"])
def card_files(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return personalise(HOLDER, applet=request.param, ca=generate_test_ca("Client Test", seed=3))


@pytest.fixture
def card(card_files) -> VirtualEid:  # type: ignore[no-untyped-def]
    return VirtualEid(card_files, pin="4321")


def test_the_virtual_reader_reports_now_and_at_every_change(card: VirtualEid) -> None:
    seen: list[CardState] = []
    reader = VirtualCardBackend(pin_hint="4321")
    reader.start(seen.append)
    reader.insert(card)
    reader.remove()
    reader.insert(card)
    reader.stop()
    reader.remove()  # not watched any more
    assert [(s.status, s.insertion) for s in seen] == [
        (CardStatus.NO_CARD, 0),
        (CardStatus.PRESENT, 1),
        (CardStatus.NO_CARD, 1),
        (CardStatus.PRESENT, 2),
    ]
    assert reader.pin_hint == "4321"


def test_a_session_reads_the_holder_without_pin(card: VirtualEid) -> None:
    session = VirtualCardBackend(card).open()
    holder = session.read_holder()
    assert holder.display_name == "Lotte Claes"
    assert holder.national_number == "85031506233"
    assert holder.certificate == card.card.files[EidFile.AUTH_CERTIFICATE.path]
    assert holder.ca_certificate == card.card.ca.citizen_ca.der
    expected_tries = 3 if card.card.applet_version >= 0x18 else None
    assert holder.pin_tries_left == expected_tries
    assert not holder.blocked
    assert "Claes" not in repr(holder)
    assert "85031506233" not in repr(holder)


def test_signing_verifies_the_pin_then_logs_off(card: VirtualEid) -> None:
    session = VirtualCardBackend(card).open()
    signed = session.sign(b"hello", "4321")
    certificate = card.card.certificates.authentication.certificate
    assert verify_card_signature(certificate, b"hello", signed)
    assert not card.pin_verified
    with pytest.raises(SecurityStatusNotSatisfied):
        session.sign(b"hello", None)
    with pytest.raises(WrongPin) as wrong:
        session.sign(b"hello", "0000")
    assert wrong.value.tries_left == 2


def test_a_session_ends_with_its_card(card: VirtualEid) -> None:
    reader = VirtualCardBackend(card)
    session = reader.open()
    reader.remove()
    with pytest.raises(CardRemoved):
        session.read_holder()
    reader.insert(card)  # the same card again is a new insertion: a new session
    with pytest.raises(CardRemoved):
        session.read_holder()
    reader.open().read_holder()
    session.close()
    with pytest.raises(NoCard):
        session.read_holder()


def test_opening_an_empty_reader_says_no_card() -> None:
    with pytest.raises(NoCard):
        VirtualCardBackend().open()


def test_a_session_runs_its_operations_inside_the_transaction(card: VirtualEid) -> None:
    events: list[str] = []

    class Transaction:
        def __enter__(self) -> None:
            events.append("begin")

        def __exit__(self, *exc: object) -> None:
            events.append("end")

    session = CardSession(card, 1, transaction=Transaction, close=lambda: events.append("close"))
    session.read_holder()
    session.close()
    session.close()
    assert events == ["begin", "end", "close"]


@pytest.fixture
def no_pcscd(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyscard answering as if pcscd were not running."""
    from tracer_tui.eid import pcsc
    from tracer_tui.eid.errors import ServiceUnavailable

    class Down:
        def __init__(self) -> None:
            raise ServiceUnavailable()

    monkeypatch.setattr(pcsc, "PcscContext", Down)


def test_the_pcsc_backend_says_when_pcscd_is_not_running(no_pcscd: None) -> None:
    seen: list[CardState] = []
    backend = PcscCardBackend("some reader", poll=0.05)
    assert backend.pin_hint is None
    backend.start(seen.append)
    deadline = time.monotonic() + 3
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    backend.stop()
    assert time.monotonic() - started < 1
    assert seen[0].status is CardStatus.NO_SERVICE
    assert len(seen) == 1  # told once, not at every retry
