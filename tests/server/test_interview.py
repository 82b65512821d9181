"""Submitting interviews: accepted once, duplicates recognised, other agents' tasks hidden."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.answers import complete_answers, script
from tests.server.helpers import START, Clock, Server, cases, seed
from tracer_tui import wire
from tracer_tui.core.types import Role, TaskKind, TaskStatus
from tracer_tui.questionnaire_files import default_directory
from tracer_tui.server import interviews
from tracer_tui.server.interviews import Known
from tracer_tui.server.tables import InterviewSubmission, Task


def answers_for(questionnaire: tuple[str, int], today: date) -> dict[str, Any]:
    """Complete answers for a shipped script; for an unknown one, the index case's."""
    shipped = (default_directory() / f"{questionnaire[0]}.v{questionnaire[1]}.yaml").exists()
    found = script(*questionnaire) if shipped else script()
    return complete_answers(found, today=today)


def submission(
    submission_id: UUID | None = None,
    *,
    questionnaire: tuple[str, int] = ("index-first-call", 1),
    **changes: Any,
) -> dict[str, Any]:
    finished = START - timedelta(minutes=2)
    body = {
        "submission_id": str(submission_id or uuid4()),
        "questionnaire_id": questionnaire[0],
        "questionnaire_version": questionnaire[1],
        "language": "fr",
        "answers": answers_for(questionnaire, finished.date()),
        "started_at": (START - timedelta(minutes=20)).isoformat(),
        "finished_at": finished.isoformat(),
    }
    body.update(changes)
    return body


