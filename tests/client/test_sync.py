"""The sync engine against the real server app, in-process (the network faults are in
test_sync_faults.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import Engine, delete, update
from sqlmodel import col

from tests.answers import complete_answers, script
from tests.client.live import World, prepare
from tracer_tui.client.api import ApiClient
from tracer_tui.client.store import LocalStore
from tracer_tui.client.store_outbox import OutboxItem, OutboxState
from tracer_tui.client.sync import Outcome, SyncEngine, SyncStatus, backoff_delay
from tracer_tui.config import CentralConfig, SyncConfig
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language, Role
from tracer_tui.questionnaire_files import default_directory
from tracer_tui.wire import InterviewSubmission

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def answers_for(questionnaire: str, version: int) -> dict[str, Any]:
    """Complete answers for a shipped script; for an unknown one, the index case's."""
    shipped = (default_directory() / f"{questionnaire}.v{version}.yaml").exists()
    found = script(questionnaire, version) if shipped else script()
    return complete_answers(found, today=T0.date())


def interview(questionnaire: str = "index-first-call", version: int = 1) -> InterviewSubmission:
    return InterviewSubmission(
        submission_id=uuid4(),
        questionnaire_id=questionnaire,
        questionnaire_version=version,
        language=Language.FR,
        answers=answers_for(questionnaire, version),
        started_at=T0,
        finished_at=T0 + timedelta(minutes=15),
    )


@dataclass
class Seen:
    statuses: list[SyncStatus] = field(default_factory=list)
    conflicts: list[list[OutboxItem]] = field(default_factory=list)
    signed_out: int = 0
    queue_pulls: int = 0


@dataclass
class Rig:
    world: World
    server_engine: Engine
    store: LocalStore
    api: ApiClient
    engine: SyncEngine
    seen: Seen


@pytest.fixture
def world(tmp_path: Path) -> World:
    return prepare(tmp_path / "server", 6)


@pytest.fixture
def server_engine(world: World) -> Iterator[Engine]:
    from tracer_tui.server.db import make_engine

    engine = make_engine(world.db_url)
    yield engine
    engine.dispose()


@pytest.fixture
async def rig(tmp_path: Path, world: World, server_engine: Engine) -> AsyncIterator[Rig]:
    from tracer_tui.server.app import create_app

    app = create_app(CentralConfig(), Rules(), engine=server_engine)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    api = ApiClient(http)
    api.use_token(world.token)
    seen = Seen()
    store = LocalStore.open(tmp_path / "store.sqlite3")
    config = SyncConfig(interval=60, backoff_initial=0.01, backoff_max=0.05)

    def on_queue() -> None:
        seen.queue_pulls += 1

    def on_signed_out() -> None:
        seen.signed_out += 1

    engine = SyncEngine(
        store,
        api,
        config,
        retention_days=30,
        batch_size=2,
        on_status=seen.statuses.append,
        on_conflicts=seen.conflicts.append,
        on_signed_out=on_signed_out,
        on_queue=on_queue,
        rng=random.Random(5),
    )
    yield Rig(world, server_engine, store, api, engine, seen)
    await api.aclose()
    store.close()


def on_server(rig: Rig) -> list[tuple[int, str | None]]:
    from sqlmodel import Session, select

    from tracer_tui.server.tables import InterviewSubmission as Row

    with Session(rig.server_engine) as session:
        rows = session.exec(select(Row).order_by(col(Row.id))).all()
        return [(row.task_id, row.conflict) for row in rows]


async def test_push_then_pull(rig: Rig) -> None:
    assert await rig.engine.sync_once() is Outcome.DONE
    cached = [task.id for task in rig.store.queue.tasks()]
    assert cached == rig.world.task_ids
    assert rig.seen.queue_pulls == 1
    for task_id in cached[:3]:
        rig.store.submit_interview(task_id, interview())
    assert rig.engine.status.pending == 0  # not counted again until the engine looks
    assert await rig.engine.sync_once() is Outcome.DONE
    assert on_server(rig) == [(task_id, None) for task_id in cached[:3]]
    assert [task.id for task in rig.store.queue.tasks()] == cached[3:]
    assert rig.store.outbox.counts().sent == 3
    status = rig.engine.status
    assert (status.online, status.pending, status.errors, status.signed_out) == (
        True,
        0,
        0,
        False,
    )
    assert status.last_sync is not None
    assert status.retry_at is None
    assert any(s.pending == 3 for s in rig.seen.statuses)  # the header saw them wait
    assert any(s.syncing for s in rig.seen.statuses)


