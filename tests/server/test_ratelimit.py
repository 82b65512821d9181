"""Login rate limits: per card and per client address, counted in the database (so shared by
every worker), answered 429 ``rate_limited`` with ``Retry-After``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.server.cards import challenge, login_body, make_card, post_login, write_roots
from tests.server.helpers import Clock, Server, niss
from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language, Role
from tracer_tui.server.app import create_app
from tracer_tui.server.seed import add_agent

WINDOW = 300
Connect = Callable[[str], "asynccontextmanager[Server]"]


@pytest.fixture
def central(tmp_path: Path) -> CentralConfig:
    return CentralConfig(
        trusted_roots=[write_roots(tmp_path)],
        login_window=WINDOW,
        login_attempts_per_card=3,
        login_attempts_per_address=8,
    )


@pytest.fixture
def connect(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    central: CentralConfig,
) -> Callable[..., AsyncIterator[Server]]:
    @asynccontextmanager
    async def server_from(address: str, *, dev: bool = False) -> AsyncIterator[Server]:
        """A new app (as another worker would be) on the same database, seen from
        ``address``."""
        app = create_app(
            central,
            Rules(),
            engine=engine,
            questionnaires=questionnaires,
            clock=clock,
            allow_dev_login=dev,
        )
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Server(app=app, engine=engine, clock=clock, client=client)

    return server_from


def limited(answer: httpx.Response) -> int:
    assert answer.status_code == 429, answer.text
    assert answer.json()["code"] == "rate_limited"
    return int(answer.headers["Retry-After"])


def register(engine: Engine, serial: int) -> str:
    number = niss(serial)
    add_agent(
        engine,
        national_number=number,
        display_name=f"Agent {serial}",
        team="t",
        roles=[Role.AGENT],
        language=Language.FR,
    )
    return number


async def test_one_card_is_limited_across_workers_and_addresses(
    connect: Callable[..., AsyncIterator[Server]], engine: Engine, clock: Clock
) -> None:
    card = make_card(register(engine, 1))
    async with connect("10.0.0.1") as one, connect("10.0.0.2") as two:
        for server in (one, two, one):
            answer = await post_login(server, login_body(card, await challenge(server)))
            assert answer.status_code == 200, answer.text
        answer = await post_login(two, login_body(card, await challenge(two)))
        assert limited(answer) == WINDOW
        # Another card from the same addresses still logs in.
        other = make_card(register(engine, 2))
        answer = await post_login(one, login_body(other, await challenge(one)))
        assert answer.status_code == 200, answer.text
        clock.advance(seconds=WINDOW - 10)
        answer = await post_login(one, login_body(card, await challenge(one)))
        assert limited(answer) == 10
        clock.advance(seconds=10)  # the window has closed
        answer = await post_login(one, login_body(card, await challenge(one)))
        assert answer.status_code == 200, answer.text


async def test_a_card_is_limited_before_any_check(
    connect: Callable[..., AsyncIterator[Server]], engine: Engine
) -> None:
    """Wrong signatures count too, and past the limit the signature is not even checked."""
    card = make_card(register(engine, 1))
    async with connect("10.0.0.1") as server:
        for _ in range(3):
            body = login_body(card, await challenge(server), signature=b"\x00" * 96)
            assert (await post_login(server, body)).json()["code"] == "bad_signature"
        good = login_body(card, await challenge(server))
        limited(await post_login(server, good))


async def test_one_address_is_limited(
    connect: Callable[..., AsyncIterator[Server]], engine: Engine
) -> None:
    async with connect("10.0.0.1") as crowded, connect("10.0.0.9") as other:
        for _ in range(8):
            assert (await crowded.client.post(f"{wire.API_PREFIX}/auth/challenge")).is_success
        answer = await crowded.client.post(f"{wire.API_PREFIX}/auth/challenge")
        assert limited(answer) == WINDOW
        assert (await other.client.post(f"{wire.API_PREFIX}/auth/challenge")).is_success
        # Logins from the address have their own count: eight cards log in, the ninth waits.
        # (their challenges fetched from yet other addresses).
        for serial in range(1, 10):
            async with connect(f"10.1.0.{serial}") as elsewhere:
                nonce = await challenge(elsewhere)
            answer = await post_login(
                crowded, login_body(make_card(register(engine, serial)), nonce)
            )
            if serial <= 8:
                assert answer.status_code == 200, answer.text
            else:
                limited(answer)


async def test_the_dev_login_is_limited_per_address(
    connect: Callable[..., AsyncIterator[Server]], engine: Engine
) -> None:
    number = register(engine, 1)
    async with connect("10.0.0.1", dev=True) as server:
        for _ in range(8):
            assert (await server.login(number))["Authorization"]
        answer = await server.client.post(
            f"{wire.API_PREFIX}/auth/dev-login", json={"national_number": number}
        )
        limited(answer)


async def test_the_client_sees_the_code(
    connect: Callable[..., AsyncIterator[Server]], engine: Engine
) -> None:
    from tracer_tui.client.api import ApiClient, ApiError

    async with connect("10.0.0.1") as server:
        for _ in range(8):
            await server.client.post(f"{wire.API_PREFIX}/auth/challenge")
        client = ApiClient(server.client)
        with pytest.raises(ApiError) as caught:
            await client.challenge()
    assert caught.value.code == "rate_limited"
    assert caught.value.status == 429
