"""The sync engine against real faults: ``tracer server run`` on 127.0.0.1 behind a proxy
that resets, loses answers and stalls; and a server that is down for the whole session."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from tests.answers import complete_answers, script
from tests.client.faulty_proxy import FaultyProxy
from tests.client.live import LiveServer, World, api_client, interviews_on_server, prepare
from tracer_tui.client.store import LocalStore
from tracer_tui.client.store_outbox import OutboxCounts
from tracer_tui.client.sync import Outcome, SyncEngine, SyncStatus
from tracer_tui.config import SyncConfig
from tracer_tui.core.types import Language
from tracer_tui.wire import InterviewSubmission

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FAST = SyncConfig(interval=30, backoff_initial=0.02, backoff_max=0.1)


def interview(task_id: int) -> InterviewSubmission:
    return InterviewSubmission(
        submission_id=uuid4(),
        questionnaire_id="index-first-call",
        questionnaire_version=1,
        language=Language.FR,
        answers=complete_answers(
            script(), today=T0.date(), overrides={"profession": f"Métier {task_id}"}
        ),
        started_at=T0,
        finished_at=T0 + timedelta(minutes=12),
    )


def tasks_with_interviews(world: World) -> int:
    from sqlalchemy import func, select
    from sqlmodel import col

    from tracer_tui.server.db import make_engine
    from tracer_tui.server.tables import InterviewSubmission as Row

    engine = make_engine(world.db_url)
    try:
        with engine.connect() as connection:
            query = select(func.count(func.distinct(col(Row.task_id))))
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


async def wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not come true in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[World, LiveServer]]:
    world = prepare(tmp_path / "server", 1000)
    server = LiveServer(world)
    server.start()
    yield world, server
    server.stop()


async def test_a_thousand_interviews_through_a_faulty_network_arrive_once(
    tmp_path: Path, live: tuple[World, LiveServer]
) -> None:
    world, server = live
    proxy = FaultyProxy(server.port, seed=20260302)
    await proxy.start()
    store = LocalStore.open(tmp_path / "store.sqlite3")
    for task_id in world.task_ids:
        await asyncio.to_thread(store.submit_interview, task_id, interview(task_id))
    api = api_client(f"http://127.0.0.1:{proxy.port}", world.token, timeout=0.3, keepalive=False)
    statuses: list[SyncStatus] = []
    engine = SyncEngine(
        store, api, FAST, batch_size=20, on_status=statuses.append, rng=random.Random(3)
    )
    runner = asyncio.create_task(engine.run())
    try:
        await wait_for(lambda: store.outbox.counts().sent == 1000, timeout=90)
    finally:
        engine.stop()
        await asyncio.wait_for(runner, 10)
        await api.aclose()
        await proxy.stop()
    assert store.outbox.counts() == OutboxCounts(sent=1000)
    store.close()
    assert interviews_on_server(world) == (1000, 1000)  # exactly 1,000, none twice
    assert tasks_with_interviews(world) == 1000
    assert min(proxy.counts[fault] for fault in ("reset", "lost_reply", "stall")) > 0
    faults = sum(proxy.counts[fault] for fault in ("reset", "lost_reply", "stall"))
    assert 0.15 < faults / proxy.counts.total() < 0.45  # about 30% of the connections
    assert any(status.last_error for status in statuses)  # failures were seen and retried


async def test_server_down_for_the_whole_session(tmp_path: Path) -> None:
    world = prepare(tmp_path / "server", 5)
    server = LiveServer(world)
    store = LocalStore.open(tmp_path / "store.sqlite3")
    api = api_client(server.url, world.token, timeout=2.0)
    engine = SyncEngine(store, api, FAST, rng=random.Random(4))
    server.start()
    try:
        assert await engine.sync_once() is Outcome.DONE  # yesterday: the queue was cached
    finally:
        server.stop()

    # Today the server is down: the agent works through the cached tasks.
    runner = asyncio.create_task(engine.run())
    try:
        cached = await asyncio.to_thread(store.queue.tasks)
        assert [task.id for task in cached] == world.task_ids
        for task in cached:
            await asyncio.to_thread(store.submit_interview, task.id, interview(task.id))
            engine.wake()
        await wait_for(lambda: engine.status.pending == 5 and engine.failures >= 3, timeout=20)
        status = engine.status
        assert status.online is False
        assert status.last_error == "unreachable"
        assert status.retry_at is not None
        assert await asyncio.to_thread(store.queue.tasks) == []
        assert interviews_on_server(world) == (0, 0)

        server.start()  # the server is back: everything goes, without the agent doing a thing
        await wait_for(lambda: engine.status.pending == 0 and engine.status.online, timeout=20)
    finally:
        engine.stop()
        await asyncio.wait_for(runner, 10)
        await api.aclose()
        server.stop()
    assert interviews_on_server(world) == (5, 5)
    assert store.outbox.counts() == OutboxCounts(sent=5)
    store.close()
