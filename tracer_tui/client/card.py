"""The card reader as the app sees it: a backend that watches for cards and opens them.

Two backends, chosen by the services of each mode (``[card] backend``):

- :class:`PcscCardBackend`: real readers through pcscd, with the card layer's
  :class:`~tracer_tui.eid.pcsc.CardWatcher` and :class:`~tracer_tui.eid.pcsc.PcscTransport`,
  limited to readers whose name contains ``[card] reader``. pyscard is imported by the
  watcher thread, never at start-up.
- :class:`VirtualCardBackend`: an in-process :class:`~tracer_tui.eid.virtual.VirtualEid`
  (practice mode, tests), inserted and removed by calling :meth:`~VirtualCardBackend.insert`
  and :meth:`~VirtualCardBackend.remove`.

A backend reports :class:`CardState` changes to one callback, from any thread. Opening the
present card gives a :class:`CardSession`, whose operations block: call them off the UI
thread (:mod:`tracer_tui.client.login` does).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from tracer_tui.eid.card import BelgianEid, EidFile
from tracer_tui.eid.errors import (
    CardRemoved,
    EidError,
    NoCard,
    ServiceUnavailable,
    TransportError,
)
from tracer_tui.eid.signature import CardSignature, SignatureScheme

if TYPE_CHECKING:
    from tracer_tui.eid.pcsc import CardWatcher, PcscContext
    from tracer_tui.eid.transport import Transport
    from tracer_tui.eid.virtual import VirtualEid

log = logging.getLogger(__name__)


class CardStatus(Enum):
    STARTING = "starting"
    """Not watching yet (the app is still connecting)."""
    NO_SERVICE = "no_service"
    """The smart card service (pcscd) is not running."""
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    PRESENT = "present"


@dataclass(frozen=True)
class CardState:
    """What the reader holds now. ``insertion`` grows at every insertion: two states with
    a card present and the same ``insertion`` are the same card, left in the reader."""

    status: CardStatus
    reader: str = ""
    insertion: int = 0

    @property
    def present(self) -> bool:
        return self.status is CardStatus.PRESENT


OnChange = Callable[[CardState], None]


@dataclass(frozen=True)
class CardHolder:
    """What the card tells without its PIN, for the login and the lock.

    Personal data: kept in memory for the session, never logged (``repr`` hides it).
    """

    display_name: str
    national_number: str
    certificate: bytes
    """DER of the authentication certificate (file 5038)."""
    ca_certificate: bytes
    """DER of the citizen CA certificate that issued it (file 503A)."""
    scheme: SignatureScheme
    pin_tries_left: int | None
    """From the card on applet 1.8; None when the card does not say (applet 1.7)."""

    def __repr__(self) -> str:
        return f"CardHolder(scheme={self.scheme.name}, pin_tries_left={self.pin_tries_left})"

    @property
    def blocked(self) -> bool:
        return self.pin_tries_left == 0


class CardSession:
    """One inserted card, opened. Every method blocks and is serialised by a lock."""

    def __init__(
        self,
        transport: Transport,
        insertion: int,
        *,
        close: Callable[[], None] | None = None,
        transaction: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> None:
        self.eid = BelgianEid(transport)
        self.insertion = insertion
        self._close = close
        self._transaction = transaction or contextlib.nullcontext
        self._lock = threading.Lock()
        self.closed = False

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[BelgianEid]:
        with self._lock:
            if self.closed:
                raise NoCard("the card session is closed")
            with self._transaction():
                yield self.eid

    def read_holder(self) -> CardHolder:
        """Identity and the two certificates of the login (no PIN needed)."""
        with self._exclusive() as eid:
            eid.card_data()
            identity = eid.read_identity()
            certificate = eid.read_file(EidFile.AUTH_CERTIFICATE)
            ca_certificate = eid.read_file(EidFile.CA_CERTIFICATE)
            tries = eid.pin_tries_left()
            return CardHolder(
                display_name=identity.full_name,
                national_number=identity.national_number,
                certificate=certificate,
                ca_certificate=ca_certificate,
                scheme=eid.scheme,
                pin_tries_left=tries,
            )

    def sign(self, message: bytes, pin: str | None) -> CardSignature:
        """Sign ``message`` with the authentication key (VERIFY first when ``pin`` is
        given), then LOGOFF whatever happened: the PIN never stays verified."""
        with self._exclusive() as eid:
            try:
                return eid.sign(message, pin=pin)
            finally:
                with contextlib.suppress(EidError):
                    eid.logoff()

    def close(self) -> None:
        """Disconnect from the card (blocks briefly on PC/SC)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if self._close is not None:
                with contextlib.suppress(EidError):
                    self._close()


class CardBackend(Protocol):
    """Where cards come from."""

    @property
    def pin_hint(self) -> str | None:
        """A PIN to show on the login screen: the virtual card's, in practice mode only."""
        ...

    def start(self, on_change: OnChange) -> None:
        """Report the state now and at every change, until :meth:`stop` (any thread)."""
        ...

    def stop(self) -> None: ...

    def open(self) -> CardSession:
        """Connect to the card present now (blocks). Raises EidError (NoCard, …)."""
        ...


