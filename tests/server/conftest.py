"""Fixtures for the server tests: a real app on a temporary SQLite file, driven over httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.server.helpers import Clock, Server
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.questionnaire_files import load_directory
from tracer_tui.server.app import create_app
from tracer_tui.server.db import make_engine


@pytest.fixture
def questionnaires() -> dict[tuple[str, int], Questionnaire]:
    return load_directory()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "central.sqlite3"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def server(
    engine: Engine, clock: Clock, questionnaires: dict[tuple[str, int], Questionnaire]
) -> AsyncIterator[Server]:
    app = create_app(
        CentralConfig(token_ttl=3600, pledge_version=1),
        Rules(),
        engine=engine,
        allow_dev_login=True,
        questionnaires=questionnaires,
        clock=clock,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Server(app=app, engine=engine, clock=clock, client=client)
