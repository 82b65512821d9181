"""The eID card login: challenge, certificate chain, dates, signature, agent, audit."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tests.server.cards import (
    APPLETS,
    FIRST_NAMES,
    SURNAME,
    card_headers,
    card_login,
    card_server,
    card_sign,
    challenge,
    login_body,
    make_card,
    other_ca,
    post_login,
    write_roots,
)
from tests.server.helpers import START, Clock, Server, niss
from tracer_tui import wire
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.types import Role
from tracer_tui.eid.personalise import AppletName
from tracer_tui.server.auth import hash_token
from tracer_tui.server.tables import AuditRecord, AuthToken, LoginChallenge


@pytest.fixture
async def cards(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    tmp_path: Path,
) -> AsyncIterator[Server]:
    async with card_server(engine, clock, questionnaires, write_roots(tmp_path)) as server:
        yield server


def refusal(answer: httpx.Response, code: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == code, answer.text


def audit_trail(server: Server) -> list[tuple[int | None, str, str, str]]:
    with Session(server.engine) as session:
        rows = session.execute(select(AuditRecord).order_by(col(AuditRecord.id))).scalars()
        return [(r.agent_id, r.action, r.object_type, r.object_id) for r in rows]


@pytest.mark.parametrize("applet", APPLETS)
async def test_good_login_with_each_applet(cards: Server, applet: AppletName) -> None:
    number = cards.add_agent("Agent Un", roles=[Role.AGENT, Role.TRAINER])
    answer = await card_login(cards, make_card(number, applet))
    assert answer.status_code == 200, answer.text
    login = wire.LoginResponse.model_validate(answer.json())
    assert login.agent.display_name == "Agent Un"
    assert login.agent.roles == [Role.AGENT, Role.TRAINER]
    assert login.expires_at == START + timedelta(seconds=3600)
    assert login.pledge_due is True
    headers = {"Authorization": f"Bearer {login.token}"}
    assert (await cards.get("/me", headers)).json()["id"] == cards.agents[number]


async def test_the_token_remembers_the_login_key(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    token = (await card_login(cards, card)).json()["token"]
    certificate = card.card.certificates.authentication.certificate
    with Session(cards.engine) as session:
        stored = session.execute(select(AuthToken)).scalar_one()
    assert stored.token_hash == hash_token(token)
    assert stored.public_key == certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert stored.certificate_sha256 == certificate.fingerprint(hashes.SHA256()).hex()


async def test_a_challenge_is_fresh_random_and_short_lived(cards: Server) -> None:
    first, second = await challenge(cards), await challenge(cards)
    assert len(first.nonce) == 32
    assert first.nonce != second.nonce
    assert first.challenge_id != second.challenge_id
    assert first.expires_at == START + timedelta(seconds=60)
    with Session(cards.engine) as session:  # in the database, for every worker to see
        ids = set(session.execute(select(col(LoginChallenge.id))).scalars())
    assert ids == {first.challenge_id, second.challenge_id}


# -- certificates ---------------------------------------------------------------------


def _forge(
    certificate: x509.Certificate, *, issuer: x509.Name | None = None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate with the same subject, extensions and dates, made with a new key."""
    key = ec.generate_private_key(ec.SECP384R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(issuer or certificate.subject)
        .public_key(key.public_key())
        .serial_number(certificate.serial_number)
        .not_valid_before(certificate.not_valid_before_utc)
        .not_valid_after(certificate.not_valid_after_utc)
    )
    for extension in certificate.extensions:
        if extension.oid != x509.oid.ExtensionOID.AUTHORITY_KEY_IDENTIFIER:
            builder = builder.add_extension(extension.value, extension.critical)
    return builder.sign(key, hashes.SHA384()), key


def _raw(der_signature: bytes) -> bytes:
    r, s = decode_dss_signature(der_signature)
    return r.to_bytes(48, "big") + s.to_bytes(48, "big")


@pytest.mark.parametrize("issuer", ["self", "citizen-ca"])
async def test_forged_certificate_with_the_same_subject(cards: Server, issuer: str) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    genuine = card.card.certificates.authentication.certificate
    claimed = card.card.ca.citizen_ca.certificate.subject if issuer == "citizen-ca" else None
    forged, key = _forge(genuine, issuer=claimed)
    nonce = await challenge(cards)
    signature = _raw(key.sign(wire.login_message(nonce.nonce), ec.ECDSA(hashes.SHA384())))
    body = login_body(
        card,
        nonce,
        certificate=forged.public_bytes(serialization.Encoding.DER),
        signature=signature,
        signature_algorithm="ecdsa-p384-sha384",
    )
    refusal(await post_login(cards, body), "untrusted_certificate")
    body["ca_certificate"] = None
    body["challenge_id"] = (await challenge(cards)).challenge_id
    refusal(await post_login(cards, body), "untrusted_certificate")


