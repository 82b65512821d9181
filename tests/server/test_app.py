"""The app factory: defaults, isolation between apps, and the production runner."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.server.helpers import TEAM, cases, niss
from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language, Role
from tracer_tui.questionnaire_files import default_directory
from tracer_tui.server import runner
from tracer_tui.server.app import create_app
from tracer_tui.server.db import make_engine
from tracer_tui.server.seed import add_agent, seed_cases
from tracer_tui.server.state import STATE_KEY, ServerState

LOGIN = f"{wire.API_PREFIX}/auth/dev-login"
QUEUE = f"{wire.API_PREFIX}/queue"


def state_of(app: FastAPI) -> ServerState:
    state = getattr(app.state, STATE_KEY)
    assert isinstance(state, ServerState)
    return state


async def login(app: FastAPI, number: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(LOGIN, json={"national_number": number})


def test_defaults_come_from_the_central_section(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy(default_directory() / "contact-first-call.v1.yaml", scripts)
    central = CentralConfig(
        db_url=f"sqlite:///{tmp_path / 'c.sqlite3'}", questionnaires_dir=scripts
    )
    app = create_app(central, Rules())
    state = state_of(app)
    assert list(state.questionnaires) == [("contact-first-call", 1)]
    assert state.engine.url.database == str(tmp_path / "c.sqlite3")
    assert state.allow_dev_login is False
    assert (tmp_path / "c.sqlite3").is_file()  # the schema is ready without startup events
    state.engine.dispose()


async def test_two_apps_share_nothing(tmp_path: Path) -> None:
    apps = [
        create_app(
            CentralConfig(db_url=f"sqlite:///{tmp_path / name}.sqlite3"),
            Rules(),
            allow_dev_login=True,
        )
        for name in ("one", "two")
    ]
    number = niss(5)
    add_agent(
        state_of(apps[0]).engine,
        national_number=number,
        display_name="Agent Un",
        team=None,
        roles=[Role.AGENT],
        language=Language.DE,
    )
    assert (await login(apps[0], number)).status_code == 200
    assert (await login(apps[1], number)).json()["code"] == "unknown_agent"
    for app in apps:
        state_of(app).engine.dispose()


async def test_runner_never_allows_the_dev_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: FastAPI, **options: Any) -> None:
        served.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    central = CentralConfig(db_url=f"sqlite:///{tmp_path / 'c.sqlite3'}")
    runner.run(central, Rules(), host="127.0.0.1", port=8443)
    assert served["host"] == "127.0.0.1"
    assert served["port"] == 8443
    app = served["app"]
    assert state_of(app).allow_dev_login is False
    answer = await login(app, niss(5))
    assert answer.status_code == 403
    assert answer.json()["code"] == "dev_login_disabled"
    state_of(app).engine.dispose()


async def test_in_memory_app_serves_concurrent_agents() -> None:
    """Practice mode: one in-memory database, many requests at once."""
    engine = make_engine("sqlite://")
    app = create_app(CentralConfig(), Rules(), engine=engine, allow_dev_login=True)
    seed_cases(engine, cases(60), team=TEAM)
    numbers = [niss(serial) for serial in range(1, 11)]
    for number in numbers:
        add_agent(
            engine,
            national_number=number,
            display_name="Agent",
            team=TEAM,
            roles=[Role.AGENT],
            language=Language.FR,
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        logins = [
            (await client.post(LOGIN, json={"national_number": number})).json()["token"]
            for number in numbers
        ]
        answers = await asyncio.gather(
            *(client.get(QUEUE, headers={"Authorization": f"Bearer {token}"}) for token in logins)
        )
    ids = [task["id"] for answer in answers for task in answer.json()["tasks"]]
    assert len(ids) == len(set(ids)) == 60
    engine.dispose()
