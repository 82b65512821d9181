"""Bearer tokens: issued at login, stored only as their SHA-256 hash, checked on each request.

A token from a card login carries the login certificate's public key (for the pledge
signature). While such an agent's pledge is due, :data:`CurrentAgentDep` answers 403
``pledge_due``: only the routes that take :data:`SignedInAgentDep` (``/me``, ``/pledge``,
logout) stay open. Development-login tokens (practice mode, no card, no key) are not held
back by the pledge.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import delete, select
from sqlmodel import Session, col

from tracer_tui import wire
from tracer_tui.core.types import Language, Role
from tracer_tui.server.db import single_read
from tracer_tui.server.errors import ApiError
from tracer_tui.server.state import ServerState, get_state
from tracer_tui.server.tables import Agent, AuthToken, Team

_CHALLENGE = {"WWW-Authenticate": "Bearer"}

bearer_scheme = HTTPBearer(auto_error=False, description="The token given at login.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginKey:
    """The key a card login was made with: SubjectPublicKeyInfo DER, certificate SHA-256."""

    public_key: bytes
    certificate_sha256: str


@dataclass(frozen=True)
class CurrentAgent:
    """The agent a request is made by, as read when its token was checked."""

    id: int
    display_name: str
    team_id: int | None
    team: str | None
    roles: tuple[Role, ...]
    language: Language
    pledge_version: int | None
    login_key: LoginKey | None = None  # None: a development login, or not read from a token
    token_hash: str | None = None  # the token this request came with

    def profile(self) -> wire.AgentProfile:
        return wire.AgentProfile(
            id=self.id,
            display_name=self.display_name,
            team=self.team,
            roles=list(self.roles),
            language=self.language,
        )

    def pledge_due(self, current_version: int) -> bool:
        return (self.pledge_version or 0) < current_version

    def require(self, role: Role) -> None:
        if role not in self.roles:
            raise ApiError(403, "forbidden_role", f"this needs the {role.value} role")


def load_agent(
    session: Session, *, agent_id: int | None = None, national_number: str = ""
) -> CurrentAgent | None:
    """An agent by id or by national number, with their team's name."""
    query = select(Agent, col(Team.name)).outerjoin(Team, col(Team.id) == col(Agent.team_id))
    if agent_id is not None:
        query = query.where(col(Agent.id) == agent_id)
    else:
        query = query.where(col(Agent.national_number) == national_number)
    row = session.execute(query).one_or_none()
    if row is None:
        return None
    agent, team_name = row
    return _current(agent, team_name)


def _current(agent: Agent, team_name: str | None) -> CurrentAgent:
    assert agent.id is not None
    return CurrentAgent(
        id=agent.id,
        display_name=agent.display_name,
        team_id=agent.team_id,
        team=team_name,
        roles=tuple(Role(role) for role in agent.roles),
        language=Language(agent.language),
        pledge_version=agent.pledge_version,
    )


def issue_token(
    session: Session,
    *,
    agent_id: int,
    now: datetime,
    ttl_seconds: int,
    login_key: LoginKey | None = None,
) -> tuple[str, datetime]:
    """A new token for the agent (added to the session; the caller commits).

    Expired tokens of every agent are cleared on the way.
    """
    session.execute(delete(AuthToken).where(col(AuthToken.expires_at) <= now))
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=ttl_seconds)
    session.add(
        AuthToken(
            token_hash=hash_token(token),
            agent_id=agent_id,
            expires_at=expires_at,
            public_key=login_key.public_key if login_key else None,
            certificate_sha256=login_key.certificate_sha256 if login_key else None,
        )
    )
    return token, expires_at


def signed_in_agent(
    state: Annotated[ServerState, Depends(get_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> CurrentAgent:
    """FastAPI dependency: the agent whose valid bearer token came with the request, whether
    or not their pledge is due."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "token_invalid", "a bearer token is needed", headers=_CHALLENGE)
    token_hash = hash_token(credentials.credentials)
    query = (
        select(
            col(Agent.id),
            col(Agent.display_name),
            col(Agent.team_id),
            col(Team.name),
            col(Agent.roles),
            col(Agent.language),
            col(Agent.pledge_version),
            col(AuthToken.expires_at),
            col(AuthToken.public_key),
            col(AuthToken.certificate_sha256),
        )
        .join(Agent, col(Agent.id) == col(AuthToken.agent_id))
        .outerjoin(Team, col(Team.id) == col(Agent.team_id))
        .where(col(AuthToken.token_hash) == token_hash)
    )
    with single_read(state.engine) as connection:  # one query: every request makes it
        row = connection.execute(query).one_or_none()
    if row is None:
        raise ApiError(401, "token_invalid", "the token is not known", headers=_CHALLENGE)
    agent_id, name, team_id, team, roles, language, pledge_version = row[:7]
    expires_at, public_key, fingerprint = row[7:]
    if expires_at <= state.now():
        raise ApiError(401, "token_expired", "the token has expired", headers=_CHALLENGE)
    assert agent_id is not None
    return CurrentAgent(
        id=agent_id,
        display_name=name,
        team_id=team_id,
        team=team,
        roles=tuple(Role(role) for role in roles),
        language=Language(language),
        pledge_version=pledge_version,
        login_key=LoginKey(public_key, fingerprint) if public_key and fingerprint else None,
        token_hash=token_hash,
    )


SignedInAgentDep = Annotated[CurrentAgent, Depends(signed_in_agent)]


async def current_agent(
    agent: SignedInAgentDep, state: Annotated[ServerState, Depends(get_state)]
) -> CurrentAgent:
    """FastAPI dependency: the signed-in agent, refused (403 ``pledge_due``) while a card
    login's agent has not signed the current pledge (``async``: no I/O)."""
    if agent.login_key is not None and agent.pledge_due(state.central.pledge_version):
        raise ApiError(403, "pledge_due", "sign the confidentiality pledge first")
    return agent


CurrentAgentDep = Annotated[CurrentAgent, Depends(current_agent)]
StateDep = Annotated[ServerState, Depends(get_state)]
