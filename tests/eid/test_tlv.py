"""Identity and address files, byte for byte as cards of applets 1.7 and 1.8 store them."""

from __future__ import annotations

from datetime import date

import pytest

from tracer_tui.eid import BirthDate, CardDataError
from tracer_tui.eid.tlv import (
    Address,
    encode_address,
    encode_identity,
    encode_length,
    encode_tlv,
    iter_tlv,
    parse_address,
    parse_birth_date,
    parse_identity,
)

CHIP = bytes.fromhex("53 4C 49 4E 33 66 00 13 93 0D 2A 5A 4D 30 4A 81")
PHOTO_SHA1 = bytes.fromhex("a9993e364706816aba3e25717850c26c9cd0d89d")

# Applet 1.7: no version tag, photo hash SHA-1, Dutch month.
IDENTITY_17 = (
    b"\x01\x0c592123456789"
    + b"\x02\x10"
    + CHIP
    + b"\x03\x0a01.02.2018"
    + b"\x04\x0a01.02.2028"
    + b"\x05\x06Leuven"
    + b"\x06\x0b85031506233"
    + b"\x07\x08Janssens"
    + b"\x08\x0aPieter Jan"
    + b"\x09\x01K"
    + b"\x0a\x04Belg"
    + b"\x0b\x06Leuven"
    + b"\x0c\x0c15 MAAR 1985"
    + b"\x0d\x01M"
    + b"\x0e\x00"
    + b"\x0f\x011"
    + b"\x10\x010"
    + b"\x11\x14"
    + PHOTO_SHA1
)

# Applet 1.8: version tag 00 first, German month with an umlaut, sex W, no third initial,
# tags unknown to this code (12, 18) that must be skipped, SHA-384 photo hash.
IDENTITY_18 = (
    b"\x00\x01\x01"
    + b"\x01\x0c600123456712"
    + b"\x02\x10"
    + CHIP
    + b"\x03\x0a05.03.2023"
    + b"\x04\x0a05.03.2033"
    + b"\x05\x05Eupen"
    + b"\x06\x0b90030312345"
    + b"\x07\x07M\xc3\xbcller"
    + b"\x08\x0bAnna Sophie"
    + b"\x09\x00"
    + b"\x0a\x04Belg"
    + b"\x0b\x05Eupen"
    + b"\x0c\x0c03 M\xc3\x84R 1990"
    + b"\x0d\x01W"
    + b"\x0f\x011"
    + b"\x10\x010"
    + b"\x11\x30"
    + bytes(range(48))
    + b"\x12\x02ab"
    + b"\x18\x04\xde\xad\xbe\xef"
)

ADDRESS = b"\x01\x0dKerkstraat 12\x02\x043000\x03\x06Leuven"
ADDRESS_FILE = ADDRESS + bytes(121 - len(ADDRESS))


def test_identity_applet_17() -> None:
    identity = parse_identity(IDENTITY_17)
    assert identity.card_number == "592123456789"
    assert identity.chip_number == CHIP
    assert identity.validity_begin == date(2018, 2, 1)
    assert identity.validity_end == date(2028, 2, 1)
    assert identity.delivery_municipality == "Leuven"
    assert identity.national_number == "85031506233"
    assert identity.surname == "Janssens"
    assert identity.first_names == "Pieter Jan"
    assert identity.given_name == "Pieter"
    assert identity.full_name == "Pieter Jan Janssens"
    assert identity.third_initial == "K"
    assert identity.nationality == "Belg"
    assert identity.birth_place == "Leuven"
    assert identity.birth_date == BirthDate(1985, 3, 15)
    assert identity.birth_date.date == date(1985, 3, 15)
    assert identity.sex == "M"
    assert identity.noble_condition == ""
    assert identity.document_type == "1"
    assert identity.special_status == "0"
    assert identity.photo_hash == PHOTO_SHA1
    assert identity.version is None
    assert identity.extra == {}
    assert identity.is_valid_on(date(2020, 1, 1))
    assert not identity.is_valid_on(date(2028, 2, 2))


def test_identity_applet_18_with_version_and_unknown_tags() -> None:
    identity = parse_identity(IDENTITY_18)
    assert identity.version == b"\x01"
    assert identity.surname == "Müller"
    assert identity.third_initial == ""
    assert identity.birth_date == BirthDate(1990, 3, 3)
    assert identity.sex == "F"
    assert identity.photo_hash == bytes(range(48))
    assert identity.extra == {0x12: b"ab", 0x18: b"\xde\xad\xbe\xef"}


