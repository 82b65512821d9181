"""A generated test PKI shaped like the Belgian one: root → citizen CA → card certificates.

For practice mode and tests only. Elliptic-curve keys (P-384) are derived from a seed, so a
given ``(seed, label)`` always gives the same key; RSA-2048 keys (card keys of applet 1.7)
cannot be derived cheaply and are cached per process instead. Certificates of the CA have
fixed dates and serial numbers; those of cards follow the card's validity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

KeyKind = Literal["rsa2048", "p384"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
    16,
)
_RSA_CACHE: dict[tuple[int, str], rsa.RSAPrivateKey] = {}

CA_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
ROOT_NOT_AFTER = datetime(2060, 1, 1, tzinfo=UTC)
CA_NOT_AFTER = datetime(2055, 1, 1, tzinfo=UTC)


def _seed_bytes(seed: int, label: str) -> bytes:
    return hashlib.sha512(f"tracer-testca:{seed}:{label}".encode()).digest()


def make_key(kind: KeyKind, label: str, seed: int = 0) -> PrivateKey:
    """A key for ``label``: derived from the seed (P-384) or cached per process (RSA)."""
    if kind == "p384":
        scalar = int.from_bytes(_seed_bytes(seed, label), "big") % (_P384_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP384R1())
    cached = _RSA_CACHE.get((seed, label))
    if cached is None:
        cached = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _RSA_CACHE[(seed, label)] = cached
    return cached


def _serial(seed: int, label: str) -> int:
    return int.from_bytes(_seed_bytes(seed, "serial:" + label)[:15], "big") | 1


def _hash_for(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    return hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey) else hashes.SHA256()


@dataclass(frozen=True)
class Issued:
    """A private key and its certificate."""

    key: PrivateKey
    certificate: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class CardCertificates:
    authentication: Issued  # key 0x82, file 5038, key usage digitalSignature
    signature: Issued  # key 0x83, file 5039, key usage nonRepudiation


def _name(*parts: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in parts])


def _usage(*, sign: bool = False, non_repudiation: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    *,
    subject: x509.Name,
    key: PrivateKey,
    issuer: Issued | None,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    usage: x509.KeyUsage,
    ca_path_length: int | Literal["leaf"] | None,
) -> x509.Certificate:
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(usage, critical=True)
        .add_extension(
            x509.BasicConstraints(
                ca=ca_path_length != "leaf",
                path_length=None if ca_path_length == "leaf" else ca_path_length,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    return builder.sign(signer_key, _hash_for(signer_key))


@dataclass(frozen=True)
class CertificateAuthority:
    """A test root, a citizen CA under it and a national-register (RRN) signer."""

    name: str
    seed: int
    root: Issued
    citizen_ca: Issued
    rrn: Issued

    @property
    def trust_anchors_pem(self) -> bytes:
        """The root certificate in PEM: what a test server puts in ``trusted_roots``."""
        return self.root.pem

    def issue_card(
        self,
        *,
        national_number: str,
        surname: str,
        first_names: str,
        key_kind: KeyKind,
        valid_from: date,
        valid_until: date,
        card_number: str = "",
    ) -> CardCertificates:
        """Keys and certificates of a card holder (authentication and signature)."""
        start = datetime.combine(valid_from, time(0, 0), tzinfo=UTC)
        end = datetime.combine(valid_until, time(23, 59, 59), tzinfo=UTC)
        issued = []
        for role, usage in (
            ("Authentication", _usage(sign=True)),
            ("Signature", _usage(non_repudiation=True)),
        ):
            label = f"card:{national_number}:{card_number}:{role}:{key_kind}"
            key = make_key(key_kind, label, self.seed)
            subject = _name(
                (NameOID.COUNTRY_NAME, "BE"),
                (NameOID.COMMON_NAME, f"{first_names} {surname} ({role})"),
                (NameOID.SURNAME, surname),
                (NameOID.GIVEN_NAME, first_names),
                (NameOID.SERIAL_NUMBER, national_number),
            )
            cert = _certificate(
                subject=subject,
                key=key,
                issuer=self.citizen_ca,
                serial=_serial(self.seed, label + start.isoformat() + end.isoformat()),
                not_before=start,
                not_after=end,
                usage=usage,
                ca_path_length="leaf",
            )
            issued.append(Issued(key, cert))
        return CardCertificates(authentication=issued[0], signature=issued[1])


def generate_test_ca(
    name: str = "Tracer Test", *, seed: int = 0, key_kind: KeyKind = "p384"
) -> CertificateAuthority:
    """A root CA, a citizen CA and an RRN certificate named after ``name``."""
    root_key = make_key(key_kind, f"{name}:root", seed)
    root_subject = _name(
        (NameOID.COUNTRY_NAME, "BE"),
        (NameOID.ORGANIZATION_NAME, name),
        (NameOID.COMMON_NAME, f"{name} Root CA"),
    )
    root_cert = _certificate(
        subject=root_subject,
        key=root_key,
        issuer=None,
        serial=_serial(seed, f"{name}:root"),
        not_before=CA_NOT_BEFORE,
        not_after=ROOT_NOT_AFTER,
        usage=_usage(ca=True),
        ca_path_length=None,
    )
    root = Issued(root_key, root_cert)
    ca_key = make_key(key_kind, f"{name}:citizen-ca", seed)
    ca_cert = _certificate(
        subject=_name(
            (NameOID.COUNTRY_NAME, "BE"),
            (NameOID.COMMON_NAME, f"{name} Citizen CA"),
            (NameOID.SERIAL_NUMBER, "2020"),
        ),
        key=ca_key,
        issuer=root,
        serial=_serial(seed, f"{name}:citizen-ca"),
        not_before=CA_NOT_BEFORE,
        not_after=CA_NOT_AFTER,
        usage=_usage(ca=True),
        ca_path_length=0,
    )
    rrn_key = make_key(key_kind, f"{name}:rrn", seed)
    rrn_cert = _certificate(
        subject=_name(
            (NameOID.COUNTRY_NAME, "BE"),
            (NameOID.ORGANIZATION_NAME, name),
            (NameOID.COMMON_NAME, f"{name} RRN"),
        ),
        key=rrn_key,
        issuer=root,
        serial=_serial(seed, f"{name}:rrn"),
        not_before=CA_NOT_BEFORE,
        not_after=CA_NOT_AFTER,
        usage=_usage(sign=True, non_repudiation=True),
        ca_path_length="leaf",
    )
    return CertificateAuthority(
        name=name,
        seed=seed,
        root=root,
        citizen_ca=Issued(ca_key, ca_cert),
        rrn=Issued(rrn_key, rrn_cert),
    )
