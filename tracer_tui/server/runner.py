"""``tracer server run``: the central server under uvicorn, in one or several worker processes.

The development login is never enabled here: a real server logs agents in with their card.
The schema is brought to head once, before the workers start. Several workers share nothing
but the database (tokens, challenges, rate limits, the audit chain all live there): each
builds its own app from the configuration handed down in :data:`ENVIRONMENT`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import uvicorn
from fastapi import FastAPI

from tracer_tui.config import CentralConfig
from tracer_tui.core.rules import Rules
from tracer_tui.server.app import create_app
from tracer_tui.server.db import init_db, make_engine

ENVIRONMENT = "TRACER_SERVER_WORKER_CONFIG"
"""The ``[central]`` and ``[rules]`` sections, as JSON, for the worker processes."""


_OPTIONS: dict[str, Any] = {
    "server_header": False,
    "date_header": True,
    "access_log": False,
    # Longer than a TLS terminator's idle keep-alive (nginx: 60 s), so that the server never
    # closes a connection the terminator is about to reuse.
    "timeout_keep_alive": 75,
}


def app_from_environment() -> FastAPI:
    """The app of one worker process (uvicorn's factory)."""
    data = json.loads(os.environ[ENVIRONMENT])
    central = CentralConfig.model_validate(data["central"])
    return create_app(central, Rules.model_validate(data["rules"]), allow_dev_login=False)


def run(central: CentralConfig, rules: Rules, *, host: str, port: int, workers: int = 1) -> None:
    """Serve the API on host:port until interrupted.

    No access log here: request paths hold task ids and the log would cost a write per
    request; the TLS terminator in front keeps the access log.

    Client addresses (for the login rate limits) are taken from ``X-Forwarded-For`` when the
    request comes from an address in ``$FORWARDED_ALLOW_IPS`` (uvicorn's default: 127.0.0.1,
    a TLS terminator on the same host).
    """
    if workers == 1:
        app = create_app(central, rules, allow_dev_login=False)
        uvicorn.run(app, host=host, port=port, **_OPTIONS)
        return
    engine = make_engine(central.resolved_db_url())
    init_db(engine)
    engine.dispose()
    os.environ[ENVIRONMENT] = json.dumps(
        {"central": central.model_dump(mode="json"), "rules": rules.model_dump(mode="json")}
    )
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        **_OPTIONS,
    )
