"""Card logins in the server tests: a test PKI, virtual eID cards, a production-like app.

Cards are :class:`VirtualEid` of applet 1.7 (RSA-2048) and 1.8 (ECDSA P-384), driven through
the real card layer (:class:`BelgianEid`): certificates read from the card's files, challenges
signed by its authentication key after VERIFY PIN.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from tests.server.helpers import Clock, Server
from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.eid.card import AUTH_KEY, BelgianEid, EidFile
from tracer_tui.eid.personalise import AppletName, Holder, personalise
from tracer_tui.eid.signature import SignatureScheme, der_to_raw_ecdsa
from tracer_tui.eid.testca import CertificateAuthority, generate_test_ca
from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.server.app import create_app

PIN = "1234"
VALID_FROM = date(2019, 1, 1)  # cards valid 2019-01-01 .. 2028-12-31; the clock starts in 2020
APPLETS: tuple[AppletName, ...] = ("1.7", "1.8")
SURNAME = "Vandenbroucke"
FIRST_NAMES = "Marie-Claire"


@cache
def login_ca() -> CertificateAuthority:
    return generate_test_ca("Tracer Login Test", seed=11)


@cache
def other_ca() -> CertificateAuthority:
    """Another PKI with the very same names as :func:`login_ca`, but its own keys."""
    return generate_test_ca("Tracer Login Test", seed=12)


def make_card(
    national_number: str,
    applet: AppletName = "1.8",
    *,
    ca: CertificateAuthority | None = None,
) -> VirtualEid:
    holder = Holder(surname=SURNAME, first_names=FIRST_NAMES, national_number=national_number)
    card = personalise(holder, applet=applet, ca=ca or login_ca(), seed=11, valid_from=VALID_FROM)
    return VirtualEid(card, pin=PIN)


def card_sign(
    card: VirtualEid, message: bytes, key_reference: int = AUTH_KEY
) -> tuple[bytes, wire.SignatureAlgorithm]:
    """The card's signature over ``message`` in wire form (ECDSA as raw r‖s), then LOGOFF."""
    eid = BelgianEid(card)
    signed = eid.sign(message, pin=PIN, key_reference=key_reference)
    eid.logoff()
    if signed.scheme is SignatureScheme.ECDSA_SHA384:
        return der_to_raw_ecdsa(signed.signature), "ecdsa-p384-sha384"
    return signed.signature, "rsa-pkcs1-sha256"


def login_body(
    card: VirtualEid,
    challenge: wire.ChallengeResponse,
    **overrides: Any,
) -> dict[str, Any]:
    """What a client sends to log in with ``card``; ``overrides`` replace fields (bytes ok)."""
    eid = BelgianEid(card)
    certificate = eid.read_file(EidFile.AUTH_CERTIFICATE)
    ca_certificate = eid.read_file(EidFile.CA_CERTIFICATE)
    signature, algorithm = card_sign(card, wire.login_message(challenge.nonce))
    request = wire.LoginRequest(
        challenge_id=challenge.challenge_id,
        certificate=certificate,
        ca_certificate=ca_certificate,
        signature=signature,
        signature_algorithm=algorithm,
    )
    body: dict[str, Any] = request.model_dump(mode="json")
    for name, value in overrides.items():
        body[name] = base64.b64encode(value).decode() if isinstance(value, bytes) else value
    return body


async def challenge(server: Server) -> wire.ChallengeResponse:
    answer = await server.client.post(f"{wire.API_PREFIX}/auth/challenge")
    assert answer.status_code == 200, answer.text
    return wire.ChallengeResponse.model_validate(answer.json())


async def post_login(server: Server, body: dict[str, Any]) -> httpx.Response:
    return await server.client.post(f"{wire.API_PREFIX}/auth/login", json=body)


async def card_login(server: Server, card: VirtualEid) -> httpx.Response:
    """The whole login: a challenge, the card's answer, the login request."""
    return await post_login(server, login_body(card, await challenge(server)))


async def card_headers(server: Server, card: VirtualEid) -> dict[str, str]:
    answer = await card_login(server, card)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def write_roots(directory: Path, *cas: CertificateAuthority) -> Path:
    path = directory / "trusted-roots.pem"
    path.write_bytes(b"".join(ca.root.pem for ca in cas or (login_ca(),)))
    return path


@asynccontextmanager
async def card_server(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    roots: Path | None,
    *,
    pledge: wire.PledgeText | None = None,
    next_serial: int = 1,
) -> AsyncIterator[Server]:
    """A production-like app (no development login) trusting the roots in ``roots``."""
    central = CentralConfig(
        token_ttl=3600,
        pledge_version=pledge.version if pledge else 1,
        trusted_roots=[roots] if roots else [],
    )
    app = create_app(
        central,
        Rules(),
        engine=engine,
        questionnaires=questionnaires,
        clock=clock,
        pledge=pledge,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Server(app=app, engine=engine, clock=clock, client=client, next_serial=next_serial)
