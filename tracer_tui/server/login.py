"""The eID card login: challenges kept in the database, and the checks of one attempt.

A challenge is a random 32-byte nonce with a short life, stored in ``login_challenge`` so that
any worker sharing the database can take the login that answers it. It is single use: the
first attempt that names it marks it used with a conditional update, whatever that attempt's
outcome, so two workers racing on one challenge cannot both win.

The checks of an attempt, in order (the first failure is the answer):

1. the challenge: ``challenge_unknown``, ``challenge_replayed``, ``challenge_expired``;
2. the certificate chain to a trusted root, and the key usage: ``untrusted_certificate``;
3. every certificate's dates: ``expired_certificate``;
4. the signature over ``wire.login_message(nonce)``: ``bad_signature``;
5. the national number of the certificate's subject: ``unknown_agent``.

The signature is checked before the agent is looked for, so that an attempt without the card
learns nothing of who is registered.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlmodel import Session, col

from tracer_tui import wire
from tracer_tui.server.auth import CurrentAgent, LoginKey, load_agent
from tracer_tui.server.certs import (
    LoginRefused,
    certificate_sha256,
    check_authentication_usage,
    check_validity,
    national_number,
    parse_certificate,
    public_key_der,
    verify_chain,
    verify_signature,
)
from tracer_tui.server.state import ServerState
from tracer_tui.server.tables import LoginChallenge

CHALLENGE_TTL = timedelta(seconds=60)
CHALLENGE_RETENTION = timedelta(hours=1)
"""How long a used or expired challenge is kept: within it a second attempt is told
``challenge_replayed`` or ``challenge_expired``; after it, ``challenge_unknown``."""
NONCE_BYTES = 32

UNKNOWN_CHALLENGE = "challenge_unknown"
REPLAYED = "challenge_replayed"
EXPIRED_CHALLENGE = "challenge_expired"
UNKNOWN_AGENT = "unknown_agent"


def new_challenge(session: Session, now: datetime) -> wire.ChallengeResponse:
    """A fresh challenge (added to the session; the caller commits).

    Challenges past their retention are cleared on the way.
    """
    session.execute(
        delete(LoginChallenge).where(col(LoginChallenge.expires_at) <= now - CHALLENGE_RETENTION)
    )
    challenge = LoginChallenge(
        id=secrets.token_urlsafe(24),
        nonce=secrets.token_bytes(NONCE_BYTES),
        created_at=now,
        expires_at=now + CHALLENGE_TTL,
    )
    session.add(challenge)
    return wire.ChallengeResponse(
        challenge_id=challenge.id, nonce=challenge.nonce, expires_at=challenge.expires_at
    )


def take_challenge(session: Session, challenge_id: str, now: datetime) -> bytes:
    """Mark the challenge used and return its nonce; raises LoginRefused if it cannot be."""
    challenge = session.get(LoginChallenge, challenge_id)
    if challenge is None:
        raise LoginRefused(UNKNOWN_CHALLENGE, "no such login challenge")
    if challenge.used_at is not None:
        raise LoginRefused(REPLAYED, "this login challenge was already used")
    if challenge.expires_at <= now:
        raise LoginRefused(EXPIRED_CHALLENGE, "this login challenge has expired")
    statement = (
        update(LoginChallenge)
        .where(col(LoginChallenge.id) == challenge_id, col(LoginChallenge.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], session.execute(statement)).rowcount != 1:
        raise LoginRefused(REPLAYED, "this login challenge was already used")
    return challenge.nonce


def check_login(
    session: Session, state: ServerState, body: wire.LoginRequest, now: datetime
) -> tuple[CurrentAgent, LoginKey]:
    """The agent a login request proves to be, and the key it was made with.

    Takes (uses up) the challenge in ``session``: the caller commits, also on failure.
    Raises LoginRefused with the code the API answers (see the module's docstring).
    """
    nonce = take_challenge(session, body.challenge_id, now)
    leaf = parse_certificate(body.certificate, "authentication")
    intermediates = (
        [parse_certificate(body.ca_certificate, "citizen CA")] if body.ca_certificate else []
    )
    path = verify_chain(leaf, intermediates, state.trust_store)
    check_authentication_usage(leaf)
    # The certificate is genuine from here on: an attempt with it is told apart in the audit.
    number = national_number(leaf)
    agent = load_agent(session, national_number=number) if number else None
    key = LoginKey(public_key=public_key_der(leaf), certificate_sha256=certificate_sha256(leaf))
    try:
        check_validity(path, now)
        verify_signature(
            key.public_key, wire.login_message(nonce), body.signature, body.signature_algorithm
        )
    except LoginRefused as refused:
        refused.agent_id = agent.id if agent else None
        raise
    if agent is None:
        raise LoginRefused(UNKNOWN_AGENT, "no agent is registered with this card")
    return agent, key
