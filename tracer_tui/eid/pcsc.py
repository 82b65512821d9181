"""Real card readers through PC/SC (pcscd on Linux) with pyscard's low-level API.

``smartcard`` is imported lazily, only here and only when a function of this module is
called: the app must start without pyscard when the card backend is virtual. Every PC/SC
failure becomes a :mod:`tracer_tui.eid.errors` exception (``0x8010001D`` →
ServiceUnavailable, no readers → NoReader, no card → NoCard, removed → CardRemoved, ...).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from tracer_tui.eid.errors import (
    CardRemoved,
    EidError,
    NoCard,
    NoReader,
    NotBelgianEid,
    ReaderBusy,
    ServiceUnavailable,
    TransportError,
)

# PC/SC return codes (winscard / pcsc-lite), as unsigned 32-bit values.
E_CANCELLED = 0x80100002
E_UNKNOWN_READER = 0x80100009
E_TIMEOUT = 0x8010000A
E_SHARING_VIOLATION = 0x8010000B
E_NO_SMARTCARD = 0x8010000C
E_PROTO_MISMATCH = 0x8010000F
E_READER_UNAVAILABLE = 0x80100017
E_NO_SERVICE = 0x8010001D
E_SERVICE_STOPPED = 0x8010001E
E_NO_READERS_AVAILABLE = 0x8010002E
W_UNSUPPORTED_CARD = 0x80100065
W_UNRESPONSIVE_CARD = 0x80100066
W_UNPOWERED_CARD = 0x80100067
W_RESET_CARD = 0x80100068
W_REMOVED_CARD = 0x80100069


def _scard() -> Any:
    """The pyscard low-level module, imported on first use."""
    try:
        import smartcard.scard as scard
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise TransportError(
            "pyscard is not installed: install tracer with the 'pcsc' extra "
            "(it needs libpcsclite-dev and a C compiler to build)"
        ) from exc
    return scard


def error_for(code: int, action: str = "PC/SC") -> EidError:
    """The typed error for a PC/SC return code."""
    code &= 0xFFFFFFFF
    if code in (E_NO_SERVICE, E_SERVICE_STOPPED):
        return ServiceUnavailable()
    if code == E_NO_READERS_AVAILABLE:
        return NoReader()
    if code in (E_UNKNOWN_READER, E_READER_UNAVAILABLE):
        return NoReader("the card reader was disconnected or is not available")
    if code == E_NO_SMARTCARD:
        return NoCard()
    if code == W_REMOVED_CARD:
        return CardRemoved()
    if code == E_SHARING_VIOLATION:
        return ReaderBusy()
    if code in (W_UNRESPONSIVE_CARD, W_UNPOWERED_CARD):
        return TransportError("the card does not respond: check it is inserted the right way round")
    if code in (W_UNSUPPORTED_CARD, E_PROTO_MISMATCH):
        return NotBelgianEid()
    if code == W_RESET_CARD:
        return TransportError("the card was reset by another program: try again")
    if code == E_TIMEOUT:
        return TransportError(f"{action}: timed out")
    if code == E_CANCELLED:
        return TransportError(f"{action}: cancelled")
    return TransportError(f"{action} failed: PC/SC error 0x{code:08X}")


def _check(hresult: int, action: str) -> None:
    if hresult & 0xFFFFFFFF:
        raise error_for(hresult, action)


@dataclass(frozen=True)
class ReaderState:
    reader: str
    present: bool
    atr: bytes
    event_state: int = 0


class PcscContext:
    """A PC/SC context: list readers, read their states, wait for changes."""

    def __init__(self) -> None:
        self._scard = _scard()
        hresult, self._handle = self._scard.SCardEstablishContext(self._scard.SCARD_SCOPE_USER)
        _check(hresult, "connecting to the smart card service")
        self._closed = False

    @property
    def handle(self) -> Any:
        return self._handle

    def readers(self, name_filter: str | None = None) -> list[str]:
        """Reader names containing ``name_filter`` (case-insensitive); [] when none."""
        hresult, names = self._scard.SCardListReaders(self._handle, [])
        if hresult & 0xFFFFFFFF == E_NO_READERS_AVAILABLE:
            return []
        _check(hresult, "listing card readers")
        wanted = (name_filter or "").casefold()
        return [name for name in names if wanted in name.casefold()]

    def states(self, readers: list[str], timeout: float = 0.0) -> list[ReaderState]:
        """Current state of ``readers`` (returns at once)."""
        return self.wait_for_change([ReaderState(r, False, b"", 0) for r in readers], timeout)

    def wait_for_change(self, known: list[ReaderState], timeout: float) -> list[ReaderState]:
        """Block until one of ``known`` changes (or ``timeout`` seconds); new states.

        An ``event_state`` of 0 means "unaware": that reader's state is returned at once.
        On timeout the known states are returned unchanged.
        """
        s = self._scard
        query = [(k.reader, k.event_state & ~s.SCARD_STATE_CHANGED) for k in known]
        ms = s.INFINITE if timeout < 0 else int(timeout * 1000)
        hresult, answers = s.SCardGetStatusChange(self._handle, ms, query)
        code = hresult & 0xFFFFFFFF
        if code == E_TIMEOUT:
            return list(known)
        _check(hresult, "waiting for a card")
        return [
            ReaderState(name, bool(state & s.SCARD_STATE_PRESENT), bytes(atr or b""), state)
            for name, state, atr in answers
        ]

    def cancel(self) -> None:
        """Wake up a :meth:`wait_for_change` blocked in another thread."""
        if not self._closed:
            self._scard.SCardCancel(self._handle)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._scard.SCardReleaseContext(self._handle)

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def list_readers(name_filter: str | None = None) -> list[str]:
    with PcscContext() as context:
        return context.readers(name_filter)


class PcscTransport:
    """A connection to the card in one reader; a :class:`~tracer_tui.eid.transport.Transport`."""

    def __init__(self, context: PcscContext, reader: str, *, owns_context: bool = False) -> None:
        self._scard = _scard()
        self.context = context
        self.reader = reader
        self._owns_context = owns_context
        s = self._scard
        hresult, self._card, self._protocol = s.SCardConnect(
            context.handle,
            reader,
            s.SCARD_SHARE_SHARED,
            s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1,
        )
        _check(hresult, f"connecting to the card in {reader}")
        self._connected = True

    @classmethod
    def connect(
        cls, reader_filter: str | None = None, *, timeout: float = 3.0, poll: float = 0.25
    ) -> PcscTransport:
        """Connect to a card in a reader matching ``reader_filter``, waiting up to ``timeout``.

        pcscd sees a new card only at its next poll (``NoCard`` until then), so this
        retries until the deadline. Raises ServiceUnavailable, NoReader or NoCard.
        """
        context = PcscContext()
        try:
            return cls._connect_with(context, reader_filter, time.monotonic() + timeout, poll)
        except BaseException:
            context.close()
            raise

    @classmethod
    def _connect_with(
        cls, context: PcscContext, reader_filter: str | None, deadline: float, poll: float
    ) -> PcscTransport:
        while True:
            remaining = deadline - time.monotonic()
            readers = context.readers(reader_filter)
            if not readers:
                if remaining <= 0:
                    if reader_filter:
                        raise NoReader(f"no card reader matches {reader_filter!r}")
                    raise NoReader()
                time.sleep(min(remaining, poll))
                continue
            states = context.states(readers)
            error: EidError = NoCard()
            for state in states:
                if state.present:
                    try:
                        return cls(context, state.reader, owns_context=True)
                    except (NoCard, CardRemoved) as exc:  # not seen by pcscd yet, or gone
                        error = exc
            if remaining <= 0:
                raise error
            context.wait_for_change(states, min(remaining, poll))

    # --- Transport -------------------------------------------------------------------

    def transmit(self, apdu: bytes) -> bytes:
        if not self._connected:
            raise CardRemoved("the card connection is closed")
        hresult, answer = self._scard.SCardTransmit(self._card, self._protocol, list(apdu))
        code = hresult & 0xFFFFFFFF
        if code == E_NO_SMARTCARD:
            raise CardRemoved()
        _check(hresult, "sending a command to the card")
        return bytes(answer)

    @property
    def atr(self) -> bytes:
        hresult, _reader, _state, _protocol, atr = self._scard.SCardStatus(self._card)
        _check(hresult, "reading the card status")
        return bytes(atr)

    def card_present(self) -> bool:
        """False once the card has been taken out (or the reader unplugged)."""
        try:
            states = self.context.states([self.reader])
        except TransportError:
            return False
        return bool(states and states[0].present)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PcscTransport]:
        """Exclusive access to the card for a sequence of commands (VERIFY + sign)."""
        _check(self._scard.SCardBeginTransaction(self._card), "locking the card")
        try:
            yield self
        finally:
            self._scard.SCardEndTransaction(self._card, self._scard.SCARD_LEAVE_CARD)

    def close(self, *, reset: bool = False) -> None:
        """Disconnect; ``reset=True`` also clears the card's security status."""
        if self._connected:
            self._connected = False
            s = self._scard
            s.SCardDisconnect(self._card, s.SCARD_RESET_CARD if reset else s.SCARD_LEAVE_CARD)
        if self._owns_context:
            self.context.close()

    def __enter__(self) -> PcscTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --- insertion and removal --------------------------------------------------------------


