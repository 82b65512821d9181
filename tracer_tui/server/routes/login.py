"""The eID card login: a challenge, the signed answer, and logging out."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete
from sqlmodel import col

from tracer_tui import wire
from tracer_tui.server import audit, ratelimit
from tracer_tui.server.auth import SignedInAgentDep, StateDep, issue_token
from tracer_tui.server.certs import LoginRefused
from tracer_tui.server.db import write_session
from tracer_tui.server.errors import ApiError
from tracer_tui.server.login import check_login, new_challenge
from tracer_tui.server.state import ServerState
from tracer_tui.server.tables import AuthToken

router = APIRouter(tags=["auth"])

OK = "ok"
RATE_LIMITED: dict[int | str, dict[str, object]] = {
    429: {"model": wire.ErrorBody, "description": "Too many attempts (code rate_limited)"}
}


def _limit(state: ServerState, keys: dict[str, int]) -> None:
    window = timedelta(seconds=state.central.login_window)
    ratelimit.check(state.engine, state.now(), window, keys)


@router.post("/auth/challenge", responses=RATE_LIMITED)
def challenge(request: Request, state: StateDep) -> wire.ChallengeResponse:
    """A fresh nonce to sign with the card (single use, valid for a minute).

    Rate-limited per client address: 429 ``rate_limited`` with ``Retry-After``.
    """
    address = ratelimit.client_address(request)
    _limit(state, {f"challenge:{address}": state.central.login_attempts_per_address})
    with write_session(state.engine) as session:
        answer = new_challenge(session, state.now())
        session.commit()
    return answer


@router.post("/auth/login", responses=RATE_LIMITED)
def login(body: wire.LoginRequest, request: Request, state: StateDep) -> wire.LoginResponse:
    """Log in with the card: its authentication certificate (with the citizen CA that issued
    it) and its signature over ``wire.login_message(nonce)`` of the named challenge.

    Refusals are 401 with the code of the first failed check: ``challenge_unknown``,
    ``challenge_replayed``, ``challenge_expired``, ``untrusted_certificate``,
    ``expired_certificate``, ``bad_signature``, ``unknown_agent``. Every attempt is audited
    with its outcome. Rate-limited per card and per client address, before any check: 429
    ``rate_limited`` with ``Retry-After``.
    """
    _limit(
        state,
        {
            f"login:{ratelimit.client_address(request)}": state.central.login_attempts_per_address,
            ratelimit.card_key(body.certificate): state.central.login_attempts_per_card,
        },
    )
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
