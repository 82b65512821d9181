"""The simulated agents of the load bench: the real loop (queue, interviews), paced."""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from bench.load_setup import TEAM_SIZE, cpu_seconds
from tracer_tui import wire

QUEUE = "GET /queue"
SUBMIT = "PUT /tasks/{id}/interview"
RESEND = "PUT /tasks/{id}/interview (resent)"
REFRESH_SECONDS = 15.0  # the client's [sync] interval
RESEND_SHARE = 0.02
RETRY = "PUT /tasks/{id}/interview (no answer: again)"
RETRIES = 3


@functools.cache
def answers() -> dict[str, Any]:
    """A complete index-case interview the server accepts, dated today."""
    from tests.answers import complete_answers, script

    return complete_answers(script("index-first-call"), today=datetime.now(UTC).date())


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


def interview(started: datetime) -> dict[str, Any]:
    return {
        "submission_id": str(uuid4()),
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": "fr",
        "answers": answers(),
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