@dataclass(frozen=True)
class CardEvent:
    kind: Literal["inserted", "removed"]
    reader: str
    atr: bytes = b""


class CardWatcher:
    """Report card insertions and removals in readers matching ``reader_filter``.

    Call :meth:`poll` in a worker thread (it blocks up to ``timeout``), or :meth:`start`
    a background thread that calls ``on_event`` for each event. The first poll reports the
    cards already present as "inserted". :meth:`stop` wakes a blocked poll at once.
    The PC/SC context is made on the first poll, and made again after pcscd restarts.
    """

    def __init__(self, reader_filter: str | None = None) -> None:
        self.reader_filter = reader_filter
        self._context: PcscContext | None = None
        self._known: dict[str, ReaderState] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _live_context(self) -> PcscContext:
        if self._context is None:  # first poll, or pcscd went away earlier
            self._context = PcscContext()
        return self._context

    def poll(self, timeout: float = 1.0) -> list[CardEvent]:
        context = self._live_context()
        readers = context.readers(self.reader_filter)
        events: list[CardEvent] = []
        for gone in set(self._known) - set(readers):
            if self._known.pop(gone).present:
                events.append(CardEvent("removed", gone))
        known = [self._known.get(r, ReaderState(r, False, b"", 0)) for r in readers]
        if any(k.event_state == 0 for k in known):
            timeout = 0.0  # a new reader: just learn its state
        if not known:
            self._stop.wait(timeout)
            return events
        for state in context.wait_for_change(known, timeout):
            before = self._known.get(state.reader)
            self._known[state.reader] = state
            was_present = before.present if before else False
            if state.present and not was_present:
                events.append(CardEvent("inserted", state.reader, state.atr))
            elif was_present and not state.present:
                events.append(CardEvent("removed", state.reader))
        return events

    def start(
        self,
        on_event: Callable[[CardEvent], None],
        *,
        on_error: Callable[[EidError], None] | None = None,
        timeout: float = 1.0,
    ) -> None:
        """Watch in a daemon thread; ``on_event`` runs in that thread.

        ``on_error`` hears PC/SC failures (e.g. ServiceUnavailable while pcscd is down);
        the watcher keeps retrying every ``timeout`` seconds until :meth:`stop`.
        """

        def run() -> None:
            while not self._stop.is_set():
                try:
                    events = self.poll(timeout)
                except TransportError as exc:
                    if self._stop.is_set():
                        return
                    if on_error is not None:
                        on_error(exc)
                    # pcscd stopped or restarted: start again with a new context
                    if self._context is not None:
                        self._context.close()
                        self._context = None
                    for reader, state in list(self._known.items()):
                        if state.present:
                            on_event(CardEvent("removed", reader))
                    self._known.clear()
                    self._stop.wait(timeout)
                    continue
                for event in events:
                    on_event(event)

        self._thread = threading.Thread(target=run, name="card-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._context is not None:
            self._context.cancel()
        if self._thread is not None:
            self._thread.join(5.0)
        if self._context is not None:
            self._context.close()
            self._context = None
