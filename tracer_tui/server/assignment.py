"""Sharing out a team's pool of tasks among its agents.

An agent's queue is topped up from the pool (the team's unassigned open tasks) when they ask
for it. A task goes to one agent only, however many workers share the database:

- PostgreSQL: one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`` (a materialised
  CTE): concurrent
  top-ups of a team take disjoint tasks without waiting for one another, and a task taken
  meanwhile no longer matches the pool's conditions when its lock is granted. The agent's row
  is locked first (``FOR NO KEY UPDATE``), so that two top-ups of one agent run one after the
  other and the second sees the first's tasks.
- SQLite (one writer at a time, ``BEGIN IMMEDIATE``): each task is taken by a conditional
  ``UPDATE … WHERE assigned_agent_id IS NULL``, and one another agent took first (``rowcount``
  0) is skipped.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Select, case, func, select, update
from sqlmodel import Session, col

from tracer_tui.core.types import OPEN_STATUSES, TaskStatus
from tracer_tui.server.tables import Agent, Person, Task

QUEUE_SIZE = 10
"""How many open tasks an agent holds at most after a top-up."""

_MAX_ROUNDS = 5
_OPEN = sorted(status.value for status in OPEN_STATUSES)
_ASSIGNED_STATUS = case(
    (col(Task.status) == TaskStatus.NEW.value, TaskStatus.ASSIGNED.value),
    else_=col(Task.status),
)


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
            status=_ASSIGNED_STATUS,
        )
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount == 1


def _pool(team_id: int, need: int) -> Select[int | None]:
    return (
        select(col(Task.id))
        .where(
            col(Task.team_id) == team_id,
            col(Task.assigned_agent_id).is_(None),
            col(Task.status).in_(_OPEN),
        )
        .order_by(col(Task.priority).desc(), col(Task.due_at), col(Task.id))
        .limit(need)
    )


def _top_up_skip_locked(session: Session, agent_id: int, team_id: int, size: int) -> list[int]:
    session.execute(
        select(col(Agent.id)).where(col(Agent.id) == agent_id).with_for_update(key_share=True)
    )
    need = size - _held(session, agent_id)
    if need <= 0:
        return []
    # A materialised CTE runs once: a plain IN (subquery … LIMIT) may be run again by the
    # planner and take more than ``need`` tasks.
    free = (
        _pool(team_id, need)
        .with_for_update(skip_locked=True)
        .cte("free")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        update(Task)
        .where(col(Task.id).in_(select(free.c.id)), col(Task.assigned_agent_id).is_(None))
        .values(assigned_agent_id=agent_id, status=_ASSIGNED_STATUS)
        .returning(col(Task.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(int(task_id) for task_id in session.execute(statement).scalars())


def top_up(session: Session, *, agent_id: int, team_id: int, size: int = QUEUE_SIZE) -> list[int]:
    """Assign pool tasks to the agent until they hold ``size`` open tasks or the pool is empty.

    Returns the ids of the tasks newly assigned. Runs in the caller's transaction.
    """
    if session.get_bind().dialect.name == "postgresql":
        return _top_up_skip_locked(session, agent_id, team_id, size)
    need = size - _held(session, agent_id)
    taken: list[int] = []
    for _ in range(_MAX_ROUNDS):
        if need <= 0:
            break
        candidates = session.execute(_pool(team_id, need)).scalars().all()
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
