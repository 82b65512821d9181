"""Accepting a completed interview, exactly once per client-made submission id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from fastapi import APIRouter
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from tracer_tui import wire
from tracer_tui.core.types import OPEN_STATUSES, Role, TaskStatus
from tracer_tui.server import audit
from tracer_tui.server.auth import CurrentAgent, CurrentAgentDep, StateDep
from tracer_tui.server.db import write_session
from tracer_tui.server.errors import ApiError
from tracer_tui.server.state import ServerState
from tracer_tui.server.tables import InterviewSubmission, Task

router = APIRouter(tags=["tasks"])

_OPEN = sorted(status.value for status in OPEN_STATUSES)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def find_submission(session: Session, submission_id: UUID) -> InterviewSubmission | None:
    query = select(InterviewSubmission).where(
        col(InterviewSubmission.submission_id) == submission_id
    )
    return session.execute(query).scalar_one_or_none()


def _duplicate(
    session: Session,
    existing: InterviewSubmission,
    *,
    task_id: int,
    agent: CurrentAgent,
    now: datetime,
) -> wire.InterviewAccepted:
    if existing.task_id != task_id:
        raise ApiError(409, "submission_conflict", "this submission id was used for another task")
    audit.record(
        session,
        at=now,
        agent_id=agent.id,
        action=audit.Action.INTERVIEW_DUPLICATE,
        object_type=audit.ObjectType.TASK,
        object_ids=[task_id],
    )
    session.commit()
    return wire.InterviewAccepted(
        submission_id=existing.submission_id,
        task_id=task_id,
        accepted_at=existing.accepted_at,
        duplicate=True,
    )


def _finish_task(session: Session, task_id: int, agent_id: int) -> bool:
    """Mark the agent's open task done; whether it was still open and theirs."""
    statement = (
        update(Task)
        .where(
            col(Task.id) == task_id,
            col(Task.assigned_agent_id) == agent_id,
            col(Task.status).in_(_OPEN),
        )
        .values(status=TaskStatus.DONE.value)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount == 1


def _accept(
    session: Session,
    state: ServerState,
    agent: CurrentAgent,
    task_id: int,
    body: wire.InterviewSubmission,
) -> wire.InterviewAccepted:
    now = state.now()
    task = session.get(Task, task_id)
    if task is None or task.assigned_agent_id != agent.id:
        raise ApiError(404, "unknown_task", "no such task in your queue")
    existing = find_submission(session, body.submission_id)
    if existing is not None:
        return _duplicate(session, existing, task_id=task_id, agent=agent, now=now)
    questionnaire = state.questionnaires.get((body.questionnaire_id, body.questionnaire_version))
    if questionnaire is None:
        raise ApiError(422, "unknown_questionnaire", "no such questionnaire id and version")
    if questionnaire.kind.value != task.kind:
        raise ApiError(
            422, "questionnaire_mismatch", "this questionnaire is not for this kind of task"
        )
    if not _finish_task(session, task_id, agent.id):
        # Another copy of this submission may have closed the task while this one waited for
        # the task's row (PostgreSQL, read committed): the new statement sees it committed.
        existing = find_submission(session, body.submission_id)
        if existing is not None:
            return _duplicate(session, existing, task_id=task_id, agent=agent, now=now)
        raise ApiError(409, "task_not_open", "this task is already closed")
    session.add(
        InterviewSubmission(
            submission_id=body.submission_id,
            task_id=task_id,
            agent_id=agent.id,
            questionnaire_id=body.questionnaire_id,
            questionnaire_version=body.questionnaire_version,
            language=body.language.value,
            answers=body.answers,
            started_at=body.started_at,
            finished_at=body.finished_at,
            accepted_at=now,
        )
    )
    audit.record(
        session,
        at=now,
        agent_id=agent.id,
        action=audit.Action.INTERVIEW_SUBMIT,
        object_type=audit.ObjectType.TASK,
        object_ids=[task_id],
    )
    session.commit()
    return wire.InterviewAccepted(
        submission_id=body.submission_id, task_id=task_id, accepted_at=now, duplicate=False
    )


@router.put("/tasks/{task_id}/interview")
def put_interview(
    task_id: int, body: wire.InterviewSubmission, agent: CurrentAgentDep, state: StateDep
) -> wire.InterviewAccepted:
    """Store a completed interview and close its task.

    Sending the same submission again answers the first acceptance with ``duplicate`` set,
    also when two copies race: the unique submission id decides, and the loser reads the
    winner's row.
    """
    agent.require(Role.AGENT)
    if _utc(body.finished_at) < _utc(body.started_at):
        raise ApiError(422, "invalid_request", "finished_at is before started_at")
    for attempt in range(2):
        try:
            with write_session(state.engine) as session:
                return _accept(session, state, agent, task_id, body)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")