class VirtualCardBackend:
    """An in-process virtual card in a pretend reader (practice mode, tests)."""

    READER = "Virtual eID reader"

    def __init__(self, card: VirtualEid | None = None, *, pin_hint: str | None = None) -> None:
        self.card: VirtualEid | None = None
        self._pin_hint = pin_hint
        self._on_change: OnChange | None = None
        self._state = CardState(CardStatus.NO_CARD, self.READER)
        self._lock = threading.Lock()
        if card is not None:
            self.insert(card)

    @property
    def pin_hint(self) -> str | None:
        return self._pin_hint

    @property
    def state(self) -> CardState:
        return self._state

    def start(self, on_change: OnChange) -> None:
        self._on_change = on_change
        on_change(self._state)

    def stop(self) -> None:
        self._on_change = None

    def insert(self, card: VirtualEid) -> None:
        """Put ``card`` in the reader (powered on afresh), taking out any other one."""
        if self.card is not None:
            self.remove()
        with self._lock:
            card.reset()
            self.card = card
            self._state = CardState(CardStatus.PRESENT, self.READER, self._state.insertion + 1)
        self._report()

    def remove(self) -> None:
        with self._lock:
            self.card = None
            self._state = replace(self._state, status=CardStatus.NO_CARD)
        self._report()

    def _report(self) -> None:
        if self._on_change is not None:
            self._on_change(self._state)

    def open(self) -> CardSession:
        with self._lock:
            card, insertion = self.card, self._state.insertion
        if card is None:
            raise NoCard()
        return CardSession(_Inserted(self, card, insertion), insertion)


class _Inserted:
    """The virtual card while it stays in the reader; CardRemoved-like once taken out."""

    def __init__(self, backend: VirtualCardBackend, card: VirtualEid, insertion: int) -> None:
        self._backend = backend
        self._card = card
        self._insertion = insertion

    def transmit(self, apdu: bytes) -> bytes:
        state = self._backend.state
        if self._backend.card is not self._card or state.insertion != self._insertion:
            raise CardRemoved()
        return self._card.transmit(apdu)


class PcscCardBackend:
    """Real readers through pcscd, limited to names containing ``reader_filter``."""

    def __init__(self, reader_filter: str | None = None, *, poll: float = 1.0) -> None:
        self.reader_filter = reader_filter or None
        self.poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watcher: CardWatcher | None = None
        self._insertion = 0

    @property
    def pin_hint(self) -> str | None:
        return None

    def start(self, on_change: OnChange) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(on_change,), name="card-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        watcher = self._watcher
        if watcher is not None:
            watcher.stop()  # wakes a blocked poll at once
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)
        self._thread = None

    def open(self) -> CardSession:
        from tracer_tui.eid.pcsc import PcscTransport

        transport = PcscTransport.connect(self.reader_filter, timeout=3.0)
        # Closed without a reset: the card is logged off after every signature already,
        # and a reset sent just as the card leaves a vpcd reader leaves that reader deaf to
        # the next card.
        return CardSession(
            transport, self._insertion, close=transport.close, transaction=transport.transaction
        )

    # -- the watcher thread ------------------------------------------------------------
    def _run(self, on_change: OnChange) -> None:
        from tracer_tui.eid.pcsc import CardWatcher, PcscContext

        present: dict[str, bool] = {}
        last: CardState | None = None
        lister: PcscContext | None = None
        while not self._stop.is_set():
            watcher = self._watcher = CardWatcher(self.reader_filter)
            try:
                while not self._stop.is_set():
                    for event in watcher.poll(self.poll):
                        present[event.reader] = event.kind == "inserted"
                        if event.kind == "inserted":
                            self._insertion += 1
                    if lister is None:
                        lister = PcscContext()
                    state = self._state(present, lister)
                    if state != last:
                        last = state
                        on_change(state)
            except TransportError as exc:
                if self._stop.is_set():
                    break
                log.info("card reader: %s", exc)
                present.clear()
                state = CardState(
                    CardStatus.NO_SERVICE
                    if isinstance(exc, ServiceUnavailable)
                    else CardStatus.NO_READER,
                    insertion=self._insertion,
                )
                if state != last:
                    last = state
                    on_change(state)
                self._stop.wait(self.poll)
            finally:
                watcher.stop()
                if lister is not None:
                    lister.close()
                    lister = None
        self._watcher = None

    def _state(self, present: dict[str, bool], lister: PcscContext) -> CardState:
        readers = [reader for reader, here in present.items() if here]
        if readers:
            return CardState(CardStatus.PRESENT, sorted(readers)[0], self._insertion)
        names = lister.readers(self.reader_filter)
        status = CardStatus.NO_CARD if names else CardStatus.NO_READER
        return CardState(status, names[0] if names else "", self._insertion)
