"""The agent's queue: top-up from the team pool, order, privacy, concurrency."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from tests.server.helpers import START, Server, cases, person, seed
from tracer_tui import wire
from tracer_tui.core.types import Role, TaskKind, TaskStatus
from tracer_tui.server.assignment import QUEUE_SIZE
from tracer_tui.server.tables import Task


async def test_queue_is_topped_up_to_its_size_in_due_order(server: Server) -> None:
    # Reported newest first, so that due order differs from insertion order.
    seed(server, cases(QUEUE_SIZE + 5, reported=lambda i: START - timedelta(minutes=i)))
    headers = await server.agent("Agent Un")
    answer = await server.get("/queue", headers)
    assert answer.status_code == 200
    queue = wire.QueueResponse.model_validate(answer.json())
    assert queue.server_time == START
    assert len(queue.tasks) == QUEUE_SIZE
    keys = [(task.due_at, task.id) for task in queue.tasks]
    assert keys == sorted(keys)
    # The pool gives the longest-waiting tasks first.
    assert queue.tasks[0].due_at == START - timedelta(minutes=QUEUE_SIZE + 4)
    assert {task.status for task in queue.tasks} == {TaskStatus.ASSIGNED}
    assert {task.questionnaire_id for task in queue.tasks} == {"index-first-call"}


async def test_queue_is_stable_and_refilled_when_tasks_leave(server: Server) -> None:
    seed(server, cases(QUEUE_SIZE + 3))
    headers = await server.agent("Agent Un")
    first = [task["id"] for task in await server.queue(headers)]
    assert [task["id"] for task in await server.queue(headers)] == first
    with Session(server.engine) as session:
        done = session.get(Task, first[0])
        assert done is not None
        done.status = TaskStatus.DONE.value
        session.commit()
    again = [task["id"] for task in await server.queue(headers)]
    assert len(again) == QUEUE_SIZE
    assert first[0] not in again
    assert set(first[1:]) < set(again)


async def test_agents_see_only_their_own_tasks(server: Server) -> None:
    seed(server, cases(QUEUE_SIZE + 4))
    one = await server.agent("Agent Un")
    two = await server.agent("Agent Deux")
    first = {task["id"] for task in await server.queue(one)}
    second = {task["id"] for task in await server.queue(two)}
    assert len(first) == QUEUE_SIZE
    assert len(second) == 4
    assert not first & second
    assert {task["id"] for task in await server.queue(one)} == first


async def test_pool_is_per_team(server: Server) -> None:
    seed(server, cases(3), team="liege-2")
    headers = await server.agent("Agent Un")
    assert await server.queue(headers) == []
    other = await server.agent("Agent Deux", team="liege-2")
    assert len(await server.queue(other)) == 3


async def test_agent_without_team_gets_an_empty_queue(server: Server) -> None:
    seed(server, cases(3))
    headers = await server.agent("Agent Sans Équipe", team=None)
    assert await server.queue(headers) == []


async def test_queue_needs_the_agent_role(server: Server) -> None:
    headers = await server.agent("Superviseur", roles=[Role.SUPERVISOR])
    answer = await server.get("/queue", headers)
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden_role"


async def test_queue_needs_a_token(server: Server) -> None:
    answer = await server.get("/queue")
    assert answer.status_code == 401


async def test_person_view_carries_the_least_data(server: Server) -> None:
    seed(server, cases(1, kind=TaskKind.CONTACT_CALL))
    headers = await server.agent("Agent Un")
    answer = await server.get("/queue", headers)
    (task,) = answer.json()["tasks"]
    assert set(task["person"]) == {"display_name", "birth_date", "language", "phones"}
    assert task["person"]["display_name"] == "Prénom0 Nom0"
    assert task["person"]["phones"] == ["+32470100000"]
    assert task["questionnaire_id"] == "contact-first-call"
    data = person(0)
    assert data.address is not None
    assert data.national_number is not None
    for secret in (data.national_number, data.address.street, data.email or "", "5000"):
        assert secret not in answer.text
    assert "national_number" not in json.dumps(answer.json())


async def test_twenty_agents_at_once_never_share_a_task(server: Server) -> None:
    pool = 150  # less than 20 full queues: the agents compete for the last tasks
    seed(server, cases(pool))
    logins = [await server.agent(f"Agent {index}") for index in range(20)]
    queues = await asyncio.gather(*(server.queue(headers) for headers in logins))
    handed_out = Counter(task["id"] for queue in queues for task in queue)
    assert sum(handed_out.values()) == pool
    assert max(handed_out.values()) == 1
    assert all(len(queue) <= QUEUE_SIZE for queue in queues)
    with Session(server.engine) as session:
        owners = dict(session.execute(select(col(Task.id), col(Task.assigned_agent_id))).all())
    for agent_id, queue in zip(server.agents.values(), queues, strict=True):
        assert all(owners[task["id"]] == agent_id for task in queue)


async def test_twenty_agents_twice_each_at_once(server: Server) -> None:
    seed(server, cases(400))
    logins = [await server.agent(f"Agent {index}") for index in range(20)]
    queues = await asyncio.gather(*(server.queue(headers) for headers in logins * 2))
    for index in range(len(logins)):
        first, second = queues[index], queues[index + len(logins)]
        assert len(first) == len(second) == QUEUE_SIZE
        assert [task["id"] for task in first] == [task["id"] for task in second]
    handed_out = Counter(task["id"] for queue in queues[: len(logins)] for task in queue)
    assert max(handed_out.values()) == 1
