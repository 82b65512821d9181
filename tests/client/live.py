"""A real central server for the sync tests and the sync benchmark: ``tracer server run``
in a subprocess on 127.0.0.1, over a SQLite database prepared with one agent holding
``tasks`` index-call tasks and a bearer token (no login needed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select, update
from sqlmodel import col

from tracer_tui.client.api import ApiClient
from tracer_tui.core.people import CaseData, PersonData
from tracer_tui.core.types import Language, Role, TaskKind, TaskStatus

TEAM = "sync"
AGENT_NUMBER = "80010100107"


@dataclass(frozen=True)
class World:
    db_url: str
    token: str
    agent_id: int
    task_ids: list[int]
    directory: Path


def _case(index: int) -> CaseData:
    person = PersonData(
        first_name=f"Prénom{index}",
        last_name=f"Nom{index}",
        birth_date=date(1975, 6, 6),
        language=Language.FR,
        phones=["+32470123456"],
    )
    reported = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=index)
    return CaseData(kind=TaskKind.INDEX_CALL, person=person, reported_at=reported)


def prepare(directory: Path, tasks: int) -> World:
    """The server's database: the agent, ``tasks`` tasks assigned to them, a token."""
    from tracer_tui.server.auth import issue_token
    from tracer_tui.server.db import init_db, make_engine, write_session
    from tracer_tui.server.seed import add_agent, seed_cases
    from tracer_tui.server.tables import Task

    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / 'central.sqlite3'}"
    engine = make_engine(url)
    try:
        init_db(engine)
        agent_id = add_agent(
            engine,
            national_number=AGENT_NUMBER,
            display_name="Agent Sync",
            team=TEAM,
            roles=[Role.AGENT],
            language=Language.FR,
        )
        seed_cases(engine, (_case(index) for index in range(tasks)), team=TEAM)
        with write_session(engine) as session:
            session.execute(
                update(Task).values(assigned_agent_id=agent_id, status=TaskStatus.ASSIGNED.value)
            )
            ids = list(session.execute(select(col(Task.id)).order_by(col(Task.id))).scalars())
            token, _ = issue_token(
                session, agent_id=agent_id, now=datetime.now(UTC), ttl_seconds=24 * 3600
            )
            session.commit()
    finally:
        engine.dispose()
    return World(
        url, token, agent_id, [task_id for task_id in ids if task_id is not None], directory
    )


def interviews_on_server(world: World) -> tuple[int, int]:
    """How many interviews the server stored, and how many distinct submission ids."""
    from tracer_tui.server.db import make_engine
    from tracer_tui.server.tables import InterviewSubmission

    engine = make_engine(world.db_url)
    try:
        with engine.connect() as connection:
            total = connection.execute(
                select(func.count()).select_from(InterviewSubmission)
            ).scalar_one()
            distinct = connection.execute(
                select(func.count(func.distinct(col(InterviewSubmission.submission_id))))
            ).scalar_one()
    finally:
        engine.dispose()
    return int(total), int(distinct)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """``tracer server run`` on 127.0.0.1:``port`` (started again on the same port after
    :meth:`stop`, as after an outage)."""

    def __init__(self, world: World, port: int | None = None) -> None:
        self.world = world
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        config = world.directory / "server.toml"
        config.write_text("", encoding="utf-8")
        self.config = config

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        tracer = Path(sys.executable).with_name("tracer")
        command = [str(tracer), "--config", str(self.config), "server", "run"]
        command += ["--db", self.world.db_url, "--host", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "TRACER_CONFIG": str(self.config)}
        log = (self.world.directory / "server.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: see {self.world.directory}/server.log")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError("the server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def api_client(
    base_url: str, token: str, *, timeout: float = 5.0, keepalive: bool = True
) -> ApiClient:
    limits = httpx.Limits(max_keepalive_connections=None if keepalive else 0)
    http = httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits)
    client = ApiClient(http)
    client.use_token(token)
    return client
