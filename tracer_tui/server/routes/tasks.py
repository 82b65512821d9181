"""The agent's queue."""

from __future__ import annotations

from fastapi import APIRouter

from tracer_tui import wire
from tracer_tui.core.types import Language, Role, TaskKind, TaskStatus
from tracer_tui.server import audit
from tracer_tui.server.assignment import queue, top_up
from tracer_tui.server.auth import CurrentAgentDep, StateDep
from tracer_tui.server.db import write_session
from tracer_tui.server.tables import Person, Task

router = APIRouter(tags=["tasks"])


def person_view(person: Person) -> wire.PersonView:
    """The least a caller needs: no national number, no address, no e-mail."""
    return wire.PersonView(
        display_name=person.display_name,
        birth_date=person.birth_date,
        language=Language(person.language),
        phones=list(person.phones),
    )


def task_view(task: Task, person: Person) -> wire.TaskView:
    assert task.id is not None
    return wire.TaskView(
        id=task.id,
        kind=TaskKind(task.kind),
        status=TaskStatus(task.status),
        person=person_view(person),
        due_at=task.due_at,
        attempts=task.attempts,
        questionnaire_id=task.questionnaire_id,
        questionnaire_version=task.questionnaire_version,
    )


@router.get("/queue")
def get_queue(agent: CurrentAgentDep, state: StateDep) -> wire.QueueResponse:
    """The agent's open tasks by due time, after topping the queue up from the team pool."""
    agent.require(Role.AGENT)
    now = state.now()
    with write_session(state.engine) as session:
        taken: list[int] = []
        if agent.team_id is not None:
            taken = top_up(session, agent_id=agent.id, team_id=agent.team_id)
        rows = queue(session, agent.id)
        audit.record(
            session,
            at=now,
            agent_id=agent.id,
            action=audit.Action.TASK_ASSIGN,
            object_type=audit.ObjectType.TASK,
            object_ids=taken,
        )
        audit.record(
            session,
            at=now,
            agent_id=agent.id,
            action=audit.Action.QUEUE_READ,
            object_type=audit.ObjectType.TASK,
            object_ids=[task.id for task, _ in rows if task.id is not None],
        )
        session.commit()
    return wire.QueueResponse(
        server_time=now, tasks=[task_view(task, person) for task, person in rows]
    )
