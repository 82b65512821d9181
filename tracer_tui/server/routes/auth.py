"""Login and the agent's own profile."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from tracer_tui import wire
from tracer_tui.server import audit, ratelimit
from tracer_tui.server.auth import SignedInAgentDep, StateDep, issue_token, load_agent
from tracer_tui.server.db import write_session
from tracer_tui.server.errors import ApiError

router = APIRouter(tags=["auth"])


@router.post("/auth/dev-login")
def dev_login(body: wire.DevLoginRequest, request: Request, state: StateDep) -> wire.LoginResponse:
    """The development login: an agent by national number alone, with no card.

    Refused unless the app was built with ``allow_dev_login`` (practice mode, tests).
    """
    if not state.allow_dev_login:
        raise ApiError(403, "dev_login_disabled", "the development login is disabled")
    address = ratelimit.client_address(request)
    window = timedelta(seconds=state.central.login_window)
    limit = state.central.login_attempts_per_address
    ratelimit.check(state.engine, state.now(), window, {f"login:{address}": limit})
    now = state.now()
    with write_session(state.engine) as session:
        agent = load_agent(session, national_number=body.national_number)
        if agent is None:
            raise ApiError(401, "unknown_agent", "no agent has this national number")
        token, expires_at = issue_token(
            session, agent_id=agent.id, now=now, ttl_seconds=state.central.token_ttl
        )
        audit.record(
            session,
            at=now,
            agent_id=agent.id,
            action=audit.Action.DEV_LOGIN,
            object_type=audit.ObjectType.AGENT,
            object_ids=[agent.id],
        )
        session.commit()
    return wire.LoginResponse(
        token=token,
        expires_at=expires_at,
        agent=agent.profile(),
        pledge_due=agent.pledge_due(state.central.pledge_version),
    )


@router.get("/me")
def me(agent: SignedInAgentDep) -> wire.AgentProfile:
    """The signed-in agent's profile, also while their pledge is due."""
    return agent.profile()
