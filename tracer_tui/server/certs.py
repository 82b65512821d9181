"""eID certificate checks for the card login: trust anchors, chain, dates, key usage, signature.

The chain is checked here, step by step, with ``cryptography`` for the primitives only:
authentication certificate → citizen CA (sent by the client, card file 503A) → one of the
configured roots (``[central] trusted_roots``). Each step checks that the issuer's subject is
the child's issuer name, that the issuer is a CA (basicConstraints, path length, keyCertSign)
and that its key verifies the child's signature; every certificate, anchor included, must be
valid at the injected clock's time.

Failures are :class:`LoginRefused` with the stable code the API answers. Their details name
no person: never a certificate subject, never a national number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtensionOID, NameOID

from tracer_tui.config_file import ConfigError
from tracer_tui.wire import SignatureAlgorithm

UNTRUSTED = "untrusted_certificate"
EXPIRED = "expired_certificate"
BAD_SIGNATURE = "bad_signature"

_CERTIFICATE_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
_UNDERSTOOD_CRITICAL = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
}
_P384_HALF = 48
MAX_CHAIN = 4  # certificates a client may send above its own: far more than the eID's one


class TrustStoreError(ConfigError):
    """A trusted root file is missing, unreadable or not a CA certificate."""


class LoginRefused(Exception):
    """A login (or a signature) refused with a stable API code.

    ``agent_id`` is set once a trusted certificate has named a registered agent: the audit
    record of the attempt then says whose card it was.
    """

    def __init__(self, code: str, detail: str, *, agent_id: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.agent_id = agent_id


@dataclass(frozen=True)
class TrustStore:
    """The trust anchors: root certificates from the configured PEM files."""

    anchors: tuple[x509.Certificate, ...] = ()

    @classmethod
    def load(cls, paths: Sequence[Path]) -> TrustStore:
        """Every certificate of every PEM file; raises TrustStoreError naming the file."""
        anchors: list[x509.Certificate] = []
        for path in paths:
            where = f"[central] trusted_roots: {path}"
            try:
                data = Path(path).expanduser().read_bytes()
            except OSError as exc:
                raise TrustStoreError(f"{where}: cannot read it ({exc.strerror})") from exc
            try:
                found = x509.load_pem_x509_certificates(data)
            except ValueError as exc:
                raise TrustStoreError(f"{where}: no PEM certificate in it") from exc
            for certificate in found:
                try:
                    is_ca = _is_ca(certificate)
                except (ValueError, x509.DuplicateExtension) as exc:
                    raise TrustStoreError(f"{where}: a certificate in it is malformed") from exc
                if not is_ca:
                    raise TrustStoreError(f"{where}: a certificate in it is not a CA")
            anchors.extend(found)
        return cls(tuple(anchors))

    def issuers_of(self, certificate: x509.Certificate) -> list[x509.Certificate]:
        return [anchor for anchor in self.anchors if anchor.subject == certificate.issuer]

    def holds(self, certificate: x509.Certificate) -> bool:
        return any(anchor == certificate for anchor in self.anchors)


def _extension(certificate: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _is_ca(certificate: x509.Certificate, below: int = 0) -> bool:
    """A CA allowed to have ``below`` more CA certificates under it in the chain."""
    constraints = _extension(certificate, x509.BasicConstraints)
    if not isinstance(constraints, x509.BasicConstraints) or not constraints.ca:
        return False
    if constraints.path_length is not None and constraints.path_length < below:
        return False
    usage = _extension(certificate, x509.KeyUsage)
    return usage is None or (isinstance(usage, x509.KeyUsage) and usage.key_cert_sign)


def _signed_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    """The issuer's name is the child's issuer and its key verifies the child's signature."""
    if child.issuer != issuer.subject:
        return False
    try:
        key = issuer.public_key()
        digest = child.signature_hash_algorithm
        if not isinstance(digest, _CERTIFICATE_HASHES):
            return False  # no MD5 or SHA-1, no EdDSA/DSA
        parameters = child.signature_algorithm_parameters
        if isinstance(key, rsa.RSAPublicKey) and isinstance(
            parameters, padding.PKCS1v15 | padding.PSS
        ):
            key.verify(child.signature, child.tbs_certificate_bytes, parameters, digest)
        elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(parameters, ec.ECDSA):
            key.verify(child.signature, child.tbs_certificate_bytes, parameters)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return True


def _unknown_critical(certificate: x509.Certificate) -> bool:
    return any(
        extension.critical and extension.oid not in _UNDERSTOOD_CRITICAL
        for extension in certificate.extensions
    )


