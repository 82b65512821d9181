"""The virtual Belgian eID: an emulator of applets 1.7 and 1.8 behind ``transmit()``.

It answers the commands the middleware uses, with the same status words as a real card:
SELECT (by path and one id at a time), READ BINARY (``6Cxx`` when Le is past the end,
``6B00`` beyond it), GET CARD DATA, VERIFY (3 tries, ``63Cx``, then ``6983``), MSE:SET,
PSO:COMPUTE DIGITAL SIGNATURE (``6982`` before VERIFY; the non-repudiation key wants the
PIN before every signature), LOGOFF and, in T=0 style, ``61xx`` + GET RESPONSE for the
signature. Use it in-process as a :class:`~tracer_tui.eid.transport.Transport`, or put it
in a vpcd reader with :class:`tracer_tui.eid.vpcd.VpcdCard`.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from tracer_tui.eid.apdu import (
    SW_CLA_NOT_SUPPORTED,
    SW_CONDITIONS_NOT_SATISFIED,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_PIN_BLOCKED,
    SW_REFERENCED_DATA_NOT_FOUND,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_DATA,
    SW_WRONG_LENGTH,
    SW_WRONG_OFFSET,
    SW_WRONG_P1P2,
    CommandApdu,
    response,
)
from tracer_tui.eid.personalise import AppletName, Holder, PersonalisedCard, personalise
from tracer_tui.eid.signature import DIGEST_INFO_SHA256, der_to_raw_ecdsa
from tracer_tui.eid.testca import CertificateAuthority

SW_NO_CURRENT_EF = 0x6986
_MF = (0x3F00,)
_DFS = {_MF, (0x3F00, 0xDF00), (0x3F00, 0xDF01)}


def _rsa_pkcs1_sign(key: rsa.RSAPrivateKey, block: bytes) -> bytes:
    """PKCS#1 v1.5 type-1 padding of ``block``, then the RSA private operation (CRT)."""
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    size = (n.bit_length() + 7) // 8
    padded = b"\x00\x01" + b"\xff" * (size - len(block) - 3) + b"\x00" + block
    m = int.from_bytes(padded, "big")
    m1 = pow(m, numbers.dmp1, numbers.p)
    m2 = pow(m, numbers.dmq1, numbers.q)
    s = m2 + (numbers.iqmp * (m1 - m2) % numbers.p) * numbers.q
    return s.to_bytes(size, "big")


