"""Signature schemes of the authentication key: what the host hashes, what the card returns.

- Applet 1.1/1.7: RSA PKCS#1 v1.5 over SHA-256. The host sends the whole DigestInfo
  (MSE algorithm ``01``); the card pads and signs it. Result: the modulus size (256 bytes).
- Applet 1.8: ECDSA P-384 over SHA-384. The host sends the 48-byte hash (algorithm ``02``);
  the card returns raw ``r‖s`` (96 bytes), converted here to DER.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

# DER prefix of a DigestInfo with SHA-256 (RFC 8017, section 9.2, note 1).
DIGEST_INFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")


class SignatureScheme(Enum):
    RSA_PKCS1_SHA256 = "RSA-PKCS1v15-SHA256"
    ECDSA_SHA384 = "ECDSA-P384-SHA384"

    @property
    def mse_algorithm(self) -> int:
        """The algorithm byte sent in MSE:SET (tag 80)."""
        return 0x01 if self is SignatureScheme.RSA_PKCS1_SHA256 else 0x02

    def card_input(self, message: bytes) -> bytes:
        """Hash ``message`` on the host and build what PSO:CDS receives."""
        if self is SignatureScheme.RSA_PKCS1_SHA256:
            return DIGEST_INFO_SHA256 + hashlib.sha256(message).digest()
        return hashlib.sha384(message).digest()


@dataclass(frozen=True)
class CardSignature:
    """A signature made by the card, in the form a verifier expects.

    ``signature`` is PKCS#1 v1.5 bytes for RSA and DER (``SEQUENCE {r, s}``) for ECDSA.
    """

    scheme: SignatureScheme
    signature: bytes

    @property
    def hash_name(self) -> str:
        return "sha256" if self.scheme is SignatureScheme.RSA_PKCS1_SHA256 else "sha384"


def raw_ecdsa_to_der(raw: bytes) -> bytes:
    """Convert ``r‖s`` (two big-endian halves of equal length) to DER."""
    if not raw or len(raw) % 2:
        raise ValueError(f"raw ECDSA signature has an odd length: {len(raw)}")
    half = len(raw) // 2
    r = int.from_bytes(raw[:half], "big")
    s = int.from_bytes(raw[half:], "big")
    return encode_dss_signature(r, s)


def der_to_raw_ecdsa(der: bytes, size: int = 48) -> bytes:
    """Convert a DER ECDSA signature to ``r‖s`` with ``size`` bytes each (the card's form)."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def scheme_for_certificate(certificate: x509.Certificate) -> SignatureScheme:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return SignatureScheme.RSA_PKCS1_SHA256
    if isinstance(key, ec.EllipticCurvePublicKey):
        return SignatureScheme.ECDSA_SHA384
    raise ValueError(f"unsupported key type in certificate: {type(key).__name__}")


def verify_card_signature(
    certificate: x509.Certificate, message: bytes, signature: CardSignature
) -> bool:
    """True when ``signature`` over ``message`` verifies with the certificate's key."""
    key = certificate.public_key()
    try:
        if signature.scheme is SignatureScheme.RSA_PKCS1_SHA256:
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            key.verify(signature.signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            if not isinstance(key, ec.EllipticCurvePublicKey):
                return False
            key.verify(signature.signature, message, ec.ECDSA(hashes.SHA384()))
    except InvalidSignature:
        return False
    return True