async def test_a_reassigned_task_is_accepted_flagged_and_told(rig: Rig) -> None:
    from tracer_tui.server.seed import add_agent
    from tracer_tui.server.tables import Task

    assert await rig.engine.sync_once() is Outcome.DONE  # the agent had the queue
    moved = rig.world.task_ids[0]
    other = add_agent(
        rig.server_engine,
        national_number="80010100206",
        display_name="Agent Deux",
        team="sync",
        roles=[Role.AGENT],
        language=Language.FR,
    )
    with rig.server_engine.begin() as connection:  # a supervisor moves it meanwhile
        connection.execute(
            update(Task).where(col(Task.id) == moved).values(assigned_agent_id=other)
        )
    submitted = interview()
    rig.store.submit_interview(moved, submitted)
    assert await rig.engine.sync_once() is Outcome.DONE
    assert on_server(rig) == [(moved, "reassigned")]
    ((item,),) = rig.seen.conflicts
    assert (item.task_id, item.record_id, item.conflict, item.state) == (
        moved,
        submitted.submission_id,
        "reassigned",
        OutboxState.SENT,
    )
    assert rig.engine.status.conflicts == 1
    assert moved not in [task.id for task in rig.store.queue.tasks()]


async def test_a_refused_record_is_kept_and_the_others_go(rig: Rig) -> None:
    tasks = rig.world.task_ids
    rig.store.submit_interview(tasks[0], interview())
    bad = rig.store.submit_interview(tasks[1], interview(version=99))
    rig.store.submit_interview(tasks[2], interview())
    assert await rig.engine.sync_once() is Outcome.DONE
    assert [task_id for task_id, _ in on_server(rig)] == [tasks[0], tasks[2]]
    refused = rig.store.outbox.get(bad.record_id)
    assert refused is not None
    assert (refused.state, refused.last_error) == (OutboxState.ERROR, "unknown_questionnaire")
    assert (rig.engine.status.errors, rig.engine.status.pending) == (1, 0)
    assert rig.engine.status.waiting == 1


async def test_an_expired_token_asks_for_the_card_and_loses_nothing(rig: Rig) -> None:
    from tracer_tui.server.auth import issue_token
    from tracer_tui.server.db import write_session
    from tracer_tui.server.tables import AuthToken

    tasks = rig.world.task_ids
    for task_id in tasks[:3]:
        rig.store.submit_interview(task_id, interview())
    with rig.server_engine.begin() as connection:
        connection.execute(delete(AuthToken))
    assert await rig.engine.sync_once() is Outcome.SIGNED_OUT
    assert rig.seen.signed_out == 1
    assert rig.engine.status.signed_out
    assert rig.engine.status.pending == 3
    assert on_server(rig) == []
    assert [item.state for item in rig.store.outbox.items()] == [OutboxState.PENDING] * 3

    with write_session(rig.server_engine) as session:  # the agent signs in again
        token, _ = issue_token(
            session, agent_id=rig.world.agent_id, now=datetime.now(UTC), ttl_seconds=600
        )
        session.commit()
    rig.api.use_token(token)
    assert await rig.engine.sync_once() is Outcome.DONE
    assert not rig.engine.status.signed_out
    assert [task_id for task_id, _ in on_server(rig)] == tasks[:3]


async def test_no_token_means_signed_out_without_a_request(rig: Rig) -> None:
    rig.api.sign_out()
    assert await rig.engine.sync_once() is Outcome.SIGNED_OUT
    assert rig.engine.status.online is None


async def test_the_running_engine_sends_when_woken(rig: Rig) -> None:
    runner = asyncio.create_task(rig.engine.run())
    try:
        for _ in range(200):
            if rig.seen.queue_pulls:
                break
            await asyncio.sleep(0.01)
        task_id = rig.world.task_ids[0]
        await asyncio.to_thread(rig.store.submit_interview, task_id, interview())
        rig.engine.wake()  # from any thread; the interval (60 s) is not waited for
        for _ in range(300):
            if on_server(rig):
                break
            await asyncio.sleep(0.01)
        assert on_server(rig) == [(task_id, None)]
    finally:
        rig.engine.stop()
        await asyncio.wait_for(runner, 5)


def test_backoff_doubles_up_to_the_maximum_with_jitter() -> None:
    rng = random.Random(1)
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (12, 300.0), (40, 300.0)]:
        delays = [backoff_delay(failures, 1.0, 300.0, rng) for _ in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert max(delays) - min(delays) > ceiling / 10  # spread: not in step