def parse_certificate(der: bytes, what: str) -> x509.Certificate:
    try:
        certificate = x509.load_der_x509_certificate(der)
        certificate.extensions  # noqa: B018 - parsed lazily: a malformed one raises here
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        raise LoginRefused(UNTRUSTED, f"the {what} certificate is not readable DER") from exc
    return certificate


def verify_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    store: TrustStore,
) -> list[x509.Certificate]:
    """Check that ``leaf`` chains through ``intermediates`` (in order) to a trust anchor.

    Returns the whole path, leaf first and anchor last, for :func:`check_validity`. Dates are
    not looked at here: check trust first, so that a forged and expired certificate is
    called untrusted. Raises LoginRefused(``untrusted_certificate``).
    """
    if len(intermediates) > MAX_CHAIN:
        raise LoginRefused(UNTRUSTED, "too many certificates in the chain")
    chain = [leaf, *intermediates]
    for certificate in chain:
        if _unknown_critical(certificate):
            raise LoginRefused(UNTRUSTED, "a certificate has a critical extension not understood")
    for depth, (child, issuer) in enumerate(pairwise(chain)):
        if not _is_ca(issuer, below=depth):
            raise LoginRefused(UNTRUSTED, "a certificate of the chain is issued by a non-CA")
        if not _signed_by(child, issuer):
            raise LoginRefused(UNTRUSTED, "a certificate is not signed by the next in the chain")
    top = chain[-1]
    if top is not leaf and store.holds(top):
        return chain  # the client sent a trust anchor itself
    below = len(chain) - 1
    for anchor in store.issuers_of(top):
        if _is_ca(anchor, below=below) and _signed_by(top, anchor):
            return [*chain, anchor]
    raise LoginRefused(UNTRUSTED, "the certificate does not chain to a trusted root")


def check_validity(path: Sequence[x509.Certificate], now: datetime) -> None:
    """Every certificate valid at ``now``; raises LoginRefused(``expired_certificate``)."""
    for certificate in path:
        if now < certificate.not_valid_before_utc:
            raise LoginRefused(EXPIRED, "a certificate of the chain is not valid yet")
        if now > certificate.not_valid_after_utc:
            raise LoginRefused(EXPIRED, "a certificate of the chain has expired")


def check_authentication_usage(certificate: x509.Certificate) -> None:
    """An end-entity certificate whose key may make digital signatures (the eID's 5038)."""
    constraints = _extension(certificate, x509.BasicConstraints)
    if isinstance(constraints, x509.BasicConstraints) and constraints.ca:
        raise LoginRefused(UNTRUSTED, "a CA certificate cannot log in")
    usage = _extension(certificate, x509.KeyUsage)
    if not isinstance(usage, x509.KeyUsage) or not usage.digital_signature:
        raise LoginRefused(UNTRUSTED, "not an authentication certificate (key usage)")


def national_number(certificate: x509.Certificate) -> str | None:
    """The subject's serialNumber (the national register number), if there is exactly one."""
    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if len(values) != 1:
        return None
    value = values[0].value
    return value if isinstance(value, str) else None


def public_key_der(certificate: x509.Certificate) -> bytes:
    """The certificate's SubjectPublicKeyInfo, DER."""
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_sha256(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def verify_signature(
    public_key_info: bytes,
    message: bytes,
    signature: bytes,
    algorithm: SignatureAlgorithm,
) -> None:
    """Check a card signature over ``message``; raises LoginRefused(``bad_signature``).

    RSA: PKCS#1 v1.5 with SHA-256. ECDSA: P-384 with SHA-384, the signature as raw ``r‖s``
    (96 bytes, the card's own form), converted to DER here.
    """
    key = serialization.load_der_public_key(public_key_info)
    try:
        if algorithm == "rsa-pkcs1-sha256":
            if not isinstance(key, rsa.RSAPublicKey):
                raise LoginRefused(BAD_SIGNATURE, "the certificate's key is not an RSA key")
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp384r1":
                raise LoginRefused(BAD_SIGNATURE, "the certificate's key is not a P-384 key")
            if len(signature) != 2 * _P384_HALF:
                raise LoginRefused(BAD_SIGNATURE, "an ECDSA signature is r‖s, 96 bytes")
            r = int.from_bytes(signature[:_P384_HALF], "big")
            s = int.from_bytes(signature[_P384_HALF:], "big")
            key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA384()))
    except InvalidSignature as exc:
        raise LoginRefused(BAD_SIGNATURE, "the signature does not verify") from exc
