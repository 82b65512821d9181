"""Card operations against the in-process virtual card of both applets."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from tracer_tui.eid import (
    BelgianEid,
    CardDataError,
    CountingTransport,
    EidFile,
    FileNotFoundOnCard,
    NotBelgianEid,
    PinBlocked,
    PinEntryCancelled,
    PinEntryTimeout,
    SecurityStatusNotSatisfied,
    SignatureScheme,
    WrongPin,
    verify_card_signature,
)
from tracer_tui.eid.card import NON_REPUDIATION_KEY
from tracer_tui.eid.personalise import Holder, PersonalisedCard, atr_looks_like_eid
from tracer_tui.eid.signature import der_to_raw_ecdsa, raw_ecdsa_to_der
from tracer_tui.eid.tlv import parse_identity
from tracer_tui.eid.virtual import VirtualEid

from .conftest import Recorder


class Fixed:
    """A transport that answers every APDU with the same bytes."""

    def __init__(self, answer: str) -> None:
        self.answer = bytes.fromhex(answer)

    def transmit(self, apdu: bytes) -> bytes:
        return self.answer


def test_card_data(virtual: VirtualEid, applet: str) -> None:
    eid = BelgianEid(virtual)
    data = eid.card_data()
    assert data.applet == applet
    assert data.serial == virtual.card.identity.chip_number.hex().upper()
    assert data.lifecycle == 0x0F
    if applet == "1.8":
        assert data.scheme is SignatureScheme.ECDSA_SHA384
        assert eid.pin_tries_left() == 3
    else:
        assert data.scheme is SignatureScheme.RSA_PKCS1_SHA256
        assert eid.pin_tries_left() is None
    assert atr_looks_like_eid(virtual.atr)


def test_atr_recognition() -> None:
    assert atr_looks_like_eid(bytes.fromhex("3B 98 94 40 FF A5 03 01 01 01 AD 13 10"))
    assert not atr_looks_like_eid(bytes.fromhex("3B 8F 80 01 80 4F 0C A0 00 00 03 06"))


def test_read_identity_address_certificate(virtual: VirtualEid, holder: Holder) -> None:
    eid = BelgianEid(virtual)
    identity = eid.read_identity()
    assert identity == virtual.card.identity
    assert identity.surname == "Janssens"
    assert identity.national_number == holder.national_number
    assert str(identity.birth_date) == "1985-03-15"
    assert identity.sex == "F"
    assert eid.read_address() == virtual.card.address
    cert = eid.read_authentication_certificate()
    serial = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value
    assert serial == holder.national_number
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    ca = eid.read_certificate(EidFile.CA_CERTIFICATE)
    root = eid.read_certificate(EidFile.ROOT_CERTIFICATE)
    cert.verify_directly_issued_by(ca)
    ca.verify_directly_issued_by(root)
    assert eid.read_photo().startswith(b"\xff\xd8")


def test_identity_file_signed_by_rrn(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    identity_file = eid.read_file(EidFile.IDENTITY)
    signature = eid.read_file(EidFile.IDENTITY_SIGNATURE)
    rrn = eid.read_certificate(EidFile.RRN_CERTIFICATE).public_key()
    assert isinstance(rrn, ec.EllipticCurvePublicKey)
    rrn.verify(raw_ecdsa_to_der(signature), identity_file, ec.ECDSA(hashes.SHA384()))
    assert parse_identity(identity_file).card_number == virtual.card.identity.card_number


def test_reads_are_chunked(virtual: VirtualEid) -> None:
    rec = Recorder(virtual)
    eid = BelgianEid(rec, chunk_size=0x40)
    cert_size = len(virtual.card.files[EidFile.AUTH_CERTIFICATE.path])
    eid.read_authentication_certificate()
    reads = [a for a in rec.sent if a[1] == 0xB0]
    offsets = [(a[2] << 8) | a[3] for a in reads]
    assert offsets[:3] == [0, 0x40, 0x80]
    assert sum(len(ans) - 2 for ans in rec.answers if len(ans) > 2) == cert_size


def test_select_falls_back_to_one_id_at_a_time(personalised: dict[str, PersonalisedCard]) -> None:
    card = VirtualEid(personalised["1.7"], path_select=False)
    rec = Recorder(card)
    eid = BelgianEid(rec)
    assert eid.read_identity().surname == "Janssens"
    assert rec.hex_sent()[:4] == [
        "00 A4 08 0C 06 3F 00 DF 01 40 31",
        "00 A4 02 0C 02 3F 00",
        "00 A4 02 0C 02 DF 01",
        "00 A4 02 0C 02 40 31",
    ]
    rec.sent.clear()
    eid.read_address()
    assert rec.hex_sent()[0] == "00 A4 02 0C 02 3F 00"  # no second try by path


def test_missing_file(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    with pytest.raises(FileNotFoundOnCard, match="3F00 DF01 4039"):
        eid.read_file((0x3F00, 0xDF01, 0x4039))


@pytest.mark.parametrize("answer", ["6D00", "6E00", "0102039000"])
def test_not_a_belgian_eid(answer: str) -> None:
    with pytest.raises(NotBelgianEid, match="not a Belgian eID"):
        BelgianEid(Fixed(answer)).card_data()


def test_malformed_response() -> None:
    with pytest.raises(CardDataError, match="malformed"):
        BelgianEid(Fixed("90")).card_data()


def test_wrong_pin_then_blocked(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    with pytest.raises(WrongPin) as first:
        eid.verify_pin("0000")
    assert first.value.tries_left == 2
    assert str(first.value) == "wrong PIN: 2 tries left"
    with pytest.raises(WrongPin) as second:
        eid.verify_pin("1111")
    assert second.value.tries_left == 1
    assert str(second.value) == "wrong PIN: 1 try left"
    with pytest.raises(PinBlocked):
        eid.verify_pin("2222")
    with pytest.raises(PinBlocked, match="blocked"):
        eid.verify_pin("1234")  # the right PIN no longer helps
    assert virtual.blocked
    virtual.unblock()
    eid.verify_pin("1234")


def test_right_pin_resets_the_counter(virtual: VirtualEid, applet: str) -> None:
    eid = BelgianEid(virtual)
    with pytest.raises(WrongPin):
        eid.verify_pin("9999")
    if applet == "1.8":
        assert eid.pin_tries_left() == 2
    eid.verify_pin("1234")
    assert virtual.tries_left == 3
    assert virtual.pin_verified


@pytest.mark.parametrize(
    ("answer", "error"), [("6400", PinEntryTimeout), ("6401", PinEntryCancelled)]
)
def test_pinpad_status_words(answer: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        BelgianEid(Fixed(answer)).verify_pin("1234")


def test_sign_needs_the_pin(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    with pytest.raises(SecurityStatusNotSatisfied, match="PIN"):
        eid.sign(b"nonce")


@pytest.mark.parametrize("t0", [True, False])
def test_sign_and_verify_with_certificate(
    personalised: dict[str, PersonalisedCard], applet: str, t0: bool
) -> None:
    card = VirtualEid(personalised[applet], t0=t0)
    eid = BelgianEid(card)
    cert = eid.read_authentication_certificate()
    message = b"server nonce 0123456789"
    signature = eid.sign(message, pin="1234")
    assert verify_card_signature(cert, message, signature)
    assert not verify_card_signature(cert, message + b"!", signature)
    key = cert.public_key()
    if applet == "1.7":
        assert isinstance(key, rsa.RSAPublicKey)
        assert len(signature.signature) == 256
        key.verify(signature.signature, message, padding.PKCS1v15(), hashes.SHA256())
        # PKCS#1 v1.5 is deterministic: the card's bytes are those of a software signer
        private = personalised[applet].keys[0x82]
        assert isinstance(private, rsa.RSAPrivateKey)
        assert signature.signature == private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert signature.signature[0] == 0x30  # DER, not raw r‖s
        assert len(der_to_raw_ecdsa(signature.signature)) == 96
        key.verify(signature.signature, message, ec.ECDSA(hashes.SHA384()))


def test_logoff_forgets_the_pin(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    eid.verify_pin("1234")
    eid.sign(b"one")
    eid.sign(b"two")  # the auth PIN stays verified
    eid.logoff()
    assert not virtual.pin_verified
    with pytest.raises(SecurityStatusNotSatisfied):
        eid.sign(b"three")


def test_non_repudiation_key_wants_the_pin_every_time(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    cert = eid.read_certificate(EidFile.SIGNATURE_CERTIFICATE)
    signature = eid.sign(b"pledge", pin="1234", key_reference=NON_REPUDIATION_KEY)
    assert verify_card_signature(cert, b"pledge", signature)
    with pytest.raises(SecurityStatusNotSatisfied):
        eid.sign(b"pledge again", key_reference=NON_REPUDIATION_KEY)


def test_reset_clears_security_status(virtual: VirtualEid) -> None:
    eid = BelgianEid(virtual)
    eid.verify_pin("1234")
    virtual.reset()
    with pytest.raises(SecurityStatusNotSatisfied):
        eid.sign(b"x")


def test_login_sequence_apdu_count(virtual: VirtualEid, applet: str) -> None:
    counter = CountingTransport(virtual)
    eid = BelgianEid(counter)
    eid.card_data()
    eid.read_identity()
    eid.read_authentication_certificate()
    eid.verify_pin("1234")
    eid.sign(b"nonce")
    eid.logoff()
    assert counter.count <= 18


def test_emulator_rejects_nonsense(virtual: VirtualEid) -> None:
    def sw(hex_apdu: str) -> str:
        return virtual.transmit(bytes.fromhex(hex_apdu))[-2:].hex().upper()

    assert sw("00B0000010") == "6986"  # no file selected
    assert sw("00FF0000") == "6D00"
    assert sw("A0A4000C023F00") == "6E00"
    assert sw("00C0000010") == "6985"  # nothing to get
    assert sw("002A9E9A0101") == "6985"  # no MSE:SET
    assert sw("00220000") == "6A86"
    assert sw("002241B6050480558482") == "6A80"  # unknown algorithm
    algorithm = "02" if virtual.card.applet_version >= 0x18 else "01"
    assert sw(f"002241B6050480{algorithm}84FF") == "6A88"  # unknown key
    assert sw("00200001081234") == "6700"
    assert sw("002000010813FFFFFFFFFFFFFF") == "6A80"  # PIN block too short
    assert sw("00200001") == "63C3"  # status query: 3 tries, nothing tried
    assert sw("00A4080C063F00DF014099") == "6A82"


def test_personalised_card_is_frozen_but_files_can_be_swapped(
    personalised: dict[str, PersonalisedCard],
) -> None:
    card = personalised["1.8"]
    other = dataclasses.replace(card, files={**card.files, EidFile.PHOTO.path: b"\xff\xd8\xff\xd9"})
    assert BelgianEid(VirtualEid(other)).read_photo() == b"\xff\xd8\xff\xd9"
