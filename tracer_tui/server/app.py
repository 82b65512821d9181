"""The app factory of the central server.

Everything an app uses lives in ``app.state`` (see :mod:`tracer_tui.server.state`): two apps in
one process share nothing. Nothing waits for startup events, which an in-process
``httpx.ASGITransport`` does not send: the database is ready when the factory returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.questionnaire_files import load_directory
from tracer_tui.server.certs import TrustStore
from tracer_tui.server.db import init_db, make_engine
from tracer_tui.server.errors import install_error_handlers
from tracer_tui.server.pledge import PledgeError, load_pledge
from tracer_tui.server.routes import api_router
from tracer_tui.server.state import STATE_KEY, ServerState, utc_now


def create_app(
    central: CentralConfig,
    rules: Rules,
    *,
    engine: Engine | None = None,
    allow_dev_login: bool = False,
    questionnaires: dict[tuple[str, int], Questionnaire] | None = None,
    clock: Callable[[], datetime] | None = None,
    pledge: wire.PledgeText | None = None,
) -> FastAPI:
    """Build a server app.

    ``engine`` defaults to ``central.resolved_db_url()``, ``questionnaires`` to the scripts of
    ``central.questionnaires_dir`` (else the shipped ones), ``clock`` to the UTC wall clock,
    ``pledge`` to the shipped text of ``central.pledge_version``. The schema is created (or
    checked) here. ``allow_dev_login`` opens the card-less development login: practice mode
    and tests only.

    The card login trusts the roots in ``central.trusted_roots``, read here: a missing or
    unreadable file raises ``TrustStoreError``, an unknown pledge version ``PledgeError``
    (both ``ConfigError``, one line naming the key and the file).
    """
    trust_store = TrustStore.load(central.trusted_roots)
    if pledge is None:
        pledge = load_pledge(central.pledge_version)
    elif pledge.version != central.pledge_version:
        raise PledgeError(
            f"[central] pledge_version = {central.pledge_version}, "
            f"but the pledge given is version {pledge.version}"
        )
    if engine is None:
        engine = make_engine(central.resolved_db_url(), pool_size=central.db_pool_size)
    init_db(engine)
    if questionnaires is None:
        questionnaires = load_directory(central.questionnaires_dir)
    state = ServerState(
        central=central,
        rules=rules,
        engine=engine,
        allow_dev_login=allow_dev_login,
        questionnaires=dict(questionnaires),
        clock=clock or utc_now,
        pledge=pledge,
        trust_store=trust_store,
    )
    app = FastAPI(
        title="tracer central server",
        version=wire.API_PREFIX.rsplit("/", 1)[-1],
        openapi_url="/openapi.json",
    )
    setattr(app.state, STATE_KEY, state)
    install_error_handlers(app)
    app.include_router(api_router(), prefix=wire.API_PREFIX)
    return app
