"""The ``/api/v1`` routes, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from tracer_tui.server.routes import auth, interview, login, pledge, questionnaires, tasks


def api_router() -> APIRouter:
    """Every route of the API, to be mounted under ``wire.API_PREFIX``."""
    router = APIRouter()
    for module in (auth, login, pledge, tasks, questionnaires, interview):
        router.include_router(module.router)
    return router
