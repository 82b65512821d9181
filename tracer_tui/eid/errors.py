"""Typed errors of the card layer.

Every error carries a message that can be shown to an agent as it is. Screens catch
:class:`EidError` (or a subclass) and never need to look at status words themselves.
"""

from __future__ import annotations


class EidError(Exception):
    """Base class of every error raised by :mod:`tracer_tui.eid`."""


# --- the PC/SC stack: daemon, reader, card presence -------------------------------------


class TransportError(EidError):
    """The reader or the PC/SC service failed; the card itself said nothing."""


class ServiceUnavailable(TransportError):
    """The PC/SC daemon (pcscd) is not running."""

    def __init__(self, message: str = "the smart card service (pcscd) is not running") -> None:
        super().__init__(message)


class NoReader(TransportError):
    """No card reader is connected (or none matches the configured name filter)."""

    def __init__(self, message: str = "no card reader found: connect a reader") -> None:
        super().__init__(message)


class NoCard(TransportError):
    """A reader is there but holds no card."""

    def __init__(self, message: str = "no card in the reader: insert your eID card") -> None:
        super().__init__(message)


class CardRemoved(TransportError):
    """The card was taken out of the reader during use."""

    def __init__(self, message: str = "the card was removed from the reader") -> None:
        super().__init__(message)


class ReaderBusy(TransportError):
    """Another program holds the card exclusively."""

    def __init__(
        self, message: str = "the card is in use by another program: close it and retry"
    ) -> None:
        super().__init__(message)


# --- the card answered, but not what we wanted -----------------------------------------


class NotBelgianEid(EidError):
    """The card in the reader is not a Belgian eID card."""

    def __init__(self, message: str = "the card in the reader is not a Belgian eID card") -> None:
        super().__init__(message)


class CardError(EidError):
    """The card refused a command; ``sw`` is the status word (e.g. ``0x6A82``)."""

    def __init__(self, sw: int, message: str | None = None) -> None:
        self.sw = sw
        super().__init__(message or f"the card refused the command (status {sw:04X})")


class FileNotFoundOnCard(CardError):
    """SELECT answered 6A82: the card has no such file."""

    def __init__(self, path: str, sw: int = 0x6A82) -> None:
        self.path = path
        super().__init__(sw, f"the card has no file {path}")


class SecurityStatusNotSatisfied(CardError):
    """6982: the command needs a verified PIN first."""

    def __init__(self, sw: int = 0x6982, message: str | None = None) -> None:
        super().__init__(sw, message or "the card needs the PIN to be verified first")


class WrongPin(CardError):
    """VERIFY answered 63Cx: wrong PIN, ``tries_left`` attempts remain (at least one)."""

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        plural = "try" if tries_left == 1 else "tries"
        super().__init__(0x63C0 | tries_left, f"wrong PIN: {tries_left} {plural} left")


class PinBlocked(CardError):
    """VERIFY answered 6983 (or the last try failed): the PIN is blocked."""

    def __init__(self, sw: int = 0x6983) -> None:
        super().__init__(
            sw,
            "the PIN is blocked: unblock the card with its PUK at the municipality",
        )


class PinEntryTimeout(CardError):
    """A pinpad reader answered 6400: nobody typed the PIN in time."""

    def __init__(self, sw: int = 0x6400) -> None:
        super().__init__(sw, "PIN entry on the reader timed out")


class PinEntryCancelled(CardError):
    """A pinpad reader answered 6401: the PIN entry was cancelled on the reader."""

    def __init__(self, sw: int = 0x6401) -> None:
        super().__init__(sw, "PIN entry was cancelled on the reader")


class PinFormatError(EidError, ValueError):
    """The PIN is not 4 to 12 digits; nothing was sent to the card."""

    def __init__(self, message: str = "a PIN is 4 to 12 digits") -> None:
        super().__init__(message)


class CardDataError(EidError):
    """A file read from the card could not be parsed."""
