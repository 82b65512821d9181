"""APDU encoding and the exact bytes the card layer sends."""

from __future__ import annotations

from typing import Any

import pytest

from tracer_tui.eid import BelgianEid, PinFormatError, pin_block
from tracer_tui.eid.apdu import CommandApdu, ResponseApdu, command, hexlify, response, with_le
from tracer_tui.eid.virtual import VirtualEid

from .conftest import Recorder


def test_command_cases() -> None:
    assert command(0x80, 0xE6, 0, 0) == bytes.fromhex("80E60000")
    assert command(0x80, 0xE4, 0, 0, le=0x1C) == bytes.fromhex("80E400001C")
    assert command(0, 0xA4, 2, 0x0C, b"\x3f\x00") == bytes.fromhex("00A4020C023F00")
    assert command(0, 0xC0, 0, 0, le=256) == bytes.fromhex("00C0000000")
    assert command(0, 0x2A, 0x9E, 0x9A, b"\x01", le=256) == bytes.fromhex("002A9E9A010100")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0x100, 0, 0, 0), "CLA"),
        ((0, 0, 0, 0, bytes(256)), "too long"),
        ((0, 0, 0, 0, b"", 0), "Le"),
        ((0, 0, 0, 0, b"", 257), "Le"),
    ],
)
def test_command_rejects_bad_values(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        command(*args)


@pytest.mark.parametrize(
    "hex_apdu",
    ["80E60000", "80E400001C", "00A4080C063F00DF014031", "002A9E9A0301020300", "00B0000000"],
)
def test_command_parse_round_trip(hex_apdu: str) -> None:
    raw = bytes.fromhex(hex_apdu)
    assert CommandApdu.parse(raw).to_bytes() == raw


def test_command_parse_fields() -> None:
    cmd = CommandApdu.parse(bytes.fromhex("00B0010200"))
    assert (cmd.p1, cmd.p2, cmd.le, cmd.data) == (1, 2, 256, b"")
    cmd = CommandApdu.parse(bytes.fromhex("002A9E9A0301020304"))
    assert (cmd.data, cmd.le) == (b"\x01\x02\x03", 4)
    for bad in ("00A4", "00A4080C05AABB", "00A4080C0001"):
        with pytest.raises(ValueError, match=r"APDU|Lc|extended"):
            CommandApdu.parse(bytes.fromhex(bad))


def test_with_le_replaces_or_appends() -> None:
    assert with_le(bytes.fromhex("00B00000F8"), 0x63) == bytes.fromhex("00B0000063")
    assert with_le(bytes.fromhex("002A9E9A0101"), 0) == bytes.fromhex("002A9E9A010100")
    assert with_le(bytes.fromhex("002A9E9A010110"), 0x20) == bytes.fromhex("002A9E9A010120")
    assert with_le(bytes.fromhex("80E60000"), 2) == bytes.fromhex("80E6000002")


def test_response_parse() -> None:
    resp = ResponseApdu.parse(bytes.fromhex("010263C2"))
    assert (resp.data, resp.sw, resp.sw1, resp.sw2, resp.ok) == (
        b"\x01\x02",
        0x63C2,
        0x63,
        0xC2,
        False,
    )
    assert ResponseApdu.parse(b"\x90\x00").ok
    assert response(b"\xaa", 0x6282) == bytes.fromhex("AA6282")
    assert hexlify(b"\x00\xa4") == "00 A4"
    with pytest.raises(ValueError, match="SW1 SW2"):
        ResponseApdu.parse(b"\x90")


@pytest.mark.parametrize(
    ("pin", "block"),
    [
        ("1234", "24 12 34 FF FF FF FF FF"),
        ("98765", "25 98 76 5F FF FF FF FF"),
        ("123456789012", "2C 12 34 56 78 90 12 FF"),
    ],
)
def test_pin_block(pin: str, block: str) -> None:
    assert pin_block(pin) == bytes.fromhex(block)


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", "12 34", "١٢٣٤"])
def test_pin_block_rejects(pin: str) -> None:
    with pytest.raises(PinFormatError, match="4 to 12 digits"):
        pin_block(pin)


def test_exact_bytes_of_a_login(virtual: VirtualEid, applet: str) -> None:
    """GET CARD DATA, SELECT by path, VERIFY, MSE:SET, PSO and LOGOFF as EID.md spells them."""
    rec = Recorder(virtual)
    eid = BelgianEid(rec)
    eid.card_data()
    eid.select((0x3F00, 0xDF01, 0x4031))
    eid.verify_pin("1234")
    eid.sign(b"challenge")
    eid.logoff()
    sent = rec.hex_sent()
    assert sent[0] == "80 E4 00 00 1C"
    assert sent[1] == "00 A4 08 0C 06 3F 00 DF 01 40 31"
    assert sent[2] == "00 20 00 01 08 24 12 34 FF FF FF FF FF"
    assert sent[3] == "00 A4 08 0C 04 3F 00 DF 00"
    algo = "02" if applet == "1.8" else "01"
    assert sent[4] == f"00 22 41 B6 05 04 80 {algo} 84 82"
    if applet == "1.7":
        assert sent[5].startswith("00 2A 9E 9A 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01")
        assert len(rec.sent[5]) == 5 + 0x33
    else:
        assert sent[5].startswith("00 2A 9E 9A 30 ")
        assert len(rec.sent[5]) == 5 + 48
    assert sent[6] == ("00 C0 00 00 00" if applet == "1.7" else "00 C0 00 00 60")
    assert sent[-1] == "80 E6 00 00"
