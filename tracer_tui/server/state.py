"""What one server app holds: kept in ``app.state``, never in module globals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import Engine

from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.server.certs import TrustStore

STATE_KEY = "tracer"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServerState:
    central: CentralConfig
    rules: Rules
    engine: Engine
    allow_dev_login: bool
    questionnaires: Mapping[tuple[str, int], Questionnaire]
    clock: Callable[[], datetime]
    pledge: wire.PledgeText
    trust_store: TrustStore = field(default_factory=TrustStore)

    def now(self) -> datetime:
        """The injected clock's time, as an aware UTC datetime (naive is taken as UTC)."""
        value = self.clock()
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


async def get_state(request: Request) -> ServerState:
    """FastAPI dependency: the state of the app serving this request (``async``: no I/O, so
    no trip to the thread pool)."""
    state = getattr(request.app.state, STATE_KEY)
    assert isinstance(state, ServerState)
    return state
