"""The generated test PKI: chain, key usage, subject, determinism."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tracer_tui.eid.personalise import birth_from_national_number, personalise
from tracer_tui.eid.testca import CertificateAuthority, KeyKind, generate_test_ca, make_key
from tracer_tui.eid.tlv import BirthDate


def _chain_ok(leaf: x509.Certificate, ca: CertificateAuthority) -> None:
    leaf.verify_directly_issued_by(ca.citizen_ca.certificate)
    ca.citizen_ca.certificate.verify_directly_issued_by(ca.root.certificate)
    ca.root.certificate.verify_directly_issued_by(ca.root.certificate)


@pytest.mark.parametrize(
    ("kind", "key_type"), [("p384", ec.EllipticCurvePrivateKey), ("rsa2048", rsa.RSAPrivateKey)]
)
def test_card_certificates(test_ca: CertificateAuthority, kind: KeyKind, key_type: type) -> None:
    issued = test_ca.issue_card(
        national_number="85031506233",
        surname="Janssens",
        first_names="Pieter",
        key_kind=kind,
        valid_from=date(2024, 1, 1),
        valid_until=date(2033, 12, 31),
    )
    auth = issued.authentication.certificate
    key = issued.authentication.key
    assert isinstance(key, key_type)
    if isinstance(key, rsa.RSAPrivateKey):
        assert key.key_size == 2048
    else:
        assert isinstance(key.curve, ec.SECP384R1)
    _chain_ok(auth, test_ca)
    _chain_ok(issued.signature.certificate, test_ca)
    assert auth.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "85031506233"
    assert auth.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Pieter Janssens (Authentication)"
    )
    usage = auth.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert not usage.value.content_commitment
    sig_usage = issued.signature.certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert sig_usage.value.content_commitment
    assert not auth.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert auth.not_valid_before_utc.date() == date(2024, 1, 1)
    assert auth.not_valid_after_utc.date() == date(2033, 12, 31)


def test_ca_certificates(test_ca: CertificateAuthority) -> None:
    root = test_ca.root.certificate
    ca = test_ca.citizen_ca.certificate
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca
    assert constraints.path_length == 0
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert test_ca.trust_anchors_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    test_ca.rrn.certificate.verify_directly_issued_by(root)


def test_deterministic_keys_and_names() -> None:
    one = generate_test_ca("Det", seed=3)
    two = generate_test_ca("Det", seed=3)
    other = generate_test_ca("Det", seed=4)
    assert one.root.certificate.public_key() == two.root.certificate.public_key()
    assert one.root.certificate.serial_number == two.root.certificate.serial_number
    assert one.root.certificate.public_key() != other.root.certificate.public_key()
    assert make_key("rsa2048", "cached", 1) is make_key("rsa2048", "cached", 1)


def test_expired_card_can_be_issued(test_ca: CertificateAuthority) -> None:
    card = personalise(applet="1.8", ca=test_ca, valid_from=date(2010, 1, 1))
    assert card.identity.validity_end == date(2019, 12, 31)
    assert card.certificates.authentication.certificate.not_valid_after_utc.year == 2019


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("85031506233", BirthDate(1985, 3, 15), "F"),
        ("85.07.30-033.28", BirthDate(1985, 7, 30), "M"),
        ("00010112377", BirthDate(2000, 1, 1), "M"),
    ],
)
def test_birth_from_national_number(number: str, birth: BirthDate, sex: str) -> None:
    assert birth_from_national_number(number) == (birth, sex)


def test_bad_national_number() -> None:
    with pytest.raises(ValueError, match="check digits"):
        birth_from_national_number("85031506299")
