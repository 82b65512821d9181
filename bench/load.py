#!/usr/bin/env python3
"""Load test of the central server: 600 agents on PostgreSQL with several uvicorn workers.

Starts everything it needs and stops it again, bounded in time: a throwaway PostgreSQL cluster
on 127.0.0.1 (durable settings: fsync and synchronous commits on), ``tracer server run
--workers N`` on a free loopback port, then N simulated agents (async httpx, one process).
Each agent does the real loop at a paced rate (the whole room submits ``--rate`` interviews a
second): ``GET /queue``, then ``PUT /tasks/{id}/interview`` for its tasks one after the other,
reading its queue again when it is empty and every 15 s (the client's sync interval); 2% of
the submissions are sent twice, as a client retrying after a lost answer does. The agents
start one after the other over ``--ramp`` seconds (a room signing in), which are not measured.
Logins: the agents' tokens are seeded straight into the database (the card login is a separate
concern, rate-limited on purpose).

Reports throughput, p50/p90/p99 per route, errors, and the checks: no task in two agents'
queues, every accepted submission stored exactly once, no task closed twice, the audit chain
intact. Targets (2 cores): p99 of GET /queue <= 50 ms, >= 500 accepted submissions/s, zero
double assignments, zero lost or duplicated submissions.

    .venv/bin/python bench/load.py [--agents 600] [--duration 60] [--workers 2] [--rate 550]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server.postgres import PostgresCluster, free_port
from tracer_tui import wire
from tracer_tui.server.audit import verify
from tracer_tui.server.db import init_db, make_engine
from tracer_tui.server.tables import (
    Agent,
    AuthToken,
    InterviewSubmission,
    Person,
    Task,
    Team,
)

TEAM_SIZE = 20
DURABLE = {
    "shared_buffers": "512MB",
    "max_connections": "300",
    "checkpoint_timeout": "15min",
    "max_wal_size": "4GB",
}
QUEUE = "GET /queue"
SUBMIT = "PUT /tasks/{id}/interview"
RESEND = "PUT /tasks/{id}/interview (resent)"
REFRESH_SECONDS = 15.0  # the client's [sync] interval
RESEND_SHARE = 0.02
RETRY = "PUT /tasks/{id}/interview (no answer: again)"
RETRIES = 3
ANSWERS = {
    "identity_confirmed": True,
    "symptoms": ["fever", "cough"],
    "symptom_onset": "2020-05-14",
    "test_date": "2020-05-16",
    "profession": "teacher",
    "works_with_people_at_risk": False,
    "household_size": 3,
    "isolation_advice_given": True,
    "contacts": [
        {
            "name": "Contact A",
            "phone": "+32470000001",
            "risk": "high",
            "last_contact": "2020-05-15",
        },
        {"name": "Contact B", "phone": "+32470000002", "risk": "low", "last_contact": "2020-05-13"},
    ],
    "collectivity": "none",
    "travel": False,
    "note": "bench",
}


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    failures: Counter[str] = field(default_factory=Counter)
    accepted: dict[UUID, int] = field(default_factory=dict)  # submission -> task
    resent: dict[UUID, bool] = field(default_factory=dict)  # submission -> answered duplicate
    holders: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    ambiguous: set[UUID] = field(default_factory=set)  # no answer: stored or not, unknown
    measured_from: float = 0.0
    accepted_measured: int = 0
    cpu_before: dict[str, float] = field(default_factory=dict)
    cpu_after: dict[str, float] = field(default_factory=dict)
    generator_cpu: float = 0.0

    def time(self, route: str, started: float, status: int) -> None:
        if started >= self.measured_from:
            self.latencies[route].append(time.perf_counter() - started)
            self.statuses[route][status] += 1


# -- setting up ---------------------------------------------------------------------------


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


# -- the agents ---------------------------------------------------------------------------


def interview(started: datetime) -> dict[str, Any]:
    return {
        "submission_id": str(uuid4()),
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": "fr",
        "answers": ANSWERS,
        "started_at": (started - timedelta(minutes=17)).isoformat(),
        "finished_at": started.isoformat(),
    }


async def call(
    client: httpx.AsyncClient, results: Results, route: str, method: str, url: str, **kw: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        answer = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        results.failures[f"{route}: {type(exc).__name__}"] += 1
        return None
    results.time(route, started, answer.status_code)
    if answer.status_code >= 400:
        results.failures[f"{route}: {answer.status_code} {answer.text[:80]}"] += 1
    return answer


async def agent(
    number: int,
    token: str,
    client: httpx.AsyncClient,
    results: Results,
    *,
    start: float,
    stop: float,
    period: float,
) -> None:
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    headers = {"Authorization": f"Bearer {token}"}
    api = wire.API_PREFIX
    pending: list[int] = []
    done: set[int] = set()
    due = start + random.uniform(0, period)
    refresh = 0.0
    while time.perf_counter() < stop:
        if not pending or time.perf_counter() >= refresh:
            refresh = time.perf_counter() + REFRESH_SECONDS
            answer = await call(client, results, QUEUE, "GET", f"{api}/queue", headers=headers)
            if answer is not None and answer.status_code == 200:
                ids = [task["id"] for task in answer.json()["tasks"]]
                for task_id in ids:
                    results.holders[task_id].add(number)
                pending = [task_id for task_id in ids if task_id not in done]
            if not pending:
                await asyncio.sleep(1)
                continue
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        due += period
        if time.perf_counter() >= stop:
            break
        task_id = pending.pop(0)
        body = interview(datetime.now(UTC))
        submission = UUID(body["submission_id"])
        url = f"{api}/tasks/{task_id}/interview"
        answer = await call(client, results, SUBMIT, "PUT", url, json=body, headers=headers)
        for _ in range(RETRIES):  # no answer: sent again, as the client's outbox does
            if answer is not None:
                break
            await asyncio.sleep(0.5)
            answer = await call(client, results, RETRY, "PUT", url, json=body, headers=headers)
        if answer is None:
            results.ambiguous.add(submission)
            continue
        if answer.status_code == 200 and not answer.json()["duplicate"]:
            results.accepted[submission] = task_id
            done.add(task_id)
            if time.perf_counter() >= results.measured_from:
                results.accepted_measured += 1
        if random.random() < RESEND_SHARE:
            again = await call(client, results, RESEND, "PUT", url, json=body, headers=headers)
            if again is not None and again.status_code == 200:
                results.resent[submission] = bool(again.json()["duplicate"])


async def load(
    base: str,
    tokens: list[str],
    *,
    duration: float,
    rate: float,
    ramp: float,
    roots: dict[str, int],
) -> tuple[Results, float]:
    """Run the agents; the figures cover the ``duration`` seconds after the ramp-up."""
    results = Results()
    # One client per team: httpx's pool scans its connections on each request, so one pool
    # of 600 connections would cost the generator more than the requests.
    limits = httpx.Limits(max_connections=TEAM_SIZE, max_keepalive_connections=TEAM_SIZE)
    timeout = httpx.Timeout(30.0)
    clients = [
        httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout)
        for _ in range(0, len(tokens), TEAM_SIZE)
    ]
    begin = time.perf_counter()
    results.measured_from = begin + ramp
    stop = results.measured_from + duration
    period = len(tokens) / rate
    runs = [
        agent(
            n,
            token,
            clients[n // TEAM_SIZE],
            results,
            start=begin + ramp * n / len(tokens),
            stop=stop,
            period=period,
        )
        for n, token in enumerate(tokens)
    ]

    async def meter() -> None:
        await asyncio.sleep(max(0.0, results.measured_from - time.perf_counter()))
        results.cpu_before, generator = cpu_seconds(roots), time.process_time()
        await asyncio.sleep(max(0.0, stop - time.perf_counter()))
        results.cpu_after = cpu_seconds(roots)
        results.generator_cpu = time.process_time() - generator

    try:
        await asyncio.wait_for(asyncio.gather(meter(), *runs), timeout=ramp + duration + 60)
    finally:
        for client in clients:
            await client.aclose()
    elapsed = time.perf_counter() - results.measured_from
    return results, elapsed


# -- checking and reporting ---------------------------------------------------------------


def check(engine: Engine, results: Results) -> dict[str, Any]:
    with engine.connect() as connection:
        stored = dict(
            connection.execute(
                select(col(InterviewSubmission.submission_id), col(InterviewSubmission.task_id))
            ).all()
        )
        closed_twice = connection.execute(
            select(func.count()).select_from(
                select(col(InterviewSubmission.task_id))
                .group_by(col(InterviewSubmission.task_id))
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        wrong_agent = connection.execute(
            select(func.count())
            .select_from(InterviewSubmission)
            .join(Task, col(Task.id) == col(InterviewSubmission.task_id))
            .where(col(Task.assigned_agent_id) != col(InterviewSubmission.agent_id))
        ).scalar_one()
    lost = [s for s in results.accepted if stored.get(s) != results.accepted[s]]
    unexplained = [s for s in stored if s not in results.accepted and s not in results.ambiguous]
    resent_not_duplicate = sum(1 for duplicate in results.resent.values() if not duplicate)
    double = sum(1 for holders in results.holders.values() if len(holders) > 1)
    chain = verify(engine)
    return {
        "double_assignments": double + int(wrong_agent),
        "lost_submissions": len(lost),
        "duplicated_submissions": len(unexplained) + resent_not_duplicate + int(closed_twice),
        "resends_answered_duplicate": sum(results.resent.values()),
        "unanswered_submissions": len(results.ambiguous),
        "stored_submissions": len(stored),
        "audit_chain": "intact" if chain.intact else f"BROKEN: {chain.broken}",
        "audit_records": chain.records,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(
    results: Results, elapsed: float, checks: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    routes = {}
    for route, values in sorted(results.latencies.items()):
        statuses = results.statuses[route]
        routes[route] = {
            "requests": len(values),
            "per_second": round(len(values) / elapsed, 1),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p90_ms": round(percentile(values, 0.90) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
            "errors": sum(n for status, n in statuses.items() if status >= 400),
        }
    accepted_per_s = results.accepted_measured / elapsed
    requests = sum(len(values) for values in results.latencies.values())
    cpu = {
        name: round((results.cpu_after[name] - results.cpu_before.get(name, 0.0)) / elapsed, 2)
        for name in results.cpu_after
    }
    cpu["agents"] = round(results.generator_cpu / elapsed, 2)
    cpu_ms_per_request = {
        name: round(cores * elapsed * 1000 / max(1, requests), 2) for name, cores in cpu.items()
    }
    queue_p99 = routes.get(QUEUE, {}).get("p99_ms", float("nan"))
    targets = {
        "queue_p99_le_50ms": queue_p99 <= 50,
        "accepted_ge_500_per_s": accepted_per_s >= 500,
        "no_double_assignment": checks["double_assignments"] == 0,
        "no_lost_or_duplicated": checks["lost_submissions"] == 0
        and checks["duplicated_submissions"] == 0,
    }
    return {
        "agents": args.agents,
        "workers": args.workers,
        "duration_s": round(elapsed, 1),
        "target_rate": args.rate,
        "accepted_submissions_per_s": round(accepted_per_s, 1),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "cores_used": cpu,
        "cpu_ms_per_request": cpu_ms_per_request,
        "routes": routes,
        "failures": dict(results.failures.most_common(10)),
        **checks,
        "targets_met": targets,
    }


def show(summary: dict[str, Any]) -> None:
    print(
        f"{summary['agents']} agents, {summary['workers']} workers, {summary['duration_s']} s, "
        f"paced at {summary['target_rate']} submissions/s"
    )
    print(f"{'route':38} {'n':>7} {'/s':>7} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} {'err':>5}")
    for route, row in summary["routes"].items():
        print(
            f"{route:38} {row['requests']:>7} {row['per_second']:>7} {row['p50_ms']:>7} "
            f"{row['p90_ms']:>7} {row['p99_ms']:>7} {row['max_ms']:>7} {row['errors']:>5}"
        )
    print(f"accepted submissions/s: {summary['accepted_submissions_per_s']}")
    print(f"cores used (whole machine: 2): {summary['cores_used']}")
    print(f"CPU ms per request: {summary['cpu_ms_per_request']}")
    print(f"load average at the end: {summary['load_average']}")
    for key in (
        "double_assignments",
        "lost_submissions",
        "duplicated_submissions",
        "resends_answered_duplicate",
        "unanswered_submissions",
        "stored_submissions",
        "audit_chain",
        "audit_records",
    ):
        print(f"{key}: {summary[key]}")
    for failure, count in summary["failures"].items():
        print(f"  failure x{count}: {failure}")
    for target, met in summary["targets_met"].items():
        print(f"target {target}: {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=600)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--rate", type=float, default=550.0, help="submissions/s, whole room")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to start all agents")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    tasks = int(args.rate * (args.duration + args.ramp) * 1.3) + args.agents * 20
    cluster = PostgresCluster.start(DURABLE, max_connections=300)
    process: subprocess.Popen[bytes] | None = None
    scratch = Path(tempfile.mkdtemp(prefix="tracer-load-"))
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE tracer"))
        admin.dispose()
        url = cluster.url("tracer")
        engine = make_engine(url)
        init_db(engine)
        began = time.perf_counter()
        tokens = seed(engine, agents=args.agents, tasks=tasks)
        print(
            f"seeded {args.agents} agents and {tasks} tasks in {time.perf_counter() - began:.1f} s"
        )
        process, base = start_server(url, args.workers, scratch)
        wait_until_up(base, process)
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        roots = {"server": process.pid, "postgresql": postmaster}
        results, elapsed = asyncio.run(
            load(
                base,
                tokens,
                duration=args.duration,
                rate=args.rate,
                ramp=args.ramp,
                roots=roots,
            )
        )
        stop_server(process)
        summary = report(results, elapsed, check(engine, results), args)
        engine.dispose()
        show(summary)
        if args.json:
            args.json.write_text(json.dumps(summary, indent=2) + "\n")
        return 0 if all(summary["targets_met"].values()) else 1
    finally:
        if process is not None:
            stop_server(process)
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