class VirtualEid:
    """A virtual card. Thread-safe: one APDU at a time."""

    def __init__(
        self,
        card: PersonalisedCard,
        *,
        pin: str = "1234",
        max_tries: int = 3,
        t0: bool = True,
        path_select: bool = True,
        read_past_end: Literal["6c", "short"] = "6c",
        on_apdu: Callable[[bytes, bytes], None] | None = None,
    ) -> None:
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise ValueError("a PIN is 4 to 12 digits")
        self.card = card
        self.max_tries = max_tries
        self.tries_left = max_tries
        self.t0 = t0  # signatures come back as 61xx + GET RESPONSE
        self.path_select = path_select  # False: behave like old cards (one id at a time)
        self.read_past_end = read_past_end
        self.apdu_count = 0
        self._pin = pin
        self._on_apdu = on_apdu
        self._lock = threading.Lock()
        self.reset()

    @classmethod
    def create(
        cls,
        holder: Holder | None = None,
        *,
        applet: AppletName = "1.8",
        pin: str = "1234",
        ca: CertificateAuthority | None = None,
        seed: int = 0,
        t0: bool = True,
    ) -> VirtualEid:
        """Personalise a card for ``holder`` (a default one if None) and load it."""
        return cls(personalise(holder, applet=applet, ca=ca, seed=seed), pin=pin, t0=t0)

    # --- what a reader sees ----------------------------------------------------------

    @property
    def atr(self) -> bytes:
        return self.card.atr

    @property
    def pin(self) -> str:
        return self._pin

    @property
    def pin_verified(self) -> bool:
        return self._verified

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def reset(self) -> None:
        """Power-on / warm reset: security status, selection and MSE are forgotten."""
        self._df: tuple[int, ...] = _MF
        self._ef: tuple[int, ...] | None = None
        self._verified = False
        self._nonrep_armed = False
        self._mse: tuple[int, int] | None = None
        self._pending = b""

    def unblock(self) -> None:
        """Give the PIN its tries back (what the PUK does at the municipality)."""
        with self._lock:
            self.tries_left = self.max_tries

    def transmit(self, apdu: bytes) -> bytes:
        with self._lock:
            self.apdu_count += 1
            answer = self._dispatch(apdu)
        if self._on_apdu is not None:
            self._on_apdu(apdu, answer)
        return answer

    # --- dispatch --------------------------------------------------------------------

    def _dispatch(self, raw: bytes) -> bytes:
        try:
            cmd = CommandApdu.parse(raw)
        except ValueError:
            return response(sw=SW_WRONG_LENGTH)
        if cmd.ins != 0xC0:
            self._pending = b""
        handlers: dict[tuple[int, int], Callable[[CommandApdu], bytes]] = {
            (0x00, 0xA4): self._select,
            (0x00, 0xB0): self._read_binary,
            (0x00, 0xC0): self._get_response,
            (0x00, 0x20): self._verify,
            (0x00, 0x22): self._mse_set,
            (0x00, 0x2A): self._pso_cds,
            (0x80, 0xE4): self._get_card_data,
            (0x80, 0xE6): self._logoff,
        }
        handler = handlers.get((cmd.cla, cmd.ins))
        if handler is not None:
            return handler(cmd)
        if cmd.cla not in (0x00, 0x80):
            return response(sw=SW_CLA_NOT_SUPPORTED)
        return response(sw=SW_INS_NOT_SUPPORTED)

    def _outgoing(self, data: bytes) -> bytes:
        """Answer a command with data in and out: directly, or 61xx on T=0."""
        if not self.t0:
            return response(data)
        self._pending = data
        return response(sw=0x6100 | (len(data) & 0xFF))

    # --- files -----------------------------------------------------------------------

    def _select(self, cmd: CommandApdu) -> bytes:
        if cmd.p2 not in (0x00, 0x0C) or len(cmd.data) < 2 or len(cmd.data) % 2:
            return response(sw=SW_WRONG_P1P2 if cmd.p2 not in (0x00, 0x0C) else SW_WRONG_DATA)
        fids = tuple(int.from_bytes(cmd.data[i : i + 2], "big") for i in range(0, len(cmd.data), 2))
        if cmd.p1 == 0x08:
            if not self.path_select:
                return response(sw=SW_WRONG_P1P2)
            path = fids if fids[0] == 0x3F00 else _MF + fids
            candidates = [path]
        elif cmd.p1 in (0x00, 0x01, 0x02) and len(fids) == 1:
            fid = fids[0]
            candidates = [_MF] if fid == 0x3F00 else [(*self._df, fid), (0x3F00, fid)]
        else:
            return response(sw=SW_WRONG_P1P2)
        for path in candidates:
            if path in _DFS:
                self._df, self._ef = path, None
                break
            if path in self.card.files:
                self._df, self._ef = path[:-1], path
                break
        else:
            return response(sw=SW_FILE_NOT_FOUND)
        if cmd.p2 == 0x0C:
            return response()
        size = len(self.card.files[self._ef]) if self._ef else 0
        fci = b"\x80\x02" + size.to_bytes(2, "big") + b"\x83\x02" + path[-1].to_bytes(2, "big")
        return self._outgoing(b"\x62" + bytes([len(fci)]) + fci)

    def _read_binary(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 & 0x80:
            return response(sw=SW_WRONG_P1P2)  # short file identifiers are not used
        if self._ef is None:
            return response(sw=SW_NO_CURRENT_EF)
        if cmd.le is None:
            return response(sw=SW_WRONG_LENGTH)
        content = self.card.files[self._ef]
        offset = (cmd.p1 << 8) | cmd.p2
        if offset >= len(content):
            return response(sw=SW_WRONG_OFFSET)
        remaining = len(content) - offset
        if cmd.le > remaining and self.read_past_end == "6c":
            return response(sw=0x6C00 | (remaining & 0xFF))
        return response(content[offset : offset + cmd.le])

    def _get_response(self, cmd: CommandApdu) -> bytes:
        if not self._pending:
            return response(sw=SW_CONDITIONS_NOT_SATISFIED)
        if cmd.le is None:
            return response(sw=SW_WRONG_LENGTH)
        if cmd.le > len(self._pending):
            return response(sw=0x6C00 | (len(self._pending) & 0xFF))
        chunk, self._pending = self._pending[: cmd.le], self._pending[cmd.le :]
        if self._pending:
            return response(chunk, 0x6100 | (len(self._pending) & 0xFF))
        return response(chunk)

    def _get_card_data(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 != 0x00 or cmd.p2 not in (0x00, 0x01):
            return response(sw=SW_WRONG_P1P2)
        data = self.card.card_data
        if cmd.p2 == 0x01:
            if self.card.applet_version < 0x18:
                return response(sw=SW_WRONG_P1P2)
            data += bytes([self.tries_left, 0x00, 0x00])
        if cmd.le != len(data):
            return response(sw=0x6C00 | len(data))  # T=0: Le must be exact
        return response(data)

    # --- PIN -------------------------------------------------------------------------

    def _verify(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 != 0x00 or cmd.p2 != 0x01:
            return response(sw=SW_WRONG_P1P2)
        if self.tries_left == 0:
            return response(sw=SW_PIN_BLOCKED)
        if not cmd.data:  # ask the status without trying
            return response(sw=SW_OK if self._verified else 0x63C0 | self.tries_left)
        if len(cmd.data) != 8:
            return response(sw=SW_WRONG_LENGTH)
        offered = _decode_pin_block(cmd.data)
        if offered is None:
            return response(sw=SW_WRONG_DATA)
        if hmac.compare_digest(offered.encode(), self._pin.encode()):
            self.tries_left = self.max_tries
            self._verified = True
            self._nonrep_armed = True
            return response()
        self.tries_left -= 1
        self._verified = False
        self._nonrep_armed = False
        return response(sw=0x63C0 | self.tries_left)

    def _logoff(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 or cmd.p2:
            return response(sw=SW_WRONG_P1P2)
        self._verified = False
        self._nonrep_armed = False
        return response()

    # --- signing ---------------------------------------------------------------------

    def _mse_set(self, cmd: CommandApdu) -> bytes:
        if (cmd.p1, cmd.p2) != (0x41, 0xB6):
            return response(sw=SW_WRONG_P1P2)
        data = cmd.data
        if len(data) != 5 or data[0] != 0x04 or data[1] != 0x80 or data[3] != 0x84:
            return response(sw=SW_WRONG_DATA)
        algorithm, key = data[2], data[4]
        allowed = {0x02} if self.card.applet_version >= 0x18 else {0x01, 0x08}
        if algorithm not in allowed:
            return response(sw=SW_WRONG_DATA)
        if key not in self.card.keys:
            return response(sw=SW_REFERENCED_DATA_NOT_FOUND)
        self._mse = (algorithm, key)
        return response()

    def _pso_cds(self, cmd: CommandApdu) -> bytes:
        if (cmd.p1, cmd.p2) != (0x9E, 0x9A):
            return response(sw=SW_WRONG_P1P2)
        if self._mse is None:
            return response(sw=SW_CONDITIONS_NOT_SATISFIED)
        algorithm, key_ref = self._mse
        if not self._verified or (key_ref == 0x83 and not self._nonrep_armed):
            return response(sw=SW_SECURITY_NOT_SATISFIED)
        key = self.card.keys[key_ref]
        if isinstance(key, ec.EllipticCurvePrivateKey):
            if len(cmd.data) != 48:
                return response(sw=SW_WRONG_LENGTH)
            der = key.sign(cmd.data, ec.ECDSA(Prehashed(hashes.SHA384())))
            signature = der_to_raw_ecdsa(der, 48)
        else:
            block = DIGEST_INFO_SHA256 + cmd.data if algorithm == 0x08 else cmd.data
            if (algorithm == 0x08 and len(cmd.data) != 32) or len(block) > key.key_size // 8 - 11:
                return response(sw=SW_WRONG_LENGTH)
            signature = _rsa_pkcs1_sign(key, block)
        if key_ref == 0x83:
            self._nonrep_armed = False
        return self._outgoing(signature)


def _decode_pin_block(block: bytes) -> str | None:
    """``24 12 34 FF …`` → ``"1234"``; None if the block is malformed."""
    if block[0] >> 4 != 0x2:
        return None
    length = block[0] & 0x0F
    nibbles = block[1:].hex().upper()
    digits, padding = nibbles[:length], nibbles[length:]
    if not 4 <= length <= 12 or not digits.isdigit() or padding != "F" * len(padding):
        return None
    return digits
