"""Belgian eID card operations over any :class:`~tracer_tui.eid.transport.Transport`.

One :class:`BelgianEid` per inserted card. It hides the protocol details: ``61xx`` (fetch
the rest with GET RESPONSE), ``6Cxx`` (resend with the right Le), both SELECT styles, READ
BINARY in chunks, the PIN block, MSE:SET and PSO:COMPUTE DIGITAL SIGNATURE for applets
1.1/1.7 (RSA) and 1.8 (ECDSA P-384). Status words become typed errors
(:mod:`tracer_tui.eid.errors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from cryptography import x509

from tracer_tui.eid.apdu import (
    SW_END_OF_FILE_WARNING,
    SW_FILE_NOT_FOUND,
    SW_OK,
    SW_PIN_BLOCKED,
    SW_PINPAD_CANCELLED,
    SW_PINPAD_TIMEOUT,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_OFFSET,
    ResponseApdu,
    command,
    with_le,
)
from tracer_tui.eid.errors import (
    CardDataError,
    CardError,
    FileNotFoundOnCard,
    NotBelgianEid,
    PinBlocked,
    PinEntryCancelled,
    PinEntryTimeout,
    PinFormatError,
    SecurityStatusNotSatisfied,
    WrongPin,
)
from tracer_tui.eid.signature import CardSignature, SignatureScheme, raw_ecdsa_to_der
from tracer_tui.eid.tlv import Address, Identity, parse_address, parse_identity
from tracer_tui.eid.transport import Transport

AUTH_KEY = 0x82
NON_REPUDIATION_KEY = 0x83
MAX_FILE_SIZE = 0x7FFF  # READ BINARY offsets are 15 bits
_MAX_CHAINED_RESPONSES = 64

# Readable names for the status words most often seen, used in error messages.
_SW_TEXT = {
    0x6700: "wrong length",
    0x6981: "command incompatible with the file",
    0x6985: "conditions of use not satisfied",
    0x6A80: "incorrect data",
    0x6A81: "function not supported",
    0x6A86: "incorrect parameters P1-P2",
    0x6A88: "referenced key or data not found",
    0x6B00: "wrong offset",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
}


class EidFile(Enum):
    """Files of the card, by path from the master file."""

    DF_ID = (0x3F00, 0xDF01)
    IDENTITY = (0x3F00, 0xDF01, 0x4031)
    IDENTITY_SIGNATURE = (0x3F00, 0xDF01, 0x4032)
    ADDRESS = (0x3F00, 0xDF01, 0x4033)
    ADDRESS_SIGNATURE = (0x3F00, 0xDF01, 0x4034)
    PHOTO = (0x3F00, 0xDF01, 0x4035)
    DF_PKI = (0x3F00, 0xDF00)
    AUTH_CERTIFICATE = (0x3F00, 0xDF00, 0x5038)
    SIGNATURE_CERTIFICATE = (0x3F00, 0xDF00, 0x5039)
    CA_CERTIFICATE = (0x3F00, 0xDF00, 0x503A)
    ROOT_CERTIFICATE = (0x3F00, 0xDF00, 0x503B)
    RRN_CERTIFICATE = (0x3F00, 0xDF00, 0x503C)

    @property
    def path(self) -> tuple[int, ...]:
        return tuple(self.value)


def path_text(path: Sequence[int]) -> str:
    return " ".join(f"{fid:04X}" for fid in path)


@dataclass(frozen=True)
class CardData:
    """GET CARD DATA: chip serial, applet version, lifecycle (and PIN tries on 1.8)."""

    raw: bytes
    serial: str
    applet_version: int  # 0x11, 0x17, 0x18
    lifecycle: int
    pin_tries_left: int | None = None

    @property
    def applet(self) -> str:
        """``"1.7"`` for ``0x17``."""
        return f"{self.applet_version >> 4}.{self.applet_version & 0x0F}"

    @property
    def scheme(self) -> SignatureScheme:
        if self.applet_version >= 0x18:
            return SignatureScheme.ECDSA_SHA384
        return SignatureScheme.RSA_PKCS1_SHA256

    @classmethod
    def parse(cls, raw: bytes) -> CardData:
        if len(raw) < 28:
            raise NotBelgianEid(
                f"the card is not a Belgian eID (GET CARD DATA gave {len(raw)} bytes, not 28)"
            )
        version = raw[21]
        if version < 0x10 or version > 0x2F:
            raise NotBelgianEid(
                f"the card is not a Belgian eID (unknown applet version {version:02X})"
            )
        tries = raw[28] if len(raw) > 28 else None
        return cls(bytes(raw), raw[:16].hex().upper(), version, raw[27], tries)


def pin_block(pin: str) -> bytes:
    """The 8-byte VERIFY data: ``2N`` then the digits in BCD, padded with ``F``."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise PinFormatError()
    nibbles = pin + "F" * (14 - len(pin))
    return bytes([0x20 | len(pin)]) + bytes.fromhex(nibbles)


