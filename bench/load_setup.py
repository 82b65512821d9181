"""Setting up the load bench: seeding PostgreSQL, starting and stopping the server, and
the CPU time the processes used (from ``/proc``)."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, insert, text

from tests.server.postgres import free_port
from tracer_tui.server.tables import Agent, AuthToken, Person, Task, Team

TEAM_SIZE = 20
DURABLE = {
    "shared_buffers": "512MB",
    "max_connections": "300",
    "checkpoint_timeout": "15min",
    "max_wal_size": "4GB",
}


def seed(engine: Engine, *, agents: int, tasks: int) -> list[str]:
    """Teams of 20 agents with a token each, and ``tasks`` open index-case tasks shared among
    the teams' pools. Returns the tokens, one per agent."""
    now = datetime.now(UTC).replace(tzinfo=None)
    teams = max(1, agents // TEAM_SIZE)
    tokens = [secrets.token_urlsafe(32) for _ in range(agents)]
    with engine.begin() as connection:
        connection.execute(
            insert(Team), [{"id": t + 1, "name": f"team-{t + 1}"} for t in range(teams)]
        )
        connection.execute(
            insert(Agent),
            [
                {
                    "id": a + 1,
                    "national_number": f"{a + 1:011d}",
                    "display_name": f"Agent {a + 1}",
                    "team_id": a % teams + 1,
                    "roles": ["agent"],
                    "language": "fr",
                }
                for a in range(agents)
            ],
        )
        connection.execute(
            insert(AuthToken),
            [
                {
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "agent_id": a + 1,
                    "expires_at": now + timedelta(days=1),
                }
                for a, token in enumerate(tokens)
            ],
        )
        for start in range(0, tasks, 10_000):
            chunk = range(start, min(tasks, start + 10_000))
            connection.execute(
                insert(Person),
                [
                    {
                        "id": i + 1,
                        "first_name": f"Prénom{i}",
                        "last_name": f"Nom{i}",
                        "birth_date": date(1980, 1, 1),
                        "language": "fr",
                        "phones": [f"+3247{i:07d}"],
                        "created_at": now,
                    }
                    for i in chunk
                ],
            )
            connection.execute(
                insert(Task),
                [
                    {
                        "id": i + 1,
                        "kind": "index_call",
                        "status": "new",
                        "person_id": i + 1,
                        "team_id": i % teams + 1,
                        "due_at": now - timedelta(hours=24) + timedelta(seconds=i),
                        "created_at": now,
                        "attempts": 0,
                        "priority": 0,
                        "questionnaire_id": "index-first-call",
                        "questionnaire_version": 1,
                    }
                    for i in chunk
                ],
            )
        for table in ("team", "agent", "person", "task"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
            )
        connection.execute(text("ANALYZE"))
    return tokens


def start_server(url: str, workers: int, directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    config = directory / "config.toml"
    config.write_text(f'[central]\ntoken_ttl = 86400\ndb_pool_size = 20\ndb_url = "{url}"\n')
    log = (directory / "server.log").open("wb")
    command = [
        sys.executable, "-m", "tracer_tui", "--config", str(config), "server", "run",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return process, f"http://127.0.0.1:{port}"


def _processes() -> dict[int, tuple[int, float]]:
    """Every process: pid -> (parent pid, CPU seconds used so far)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each named process and its descendants."""
    table = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _) in table.items():
        children[parent].append(pid)
    used: dict[str, float] = {}
    for name, root in roots.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            total += table.get(pid, (0, 0.0))[1]
            todo.extend(children.get(pid, []))
        used[name] = total
    return used


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit code {process.returncode})")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer within a minute")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
