"""Every error is an ErrorBody; unexpected errors show and log nothing of the request."""

from __future__ import annotations

import logging

import pytest

from tests.server.helpers import Server
from tracer_tui import wire


async def test_unknown_path(server: Server) -> None:
    answer = await server.get("/nowhere")
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found", "detail": "Not Found"}


async def test_wrong_method(server: Server) -> None:
    answer = await server.client.delete(f"{wire.API_PREFIX}/queue")
    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"


async def test_unexpected_error_is_a_bare_500(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("Jean Dupont 75060600150")

    server.app.add_api_route(f"{wire.API_PREFIX}/explode", explode)
    with caplog.at_level(logging.ERROR, logger="tracer_tui.server"):
        answer = await server.get("/explode")
    assert answer.status_code == 500
    assert answer.json() == {"code": "internal_error", "detail": "internal server error"}
    assert "RuntimeError" in caplog.text
    assert "Dupont" not in caplog.text
    assert "75060600150" not in caplog.text


async def test_openapi_is_served(server: Server) -> None:
    answer = await server.client.get("/openapi.json")
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    for path in (
        "/auth/dev-login",
        "/me",
        "/queue",
        "/questionnaires",
        "/questionnaires/{questionnaire_id}/{version}",
        "/tasks/{task_id}/interview",
    ):
        assert f"{wire.API_PREFIX}{path}" in paths
