"""Personalisation of a virtual eID: the holder's data, the card's files, keys and ATR.

The result, :class:`PersonalisedCard`, is what :class:`tracer_tui.eid.virtual.VirtualEid`
serves: the same file tree and TLV layout as a real card of applet 1.7 (RSA-2048) or 1.8
(ECDSA P-384), with certificates issued by a :class:`~tracer_tui.eid.testca.CertificateAuthority`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from tracer_tui.eid.card import EidFile
from tracer_tui.eid.signature import der_to_raw_ecdsa
from tracer_tui.eid.testca import (
    CardCertificates,
    CertificateAuthority,
    KeyKind,
    PrivateKey,
    generate_test_ca,
)
from tracer_tui.eid.tlv import Address, BirthDate, Identity, encode_address, encode_identity

AppletName = Literal["1.7", "1.8"]

ATR_APPLET_17 = bytes.fromhex("3B 98 13 40 0A A5 03 01 01 01 AD 13 11")
ATR_APPLET_18 = bytes.fromhex("3B 7F 96 00 00 80 31 80 65 B0 85 04 01 20 12 0F FF 82 90 00")
ATR_17_MASK = bytes.fromhex("FF FF 00 FF 00 FF FF FF FF FF FF FF 00")

DEFAULT_NATIONAL_NUMBER = "85031506233"


def atr_looks_like_eid(atr: bytes) -> bool:
    """True for the ATR of a Belgian eID (applet 1.1/1.7 pattern, or applet 1.8)."""
    if atr == ATR_APPLET_18:
        return True
    if len(atr) != len(ATR_17_MASK):
        return False
    return all((a & m) == (b & m) for a, b, m in zip(atr, ATR_APPLET_17, ATR_17_MASK, strict=True))


def birth_from_national_number(national_number: str) -> tuple[BirthDate, str]:
    """Birth date and sex ("M"/"F") encoded in a national (or BIS) number."""
    digits = "".join(c for c in national_number if c.isdigit())
    if len(digits) != 11:
        raise ValueError(f"a national number has 11 digits: {national_number!r}")
    base, check = int(digits[:9]), int(digits[9:])
    century = 2000 if 97 - (int("2" + digits[:9]) % 97) == check else 1900
    if century == 1900 and 97 - (base % 97) != check:
        raise ValueError(f"bad check digits in national number {national_number!r}")
    year = century + int(digits[0:2])
    month = int(digits[2:4]) % 20  # BIS numbers add 20 or 40 to the month
    day = int(digits[4:6])
    sex = "M" if int(digits[6:9]) % 2 else "F"
    if month == 0:
        return BirthDate(year), sex
    if day == 0:
        return BirthDate(year, month), sex
    return BirthDate(year, month, day), sex


@dataclass(frozen=True)
class Holder:
    """The person on a virtual card. Birth date and sex come from the national number."""

    surname: str = "Peeters"
    first_names: str = "Anna Maria"
    national_number: str = DEFAULT_NATIONAL_NUMBER
    third_initial: str = "J"
    nationality: str = "Belg"
    birth_place: str = "Gent"
    street_and_number: str = "Kerkstraat 12"
    postcode: str = "9000"
    municipality: str = "Gent"
    language: Literal["fr", "nl", "de", "en"] = "nl"


@dataclass(frozen=True)
class PersonalisedCard:
    """Everything a virtual card needs to answer like a real one."""

    applet_version: int
    atr: bytes
    card_data: bytes  # 28 bytes of GET CARD DATA (the 1.8 extension is added live)
    files: dict[tuple[int, ...], bytes] = field(repr=False)
    keys: dict[int, PrivateKey] = field(repr=False)  # key reference → private key
    identity: Identity
    address: Address
    certificates: CardCertificates
    ca: CertificateAuthority

    @property
    def key_kind(self) -> KeyKind:
        return "p384" if self.applet_version >= 0x18 else "rsa2048"


def _card_number(seed: int, national_number: str) -> str:
    digest = hashlib.sha256(f"card-number:{seed}:{national_number}".encode()).digest()
    base = 5_900_000_000 + int.from_bytes(digest[:4], "big") % 100_000_000
    check = base % 97 or 97
    return f"{base:010d}{check:02d}"


def _fake_photo(seed: bytes) -> bytes:
    """A JPEG-shaped blob of ~3 KB (SOI, APP0 'JFIF', filler, EOI): not a real picture."""
    filler = b"".join(hashlib.sha256(seed + i.to_bytes(2, "big")).digest() for i in range(95))
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + filler + b"\xff\xd9"


def _rrn_sign(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return der_to_raw_ecdsa(key.sign(data, ec.ECDSA(hashes.SHA384())))
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def personalise(
    holder: Holder | None = None,
    *,
    applet: AppletName = "1.8",
    ca: CertificateAuthority | None = None,
    seed: int = 0,
    valid_from: date | None = None,
    valid_years: int = 10,
) -> PersonalisedCard:
    """Build the files, keys and certificates of a virtual card for ``holder``."""
    holder = holder or Holder()
    ca = ca or generate_test_ca(seed=seed)
    version = 0x18 if applet == "1.8" else 0x17
    key_kind: KeyKind = "p384" if version >= 0x18 else "rsa2048"
    begin = valid_from or (date.today() - timedelta(days=365))
    try:
        end = begin.replace(year=begin.year + valid_years) - timedelta(days=1)
    except ValueError:  # 29 February
        end = begin.replace(year=begin.year + valid_years, day=28)
    card_number = _card_number(seed, holder.national_number)
    chip = hashlib.sha256(f"chip:{card_number}".encode()).digest()[:16]
    birth, sex = birth_from_national_number(holder.national_number)
    photo = _fake_photo(chip)
    photo_hash = (hashlib.sha384 if version >= 0x18 else hashlib.sha256)(photo).digest()
    identity = Identity(
        card_number=card_number,
        chip_number=chip,
        validity_begin=begin,
        validity_end=end,
        delivery_municipality=holder.municipality,
        national_number=holder.national_number,
        surname=holder.surname,
        first_names=holder.first_names,
        third_initial=holder.third_initial,
        nationality=holder.nationality,
        birth_place=holder.birth_place,
        birth_date=birth,
        sex=sex,
        document_type="1",
        special_status="0",
        photo_hash=photo_hash,
        version=b"\x01" if version >= 0x18 else None,
    )
    address = Address(holder.street_and_number, holder.postcode, holder.municipality)
    sex_letter = {"nl": "V", "de": "W"}.get(holder.language, "F") if sex == "F" else "M"
    identity_file = encode_identity(identity, birth_language=holder.language, sex_letter=sex_letter)
    address_file = encode_address(address)
    identity_signature = _rrn_sign(ca.rrn.key, identity_file)
    address_signature = _rrn_sign(ca.rrn.key, address_file.rstrip(b"\x00") + identity_signature)
    certificates = ca.issue_card(
        national_number=holder.national_number,
        surname=holder.surname,
        first_names=holder.first_names,
        key_kind=key_kind,
        valid_from=begin,
        valid_until=end,
        card_number=card_number,
    )
    files = {
        EidFile.IDENTITY.path: identity_file,
        EidFile.IDENTITY_SIGNATURE.path: identity_signature,
        EidFile.ADDRESS.path: address_file,
        EidFile.ADDRESS_SIGNATURE.path: address_signature,
        EidFile.PHOTO.path: photo,
        EidFile.AUTH_CERTIFICATE.path: certificates.authentication.der,
        EidFile.SIGNATURE_CERTIFICATE.path: certificates.signature.der,
        EidFile.CA_CERTIFICATE.path: ca.citizen_ca.der,
        EidFile.ROOT_CERTIFICATE.path: ca.root.der,
        EidFile.RRN_CERTIFICATE.path: ca.rrn.der,
    }
    # serial, component, OS number/version, softmask number/version, applet version,
    # global OS version (2), applet interface, PKCS#1 support, key exchange, lifecycle
    card_data = (
        chip
        + bytes([0xD0, 0x21, 0x01, 0x11, 0x01, version, 0x00, 0x01])
        + bytes([0x01, 0x01, 0x00, 0x0F])
    )
    return PersonalisedCard(
        applet_version=version,
        atr=ATR_APPLET_18 if version >= 0x18 else ATR_APPLET_17,
        card_data=card_data,
        files=files,
        keys={0x82: certificates.authentication.key, 0x83: certificates.signature.key},
        identity=identity,
        address=address,
        certificates=certificates,
        ca=ca,
    )
