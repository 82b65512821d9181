"""Short ISO 7816-4 APDUs: building commands, parsing them back, splitting responses.

Only short APDUs (Lc and Le on one byte) are needed by the Belgian eID. ``Le = 0`` on the
wire means 256 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

SW_OK = 0x9000
SW_END_OF_FILE_WARNING = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_PIN_BLOCKED = 0x6983
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_WRONG_DATA = 0x6A80
SW_FUNCTION_NOT_SUPPORTED = 0x6A81
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_REFERENCED_DATA_NOT_FOUND = 0x6A88
SW_WRONG_OFFSET = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_PINPAD_TIMEOUT = 0x6400
SW_PINPAD_CANCELLED = 0x6401


def command(
    cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
) -> bytes:
    """Encode a short command APDU. ``le`` is 1..256 (256 is sent as ``00``) or None."""
    for name, value in (("CLA", cla), ("INS", ins), ("P1", p1), ("P2", p2)):
        if not 0 <= value <= 0xFF:
            raise ValueError(f"{name} out of range: {value}")
    if len(data) > 255:
        raise ValueError(f"data too long for a short APDU: {len(data)} bytes")
    out = bytearray((cla, ins, p1, p2))
    if data:
        out.append(len(data))
        out += data
    if le is not None:
        if not 1 <= le <= 256:
            raise ValueError(f"Le out of range: {le}")
        out.append(le & 0xFF)
    return bytes(out)


@dataclass(frozen=True)
class CommandApdu:
    """A parsed short command APDU (used by the virtual card)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # 1..256, or None when absent

    @classmethod
    def parse(cls, raw: bytes) -> CommandApdu:
        """Parse cases 1-4 of a short APDU; raise ValueError on a malformed one."""
        if len(raw) < 4:
            raise ValueError("an APDU has at least 4 bytes")
        cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0] or 256)
        lc = body[0]
        if lc == 0:
            raise ValueError("extended APDUs are not supported")
        if len(body) == 1 + lc:
            return cls(cla, ins, p1, p2, data=bytes(body[1:]))
        if len(body) == 2 + lc:
            return cls(cla, ins, p1, p2, data=bytes(body[1:-1]), le=body[-1] or 256)
        raise ValueError(f"Lc {lc} does not match the APDU length {len(raw)}")

    def to_bytes(self) -> bytes:
        return command(self.cla, self.ins, self.p1, self.p2, self.data, self.le)


def with_le(apdu: bytes, le: int) -> bytes:
    """Return ``apdu`` with its Le set (replaced or appended) to ``le`` (0 means 256)."""
    parsed = CommandApdu.parse(apdu)
    return command(parsed.cla, parsed.ins, parsed.p1, parsed.p2, parsed.data, le or 256)


@dataclass(frozen=True)
class ResponseApdu:
    """Response data and status word."""

    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:
            raise ValueError(f"a response has at least 2 bytes (SW1 SW2), got {raw.hex()}")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")


def response(data: bytes = b"", sw: int = SW_OK) -> bytes:
    """Encode a response APDU: data followed by SW1 SW2."""
    return bytes(data) + sw.to_bytes(2, "big")


def hexlify(data: bytes) -> str:
    """``b'\\x00\\xa4'`` → ``'00 A4'``, for logs and error messages."""
    return data.hex(" ").upper()
