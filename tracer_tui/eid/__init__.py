"""Belgian eID card layer: APDUs, TLV files, card operations, typed errors.

Imports here stay light: no pyscard. The PC/SC transport is in
:mod:`tracer_tui.eid.pcsc`, the virtual card in :mod:`tracer_tui.eid.virtual` (personalised
by :mod:`tracer_tui.eid.personalise`, certified by :mod:`tracer_tui.eid.testca`) and its
vpcd connector in :mod:`tracer_tui.eid.vpcd`.
"""

from tracer_tui.eid.card import AUTH_KEY, BelgianEid, CardData, EidFile, pin_block
from tracer_tui.eid.errors import (
    CardDataError,
    CardError,
    CardRemoved,
    EidError,
    FileNotFoundOnCard,
    NoCard,
    NoReader,
    NotBelgianEid,
    PinBlocked,
    PinEntryCancelled,
    PinEntryTimeout,
    PinFormatError,
    ReaderBusy,
    SecurityStatusNotSatisfied,
    ServiceUnavailable,
    TransportError,
    WrongPin,
)
from tracer_tui.eid.signature import CardSignature, SignatureScheme, verify_card_signature
from tracer_tui.eid.tlv import Address, BirthDate, Identity
from tracer_tui.eid.transport import CountingTransport, Transport

__all__ = [
    "AUTH_KEY",
    "Address",
    "BelgianEid",
    "BirthDate",
    "CardData",
    "CardDataError",
    "CardError",
    "CardRemoved",
    "CardSignature",
    "CountingTransport",
    "EidError",
    "EidFile",
    "FileNotFoundOnCard",
    "Identity",
    "NoCard",
    "NoReader",
    "NotBelgianEid",
    "PinBlocked",
    "PinEntryCancelled",
    "PinEntryTimeout",
    "PinFormatError",
    "ReaderBusy",
    "SecurityStatusNotSatisfied",
    "ServiceUnavailable",
    "SignatureScheme",
    "Transport",
    "TransportError",
    "WrongPin",
    "pin_block",
    "verify_card_signature",
]
