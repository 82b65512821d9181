"""Interviews in batches, and interviews whose task changed hands or closed meanwhile."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
from sqlalchemy import update
from sqlmodel import Session, col

from tests.server.helpers import Server, cases, seed
from tests.server.test_interview import put, stored, submission
from tracer_tui import wire
from tracer_tui.core.types import TaskStatus
from tracer_tui.server.tables import Task


async def batch(server: Server, items: list[dict[str, Any]], headers: dict[str, str]) -> Any:
    answer: httpx.Response = await server.client.post(
        f"{wire.API_PREFIX}/interviews/batch", json={"items": items}, headers=headers
    )
    return answer


def task_row(server: Server, task_id: int) -> Task:
    with Session(server.engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


async def test_a_batch_is_accepted_item_by_item_in_order(server: Server) -> None:
    seed(server, cases(4))
    headers = await server.agent("Agent Un")
    tasks = [task["id"] for task in await server.queue(headers)]
    first = submission()
    assert (await put(server, tasks[0], first, headers)).status_code == 200
    items = [
        {"task_id": tasks[0], "submission": first},  # a duplicate
        {"task_id": tasks[1], "submission": submission()},
        {"task_id": tasks[2], "submission": submission(questionnaire=("index-first-call", 99))},
        {"task_id": 999_999, "submission": submission()},
        {"task_id": tasks[3], "submission": submission()},
    ]
    answer = await batch(server, items, headers)
    assert answer.status_code == 200, answer.text
    results = wire.InterviewBatchResponse.model_validate(answer.json()).results
    assert [str(result.submission_id) for result in results] == [
        item["submission"]["submission_id"] for item in items
    ]
    assert [result.status for result in results] == [200, 200, 422, 404, 200]
    assert results[0].accepted is not None
    assert results[0].accepted.duplicate
    assert results[2].error == wire.ErrorBody(
        code="unknown_questionnaire", detail="no such questionnaire id and version"
    )
    assert results[3].error is not None
    assert results[3].error.code == "unknown_task"
    assert len(stored(server)) == 3
    assert [task_row(server, task_id).status for task_id in tasks] == [
        TaskStatus.DONE,
        TaskStatus.DONE,
        TaskStatus.ASSIGNED,
        TaskStatus.DONE,
    ]


async def test_the_same_submission_twice_in_one_batch_is_stored_once(server: Server) -> None:
    seed(server, cases(1))
    headers = await server.agent("Agent Un")
    (task,) = [task["id"] for task in await server.queue(headers)]
    body = submission()
    items = [{"task_id": task, "submission": body}] * 2
    results = (await batch(server, items, headers)).json()["results"]
    assert [result["accepted"]["duplicate"] for result in results] == [False, True]
    assert len(stored(server)) == 1


async def test_batch_limits(server: Server) -> None:
    headers = await server.agent("Agent Un")
    assert (await batch(server, [], headers)).status_code == 422
    item = {"task_id": 1, "submission": submission()}
    too_many = [item] * (wire.MAX_INTERVIEW_BATCH + 1)
    assert (await batch(server, too_many, headers)).status_code == 422
    assert (await batch(server, [item], {})).status_code == 401


async def test_a_reassigned_task_keeps_the_interview_flagged(server: Server) -> None:
    seed(server, cases(2))
    offline = await server.agent("Agent Hors-ligne")
    tasks = [task["id"] for task in await server.queue(offline)]
    other = server.add_agent("Agent Deux")
    with Session(server.engine) as session:  # a supervisor moves the task meanwhile
        session.execute(
            update(Task)
            .where(col(Task.id) == tasks[0])
            .values(assigned_agent_id=server.agents[other])
        )
        session.commit()
    body = submission()
    answer = await put(server, tasks[0], body, offline)
    assert answer.status_code == 200, answer.text
    accepted = wire.InterviewAccepted.model_validate(answer.json())
    assert accepted.conflict == "reassigned"
    assert not accepted.duplicate
    (row,) = stored(server)
    assert row.conflict == "reassigned"
    task = task_row(server, tasks[0])
    assert task.status == TaskStatus.ASSIGNED  # left for the supervisor to settle
    assert task.assigned_agent_id == server.agents[other]
    again = wire.InterviewAccepted.model_validate(
        (await put(server, tasks[0], body, offline)).json()
    )
    assert again.duplicate


async def test_a_closed_task_keeps_the_interview_flagged(server: Server) -> None:
    seed(server, cases(2))
    headers = await server.agent("Agent Un")
    tasks = [task["id"] for task in await server.queue(headers)]
    with Session(server.engine) as session:
        session.execute(
            update(Task).where(col(Task.id) == tasks[1]).values(status=TaskStatus.CLOSED.value)
        )
        session.commit()
    items = [{"task_id": tasks[1], "submission": submission()}]
    (result,) = (await batch(server, items, headers)).json()["results"]
    assert result["status"] == 200
    assert result["accepted"]["conflict"] == "closed"
    assert task_row(server, tasks[1]).status == TaskStatus.CLOSED
    assert [row.conflict for row in stored(server)] == ["closed"]


async def test_a_task_never_held_stays_unknown_even_in_its_team(server: Server) -> None:
    seed(server, cases(2))
    holder = await server.agent("Agent Un")
    tasks = [task["id"] for task in await server.queue(holder)]
    stranger = server.add_agent("Agent Deux")
    headers = await server.login(stranger)
    answer = await put(server, tasks[0], submission(submission_id=uuid4()), headers)
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_task"
    assert stored(server) == []


async def test_a_batch_reports_invalid_answers_per_item(server: Server) -> None:
    seed(server, cases(2))
    headers = await server.agent("Agent Un")
    tasks = [task["id"] for task in await server.queue(headers)]
    wrong = submission()
    wrong["answers"] = {**wrong["answers"], "travel_country": "Dupont"}  # not asked
    del wrong["answers"]["medical_questions"]
    items = [
        {"task_id": tasks[0], "submission": wrong},
        {"task_id": tasks[1], "submission": submission()},
    ]
    answer = await batch(server, items, headers)
    assert answer.status_code == 200, answer.text
    refused, accepted = wire.InterviewBatchResponse.model_validate(answer.json()).results
    assert refused.status == 422
    assert refused.error is not None
    assert refused.error.code == "invalid_answers"
    assert refused.error.items == ["medical_questions", "travel_country"]
    assert "Dupont" not in answer.text
    assert accepted.status == 200
    assert [row.task_id for row in stored(server)] == [tasks[1]]
