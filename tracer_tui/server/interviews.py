"""Accepting completed interviews, one or many in a transaction, each exactly once.

The rules, for each interview in order:

1. Its ``submission_id`` is known already: a duplicate, answered with the first acceptance
   (``submission_conflict`` if that was for another task).
Before storing, the answers are checked with the interview engine
(:func:`tracer_tui.core.engine.validate_submission`, today being the day the interview
finished, UTC): answers the script does not accept are refused, ``invalid_answers`` with the
item ids only, never the values.

2. The task is the agent's and open: the interview is stored and the task done.
3. The task is no longer the agent's, or no longer open (the agent worked offline while a
   supervisor reassigned or closed it): the interview is still stored, with ``conflict``
   set (``reassigned`` or ``closed``) for the supervisor, and the task is left as it is.
   This needs proof that the agent held the task: the audit trail shows the task assigned to
   them or read in their queue. Without it the task is ``unknown_task``, as for any task
   that is not theirs. A second, different interview of the same agent for a task is
   ``task_not_open``.

The caller commits. On a unique-key race (another request stored the same submission
between the look-up and the insert) the commit raises IntegrityError: roll back and run
again, the duplicate is then found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from tracer_tui import wire
from tracer_tui.core.engine import validate_submission
from tracer_tui.core.types import OPEN_STATUSES, TaskStatus
from tracer_tui.server import audit
from tracer_tui.server.auth import CurrentAgent
from tracer_tui.server.errors import ApiError
from tracer_tui.server.state import ServerState
from tracer_tui.server.tables import AuditRecord, InterviewSubmission, Task

_OPEN = frozenset(status.value for status in OPEN_STATUSES)
_HELD = (audit.Action.TASK_ASSIGN.value, audit.Action.QUEUE_READ.value)


@dataclass(frozen=True)
class Known:
    """An interview stored already: which task, when."""

    task_id: int
    accepted_at: datetime


@dataclass
class _Task:
    status: str
    assigned_agent_id: int | None
    kind: str


@dataclass(frozen=True)
class Outcome:
    """One interview's fate: ``accepted``, or ``error``."""

    accepted: wire.InterviewAccepted | None = None
    error: ApiError | None = None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _invalid_answers(problems: Mapping[str, object]) -> ApiError:
    """The refusal of answers the engine does not accept: the item ids, never the values
    (they are personal data, and so may the engine's messages quote them)."""
    keys = sorted(problems)
    detail = f"the answers do not follow the script: {', '.join(keys)}"
    return ApiError(422, "invalid_answers", detail, items=keys)


def find_submissions(session: Session, submission_ids: Iterable[UUID]) -> dict[UUID, Known]:
    """The interviews already stored under these ids."""
    query = select(
        col(InterviewSubmission.submission_id),
        col(InterviewSubmission.task_id),
        col(InterviewSubmission.accepted_at),
    ).where(col(InterviewSubmission.submission_id).in_(list(submission_ids)))
    return {row[0]: Known(row[1], row[2]) for row in session.execute(query)}


def _tasks(session: Session, task_ids: Iterable[int]) -> dict[int, _Task]:
    query = (
        select(col(Task.id), col(Task.status), col(Task.assigned_agent_id), col(Task.kind))
        .where(col(Task.id).in_(sorted(set(task_ids))))
        .with_for_update()
    )
    return {row[0]: _Task(row[1], row[2], row[3]) for row in session.execute(query)}


def _held(session: Session, agent_id: int, task_id: int) -> bool:
    """Whether the audit trail shows the task assigned to the agent or in their queue."""
    query = (
        select(col(AuditRecord.id))
        .where(
            col(AuditRecord.agent_id) == agent_id,
            col(AuditRecord.action).in_(_HELD),
            col(AuditRecord.object_type) == audit.ObjectType.TASK.value,
            col(AuditRecord.object_id) == str(task_id),
        )
        .limit(1)
    )
    return session.execute(query).first() is not None


def _submitted_by(session: Session, agent_id: int, task_id: int) -> bool:
    query = (
        select(col(InterviewSubmission.id))
        .where(
            col(InterviewSubmission.agent_id) == agent_id,
            col(InterviewSubmission.task_id) == task_id,
        )
        .limit(1)
    )
    return session.execute(query).first() is not None


