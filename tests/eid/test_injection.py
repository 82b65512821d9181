"""61xx, 6Cxx, 6B00 and friends, injected by transport wrappers around the virtual card."""

from __future__ import annotations

import dataclasses

import pytest

from tracer_tui.eid import (
    BelgianEid,
    CardError,
    EidFile,
    SecurityStatusNotSatisfied,
    verify_card_signature,
)
from tracer_tui.eid.apdu import CommandApdu, ResponseApdu, response
from tracer_tui.eid.personalise import PersonalisedCard
from tracer_tui.eid.virtual import VirtualEid

from .conftest import Recorder


class T0GetResponse:
    """Turn every answer with data into ``61xx`` and serve GET RESPONSE in small pieces."""

    def __init__(self, inner: VirtualEid, piece: int = 100) -> None:
        self.inner = inner
        self.piece = piece
        self.pending = b""
        self.get_responses = 0

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[1] == 0xC0:
            self.get_responses += 1
            chunk, self.pending = self.pending[: self.piece], self.pending[self.piece :]
            if self.pending:
                return response(chunk, 0x6100 | min(len(self.pending), 255))
            return response(chunk)
        answer = ResponseApdu.parse(self.inner.transmit(apdu))
        if answer.ok and answer.data:
            self.pending = answer.data
            return response(sw=0x6100 | (len(answer.data) & 0xFF))
        return answer.to_bytes()


class ExactLe:
    """Answer ``6Cxx`` whenever Le is not exactly the length of the data (T=0 cards)."""

    def __init__(self, inner: VirtualEid) -> None:
        self.inner = inner
        self.wrong_le = 0

    def transmit(self, apdu: bytes) -> bytes:
        answer = ResponseApdu.parse(self.inner.transmit(apdu))
        cmd = CommandApdu.parse(apdu)
        if answer.data and cmd.le is not None and len(answer.data) != cmd.le:
            self.wrong_le += 1
            return response(sw=0x6C00 | len(answer.data))
        return answer.to_bytes()


class Refuse:
    """Answer ``sw`` to one instruction, pass the rest through."""

    def __init__(self, inner: VirtualEid, ins: int, sw: int) -> None:
        self.inner, self.ins, self.sw = inner, ins, sw

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[1] == self.ins:
            return response(sw=self.sw)
        return self.inner.transmit(apdu)


class Endless61:
    def transmit(self, apdu: bytes) -> bytes:
        return response(b"\x00", 0x6101)


def _full_read(eid: BelgianEid, card: VirtualEid) -> None:
    assert eid.card_data().serial == card.card.identity.chip_number.hex().upper()
    assert eid.read_identity() == card.card.identity
    assert eid.read_address() == card.card.address
    cert = eid.read_authentication_certificate()
    assert cert == card.card.certificates.authentication.certificate
    assert verify_card_signature(cert, b"nonce", eid.sign(b"nonce", pin="1234"))


def test_61xx_get_response_in_pieces(
    personalised: dict[str, PersonalisedCard], applet: str
) -> None:
    card = VirtualEid(personalised[applet], t0=False)
    wrapper = T0GetResponse(card, piece=100)
    _full_read(BelgianEid(wrapper), card)
    assert wrapper.get_responses >= 8  # card data, files in 100-byte pieces, signature


def test_6cxx_resend_with_le(personalised: dict[str, PersonalisedCard], applet: str) -> None:
    card = VirtualEid(personalised[applet], read_past_end="short")
    wrapper = ExactLe(card)
    rec = Recorder(wrapper)
    _full_read(BelgianEid(rec), card)
    assert wrapper.wrong_le >= 3  # the last chunk of identity, address and certificate
    identity_size = len(card.card.files[EidFile.IDENTITY.path])
    assert f"00 B0 00 00 {identity_size:02X}" in rec.hex_sent()


def test_virtual_card_answers_6c_past_the_end(virtual: VirtualEid) -> None:
    rec = Recorder(virtual)
    BelgianEid(rec).read_identity()
    size = len(virtual.card.files[EidFile.IDENTITY.path])
    assert rec.answers[-2] == bytes([0x6C, size])
    assert rec.sent[-1] == bytes([0x00, 0xB0, 0x00, 0x00, size])


@pytest.mark.parametrize("mode", ["6c", "short"])
def test_6b00_ends_a_file_of_whole_chunks(
    personalised: dict[str, PersonalisedCard], mode: str
) -> None:
    blob = bytes(i % 251 for i in range(2 * 0xF8))
    card = dataclasses.replace(
        personalised["1.8"], files={**personalised["1.8"].files, EidFile.PHOTO.path: blob}
    )
    rec = Recorder(VirtualEid(card, read_past_end=mode))  # type: ignore[arg-type]
    assert BelgianEid(rec).read_photo() == blob
    assert rec.answers[-1] == b"\x6b\x00"
    assert rec.hex_sent()[-1] == "00 B0 01 F0 F8"


def test_6b00_at_offset_zero_is_an_error(personalised: dict[str, PersonalisedCard]) -> None:
    card = dataclasses.replace(
        personalised["1.7"], files={**personalised["1.7"].files, EidFile.PHOTO.path: b""}
    )
    with pytest.raises(CardError, match="6B00") as info:
        BelgianEid(VirtualEid(card)).read_photo()
    assert info.value.sw == 0x6B00


def test_6282_end_of_file_warning() -> None:
    class Short:
        def transmit(self, apdu: bytes) -> bytes:
            return response(b"abc", 0x6282) if apdu[1] == 0xB0 else response()

    assert BelgianEid(Short()).read_file((0x3F00, 0xDF01, 0x4031)) == b"abc"


def test_6982_on_read(virtual: VirtualEid) -> None:
    with pytest.raises(SecurityStatusNotSatisfied, match="READ BINARY"):
        BelgianEid(Refuse(virtual, 0xB0, 0x6982)).read_identity()


def test_6a82_on_select(virtual: VirtualEid) -> None:
    with pytest.raises(CardError, match="no file 3F00 DF01 4031"):
        BelgianEid(Refuse(virtual, 0xA4, 0x6A82)).read_identity()


def test_endless_61xx_is_cut_short() -> None:
    with pytest.raises(CardError, match="61xx"):
        BelgianEid(Endless61()).card_data()
