"""The eID card login: a challenge, the signed answer, and logging out."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import delete
from sqlmodel import col

from tracer_tui import wire
from tracer_tui.server import audit
from tracer_tui.server.auth import SignedInAgentDep, StateDep, issue_token
from tracer_tui.server.certs import LoginRefused
from tracer_tui.server.db import write_session
from tracer_tui.server.errors import ApiError
from tracer_tui.server.login import check_login, new_challenge
from tracer_tui.server.tables import AuthToken

router = APIRouter(tags=["auth"])

OK = "ok"


@router.post("/auth/challenge")
def challenge(state: StateDep) -> wire.ChallengeResponse:
    """A fresh nonce to sign with the card (single use, valid for a minute)."""
    with write_session(state.engine) as session:
        answer = new_challenge(session, state.now())
        session.commit()
    return answer


@router.post("/auth/login")
def login(body: wire.LoginRequest, state: StateDep) -> wire.LoginResponse:
    """Log in with the card: its authentication certificate (with the citizen CA that issued
    it) and its signature over ``wire.login_message(nonce)`` of the named challenge.

    Refusals are 401 with the code of the first failed check: ``challenge_unknown``,
    ``challenge_replayed``, ``challenge_expired``, ``untrusted_certificate``,
    ``expired_certificate``, ``bad_signature``, ``unknown_agent``. Every attempt is audited
    with its outcome.
    """
    now = state.now()
    with write_session(state.engine) as session:
        try:
            agent, key = check_login(session, state, body, now)
        except LoginRefused as refused:
            audit.record(
                session,
                at=now,
                agent_id=refused.agent_id,
                action=audit.Action.LOGIN,
                object_type=audit.ObjectType.LOGIN_OUTCOME,
                object_ids=[refused.code],
            )
            session.commit()  # the challenge stays used up
            raise ApiError(401, refused.code, refused.detail) from None
        token, expires_at = issue_token(
            session,
            agent_id=agent.id,
            now=now,
            ttl_seconds=state.central.token_ttl,
            login_key=key,
        )
        audit.record(
            session,
            at=now,
            agent_id=agent.id,
            action=audit.Action.LOGIN,
            object_type=audit.ObjectType.LOGIN_OUTCOME,
            object_ids=[OK],
        )
        session.commit()
    return wire.LoginResponse(
        token=token,
        expires_at=expires_at,
        agent=agent.profile(),
        pledge_due=agent.pledge_due(state.central.pledge_version),
    )


@router.post("/auth/logout", status_code=204)
def logout(agent: SignedInAgentDep, state: StateDep) -> Response:
    """Forget the token this request came with."""
    with write_session(state.engine) as session:
        session.execute(delete(AuthToken).where(col(AuthToken.token_hash) == agent.token_hash))
        audit.record(
            session,
            at=state.now(),
            agent_id=agent.id,
            action=audit.Action.LOGOUT,
            object_type=audit.ObjectType.AGENT,
            object_ids=[agent.id],
        )
        session.commit()
    return Response(status_code=204)
