"""Helpers for the server tests: an app driven over httpx, agents, fake cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from tracer_tui import wire
from tracer_tui.core.people import Address, CaseData, PersonData
from tracer_tui.core.types import Language, Role, TaskKind
from tracer_tui.server.seed import add_agent, seed_cases

START = datetime(2020, 5, 18, 8, 0, tzinfo=UTC)
TEAM = "namur-1"


def niss(serial: int, born: str = "800101") -> str:
    """A valid national number (born before 2000) with the given 3-digit serial."""
    base = int(f"{born}{serial:03d}")
    return f"{base}{97 - base % 97:02d}"


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Server:
    app: FastAPI
    engine: Engine
    clock: Clock
    client: httpx.AsyncClient
    agents: dict[str, int] = field(default_factory=dict)
    next_serial: int = 1

    def add_agent(
        self,
        name: str,
        *,
        team: str | None = TEAM,
        roles: list[Role] | None = None,
    ) -> str:
        """Add an agent; returns their national number."""
        number = niss(self.next_serial)
        self.next_serial += 1
        self.agents[number] = add_agent(
            self.engine,
            national_number=number,
            display_name=name,
            team=team,
            roles=roles or [Role.AGENT],
            language=Language.FR,
        )
        return number

    async def login(self, national_number: str) -> dict[str, str]:
        answer = await self.client.post(
            f"{wire.API_PREFIX}/auth/dev-login", json={"national_number": national_number}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    async def agent(self, name: str, **options: Any) -> dict[str, str]:
        """Add an agent and log them in; returns the auth headers."""
        return await self.login(self.add_agent(name, **options))

    async def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.get(f"{wire.API_PREFIX}{path}", headers=headers)

    async def queue(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        answer = await self.get("/queue", headers)
        assert answer.status_code == 200, answer.text
        tasks: list[dict[str, Any]] = answer.json()["tasks"]
        return tasks


def person(index: int, language: Language = Language.FR) -> PersonData:
    return PersonData(
        first_name=f"Prénom{index}",
        last_name=f"Nom{index}",
        national_number=niss(index % 997 + 1, born="750606"),
        birth_date=date(1975, 6, 6),
        sex="F",
        language=language,
        phones=(f"+324701{index:05d}",),
        email=f"person{index}@example.invalid",
        address=Address(street=f"Rue du Test {index}", postcode="5000", municipality="Namur"),
    )


def cases(
    count: int,
    *,
    kind: TaskKind = TaskKind.INDEX_CALL,
    first: int = 0,
    reported: Callable[[int], datetime] | None = None,
) -> list[CaseData]:
    """``count`` cases; by default reported one minute apart, oldest first."""
    when = reported or (lambda index: START - timedelta(hours=24) + timedelta(minutes=index))
    return [
        CaseData(kind=kind, person=person(index), reported_at=when(index))
        for index in range(first, first + count)
    ]


def seed(server: Server, items: list[CaseData], team: str = TEAM) -> None:
    seed_cases(server.engine, items, team=team)
