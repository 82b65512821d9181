"""Accepting completed interviews, exactly once per client-made submission id: one at a
time, or the outbox of an agent back online in batches (rules in :mod:`..interviews`)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from tracer_tui import wire
from tracer_tui.core.types import Role
from tracer_tui.server.auth import CurrentAgent, CurrentAgentDep, StateDep
from tracer_tui.server.db import write_session
from tracer_tui.server.interviews import Outcome, accept_interviews
from tracer_tui.server.state import ServerState

router = APIRouter(tags=["tasks"])


def _accept(
    state: ServerState, agent: CurrentAgent, items: Sequence[tuple[int, wire.InterviewSubmission]]
) -> list[Outcome]:
    """One transaction; run again once if another request stored one of the submissions
    between our look-up and our insert (the duplicate is then found)."""
    for attempt in range(2):
        try:
            with write_session(state.engine) as session:
                outcomes = accept_interviews(session, state, agent, items)
                session.commit()
                return outcomes
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


@router.put("/tasks/{task_id}/interview")
def put_interview(
    task_id: int, body: wire.InterviewSubmission, agent: CurrentAgentDep, state: StateDep
) -> wire.InterviewAccepted:
    """Store a completed interview and close its task.

    Sending the same submission again answers the first acceptance with ``duplicate`` set,
    also when two copies race: the unique submission id decides, and the loser reads the
    winner's row. If the task was reassigned or closed meanwhile, the interview is stored
    all the same and flagged (``conflict``) for the supervisor.
    """
    agent.require(Role.AGENT)
    (outcome,) = _accept(state, agent, [(task_id, body)])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.accepted is not None
    return outcome.accepted


@router.post("/interviews/batch")
def post_interview_batch(
    body: wire.InterviewBatch, agent: CurrentAgentDep, state: StateDep
) -> wire.InterviewBatchResponse:
    """Several interviews in one transaction, each accepted or refused as the single
    ``PUT`` would; one result per item, in order."""
    agent.require(Role.AGENT)
    items = [(item.task_id, item.submission) for item in body.items]
    results: list[wire.InterviewBatchResult] = []
    for (_, submission), outcome in zip(items, _accept(state, agent, items), strict=True):
        if outcome.error is not None:
            error = outcome.error.body()
            results.append(
                wire.InterviewBatchResult(
                    submission_id=submission.submission_id,
                    status=outcome.error.status,
                    error=error,
                )
            )
        else:
            results.append(
                wire.InterviewBatchResult(
                    submission_id=submission.submission_id, status=200, accepted=outcome.accepted
                )
            )
    return wire.InterviewBatchResponse(results=results)
