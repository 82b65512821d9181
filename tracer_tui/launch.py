"""Wiring: builds the services of each mode. Heavy imports stay inside the functions, so
that the first paint of the UI does not wait for them."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracer_tui.client.api import ApiClient
from tracer_tui.client.services import Services
from tracer_tui.config import Settings
from tracer_tui.core.i18n import N_
from tracer_tui.core.types import Language, Role

PRACTICE_BASE_URL = "http://practice.invalid"
PRACTICE_TEAM = "practice"
PRACTICE_CASES = 24


def agent_services(settings: Settings) -> Services:
    """The agent app against the configured central server."""

    def connect() -> ApiClient:
        import httpx

        ca = settings.server.ca_bundle
        http = httpx.AsyncClient(
            base_url=settings.server.url,
            timeout=settings.server.timeout,
            verify=str(ca) if ca else True,
        )
        return ApiClient(http)

    return Services(connect=connect)


@dataclass
class PracticeWorld:
    """The embedded central server of practice mode, on a throwaway SQLite database."""

    settings: Settings
    seed: int = 1
    role: Role = Role.AGENT
    cases: int = PRACTICE_CASES
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    directory: Path | None = None
    agent_national_number: str = ""

    def start(self) -> ApiClient:
        import httpx

        from tracer_tui.practice.fake import FakeWorld
        from tracer_tui.server.app import create_app
        from tracer_tui.server.db import init_db, make_engine
        from tracer_tui.server.seed import add_agent, seed_cases

        self.directory = Path(tempfile.mkdtemp(prefix="tracer-practice-"))
        engine = make_engine(f"sqlite:///{self.directory / 'practice.sqlite3'}")
        init_db(engine)
        world = FakeWorld(self.seed, self.now)
        agent = world.agent(Language(self.settings.ui.language))
        self.agent_national_number = agent.national_number
        add_agent(
            engine,
            national_number=agent.national_number,
            display_name=agent.display_name,
            team=PRACTICE_TEAM,
            roles=[self.role],
            language=agent.language,
        )
        seed_cases(engine, world.cases(self.cases), team=PRACTICE_TEAM)
        central = self.settings.central.model_copy(update={"db_url": ""})
        app = create_app(central, self.settings.rules, engine=engine, allow_dev_login=True)
        self.engine = engine
        transport = httpx.ASGITransport(app=app)
        return ApiClient(httpx.AsyncClient(transport=transport, base_url=PRACTICE_BASE_URL))

    def stop(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def practice_services(world: PracticeWorld) -> Services:
    """Practice mode: the real server in-process (no socket), fake cases, fake agent."""

    def connect() -> ApiClient:
        client = world.start()
        services.dev_identity = world.agent_national_number
        return client

    services = Services(connect=connect, marker=N_("PRACTICE — fake data"), shutdown=world.stop)
    return services
