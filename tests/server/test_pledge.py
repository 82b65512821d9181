"""The confidentiality pledge: due at the first card login, signed with the login card."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from tests.answers import complete_answers, script
from tests.server.cards import (
    APPLETS,
    card_headers,
    card_login,
    card_server,
    card_sign,
    make_card,
    write_roots,
)
from tests.server.helpers import START, Clock, Server, cases, seed
from tracer_tui import wire
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.types import Language
from tracer_tui.eid.personalise import AppletName
from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.server.pledge import load_pledge, make_pledge
from tracer_tui.server.tables import Agent, AuditRecord, PledgeSignature

PLEDGE = f"{wire.API_PREFIX}/pledge"


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    return write_roots(tmp_path)


@pytest.fixture
async def cards(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    roots: Path,
) -> AsyncIterator[Server]:
    async with card_server(engine, clock, questionnaires, roots) as server:
        yield server


async def current_pledge(server: Server, headers: dict[str, str]) -> wire.PledgeText:
    answer = await server.client.get(PLEDGE, headers=headers)
    assert answer.status_code == 200, answer.text
    return wire.PledgeText.model_validate(answer.json())


def acceptance(
    card: VirtualEid, pledge: wire.PledgeText, language: Language = Language.FR
) -> dict[str, object]:
    signature, algorithm = card_sign(card, pledge.signed_message())
    request = wire.PledgeRequest(
        version=pledge.version,
        text_sha256=pledge.sha256,
        language=language,
        signature=signature,
        signature_algorithm=algorithm,
    )
    body: dict[str, object] = request.model_dump(mode="json")
    return body


async def sign(server: Server, headers: dict[str, str], body: dict[str, object]) -> httpx.Response:
    return await server.client.post(PLEDGE, json=body, headers=headers)


def signatures(server: Server) -> list[PledgeSignature]:
    with Session(server.engine) as session:
        return list(session.execute(select(PledgeSignature)).scalars())


async def blocked(server: Server, headers: dict[str, str]) -> list[int]:
    """Status codes of routes that need the pledge signed."""
    interview = {
        "submission_id": str(uuid4()),
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": "fr",
        "answers": complete_answers(script(), today=START.date()),
        "started_at": START.isoformat(),
        "finished_at": START.isoformat(),
    }
    answers = [
        await server.get("/queue", headers),
        await server.get("/questionnaires", headers),
        await server.get("/questionnaires/index-first-call/1", headers),
        await server.client.put(
            f"{wire.API_PREFIX}/tasks/1/interview", json=interview, headers=headers
        ),
    ]
    for answer in answers:
        if answer.status_code == 403:
            assert answer.json() == {
                "code": "pledge_due",
                "detail": "sign the confidentiality pledge first",
            }
    return [answer.status_code for answer in answers]


def test_the_shipped_pledge() -> None:
    pledge = load_pledge(1)
    assert set(pledge.text) == set(Language)
    assert set(pledge.title) == set(Language)
    assert pledge.sha256 == pledge.computed_sha256()
    canonical = wire.pledge_canonical(pledge.version, pledge.title, pledge.text)
    assert json.loads(canonical)["version"] == 1
    assert hashlib.sha256(canonical).hexdigest() == pledge.sha256
    assert pledge.signed_message() == b"tracer-pledge-v1\n1\n" + pledge.sha256.encode()
    for text in pledge.text.values():
        assert "458" in text  # professional secrecy, Criminal Code art. 458


@pytest.mark.parametrize("applet", APPLETS)
async def test_pledge_due_at_first_login_until_signed(cards: Server, applet: AppletName) -> None:
    seed(cards, cases(2))
    number = cards.add_agent("Agent Un")
    card = make_card(number, applet)
    login = await card_login(cards, card)
    assert login.json()["pledge_due"] is True
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    assert await blocked(cards, headers) == [403, 403, 403, 403]
    assert (await cards.get("/me", headers)).status_code == 200
    pledge = await current_pledge(cards, headers)
    assert pledge == load_pledge(1)

    answer = await sign(cards, headers, acceptance(card, pledge, Language.NL))
    assert answer.status_code == 200, answer.text
    accepted = wire.PledgeAccepted.model_validate(answer.json())
    assert accepted == wire.PledgeAccepted(version=1, text_sha256=pledge.sha256, signed_at=START)
    assert (await cards.get("/queue", headers)).status_code == 200  # the same token, now open
    assert (await card_login(cards, card)).json()["pledge_due"] is False


@pytest.mark.parametrize("applet", APPLETS)
async def test_the_signed_pledge_is_recorded(cards: Server, applet: AppletName) -> None:
    number = cards.add_agent("Agent Un")
    card = make_card(number, applet)
    headers = await card_headers(cards, card)
    pledge = await current_pledge(cards, headers)
    body = acceptance(card, pledge, Language.DE)
    assert (await sign(cards, headers, body)).status_code == 200
    [row] = signatures(cards)
    certificate = card.card.certificates.authentication.certificate
    assert row.agent_id == cards.agents[number]
    assert (row.version, row.text_sha256, row.language) == (1, pledge.sha256, "de")
    assert row.signed_at == START
    assert row.signature_algorithm == body["signature_algorithm"]
    assert row.certificate_sha256 == certificate.fingerprint(hashes.SHA256()).hex()
    # The record alone proves the acceptance: its key verifies its signature.
    key = serialization.load_der_public_key(row.public_key)
    message = wire.pledge_message(row.version, row.text_sha256)
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(row.signature, message, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        r, s = int.from_bytes(row.signature[:48], "big"), int.from_bytes(row.signature[48:], "big")
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA384()))
    with Session(cards.engine) as session:
        agent = session.get(Agent, cards.agents[number])
        trail = list(session.execute(select(AuditRecord).order_by(col(AuditRecord.id))).scalars())
    assert agent is not None
    assert agent.pledge_version == 1
    assert [(r.action, r.object_type, r.object_id) for r in trail][-1] == (
        "pledge.sign",
        "pledge_signature",
        str(row.id),
    )


async def test_signing_again_answers_the_first_acceptance(cards: Server, clock: Clock) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    headers = await card_headers(cards, card)
    pledge = await current_pledge(cards, headers)
    first = await sign(cards, headers, acceptance(card, pledge))
    clock.advance(minutes=5)
    second = await sign(cards, headers, acceptance(card, pledge))
    assert second.status_code == 200
    assert second.json() == first.json()
    assert len(signatures(cards)) == 1


async def test_a_pledge_signed_with_another_key_is_refused(cards: Server) -> None:
    number = cards.add_agent("Agent Un")
    card = make_card(number, "1.8")
    headers = await card_headers(cards, card)
    pledge = await current_pledge(cards, headers)
    colleague = make_card(cards.add_agent("Agent Deux"), "1.8")
    answer = await sign(cards, headers, acceptance(colleague, pledge))
    assert answer.status_code == 422
    assert answer.json()["code"] == "bad_signature"
    # The agent's own signature card (non-repudiation key) is not the login key either.
    signature, algorithm = card_sign(card, pledge.signed_message(), key_reference=0x83)
    body = wire.PledgeRequest(
        version=1,
        text_sha256=pledge.sha256,
        language=Language.FR,
        signature=signature,
        signature_algorithm=algorithm,
    ).model_dump(mode="json")
    assert (await sign(cards, headers, body)).json()["code"] == "bad_signature"
    assert signatures(cards) == []
    assert await blocked(cards, headers) == [403, 403, 403, 403]


async def test_a_signature_over_another_text_is_refused(cards: Server) -> None:
    card = make_card(cards.add_agent("Agent Un"))
    headers = await card_headers(cards, card)
    pledge = await current_pledge(cards, headers)
    other = pledge.model_copy(update={"sha256": "0" * 64})
    body = dict(acceptance(card, other), text_sha256=pledge.sha256)
    answer = await sign(cards, headers, body)
    assert (answer.status_code, answer.json()["code"]) == (422, "bad_signature")
    stale = acceptance(card, other)
    answer = await sign(cards, headers, stale)
    assert (answer.status_code, answer.json()["code"]) == (409, "pledge_outdated")
    assert signatures(cards) == []


async def test_a_new_pledge_version_asks_again(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    roots: Path,
) -> None:
    async with card_server(engine, clock, questionnaires, roots) as first:
        card = make_card(first.add_agent("Agent Un"))
        headers = await card_headers(first, card)
        assert (await sign(first, headers, acceptance(card, load_pledge(1)))).status_code == 200
    current = load_pledge(1)
    text = {lang: value + "\n9. New rule.\n" for lang, value in current.text.items()}
    version2 = make_pledge(2, current.title, text)
    async with card_server(engine, clock, questionnaires, roots, pledge=version2) as second:
        login = await card_login(second, card)
        assert login.json()["pledge_due"] is True
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        assert (await second.get("/queue", headers)).json()["code"] == "pledge_due"
        pledge = await current_pledge(second, headers)
        assert pledge.version == 2
        assert pledge.sha256 != current.sha256
        stale = await sign(second, headers, acceptance(card, current))
        assert stale.json()["code"] == "pledge_outdated"
        assert (await sign(second, headers, acceptance(card, pledge))).status_code == 200
        assert (await second.get("/queue", headers)).status_code == 200
    assert sorted(row.version for row in signatures(second)) == [1, 2]


async def test_an_older_version_signed_still_leaves_the_new_one_due(
    cards: Server, engine: Engine
) -> None:
    number = cards.add_agent("Agent Un")
    with Session(engine) as session:
        session.execute(update(Agent).values(pledge_version=0))
        session.commit()
    assert (await card_login(cards, make_card(number))).json()["pledge_due"] is True


async def test_logout_while_the_pledge_is_due(cards: Server) -> None:
    headers = await card_headers(cards, make_card(cards.add_agent("Agent Un")))
    answer = await cards.client.post(f"{wire.API_PREFIX}/auth/logout", headers=headers)
    assert answer.status_code == 204


async def test_the_pledge_needs_a_token(cards: Server) -> None:
    assert (await cards.client.get(PLEDGE)).status_code == 401


async def test_dev_login_tokens_cannot_sign_and_are_not_held_back(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """Practice mode's card-less login: no key to sign with, so no pledge gate either."""
    caplog.set_level(logging.DEBUG)
    seed(server, cases(1))
    headers = await server.agent("Agent Un")
    assert (await server.get("/queue", headers)).status_code == 200
    pledge = await current_pledge(server, headers)
    body = {
        "version": 1,
        "text_sha256": pledge.sha256,
        "language": "fr",
        "signature": "AAAA",
        "signature_algorithm": "ecdsa-p384-sha384",
    }
    answer = await sign(server, headers, body)
    assert (answer.status_code, answer.json()["code"]) == (403, "card_login_required")
