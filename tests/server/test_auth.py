"""Development login, bearer tokens and the agent's profile."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from tests.server.helpers import START, TEAM, Clock, Server
from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Role
from tracer_tui.server.app import create_app
from tracer_tui.server.auth import hash_token
from tracer_tui.server.tables import Agent, AuthToken

LOGIN = f"{wire.API_PREFIX}/auth/dev-login"


async def test_dev_login_gives_a_token_and_the_profile(server: Server) -> None:
    number = server.add_agent("Agent Un", roles=[Role.AGENT, Role.TRAINER])
    answer = await server.client.post(LOGIN, json={"national_number": number})
    assert answer.status_code == 200
    login = wire.LoginResponse.model_validate(answer.json())
    assert login.agent.display_name == "Agent Un"
    assert login.agent.team == TEAM
    assert login.agent.roles == [Role.AGENT, Role.TRAINER]
    assert login.expires_at == START + timedelta(seconds=3600)
    assert login.pledge_due is True  # never signed


async def test_the_token_is_stored_only_as_its_hash(server: Server) -> None:
    number = server.add_agent("Agent Un")
    token = (await server.client.post(LOGIN, json={"national_number": number})).json()["token"]
    with Session(server.engine) as session:
        stored = session.execute(select(col(AuthToken.token_hash))).scalars().all()
    assert stored == [hash_token(token)]
    assert token not in stored


async def test_pledge_not_due_once_the_current_version_is_signed(server: Server) -> None:
    number = server.add_agent("Agent Un")
    with Session(server.engine) as session:
        session.execute(update(Agent).values(pledge_version=1))
        session.commit()
    answer = await server.client.post(LOGIN, json={"national_number": number})
    assert answer.json()["pledge_due"] is False


async def test_dev_login_is_refused_by_default(
    engine: Engine, questionnaires: dict[tuple[str, int], Questionnaire]
) -> None:
    app = create_app(CentralConfig(), Rules(), engine=engine, questionnaires=questionnaires)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post(LOGIN, json={"national_number": "80010100107"})
    assert answer.status_code == 403
    assert answer.json() == {
        "code": "dev_login_disabled",
        "detail": "the development login is disabled",
    }


async def test_unknown_agent(server: Server) -> None:
    server.add_agent("Agent Un")
    answer = await server.client.post(LOGIN, json={"national_number": "75060600150"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "unknown_agent"


async def test_bad_login_body_is_an_error_body(server: Server) -> None:
    answer = await server.client.post(LOGIN, json={"national_number": "12"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_request"
    assert set(body) == {"code", "detail"}


async def test_no_token(server: Server) -> None:
    answer = await server.get("/me")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"
    assert answer.headers["WWW-Authenticate"] == "Bearer"


async def test_unknown_token(server: Server) -> None:
    answer = await server.get("/me", {"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"


async def test_not_a_bearer_token(server: Server) -> None:
    answer = await server.get("/me", {"Authorization": "Basic dXNlcjpwYXNz"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"


async def test_expired_token(server: Server, clock: Clock) -> None:
    headers = await server.agent("Agent Un")
    clock.advance(seconds=3599)
    assert (await server.get("/me", headers)).status_code == 200
    clock.advance(seconds=1)
    answer = await server.get("/me", headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"


async def test_expired_tokens_are_cleared_at_the_next_login(server: Server, clock: Clock) -> None:
    number = server.add_agent("Agent Un")
    await server.login(number)
    clock.advance(hours=2)
    await server.login(number)
    with Session(server.engine) as session:
        expiries: list[datetime] = list(
            session.execute(select(col(AuthToken.expires_at))).scalars().all()
        )
    assert expiries == [clock.now + timedelta(seconds=3600)]


async def test_me(server: Server) -> None:
    headers = await server.agent("Agent Deux", team=None, roles=[Role.SUPERVISOR])
    answer = await server.get("/me", headers)
    assert answer.status_code == 200
    profile = wire.AgentProfile.model_validate(answer.json())
    assert profile.display_name == "Agent Deux"
    assert profile.team is None
    assert profile.roles == [Role.SUPERVISOR]