def _raise_for(resp: ResponseApdu, what: str, path: Sequence[int] | None = None) -> None:
    """Raise the typed error for a non-9000 answer to ``what``."""
    if resp.sw == SW_OK:
        return
    if resp.sw == SW_SECURITY_NOT_SATISFIED:
        raise SecurityStatusNotSatisfied(resp.sw, f"{what}: the card needs the PIN first")
    if resp.sw == SW_FILE_NOT_FOUND and path is not None:
        raise FileNotFoundOnCard(path_text(path), resp.sw)
    meaning = _SW_TEXT.get(resp.sw, "error")
    raise CardError(resp.sw, f"{what} failed: the card answered {resp.sw:04X} ({meaning})")


def _parse(raw: bytes) -> ResponseApdu:
    try:
        return ResponseApdu.parse(raw)
    except ValueError as exc:
        raise CardDataError(f"the card sent a malformed response: {exc}") from exc


class BelgianEid:
    """Operations on one Belgian eID card reached through ``transport``."""

    def __init__(self, transport: Transport, *, chunk_size: int = 0xF8) -> None:
        if not 1 <= chunk_size <= 0xFF:
            raise ValueError("chunk_size is 1..255")
        self.transport = transport
        self.chunk_size = chunk_size
        self._card_data: CardData | None = None
        self._path_select: bool | None = None  # None until we know what the card accepts

    # --- low level -------------------------------------------------------------------

    def exchange(self, apdu: bytes) -> ResponseApdu:
        """Send ``apdu``; resend on ``6Cxx`` and collect ``61xx`` with GET RESPONSE."""
        resp = _parse(self.transport.transmit(apdu))
        if resp.sw1 == 0x6C:
            resp = _parse(self.transport.transmit(with_le(apdu, resp.sw2)))
        data = resp.data
        for _ in range(_MAX_CHAINED_RESPONSES):
            if resp.sw1 != 0x61:
                return ResponseApdu(data, resp.sw)
            get_response = command(0x00, 0xC0, 0x00, 0x00, le=resp.sw2 or 256)
            resp = _parse(self.transport.transmit(get_response))
            if resp.sw1 == 0x6C:  # asked for too much: ask again for what is left
                get_response = command(0x00, 0xC0, 0x00, 0x00, le=resp.sw2 or 256)
                resp = _parse(self.transport.transmit(get_response))
            data += resp.data
        raise CardError(resp.sw, "the card keeps announcing more response data (61xx)")

    # --- card data -------------------------------------------------------------------

    def card_data(self, *, refresh: bool = False) -> CardData:
        """GET CARD DATA (``80 E4 00 00 1C``); cached. Raises NotBelgianEid."""
        if self._card_data is None or refresh:
            resp = self.exchange(command(0x80, 0xE4, 0x00, 0x00, le=0x1C))
            if not resp.ok:
                raise NotBelgianEid(
                    f"the card is not a Belgian eID (GET CARD DATA answered {resp.sw:04X})"
                )
            self._card_data = CardData.parse(resp.data)
        return self._card_data

    def pin_tries_left(self) -> int | None:
        """PIN tries left, from ``80 E4 00 01 1F`` on applet 1.8; None on older applets."""
        if self.card_data().applet_version < 0x18:
            return None
        resp = self.exchange(command(0x80, 0xE4, 0x00, 0x01, le=0x1F))
        _raise_for(resp, "GET CARD DATA")
        return CardData.parse(resp.data).pin_tries_left

    @property
    def scheme(self) -> SignatureScheme:
        return self.card_data().scheme

    # --- files -----------------------------------------------------------------------

    def select(self, path: Sequence[int]) -> None:
        """SELECT by path (``00 A4 08 0C``); fall back to one id at a time (``00 A4 02 0C``)."""
        if self._path_select is not False:
            body = b"".join(fid.to_bytes(2, "big") for fid in path)
            resp = self.exchange(command(0x00, 0xA4, 0x08, 0x0C, body))
            if resp.ok:
                self._path_select = True
                return
            if self._path_select or resp.sw == SW_SECURITY_NOT_SATISFIED:
                _raise_for(resp, f"SELECT {path_text(path)}", path)
        for fid in path:
            resp = self.exchange(command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
            _raise_for(resp, f"SELECT {path_text(path)}", path)
        if self._path_select is None:
            self._path_select = False

    def read_binary(self) -> bytes:
        """READ BINARY the selected file to its end, ``chunk_size`` bytes at a time."""
        out = bytearray()
        while True:
            offset = len(out)
            if offset > MAX_FILE_SIZE:
                raise CardDataError("file larger than READ BINARY can address")
            apdu = command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=self.chunk_size)
            resp = self.exchange(apdu)
            if resp.sw == SW_WRONG_OFFSET and offset > 0:
                break  # the previous chunk ended exactly at the end of the file
            if resp.sw == SW_END_OF_FILE_WARNING:
                out += resp.data
                break
            _raise_for(resp, "READ BINARY")
            out += resp.data
            if len(resp.data) < self.chunk_size:
                break
        return bytes(out)

    def read_file(self, file: EidFile | Sequence[int]) -> bytes:
        path = file.path if isinstance(file, EidFile) else tuple(file)
        self.select(path)
        return self.read_binary()

    def read_identity(self) -> Identity:
        return parse_identity(self.read_file(EidFile.IDENTITY))

    def read_address(self) -> Address:
        return parse_address(self.read_file(EidFile.ADDRESS))

    def read_photo(self) -> bytes:
        """The JPEG photo (~3 KB): not needed for login."""
        return self.read_file(EidFile.PHOTO)

    def read_certificate(self, file: EidFile = EidFile.AUTH_CERTIFICATE) -> x509.Certificate:
        data = self.read_file(file)
        try:
            return x509.load_der_x509_certificate(data)
        except ValueError as exc:
            raise CardDataError(f"the certificate in {path_text(file.path)} is unreadable") from exc

    def read_authentication_certificate(self) -> x509.Certificate:
        return self.read_certificate(EidFile.AUTH_CERTIFICATE)

    # --- PIN and signing -------------------------------------------------------------

    def verify_pin(self, pin: str) -> None:
        """VERIFY the PIN. Raises WrongPin (with tries_left), PinBlocked, PinFormatError."""
        resp = self.exchange(command(0x00, 0x20, 0x00, 0x01, pin_block(pin)))
        if resp.ok:
            return
        if resp.sw1 == 0x63 and resp.sw2 & 0xF0 == 0xC0:
            tries = resp.sw2 & 0x0F
            if tries == 0:
                raise PinBlocked(resp.sw)
            raise WrongPin(tries)
        if resp.sw == SW_PIN_BLOCKED:
            raise PinBlocked(resp.sw)
        if resp.sw == SW_PINPAD_TIMEOUT:
            raise PinEntryTimeout(resp.sw)
        if resp.sw == SW_PINPAD_CANCELLED:
            raise PinEntryCancelled(resp.sw)
        _raise_for(resp, "VERIFY PIN")

    def sign(
        self, message: bytes, *, pin: str | None = None, key_reference: int = AUTH_KEY
    ) -> CardSignature:
        """Sign ``message`` (hashed here) with the authentication key by default.

        ``pin`` is verified between MSE:SET and PSO when given; otherwise the PIN must have
        been verified earlier in this card session (SecurityStatusNotSatisfied if not).
        """
        scheme = self.scheme
        self.select(EidFile.DF_PKI.path)
        mse = bytes([0x04, 0x80, scheme.mse_algorithm, 0x84, key_reference])
        _raise_for(self.exchange(command(0x00, 0x22, 0x41, 0xB6, mse)), "MSE:SET")
        if pin is not None:
            self.verify_pin(pin)
        resp = self.exchange(command(0x00, 0x2A, 0x9E, 0x9A, scheme.card_input(message)))
        _raise_for(resp, "COMPUTE DIGITAL SIGNATURE")
        if scheme is SignatureScheme.ECDSA_SHA384:
            if len(resp.data) != 96:
                raise CardDataError(f"ECDSA signature of {len(resp.data)} bytes, not 96")
            return CardSignature(scheme, raw_ecdsa_to_der(resp.data))
        return CardSignature(scheme, resp.data)

    def logoff(self) -> None:
        """LOGOFF (``80 E6 00 00``): forget the verified PIN. Do it after login."""
        _raise_for(self.exchange(command(0x80, 0xE6, 0x00, 0x00)), "LOGOFF")
