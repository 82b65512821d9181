"""The confidentiality pledge: read the current text, accept it with the card's signature."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from tracer_tui import wire
from tracer_tui.server import audit
from tracer_tui.server.auth import CurrentAgent, LoginKey, SignedInAgentDep, StateDep
from tracer_tui.server.certs import LoginRefused, verify_signature
from tracer_tui.server.db import write_session
from tracer_tui.server.errors import ApiError
from tracer_tui.server.state import ServerState
from tracer_tui.server.tables import Agent, PledgeSignature

router = APIRouter(tags=["pledge"])


@router.get("/pledge")
def get_pledge(agent: SignedInAgentDep, state: StateDep) -> wire.PledgeText:
    """The current pledge, in the four languages, with the SHA-256 of its canonical form."""
    return state.pledge


def _accepted(row: PledgeSignature) -> wire.PledgeAccepted:
    return wire.PledgeAccepted(
        version=row.version, text_sha256=row.text_sha256, signed_at=row.signed_at
    )


def _find(session: Session, agent_id: int, version: int) -> PledgeSignature | None:
    query = select(PledgeSignature).where(
        col(PledgeSignature.agent_id) == agent_id, col(PledgeSignature.version) == version
    )
    return session.execute(query).scalar_one_or_none()


def _record(
    session: Session,
    state: ServerState,
    agent: CurrentAgent,
    key: LoginKey,
    body: wire.PledgeRequest,
) -> wire.PledgeAccepted:
    existing = _find(session, agent.id, body.version)
    if existing is not None:
        return _accepted(existing)
    now = state.now()
    row = PledgeSignature(
        agent_id=agent.id,
        version=body.version,
        text_sha256=body.text_sha256,
        language=body.language.value,
        signature=body.signature,
        signature_algorithm=body.signature_algorithm,
        public_key=key.public_key,
        certificate_sha256=key.certificate_sha256,
        signed_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    session.execute(
        update(Agent)
        .where(
            col(Agent.id) == agent.id,
            or_(col(Agent.pledge_version).is_(None), col(Agent.pledge_version) < body.version),
        )
        .values(pledge_version=body.version)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        at=now,
        agent_id=agent.id,
        action=audit.Action.PLEDGE_SIGN,
        object_type=audit.ObjectType.PLEDGE_SIGNATURE,
        object_ids=[row.id],
    )
    session.commit()
    return _accepted(row)


@router.post("/pledge")
def sign_pledge(
    body: wire.PledgeRequest, agent: SignedInAgentDep, state: StateDep
) -> wire.PledgeAccepted:
    """Accept the current pledge: the card's signature over
    ``wire.pledge_message(version, text_sha256)``, checked with the key of the certificate
    this session logged in with. Signing a version again answers the first acceptance.
    """
    pledge = state.pledge
    key = agent.login_key
    if key is None:
        raise ApiError(403, "card_login_required", "the pledge is signed with the login card")
    if body.version != pledge.version or body.text_sha256 != pledge.sha256:
        raise ApiError(409, "pledge_outdated", "this is not the current pledge text")
    message = wire.pledge_message(pledge.version, pledge.sha256)
    try:
        verify_signature(key.public_key, message, body.signature, body.signature_algorithm)
    except LoginRefused as refused:
        raise ApiError(422, refused.code, refused.detail) from None
    for attempt in range(2):
        try:
            with write_session(state.engine) as session:
                return _record(session, state, agent, key, body)
        except IntegrityError:  # the same acceptance, sent twice at once: read the winner's
            if attempt:
                raise
    raise AssertionError("unreachable")
