"""The vpcd protocol, against a small fake vpcd that writes like Debian's (two send() calls)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.eid.vpcd import VpcdCard, parse_endpoint


class FakeVpcd:
    """The reader side: listens, sends length and payload separately (Nagle left on)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self, timeout: float = 5.0) -> None:
        self.server.settimeout(timeout)
        self.conn, _ = self.server.accept()
        self.conn.settimeout(timeout)

    def send(self, payload: bytes) -> None:
        assert self.conn is not None
        self.conn.send(len(payload).to_bytes(2, "big"))
        self.conn.send(payload)

    def recv(self) -> bytes:
        assert self.conn is not None
        header = self._exact(2)
        return self._exact(int.from_bytes(header, "big"))

    def _exact(self, size: int) -> bytes:
        assert self.conn is not None
        data = b""
        while len(data) < size:
            chunk = self.conn.recv(size - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def exchange(self, apdu: bytes) -> bytes:
        self.send(apdu)
        return self.recv()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


@pytest.fixture
def fake_vpcd() -> Iterator[FakeVpcd]:
    fake = FakeVpcd()
    yield fake
    fake.close()


def test_control_codes_and_apdus(fake_vpcd: FakeVpcd, virtual: VirtualEid) -> None:
    card = VpcdCard(virtual, "127.0.0.1", fake_vpcd.port).start(wait=None)
    try:
        fake_vpcd.accept()
        assert card.connected.wait(2)
        fake_vpcd.send(b"\x04")
        assert fake_vpcd.recv() == virtual.atr
        fake_vpcd.send(b"\x01")  # power on: no answer
        assert fake_vpcd.exchange(bytes.fromhex("80E400001C"))[-2:] == b"\x90\x00"
        assert fake_vpcd.exchange(bytes.fromhex("00200001082412 34FFFFFFFFFF")) == (b"\x90\x00")
        assert virtual.pin_verified
        fake_vpcd.send(b"\x02")  # reset: the PIN is forgotten
        fake_vpcd.send(b"\x04")
        assert fake_vpcd.recv() == virtual.atr
        assert not virtual.pin_verified
        assert card.apdu_count == 2
    finally:
        card.stop()


def test_quickack_keeps_apdus_fast(fake_vpcd: FakeVpcd, virtual: VirtualEid) -> None:
    """With Nagle on the reader side, a delayed ACK would cost ~40 ms per APDU."""
    card = VpcdCard(virtual, "127.0.0.1", fake_vpcd.port).start(wait=None)
    try:
        fake_vpcd.accept()
        apdu = bytes.fromhex("80E400001C")
        fake_vpcd.exchange(apdu)
        rounds = 50
        start = time.perf_counter()
        for _ in range(rounds):
            assert fake_vpcd.exchange(apdu)[-2:] == b"\x90\x00"
        per_apdu = (time.perf_counter() - start) / rounds
        assert per_apdu < 0.010, f"{per_apdu * 1000:.1f} ms per APDU"
    finally:
        card.stop()


def test_stop_removes_the_card(fake_vpcd: FakeVpcd, virtual: VirtualEid) -> None:
    card = VpcdCard(virtual, "127.0.0.1", fake_vpcd.port).start(wait=None)
    fake_vpcd.accept()
    assert card.connected.wait(2)
    started = time.perf_counter()
    card.stop()
    with pytest.raises(EOFError):
        fake_vpcd.recv()
    assert time.perf_counter() - started < 1.0
    assert not card.running


def test_waits_for_vpcd_then_connects(virtual: VirtualEid) -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens on the port for now
    events: list[str] = []
    card = VpcdCard(virtual, "127.0.0.1", port, retry_interval=0.05, on_event=events.append)
    card.start(wait=None)
    try:
        time.sleep(0.2)
        assert not card.connected.is_set()
        server = socket.create_server(("127.0.0.1", port))
        try:
            server.settimeout(5)
            conn, _ = server.accept()
            assert card.connected.wait(2)
            conn.close()
        finally:
            server.close()
    finally:
        card.stop()
    assert events[0].startswith("waiting for vpcd")
    assert any(e.startswith("card inserted") for e in events)


def test_start_fails_without_vpcd(virtual: VirtualEid) -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(ConnectionError, match="could not reach vpcd"):
        VpcdCard(virtual, "127.0.0.1", port, retry_interval=0.05).start(wait=0.3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:35963", ("127.0.0.1", 35963)),
        ("localhost", ("localhost", 35963)),
        (":35964", ("127.0.0.1", 35964)),
        ("[::1]:40000", ("::1", 40000)),
    ],
)
def test_parse_endpoint(text: str, expected: tuple[str, int]) -> None:
    assert parse_endpoint(text) == expected


@pytest.mark.parametrize("text", ["host:port", "host:0", "host:70000"])
def test_parse_endpoint_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="port"):
        parse_endpoint(text)
