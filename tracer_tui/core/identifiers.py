"""Belgian identifiers: national register numbers, phone numbers, postcodes.

Thin, typed wrappers around python-stdnum and phonenumbers, so that the rest of the code
never re-implements a checksum.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum.be import bis, nn
from stdnum.exceptions import ValidationError as StdnumError

_POSTCODE = re.compile(r"^[1-9][0-9]{3}$")


class IdentifierError(ValueError):
    """An identifier that does not validate."""


def normalise_national_number(value: str) -> str:
    """Return the 11 digits of a valid NISS/INSZ or BIS number, or raise IdentifierError."""
    compact = nn.compact(value)
    try:
        if len(compact) == 11 and compact[2:4].isdigit() and int(compact[2:4]) >= 20:
            return str(bis.validate(compact))
        return str(nn.validate(compact))
    except StdnumError as exc:
        raise IdentifierError(str(exc)) from exc


def is_national_number(value: str) -> bool:
    try:
        normalise_national_number(value)
    except IdentifierError:
        return False
    return True


def format_national_number(value: str) -> str:
    """Format as ``YY.MM.DD-SSS.CC``."""
    return str(nn.format(normalise_national_number(value)))


def normalise_phone(value: str, region: str = "BE") -> str:
    """Return a phone number in E.164 (``+32471234567``), or raise IdentifierError."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise IdentifierError(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise IdentifierError(f"not a valid phone number: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """Format an E.164 number for reading aloud: national format for Belgium."""
    try:
        parsed = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException:
        return value
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 32
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


def is_belgian_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(value.strip()))
