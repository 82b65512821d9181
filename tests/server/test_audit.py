"""Every read or write of personal data leaves an audit record, itself free of personal data."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from tests.answers import complete_answers, script
from tests.server.helpers import START, Server, cases, person, seed
from tracer_tui import wire
from tracer_tui.server.tables import AuditRecord


def records(server: Server) -> list[AuditRecord]:
    with Session(server.engine) as session:
        return list(session.execute(select(AuditRecord).order_by(col(AuditRecord.id))).scalars())


async def test_queue_read_and_interview_are_audited(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed(server, cases(2))
    number = server.add_agent("Agent Un")
    agent_id = server.agents[number]
    headers = await server.login(number)
    tasks = [task["id"] for task in await server.queue(headers)]
    body = {
        "submission_id": str(uuid4()),
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": "fr",
        "answers": complete_answers(
            script(), today=START.date(), overrides={"profession": "Prénom0 Nom0"}
        ),
        "started_at": (START - timedelta(minutes=9)).isoformat(),
        "finished_at": START.isoformat(),
    }
    for _ in range(2):
        answer = await server.client.put(
            f"{wire.API_PREFIX}/tasks/{tasks[0]}/interview", json=body, headers=headers
        )
        assert answer.status_code == 200
    trail = [(r.agent_id, r.action, r.object_type, r.object_id) for r in records(server)]
    assert trail == [
        (agent_id, "auth.dev_login", "agent", str(agent_id)),
        (agent_id, "task.assign", "task", str(tasks[0])),
        (agent_id, "task.assign", "task", str(tasks[1])),
        (agent_id, "queue.read", "task", str(tasks[0])),
        (agent_id, "queue.read", "task", str(tasks[1])),
        (agent_id, "interview.submit", "task", str(tasks[0])),
        (agent_id, "interview.duplicate", "task", str(tasks[0])),
    ]
    assert {r.at for r in records(server)} == {START}
    # Nothing personal in the trail or in the logs.
    text = repr(records(server)) + caplog.text
    for index in range(2):
        data = person(index)
        assert data.national_number is not None
        for secret in (data.first_name, data.last_name, data.national_number, *data.phones):
            assert secret not in text
    assert number not in text
    assert "Agent Un" not in text
