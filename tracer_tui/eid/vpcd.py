"""Put a virtual card in a vpcd reader (vsmartcard's virtual PC/SC reader driver).

vpcd listens (default TCP 35963); the card is the client. Every message is a 2-byte
big-endian length and a payload. A 1-byte payload is a control code (``00`` power off,
``01`` power on, ``02`` reset, ``04`` get ATR: only this one is answered); anything else is
a command APDU, answered with data + SW1 SW2. Closing the connection removes the card.

Debian's vpcd sends the length and the payload in two writes; with Nagle and delayed ACK
each APDU would cost ~40 ms, so TCP_QUICKACK is set before every ``recv`` (Linux clears it).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Protocol

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963

CTRL_POWER_OFF = 0x00
CTRL_POWER_ON = 0x01
CTRL_RESET = 0x02
CTRL_GET_ATR = 0x04

_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


class VirtualCard(Protocol):
    """What vpcd needs from a card (:class:`tracer_tui.eid.virtual.VirtualEid` is one)."""

    @property
    def atr(self) -> bytes: ...

    def transmit(self, apdu: bytes) -> bytes: ...

    def reset(self) -> None: ...


def parse_endpoint(text: str) -> tuple[str, int]:
    """``"HOST:PORT"`` (or ``"HOST"``, or ``":PORT"``) → ``(host, port)``."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = text, str(DEFAULT_PORT)
    host = host.strip("[]") or DEFAULT_HOST
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"bad port in {text!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port out of range in {text!r}")
    return host, port


class VpcdCard:
    """Serve ``card`` to vpcd at ``host:port`` until :meth:`stop` (or vpcd closes)."""

    def __init__(
        self,
        card: VirtualCard,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        reconnect: bool = False,
        retry_interval: float = 0.2,
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.reconnect = reconnect
        self.retry_interval = retry_interval
        self.connected = threading.Event()
        self.apdu_count = 0
        self._on_event = on_event or (lambda _message: None)
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------

    def start(self, *, wait: float | None = 5.0) -> VpcdCard:
        """Serve in a background thread; wait up to ``wait`` seconds for the connection."""
        self._thread = threading.Thread(target=self.serve, name="vpcd-card", daemon=True)
        self._thread.start()
        if wait is not None and not self.connected.wait(wait):
            self.stop()
            raise ConnectionError(f"could not reach vpcd at {self.host}:{self.port}")
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Take the card out of the reader: close the connection and end the thread."""
        self._stop.set()
        self._close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> VpcdCard:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve(self) -> None:
        """Connect (retrying while vpcd is not there) and answer until stopped."""
        while not self._stop.is_set():
            sock = self._connect()
            if sock is None:
                return
            self._on_event(f"card inserted in vpcd at {self.host}:{self.port}")
            try:
                self._serve(sock)
            except OSError:
                pass
            finally:
                self.connected.clear()
                self._close()
            if self._stop.is_set():
                self._on_event("card removed")
                return
            self._on_event("vpcd closed the connection")
            if not self.reconnect:
                return
            self._stop.wait(self.retry_interval)

    # --- inside ----------------------------------------------------------------------

    def _connect(self) -> socket.socket | None:
        warned = False
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
            except OSError as exc:
                if not warned:
                    self._on_event(f"waiting for vpcd at {self.host}:{self.port} ({exc})")
                    warned = True
                self._stop.wait(self.retry_interval)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._stop.is_set():
                    sock.close()
                    return None
                self._sock = sock
            self.connected.set()
            return sock
        return None

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _recv_exact(self, sock: socket.socket, size: int) -> bytes | None:
        buffer = bytearray()
        while len(buffer) < size:
            if _TCP_QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)
            chunk = sock.recv(size - len(buffer))
            if not chunk:
                return None
            buffer += chunk
        return bytes(buffer)

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            header = self._recv_exact(sock, 2)
            if header is None:
                return
            payload = self._recv_exact(sock, int.from_bytes(header, "big"))
            if payload is None:
                return
            if len(payload) == 1:
                self._control(sock, payload[0])
                continue
            self.apdu_count += 1
            self._send(sock, self.card.transmit(payload))

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == CTRL_GET_ATR:
            self._send(sock, self.card.atr)
        elif code in (CTRL_POWER_OFF, CTRL_POWER_ON, CTRL_RESET):
            self.card.reset()


def run_until_interrupted(card: VpcdCard, poll: float = 0.5) -> None:
    """Serve in the background and return on Ctrl-C (the card is then removed)."""
    card.start(wait=None)
    try:
        while card.running:
            time.sleep(poll)
    except KeyboardInterrupt:
        pass
    finally:
        card.stop()
