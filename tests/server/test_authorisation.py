"""The authorisation matrix: every route × every role (and no token) × the actor's own
resource, another agent's of the same team, and another team's.

The routes come from the app's OpenAPI document: a route without an entry in :data:`MATRIX`
fails the test, so that nobody adds a route without saying who may use it. An entry for a
route the app does not serve (yet) is ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from tests.answers import complete_answers, script
from tests.server.helpers import START, TEAM, Server, cases, seed
from tracer_tui import wire
from tracer_tui.core.types import Role
from tracer_tui.server.db import write_session
from tracer_tui.server.tables import Task

OTHER_TEAM = "liege-2"
NO_TOKEN = "no token"


class Scope(StrEnum):
    OWN = "own"
    OTHER_AGENT = "another agent's"
    OTHER_TEAM = "another team's"


@dataclass
class World:
    server: Server
    tasks: int = 0
    actor: int | None = None
    known: str = ""

    async def token(self, role: Role | None) -> dict[str, str]:
        """Headers of a fresh login of a new agent with only ``role`` (none: no token)."""
        self.actor = None
        if role is None:
            return {}
        number = self.server.add_agent(f"Acteur {role.value}", roles=[role])
        self.actor = self.server.agents[number]
        return await self.server.login(number)

    async def task(self, scope: Scope) -> int:
        """A new open task held by the actor, by another agent of the team, or in another
        team."""
        if scope is Scope.OWN:
            holder = self.actor
        else:
            team = TEAM if scope is Scope.OTHER_AGENT else OTHER_TEAM
            number = self.server.add_agent("Autre agent", team=team)
            holder = self.server.agents[number]
        first = self.tasks
        self.tasks += 1
        team = OTHER_TEAM if scope is Scope.OTHER_TEAM else TEAM
        seed(self.server, cases(1, first=first), team=team)
        with write_session(self.server.engine) as session:
            session.execute(
                update(Task).where(col(Task.id) == first + 1).values(assigned_agent_id=holder)
            )
            session.commit()
        return first + 1


def submission() -> dict[str, Any]:
    return {
        "submission_id": str(uuid4()),
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": "fr",
        "answers": complete_answers(script(), today=START.date()),
        "started_at": (START - timedelta(minutes=10)).isoformat(),
        "finished_at": START.isoformat(),
    }


Call = Callable[[World, dict[str, str], Scope], Awaitable[httpx.Response]]
Expect = Callable[[Role | None, Scope], int]


@dataclass(frozen=True)
class Entry:
    call: Call
    expect: Expect
    scoped: bool = False  # the route takes a resource: own / another agent's / another team's
    item_status: bool = False  # a batch: the status that counts is its first item's
    public: bool = False  # no token needed


def signed_in(status: int) -> Expect:
    """Any role may; without a token, 401."""
    return lambda role, scope: 401 if role is None else status


def public(status: int) -> Expect:
    return lambda role, scope: status


def agents_only(status: int, *, others: int = 404) -> Expect:
    """Agents, on their own tasks only (others' are not found); every other role 403."""

    def expect(role: Role | None, scope: Scope) -> int:
        if role is None:
            return 401
        if role is not Role.AGENT:
            return 403
        return status if scope is Scope.OWN else others

    return expect


async def _post(w: World, h: dict[str, str], path: str, body: Any = None) -> httpx.Response:
    return await w.server.client.post(f"{wire.API_PREFIX}{path}", headers=h, json=body)


async def _get(w: World, h: dict[str, str], path: str) -> httpx.Response:
    return await w.server.client.get(f"{wire.API_PREFIX}{path}", headers=h)


async def dev_login(w: World, h: dict[str, str], scope: Scope) -> httpx.Response:
    if not w.known:
        w.known = w.server.add_agent("Agent connu")
    return await _post(w, h, "/auth/dev-login", {"national_number": w.known})


async def login(w: World, h: dict[str, str], scope: Scope) -> httpx.Response:
    body = {
        "challenge_id": "unknown",
        "certificate": "AAAA",
        "signature": "AAAA",
        "signature_algorithm": "rsa-pkcs1-sha256",
    }
    return await _post(w, h, "/auth/login", body)


async def pledge_sign(w: World, h: dict[str, str], scope: Scope) -> httpx.Response:
    pledge = (await _get(w, h, "/pledge")).json() if h else {"version": 1, "sha256": "0" * 64}
    body = {
        "version": pledge["version"],
        "text_sha256": pledge["sha256"],
        "language": "fr",
        "signature": "AAAA",
        "signature_algorithm": "rsa-pkcs1-sha256",
    }
    return await _post(w, h, "/pledge", body)


async def put_interview(w: World, h: dict[str, str], scope: Scope) -> httpx.Response:
    task = await w.task(scope)
    url = f"{wire.API_PREFIX}/tasks/{task}/interview"
    return await w.server.client.put(url, headers=h, json=submission())


async def batch(w: World, h: dict[str, str], scope: Scope) -> httpx.Response:
    task = await w.task(scope)
    return await _post(
        w, h, "/interviews/batch", {"items": [{"task_id": task, "submission": submission()}]}
    )


MATRIX: dict[tuple[str, str], Entry] = {
    ("POST", "/auth/dev-login"): Entry(dev_login, public(200), public=True),
    ("POST", "/auth/challenge"): Entry(
        lambda w, h, s: _post(w, h, "/auth/challenge"), public(200), public=True
    ),
    ("POST", "/auth/login"): Entry(
        login, public(401), public=True
    ),  # challenge_unknown, for anyone
    ("POST", "/auth/logout"): Entry(lambda w, h, s: _post(w, h, "/auth/logout"), signed_in(204)),
    ("GET", "/me"): Entry(lambda w, h, s: _get(w, h, "/me"), signed_in(200)),
    ("GET", "/pledge"): Entry(lambda w, h, s: _get(w, h, "/pledge"), signed_in(200)),
    # Development logins have no card to sign with: 403 card_login_required, for every role.
    ("POST", "/pledge"): Entry(pledge_sign, signed_in(403)),
    ("GET", "/queue"): Entry(
        lambda w, h, s: _get(w, h, "/queue"),
        lambda role, scope: {None: 401, Role.AGENT: 200}.get(role, 403),
    ),
    ("GET", "/questionnaires"): Entry(
        lambda w, h, s: _get(w, h, "/questionnaires"), signed_in(200)
    ),
    ("GET", "/questionnaires/{questionnaire_id}/{version}"): Entry(
        lambda w, h, s: _get(w, h, "/questionnaires/contact-first-call/1"), signed_in(200)
    ),
    ("PUT", "/tasks/{task_id}/interview"): Entry(put_interview, agents_only(200), scoped=True),
    ("POST", "/interviews/batch"): Entry(batch, agents_only(200), scoped=True, item_status=True),
}

ACTORS: list[Role | None] = [None, *Role]


def served_routes(server: Server) -> set[tuple[str, str]]:
    paths = server.app.openapi()["paths"]
    prefix = wire.API_PREFIX
    return {
        (method.upper(), path.removeprefix(prefix))
        for path, operations in paths.items()
        for method in operations
    }


async def test_every_route_has_an_entry(server: Server) -> None:
    missing = sorted(served_routes(server) - set(MATRIX))
    assert not missing, f"routes without an authorisation matrix entry: {missing}"


def status_of(entry: Entry, answer: httpx.Response) -> int:
    if entry.item_status and answer.status_code == 200:
        return int(answer.json()["results"][0]["status"])
    return answer.status_code


async def test_the_matrix(server: Server) -> None:
    world = World(server)
    found: list[str] = []
    for route in sorted(served_routes(server) & set(MATRIX)):
        entry = MATRIX[route]
        for role in ACTORS:
            for scope in Scope if entry.scoped else [Scope.OWN]:
                headers = await world.token(role)
                answer = await entry.call(world, headers, scope)
                expected = entry.expect(role, scope)
                got = status_of(entry, answer)
                if got != expected:
                    who = role.value if role else NO_TOKEN
                    found.append(
                        f"{route[0]} {route[1]} as {who} on {scope.value}: "
                        f"{got} {answer.text[:120]} (expected {expected})"
                    )
    assert not found, "\n".join(found)


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "])
async def test_a_bad_token_is_401_everywhere(server: Server, header: str) -> None:
    world = World(server)
    for method, path in sorted(served_routes(server) & set(MATRIX)):
        if MATRIX[(method, path)].public:
            continue
        url = wire.API_PREFIX + path.replace("{task_id}", "1").replace(
            "{questionnaire_id}", "x"
        ).replace("{version}", "1")
        answer = await world.server.client.request(method, url, headers={"Authorization": header})
        assert answer.status_code == 401, f"{method} {path}: {answer.text}"
