"""Sharing out a team's pool of tasks among its agents.

An agent's queue is topped up from the pool (the team's unassigned open tasks) when they ask
for it. A task goes to one agent only: each one is taken by a conditional ``UPDATE … WHERE
assigned_agent_id IS NULL``, and a task another agent took first (``rowcount`` 0) is skipped.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, case, func, select, update
from sqlmodel import Session, col

from tracer_tui.core.types import OPEN_STATUSES, TaskStatus
from tracer_tui.server.tables import Person, Task

QUEUE_SIZE = 10
"""How many open tasks an agent holds at most after a top-up."""

_MAX_ROUNDS = 5
_OPEN = sorted(status.value for status in OPEN_STATUSES)


def _held(session: Session, agent_id: int) -> int:
    query = select(func.count(col(Task.id))).where(
        col(Task.assigned_agent_id) == agent_id, col(Task.status).in_(_OPEN)
    )
    return int(session.execute(query).scalar_one())


def _take(session: Session, task_id: int, agent_id: int) -> bool:
    """Give the task to the agent if nobody holds it; whether it was given."""
    statement = (
        update(Task)
        .where(
            col(Task.id) == task_id,
            col(Task.assigned_agent_id).is_(None),
            col(Task.status).in_(_OPEN),
        )
        .values(
            assigned_agent_id=agent_id,
            status=case(
                (col(Task.status) == TaskStatus.NEW.value, TaskStatus.ASSIGNED.value),
                else_=col(Task.status),
            ),
        )
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount == 1


def top_up(session: Session, *, agent_id: int, team_id: int, size: int = QUEUE_SIZE) -> list[int]:
    """Assign pool tasks to the agent until they hold ``size`` open tasks or the pool is empty.

    Returns the ids of the tasks newly assigned. Runs in the caller's transaction.
    """
    need = size - _held(session, agent_id)
    taken: list[int] = []
    for _ in range(_MAX_ROUNDS):
        if need <= 0:
            break
        candidates = (
            session.execute(
                select(col(Task.id))
                .where(
                    col(Task.team_id) == team_id,
                    col(Task.assigned_agent_id).is_(None),
                    col(Task.status).in_(_OPEN),
                )
                .order_by(col(Task.priority).desc(), col(Task.due_at), col(Task.id))
                .limit(need)
            )
            .scalars()
            .all()
        )
        if not candidates:
            break
        for task_id in candidates:
            if _take(session, task_id, agent_id):
                taken.append(task_id)
                need -= 1
    return taken


def queue(session: Session, agent_id: int) -> list[tuple[Task, Person]]:
    """The agent's open tasks with their people, by due time then id."""
    rows = session.execute(
        select(Task, Person)
        .join(Person, col(Person.id) == col(Task.person_id))
        .where(col(Task.assigned_agent_id) == agent_id, col(Task.status).in_(_OPEN))
        .order_by(col(Task.due_at), col(Task.id))
    ).all()
    return [(task, person) for task, person in rows]