@pytest.mark.parametrize("applet", APPLETS)
async def test_certificate_of_another_ca_with_the_same_names(
    cards: Server, applet: AppletName
) -> None:
    number = cards.add_agent("Agent Un")
    answer = await card_login(cards, make_card(number, applet, ca=other_ca()))
    refusal(answer, "untrusted_certificate")


async def test_the_citizen_ca_is_needed_to_reach_the_root(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    body = login_body(card, await challenge(cards), ca_certificate=None)
    refusal(await post_login(cards, body), "untrusted_certificate")


async def test_the_signature_certificate_cannot_log_in(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    nonce = await challenge(cards)
    signature, _ = card_sign(card, wire.login_message(nonce.nonce), key_reference=0x83)
    body = login_body(
        card, nonce, certificate=card.card.certificates.signature.der, signature=signature
    )
    answer = await post_login(cards, body)
    refusal(answer, "untrusted_certificate")
    assert "key usage" in answer.json()["detail"]


async def test_garbage_certificate(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    body = login_body(card, await challenge(cards), certificate=b"\x30\x03\x02\x01\x01")
    refusal(await post_login(cards, body), "untrusted_certificate")


@pytest.mark.parametrize("applet", APPLETS)
async def test_expired_certificate(cards: Server, clock: Clock, applet: AppletName) -> None:
    card = make_card(cards.add_agent("Agent Un"), applet)
    clock.now = datetime(2029, 1, 1, 0, 0, 1, tzinfo=UTC)  # the card ended on 2028-12-31
    refusal(await card_login(cards, card), "expired_certificate")
    clock.now = datetime(2028, 12, 31, 23, 59, 0, tzinfo=UTC)
    assert (await card_login(cards, card)).status_code == 200


async def test_certificate_not_valid_yet(cards: Server, clock: Clock) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    clock.now = datetime(2018, 12, 31, tzinfo=UTC)
    refusal(await card_login(cards, card), "expired_certificate")


async def test_a_forged_and_expired_certificate_is_untrusted(cards: Server, clock: Clock) -> None:
    number = cards.add_agent("Agent Un")
    clock.now = datetime(2030, 1, 1, tzinfo=UTC)
    refusal(await card_login(cards, make_card(number, ca=other_ca())), "untrusted_certificate")


# -- signatures -----------------------------------------------------------------------


@pytest.mark.parametrize("applet", APPLETS)
async def test_signature_over_another_nonce(cards: Server, applet: AppletName) -> None:
    card = make_card(cards.add_agent("Agent Un"), applet)
    first, second = await challenge(cards), await challenge(cards)
    signature, _ = card_sign(card, wire.login_message(second.nonce))
    refusal(await post_login(cards, login_body(card, first, signature=signature)), "bad_signature")


@pytest.mark.parametrize("applet", APPLETS)
async def test_signature_over_the_bare_nonce(cards: Server, applet: AppletName) -> None:
    """The card signs the login message, never the bare nonce (no context prefix)."""
    card = make_card(cards.add_agent("Agent Un"), applet)
    nonce = await challenge(cards)
    signature, _ = card_sign(card, nonce.nonce)
    refusal(await post_login(cards, login_body(card, nonce, signature=signature)), "bad_signature")


@pytest.mark.parametrize(
    ("applet", "tamper"),
    [
        ("1.7", "flip"),
        ("1.8", "flip"),
        ("1.7", "wrong-algorithm"),
        ("1.8", "wrong-algorithm"),
        ("1.8", "der"),
        ("1.7", "short"),
    ],
)
async def test_wrong_signature(cards: Server, applet: AppletName, tamper: str) -> None:
    card = make_card(cards.add_agent("Agent Un"), applet)
    nonce = await challenge(cards)
    signature, algorithm = card_sign(card, wire.login_message(nonce.nonce))
    overrides: dict[str, object] = {}
    if tamper == "flip":
        overrides["signature"] = signature[:-1] + bytes([signature[-1] ^ 1])
    elif tamper == "wrong-algorithm":
        other = "rsa-pkcs1-sha256" if algorithm == "ecdsa-p384-sha384" else "ecdsa-p384-sha384"
        overrides["signature_algorithm"] = other
    elif tamper == "der":  # the card layer's DER form, not the wire's r‖s
        r, s = int.from_bytes(signature[:48], "big"), int.from_bytes(signature[48:], "big")
        overrides["signature"] = encode_dss_signature(r, s)
    else:
        overrides["signature"] = signature[:128]
    answer = await post_login(cards, login_body(card, nonce, **overrides))
    refusal(answer, "bad_signature")


async def test_rsa_digest_info_is_checked(cards: Server) -> None:
    """An RSA signature over SHA-384 or over a bare hash is not a SHA-256 DigestInfo."""
    card = make_card(cards.add_agent("Agent Un"), "1.7")
    nonce = await challenge(cards)
    key = card.card.certificates.authentication.key
    assert isinstance(key, rsa.RSAPrivateKey)
    message = wire.login_message(nonce.nonce)
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA384())
    refusal(await post_login(cards, login_body(card, nonce, signature=signature)), "bad_signature")


# -- challenges -----------------------------------------------------------------------


async def test_replayed_challenge(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    body = login_body(card, await challenge(cards))
    assert (await post_login(cards, body)).status_code == 200
    refusal(await post_login(cards, body), "challenge_replayed")


async def test_a_failed_attempt_uses_the_challenge_up(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    nonce = await challenge(cards)
    good = login_body(card, nonce)
    bad = dict(good, signature=good["signature"][:-4] + "AAA=")
    refusal(await post_login(cards, bad), "bad_signature")
    refusal(await post_login(cards, good), "challenge_replayed")


async def test_expired_challenge(cards: Server, clock: Clock) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    nonce = await challenge(cards)
    clock.advance(seconds=59)
    body = login_body(card, nonce)
    clock.advance(seconds=1)
    refusal(await post_login(cards, body), "challenge_expired")


async def test_unknown_challenge(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    body = login_body(card, await challenge(cards), challenge_id="no-such-challenge")
    refusal(await post_login(cards, body), "challenge_unknown")


async def test_old_challenges_are_cleared(cards: Server, clock: Clock) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    body = login_body(card, await challenge(cards))
    clock.advance(hours=2)
    await challenge(cards)
    refusal(await post_login(cards, body), "challenge_unknown")


# -- agents, audit, development login -------------------------------------------------


async def test_unknown_national_number(cards: Server) -> None:
    cards.add_agent("Agent Un")
    refusal(await card_login(cards, make_card(niss(900))), "unknown_agent")


async def test_every_attempt_is_audited_without_personal_data(
    cards: Server, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    number = cards.add_agent("Agent Un")
    agent_id = cards.agents[number]
    card = make_card(number)
    await card_headers(cards, card)
    await card_login(cards, make_card(number, ca=other_ca()))
    nonce = await challenge(cards)
    signature, _ = card_sign(card, b"something else")
    await post_login(cards, login_body(card, nonce, signature=signature))
    await card_login(cards, make_card(niss(900)))
    await post_login(cards, login_body(card, await challenge(cards), challenge_id="nope"))
    assert audit_trail(cards) == [
        (agent_id, "auth.login", "login_outcome", "ok"),
        (None, "auth.login", "login_outcome", "untrusted_certificate"),
        (agent_id, "auth.login", "login_outcome", "bad_signature"),
        (None, "auth.login", "login_outcome", "unknown_agent"),
        (None, "auth.login", "login_outcome", "challenge_unknown"),
    ]
    with Session(cards.engine) as session:
        text = repr(list(session.execute(select(AuditRecord)).scalars())) + caplog.text
    for secret in (number, niss(900), SURNAME, FIRST_NAMES, "Agent Un"):
        assert secret not in text


async def test_refusals_name_no_one(cards: Server) -> None:
    number = cards.add_agent("Agent Un")
    for card in (make_card(number, ca=other_ca()), make_card(niss(900))):
        detail = (await card_login(cards, card)).json()["detail"]
        for secret in (number, niss(900), SURNAME, FIRST_NAMES):
            assert secret not in detail


async def test_dev_login_is_refused_on_a_production_app(cards: Server) -> None:
    number = cards.add_agent("Agent Un")
    answer = await cards.client.post(
        f"{wire.API_PREFIX}/auth/dev-login", json={"national_number": number}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "dev_login_disabled"
    assert audit_trail(cards) == []


async def test_logout_forgets_the_token(cards: Server) -> None:
    number = cards.add_agent("Agent Un")
    headers = await card_headers(cards, make_card(number))
    answer = await cards.client.post(f"{wire.API_PREFIX}/auth/logout", headers=headers)
    assert answer.status_code == 204
    assert (await cards.get("/me", headers)).json()["code"] == "token_invalid"
    assert audit_trail(cards)[-1] == (
        cards.agents[number],
        "auth.logout",
        "agent",
        str(cards.agents[number]),
    )