def test_identity_encoding_is_byte_exact() -> None:
    identity = parse_identity(IDENTITY_17)
    assert encode_identity(identity, birth_language="nl") == IDENTITY_17
    german = parse_identity(IDENTITY_18)
    assert encode_identity(german, birth_language="de", sex_letter="W").startswith(IDENTITY_18[:3])


def test_identity_missing_mandatory_tag() -> None:
    without_national_number = IDENTITY_17.replace(b"\x06\x0b85031506233", b"")
    with pytest.raises(CardDataError, match="national number"):
        parse_identity(without_national_number)


def test_identity_truncated() -> None:
    with pytest.raises(CardDataError, match="past the end"):
        parse_identity(IDENTITY_17[:-5])


def test_address_with_padding() -> None:
    address = parse_address(ADDRESS_FILE)
    assert address == Address("Kerkstraat 12", "3000", "Leuven")
    assert str(address) == "Kerkstraat 12, 3000 Leuven"
    assert encode_address(address) == ADDRESS_FILE
    assert len(ADDRESS_FILE) == 121


def test_tlv_long_lengths_round_trip() -> None:
    assert encode_length(5) == b"\x05"
    assert encode_length(200) == b"\x81\x48"
    value = bytes(range(200))
    data = encode_tlv([(0x01, b"x"), (0x02, value)]) + bytes(10)
    assert list(iter_tlv(data)) == [(0x01, b"x"), (0x02, value)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 JAN 1985", BirthDate(1985, 1, 15)),
        ("01 FEV 1990", BirthDate(1990, 2, 1)),
        ("01 FÉV 1990", BirthDate(1990, 2, 1)),
        ("01.FEB.1990", BirthDate(1990, 2, 1)),
        ("15 MARS 1985", BirthDate(1985, 3, 15)),
        ("15 MAAR 1985", BirthDate(1985, 3, 15)),
        ("15 MÄR 1985", BirthDate(1985, 3, 15)),
        ("15.MAR.1985", BirthDate(1985, 3, 15)),
        ("07 AVR 2001", BirthDate(2001, 4, 7)),
        ("07 APR 2001", BirthDate(2001, 4, 7)),
        ("31 MAI 1970", BirthDate(1970, 5, 31)),
        ("31 MEI 1970", BirthDate(1970, 5, 31)),
        ("30 JUIN 1960", BirthDate(1960, 6, 30)),
        ("30 JUN 1960", BirthDate(1960, 6, 30)),
        ("14 JUIL 1955", BirthDate(1955, 7, 14)),
        ("14.JUL.1955", BirthDate(1955, 7, 14)),
        ("15 AOUT 1945", BirthDate(1945, 8, 15)),
        ("15 AOÛT 1945", BirthDate(1945, 8, 15)),
        ("15 AUG 1945", BirthDate(1945, 8, 15)),
        ("09 SEPT 1999", BirthDate(1999, 9, 9)),
        ("09 SEP 1999", BirthDate(1999, 9, 9)),
        ("12 OCT 2002", BirthDate(2002, 10, 12)),
        ("12 OKT 2002", BirthDate(2002, 10, 12)),
        ("11 NOV 1918", BirthDate(1918, 11, 11)),
        ("24 DEC 1980", BirthDate(1980, 12, 24)),
        ("24.DEZ.1980", BirthDate(1980, 12, 24)),
        ("24 dec. 1980", BirthDate(1980, 12, 24)),
        ("1950", BirthDate(1950)),
        ("00 JAN 1950", BirthDate(1950, 1)),
        ("JAN 1950", BirthDate(1950, 1)),
    ],
)
def test_birth_dates(text: str, expected: BirthDate) -> None:
    assert parse_birth_date(text) == expected


@pytest.mark.parametrize("text", ["", "31 FEB 1990", "12 FOO 1990", "12 JAN 90", "1 2 3 4"])
def test_bad_birth_dates(text: str) -> None:
    with pytest.raises(CardDataError):
        parse_birth_date(text)


def test_birth_date_text_and_str() -> None:
    date_ = BirthDate(1985, 3, 15)
    assert [date_.card_text(lang) for lang in ("fr", "nl", "de", "en")] == [
        "15 MARS 1985",
        "15 MAAR 1985",
        "15 MÄR 1985",
        "15 MAR 1985",
    ]
    assert str(date_) == "1985-03-15"
    assert str(BirthDate(1950)) == "1950"
    assert BirthDate(1950).date is None
