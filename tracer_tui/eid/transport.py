"""The one thing the card layer needs from a reader: ``transmit(apdu) -> response``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class Transport(Protocol):
    """Send one command APDU, return the response data followed by SW1 SW2.

    Implementations: :class:`tracer_tui.eid.pcsc.PcscTransport` (a real reader through
    pcscd) and :class:`tracer_tui.eid.virtual.VirtualEid` (the in-process virtual card).
    They raise :class:`tracer_tui.eid.errors.TransportError` subclasses, never
    library-specific exceptions.
    """

    def transmit(self, apdu: bytes) -> bytes: ...


class CountingTransport:
    """Wrap a transport to count APDUs and the time spent in them (benchmarks, tests)."""

    def __init__(self, inner: Transport, log: Callable[[bytes, bytes], None] | None = None):
        self.inner = inner
        self.count = 0
        self.seconds = 0.0
        self._log = log

    def transmit(self, apdu: bytes) -> bytes:
        start = time.perf_counter()
        try:
            answer = self.inner.transmit(apdu)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1
        if self._log is not None:
            self._log(apdu, answer)
        return answer

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0
