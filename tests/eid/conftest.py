"""Fixtures of the card-layer tests: a test CA and personalised cards of both applets."""

from __future__ import annotations

import pytest

from tracer_tui.eid.personalise import Holder, PersonalisedCard, personalise
from tracer_tui.eid.testca import CertificateAuthority, generate_test_ca
from tracer_tui.eid.virtual import VirtualEid

APPLETS = ("1.7", "1.8")


@pytest.fixture(scope="session")
def test_ca() -> CertificateAuthority:
    return generate_test_ca("Tracer Unit Test", seed=7)


@pytest.fixture(scope="session")
def holder() -> Holder:
    return Holder(surname="Janssens", first_names="Pieter Jan", national_number="85031506233")


@pytest.fixture(scope="session")
def personalised(test_ca: CertificateAuthority, holder: Holder) -> dict[str, PersonalisedCard]:
    return {a: personalise(holder, applet=a, ca=test_ca, seed=7) for a in APPLETS}  # type: ignore[arg-type]


@pytest.fixture(params=APPLETS)
def applet(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def virtual(personalised: dict[str, PersonalisedCard], applet: str) -> VirtualEid:
    """A fresh virtual card (PIN 1234, 3 tries) of each applet in turn."""
    return VirtualEid(personalised[applet], pin="1234")


class Recorder:
    """A transport wrapper that keeps every APDU exchanged."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.sent: list[bytes] = []
        self.answers: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        answer: bytes = self.inner.transmit(apdu)  # type: ignore[attr-defined]
        self.answers.append(answer)
        return answer

    def hex_sent(self) -> list[str]:
        return [a.hex(" ").upper() for a in self.sent]
