"""The agent's ApiClient against the real server: card login, pledge, logout, typed errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.server.cards import card_server, card_sign, make_card, write_roots
from tests.server.helpers import Clock, Server, cases, seed
from tracer_tui import wire
from tracer_tui.client.api import ApiClient, AuthError, Forbidden, Invalid, ServerError
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.types import Language
from tracer_tui.eid.card import BelgianEid, EidFile
from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.server.pledge import load_pledge


@pytest.fixture
async def server(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    tmp_path: Path,
) -> AsyncIterator[Server]:
    async with card_server(engine, clock, questionnaires, write_roots(tmp_path)) as server:
        yield server


@pytest.fixture
async def api(server: Server) -> AsyncIterator[ApiClient]:
    transport = httpx.ASGITransport(app=server.app)
    client = ApiClient(httpx.AsyncClient(transport=transport, base_url="http://test"))
    yield client
    await client.aclose()


async def log_in(
    api: ApiClient, card: VirtualEid, message: bytes | None = None
) -> wire.LoginResponse:
    """What the login flow does: read the two certificates, sign the challenge, send."""
    eid = BelgianEid(card)
    challenge = await api.challenge()
    signature, algorithm = card_sign(card, message or wire.login_message(challenge.nonce))
    return await api.login(
        challenge_id=challenge.challenge_id,
        certificate=eid.read_file(EidFile.AUTH_CERTIFICATE),
        ca_certificate=eid.read_file(EidFile.CA_CERTIFICATE),
        signature=signature,
        signature_algorithm=algorithm,
    )


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
async def test_login_pledge_and_queue(server: Server, api: ApiClient, applet: str) -> None:
    seed(server, cases(2))
    card = make_card(server.add_agent("Agent Un"), applet)  # type: ignore[arg-type]
    login = await log_in(api, card)
    assert api.signed_in
    assert login.pledge_due is True
    with pytest.raises(Forbidden) as blocked:
        await api.queue()
    assert blocked.value.code == "pledge_due"
    assert (await api.me()).display_name == "Agent Un"

    pledge = await api.pledge()
    signature, algorithm = card_sign(card, pledge.signed_message())
    accepted = await api.sign_pledge(
        pledge, language=Language.EN, signature=signature, signature_algorithm=algorithm
    )
    assert (accepted.version, accepted.text_sha256) == (pledge.version, pledge.sha256)
    assert len((await api.queue()).tasks) == 2

    await api.logout()
    assert not api.signed_in
    with pytest.raises(AuthError):
        await api.me()


async def test_a_refused_login_is_an_auth_error_with_its_code(
    server: Server, api: ApiClient
) -> None:
    card = make_card(server.add_agent("Agent Un"))
    with pytest.raises(AuthError) as refused:
        await log_in(api, card, message=b"not the challenge")
    assert refused.value.code == "bad_signature"
    assert refused.value.status == 401
    assert not api.signed_in


async def test_a_pledge_signed_by_another_card_is_invalid(server: Server, api: ApiClient) -> None:
    card = make_card(server.add_agent("Agent Un"))
    await log_in(api, card)
    pledge = await api.pledge()
    other = make_card(server.add_agent("Agent Deux"))
    signature, algorithm = card_sign(other, pledge.signed_message())
    with pytest.raises(Invalid) as refused:
        await api.sign_pledge(
            pledge, language=Language.FR, signature=signature, signature_algorithm=algorithm
        )
    assert refused.value.code == "bad_signature"


async def test_a_pledge_whose_hash_does_not_match_its_text_is_refused() -> None:
    """What the agent is shown must be what they sign: the client checks the hash."""
    pledge = load_pledge(1)
    text = {**pledge.text, Language.EN: pledge.text[Language.EN] + "\nand something else"}
    tampered = pledge.model_copy(update={"text": text})

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=tampered.model_dump(mode="json"))

    api = ApiClient(httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://t"))
    with pytest.raises(ServerError) as refused:
        await api.pledge()
    assert refused.value.code == "bad_answer"
    await api.aclose()