async def put(
    server: Server, task_id: int, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await server.client.put(
        f"{wire.API_PREFIX}/tasks/{task_id}/interview", json=body, headers=headers
    )


def stored(server: Server) -> list[InterviewSubmission]:
    with Session(server.engine) as session:
        return list(session.execute(select(InterviewSubmission)).scalars().all())


@pytest.fixture
async def agent(server: Server) -> tuple[dict[str, str], list[int]]:
    """An agent holding three index-call tasks: their headers and task ids."""
    seed(server, cases(3))
    headers = await server.agent("Agent Un")
    return headers, [task["id"] for task in await server.queue(headers)]


async def test_accepted_interview_closes_the_task(
    server: Server, clock: Clock, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    clock.advance(minutes=5)
    body = submission()
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 200, answer.text
    accepted = wire.InterviewAccepted.model_validate(answer.json())
    assert accepted == wire.InterviewAccepted(
        submission_id=UUID(body["submission_id"]),
        task_id=tasks[0],
        accepted_at=START + timedelta(minutes=5),
        duplicate=False,
    )
    assert [task["id"] for task in await server.queue(headers)] == tasks[1:]
    (row,) = stored(server)
    assert row.task_id == tasks[0]
    assert row.agent_id == server.agents[next(iter(server.agents))]
    assert row.answers == body["answers"]
    assert (row.questionnaire_id, row.questionnaire_version, row.language) == (
        "index-first-call",
        1,
        "fr",
    )
    assert row.started_at == START - timedelta(minutes=20)
    with Session(server.engine) as session:
        task = session.get(Task, tasks[0])
        assert task is not None
        assert task.status == TaskStatus.DONE


async def test_same_submission_twice_is_stored_once(
    server: Server, clock: Clock, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    body = submission()
    first = (await put(server, tasks[0], body, headers)).json()
    clock.advance(minutes=10)
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 200
    second = answer.json()
    assert second["duplicate"] is True
    assert second["accepted_at"] == first["accepted_at"]
    assert len(stored(server)) == 1


async def test_same_submission_at_once_is_stored_once(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    body = submission()
    answers = await asyncio.gather(*(put(server, tasks[0], body, headers) for _ in range(8)))
    assert [answer.status_code for answer in answers] == [200] * 8
    assert sorted(answer.json()["duplicate"] for answer in answers) == [False] + [True] * 7
    assert len({answer.json()["accepted_at"] for answer in answers}) == 1
    assert len(stored(server)) == 1


async def test_a_lost_race_on_the_unique_id_answers_a_duplicate(
    server: Server, agent: tuple[dict[str, str], list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other copy committed between our look-up and our insert (PostgreSQL's case)."""
    headers, tasks = agent
    body = submission()
    assert (await put(server, tasks[0], body, headers)).status_code == 200
    real_find = interviews.find_submissions
    calls: list[list[UUID]] = []

    def blind_once(session: Session, submission_ids: Iterable[UUID]) -> dict[UUID, Known]:
        calls.append(list(submission_ids))
        return {} if len(calls) == 1 else real_find(session, calls[-1])

    monkeypatch.setattr(interviews, "find_submissions", blind_once)
    # Reopen the task so that the first attempt goes as far as the insert.
    with Session(server.engine) as session:
        task = session.get(Task, tasks[0])
        assert task is not None
        task.status = TaskStatus.ASSIGNED.value
        session.commit()
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["duplicate"] is True
    assert len(calls) == 2
    assert len(stored(server)) == 1
    with Session(server.engine) as session:
        task = session.get(Task, tasks[0])
        assert task is not None
        assert task.status == TaskStatus.ASSIGNED  # the failed attempt was rolled back


async def test_same_submission_for_another_task_conflicts(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    body = submission()
    assert (await put(server, tasks[0], body, headers)).status_code == 200
    answer = await put(server, tasks[1], body, headers)
    assert answer.status_code == 409
    assert answer.json()["code"] == "submission_conflict"
    assert len(stored(server)) == 1


async def test_a_second_interview_for_a_closed_task_is_refused(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    assert (await put(server, tasks[0], submission(), headers)).status_code == 200
    answer = await put(server, tasks[0], submission(), headers)
    assert answer.status_code == 409
    assert answer.json()["code"] == "task_not_open"


async def test_another_agents_task_is_unknown(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    _, tasks = agent
    other = await server.agent("Agent Deux")
    answer = await put(server, tasks[0], submission(), other)
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_task"
    missing = await put(server, 999_999, submission(), other)
    assert missing.status_code == 404
    assert missing.json() == answer.json()
    assert stored(server) == []


async def test_unknown_questionnaire(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    body = submission(questionnaire=("index-first-call", 99))
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_questionnaire"


async def test_questionnaire_of_another_kind_of_task(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    body = submission(questionnaire=("contact-first-call", 1))
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "questionnaire_mismatch"


@pytest.mark.parametrize(
    "change",
    [
        {"submission_id": "not-a-uuid"},
        {"questionnaire_version": 0},
        {"language": "xx"},
        {"unexpected": 1},
        {"finished_at": (START - timedelta(hours=1)).isoformat()},
    ],
)
async def test_invalid_body_is_an_error_body(
    server: Server, agent: tuple[dict[str, str], list[int]], change: dict[str, Any]
) -> None:
    headers, tasks = agent
    answer = await put(server, tasks[0], submission(**change), headers)
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "invalid_request"
    assert stored(server) == []


async def test_invalid_json_is_an_error_body(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    answer = await server.client.put(
        f"{wire.API_PREFIX}/tasks/{tasks[0]}/interview",
        content=b"{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request"


async def test_the_error_detail_does_not_echo_the_answers(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    headers, tasks = agent
    answer = await put(server, tasks[0], submission(answers="Jean Dupont 75060600150"), headers)
    assert answer.status_code == 422
    assert "Dupont" not in answer.text
    assert "75060600150" not in answer.text


async def test_interview_needs_the_agent_role(server: Server) -> None:
    seed(server, cases(1, kind=TaskKind.CONTACT_CALL))
    headers = await server.agent("Formateur", roles=[Role.TRAINER])
    answer = await put(server, 1, submission(), headers)
    assert answer.status_code == 403


async def test_submissions_count(server: Server, agent: tuple[dict[str, str], list[int]]) -> None:
    headers, tasks = agent
    for task_id in tasks:
        assert (await put(server, task_id, submission(), headers)).status_code == 200
    with Session(server.engine) as session:
        count = session.execute(select(func.count(col(InterviewSubmission.id)))).scalar_one()
    assert count == len(tasks)
    assert await server.queue(headers) == []


def with_answers(changes: dict[str, Any], *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A submission whose complete answers are changed: some replaced or added, some dropped."""
    body = submission()
    answers = {key: value for key, value in body["answers"].items() if key not in drop}
    return {**body, "answers": {**answers, **changes}}


@pytest.mark.parametrize(
    ("changes", "drop", "keys"),
    [
        ({"test_date": (START + timedelta(days=3)).date().isoformat()}, (), ["test_date"]),
        ({}, ("profession",), ["profession"]),
        ({"risk_people_details": "Jean Dupont 75060600150"}, (), ["risk_people_details"]),
        ({"profession": "Jean Dupont 75060600150", "hospitalised": "Dupont"}, (), ["hospitalised"]),
    ],
    ids=["date-in-the-future", "missing-required", "hidden-question", "wrong-type"],
)
async def test_answers_the_script_refuses_are_invalid_answers_naming_the_items_only(
    server: Server,
    agent: tuple[dict[str, str], list[int]],
    changes: dict[str, Any],
    drop: tuple[str, ...],
    keys: list[str],
) -> None:
    headers, tasks = agent
    body = with_answers(changes, drop=drop)
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 422, answer.text
    error = wire.ErrorBody.model_validate(answer.json())
    assert error.code == "invalid_answers"
    assert error.items == keys
    for key in keys:
        assert key in error.detail
    assert "Dupont" not in answer.text
    assert "75060600150" not in answer.text
    for value in changes.values():
        assert str(value) not in answer.text
    assert stored(server) == []
    assert tasks[0] in [task["id"] for task in await server.queue(headers)]


async def test_dates_are_checked_against_the_day_the_interview_finished(
    server: Server, agent: tuple[dict[str, str], list[int]]
) -> None:
    """An interview finished yesterday and sent today: yesterday is its "today"."""
    headers, tasks = agent
    finished = START - timedelta(days=1)
    body = {
        **submission(),
        "answers": complete_answers(script(), today=finished.date()),
        "started_at": (finished - timedelta(minutes=20)).isoformat(),
        "finished_at": finished.isoformat(),
    }
    body["answers"]["test_date"] = START.date().isoformat()  # after the day it finished
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 422
    assert answer.json()["items"] == ["test_date"]
    body["answers"]["test_date"] = finished.date().isoformat()
    answer = await put(server, tasks[0], body, headers)
    assert answer.status_code == 200, answer.text


async def test_complete_answers_of_another_script_are_accepted(server: Server) -> None:
    seed(server, cases(1, kind=TaskKind.CONTACT_CALL))
    headers = await server.agent("Agent Un")
    (task,) = [task["id"] for task in await server.queue(headers)]
    answer = await put(server, task, submission(questionnaire=("contact-first-call", 1)), headers)
    assert answer.status_code == 200, answer.text