def accept_interviews(
    session: Session,
    state: ServerState,
    agent: CurrentAgent,
    items: Sequence[tuple[int, wire.InterviewSubmission]],
) -> list[Outcome]:
    """Accept or refuse each interview, in order, in the session's transaction."""
    now = state.now()
    # Lock the tasks first (PostgreSQL: FOR UPDATE), then look for the submissions: a copy
    # of the same submission that waited for the lock then sees the first one, committed.
    tasks = _tasks(session, (task_id for task_id, _ in items))
    known = find_submissions(session, (body.submission_id for _, body in items))
    outcomes: list[Outcome] = []
    rows: list[dict[str, Any]] = []
    finished: list[int] = []
    mine: set[int] = set()  # tasks this agent has an interview for, stored in this batch
    duplicates: list[int] = []

    for task_id, body in items:
        if _utc(body.finished_at) < _utc(body.started_at):
            error = ApiError(422, "invalid_request", "finished_at is before started_at")
            outcomes.append(Outcome(error=error))
            continue
        first = known.get(body.submission_id)
        if first is not None:
            if first.task_id != task_id:
                error = ApiError(
                    409, "submission_conflict", "this submission id was used for another task"
                )
                outcomes.append(Outcome(error=error))
                continue
            duplicates.append(task_id)
            accepted = wire.InterviewAccepted(
                submission_id=body.submission_id,
                task_id=task_id,
                accepted_at=first.accepted_at,
                duplicate=True,
            )
            outcomes.append(Outcome(accepted=accepted))
            continue
        task = tasks.get(task_id)
        ours = task is not None and task.assigned_agent_id == agent.id
        if task is None or not (ours or _held(session, agent.id, task_id)):
            outcomes.append(
                Outcome(error=ApiError(404, "unknown_task", "no such task in your queue"))
            )
            continue
        questionnaire = state.questionnaires.get(
            (body.questionnaire_id, body.questionnaire_version)
        )
        if questionnaire is None:
            error = ApiError(422, "unknown_questionnaire", "no such questionnaire id and version")
            outcomes.append(Outcome(error=error))
            continue
        if questionnaire.kind.value != task.kind:
            error = ApiError(
                422, "questionnaire_mismatch", "this questionnaire is not for this kind of task"
            )
            outcomes.append(Outcome(error=error))
            continue
        problems = validate_submission(
            questionnaire,
            body.answers,
            rules=state.rules,
            today=_utc(body.finished_at).astimezone(UTC).date(),
        )
        if problems:
            outcomes.append(Outcome(error=_invalid_answers(problems)))
            continue
        conflict: wire.InterviewConflict | None = None
        if ours and task.status in _OPEN:
            task.status = TaskStatus.DONE.value
            finished.append(task_id)
        elif task_id in mine or _submitted_by(session, agent.id, task_id):
            outcomes.append(
                Outcome(error=ApiError(409, "task_not_open", "this task is already closed"))
            )
            continue
        else:
            conflict = "closed" if task.status not in _OPEN else "reassigned"
        mine.add(task_id)
        known[body.submission_id] = Known(task_id, now)
        rows.append(
            {
                "submission_id": body.submission_id,
                "task_id": task_id,
                "agent_id": agent.id,
                "questionnaire_id": body.questionnaire_id,
                "questionnaire_version": body.questionnaire_version,
                "language": body.language.value,
                "answers": body.answers,
                "started_at": body.started_at,
                "finished_at": body.finished_at,
                "accepted_at": now,
                "conflict": conflict,
            }
        )
        accepted = wire.InterviewAccepted(
            submission_id=body.submission_id,
            task_id=task_id,
            accepted_at=now,
            duplicate=False,
            conflict=conflict,
        )
        outcomes.append(Outcome(accepted=accepted))

    if finished:
        session.execute(
            update(Task)
            .where(col(Task.id).in_(finished))
            .values(status=TaskStatus.DONE.value)
            .execution_options(synchronize_session=False)
        )
    if rows:
        session.execute(insert(InterviewSubmission), rows)
    audit.record(
        session,
        at=now,
        agent_id=agent.id,
        action=audit.Action.INTERVIEW_SUBMIT,
        object_type=audit.ObjectType.TASK,
        object_ids=[row["task_id"] for row in rows],
    )
    audit.record(
        session,
        at=now,
        agent_id=agent.id,
        action=audit.Action.INTERVIEW_DUPLICATE,
        object_type=audit.ObjectType.TASK,
        object_ids=duplicates,
    )
    return outcomes
