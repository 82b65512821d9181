"""The identity (3F00 DF01 4031) and address (4033) files: TLV parsing into dataclasses.

The files are a flat list of ``tag, length, value`` with a one-byte tag. Real fields are
shorter than 128 bytes; a longer length is read as 7-bit groups with the high bit meaning
"another length byte follows". Unknown tags are kept aside in ``extra`` and never fatal;
trailing zero bytes (the address file's padding) end the list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from tracer_tui.eid.errors import CardDataError

# --- raw TLV ---------------------------------------------------------------------------


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield ``(tag, value)`` pairs; stop at the end or where only zero padding remains."""
    pos = 0
    end = len(data)
    while pos < end:
        if not any(data[pos:]):
            return
        tag = data[pos]
        pos += 1
        length = 0
        while True:
            if pos >= end:
                raise CardDataError(f"TLV length of tag {tag:02X} runs past the end of the file")
            byte = data[pos]
            pos += 1
            length = (length << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        if pos + length > end:
            raise CardDataError(f"TLV value of tag {tag:02X} runs past the end of the file")
        yield tag, bytes(data[pos : pos + length])
        pos += length


def encode_length(length: int) -> bytes:
    """The inverse of the length rule of :func:`iter_tlv`."""
    if length < 0:
        raise ValueError("negative length")
    groups = [length & 0x7F]
    length >>= 7
    while length:
        groups.append(0x80 | (length & 0x7F))
        length >>= 7
    return bytes(reversed(groups))


def encode_tlv(items: Iterable[tuple[int, bytes]]) -> bytes:
    out = bytearray()
    for tag, value in items:
        if not 0 <= tag <= 0xFF:
            raise ValueError(f"tag out of range: {tag}")
        out.append(tag)
        out += encode_length(len(value))
        out += value
    return bytes(out)


# --- dates -----------------------------------------------------------------------------

# Month abbreviations found on cards (fr, nl, de, en), accents removed, upper case.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "JAN JANV",
        "FEV FEB FEBR",
        "MARS MAAR MAA MRT MAR MARZ",
        "AVR AVRIL APR",
        "MAI MEI MAY",
        "JUIN JUN JUNI",
        "JUIL JUL JULI",
        "AOUT AOU AUG",
        "SEPT SEP",
        "OCT OKT",
        "NOV",
        "DEC DEZ",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# How the virtual card writes a birth date, per card language.
BIRTH_MONTHS: dict[str, tuple[str, ...]] = {
    "fr": ("JAN", "FEV", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOUT", "SEPT", "OCT", "NOV", "DEC"),
    "nl": ("JAN", "FEB", "MAAR", "APR", "MEI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEC"),
    "de": ("JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"),
    "en": ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
}

_SEPARATORS = re.compile(r"[\s.\-/]+")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@dataclass(frozen=True)
class BirthDate:
    """A birth date as printed on the card; day and month may be unknown."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def card_text(self, language: str = "fr") -> str:
        """Format as the card does (``15 MAARS 1985`` style) in ``language``."""
        if self.month is None:
            return f"{self.year:04d}"
        month = BIRTH_MONTHS[language][self.month - 1]
        if self.day is None:
            return f"{month} {self.year:04d}"
        return f"{self.day:02d} {month} {self.year:04d}"


def parse_birth_date(text: str) -> BirthDate:
    """Parse ``DD MMM YYYY`` (localised month, space or '.'), ``MMM YYYY`` or ``YYYY``."""
    tokens = [t for t in _SEPARATORS.split(_plain(text.strip())) if t]
    try:
        if len(tokens) == 1:
            return BirthDate(_year(tokens[0]))
        if len(tokens) == 2:
            return BirthDate(_year(tokens[1]), _month(tokens[0]))
        if len(tokens) == 3:
            day = int(tokens[0])
            month = _month(tokens[1])
            year = _year(tokens[2])
            if day == 0:
                return BirthDate(year, month)
            date(year, month, day)  # range check
            return BirthDate(year, month, day)
    except ValueError as exc:
        raise CardDataError(f"unreadable birth date {text!r}: {exc}") from exc
    raise CardDataError(f"unreadable birth date {text!r}")


def _year(token: str) -> int:
    if len(token) != 4 or not token.isdigit():
        raise ValueError(f"bad year {token!r}")
    return int(token)


def _month(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if 1 <= number <= 12:
            return number
        raise ValueError(f"bad month {token!r}")
    number_or_none = _MONTHS.get(token)
    if number_or_none is None:
        raise ValueError(f"unknown month {token!r}")
    return number_or_none


def parse_card_date(text: str) -> date:
    """Parse a validity date ``DD.MM.YYYY``."""
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    try:
        day, month, year = (int(p) for p in parts)
        return date(year, month, day)
    except ValueError as exc:
        raise CardDataError(f"unreadable date {text!r}") from exc


def format_card_date(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


# --- identity --------------------------------------------------------------------------

TAG_VERSION = 0x00
_SEX = {"M": "M", "F": "F", "V": "F", "W": "F"}


@dataclass(frozen=True)
class Identity:
    """The identity file, decoded."""

    card_number: str
    chip_number: bytes
    validity_begin: date
    validity_end: date
    delivery_municipality: str
    national_number: str
    surname: str
    first_names: str
    third_initial: str
    nationality: str
    birth_place: str
    birth_date: BirthDate
    sex: str  # "M" or "F" (V and W are read as F); anything else kept as found
    noble_condition: str = ""
    document_type: str = ""
    special_status: str = ""
    photo_hash: bytes = b""
    version: bytes | None = None
    extra: dict[int, bytes] = field(default_factory=dict, compare=False)

    @property
    def given_name(self) -> str:
        return self.first_names.split(" ")[0] if self.first_names else ""

    @property
    def full_name(self) -> str:
        """``First names Surname`` (without the third initial)."""
        return f"{self.first_names} {self.surname}".strip()

    def is_valid_on(self, day: date) -> bool:
        return self.validity_begin <= day <= self.validity_end


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace").strip()


def parse_identity(data: bytes) -> Identity:
    """Decode the identity file (3F00 DF01 4031) of applet 1.1, 1.7 or 1.8."""
    fields: dict[int, bytes] = {}
    extra: dict[int, bytes] = {}
    known = set(range(0x00, 0x12))
    for tag, value in iter_tlv(data):
        (fields if tag in known else extra)[tag] = value
    for tag, name in ((0x01, "card number"), (0x06, "national number"), (0x07, "surname")):
        if tag not in fields:
            raise CardDataError(f"the identity file has no {name} (tag {tag:02X})")
    for tag in (0x03, 0x04, 0x0C):
        if tag not in fields:
            raise CardDataError(f"the identity file has no date in tag {tag:02X}")

    def text(tag: int) -> str:
        return _text(fields.get(tag, b""))

    sex = text(0x0D).upper()
    return Identity(
        card_number=text(0x01),
        chip_number=fields.get(0x02, b""),
        validity_begin=parse_card_date(text(0x03)),
        validity_end=parse_card_date(text(0x04)),
        delivery_municipality=text(0x05),
        national_number=text(0x06),
        surname=text(0x07),
        first_names=text(0x08),
        third_initial=text(0x09),
        nationality=text(0x0A),
        birth_place=text(0x0B),
        birth_date=parse_birth_date(text(0x0C)),
        sex=_SEX.get(sex, sex),
        noble_condition=text(0x0E),
        document_type=text(0x0F),
        special_status=text(0x10),
        photo_hash=fields.get(0x11, b""),
        version=fields.get(TAG_VERSION),
        extra=extra,
    )


def encode_identity(
    identity: Identity, *, birth_language: str = "fr", sex_letter: str | None = None
) -> bytes:
    """Encode as a card does (used by the virtual card and by test fixtures)."""
    items: list[tuple[int, bytes]] = []
    if identity.version is not None:
        items.append((TAG_VERSION, identity.version))
    texts = (
        (0x01, identity.card_number),
        (0x02, None),
        (0x03, format_card_date(identity.validity_begin)),
        (0x04, format_card_date(identity.validity_end)),
        (0x05, identity.delivery_municipality),
        (0x06, identity.national_number),
        (0x07, identity.surname),
        (0x08, identity.first_names),
        (0x09, identity.third_initial),
        (0x0A, identity.nationality),
        (0x0B, identity.birth_place),
        (0x0C, identity.birth_date.card_text(birth_language)),
        (0x0D, sex_letter or identity.sex),
        (0x0E, identity.noble_condition),
        (0x0F, identity.document_type),
        (0x10, identity.special_status),
    )
    for tag, value in texts:
        items.append((tag, identity.chip_number if value is None else value.encode("utf-8")))
    items.append((0x11, identity.photo_hash))
    items.extend(sorted(identity.extra.items()))
    return encode_tlv(items)


# --- address ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street_and_number: str
    postcode: str
    municipality: str
    extra: dict[int, bytes] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.street_and_number}, {self.postcode} {self.municipality}"


def parse_address(data: bytes) -> Address:
    """Decode the address file (3F00 DF01 4033); trailing zero padding is ignored."""
    fields: dict[int, bytes] = {}
    extra: dict[int, bytes] = {}
    for tag, value in iter_tlv(data):
        (fields if tag in (0x01, 0x02, 0x03) else extra)[tag] = value
    return Address(
        street_and_number=_text(fields.get(0x01, b"")),
        postcode=_text(fields.get(0x02, b"")),
        municipality=_text(fields.get(0x03, b"")),
        extra=extra,
    )


def encode_address(address: Address, *, padded_to: int = 121) -> bytes:
    body = encode_tlv(
        [
            (0x01, address.street_and_number.encode("utf-8")),
            (0x02, address.postcode.encode("utf-8")),
            (0x03, address.municipality.encode("utf-8")),
            *sorted(address.extra.items()),
        ]
    )
    return body + bytes(max(0, padded_to - len(body)))
