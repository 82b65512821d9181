"""A script from the server that does not validate: the interview says which one is invalid."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.answers import script
from tracer_tui.client.api import ApiClient
from tracer_tui.client.errors import InvalidScript, ServerError
from tracer_tui.ui.messages import describe_error


def malformed() -> dict[str, object]:
    data: dict[str, Any] = json.loads(script().model_dump_json())
    data["screens"][0]["items"][0]["type"] = "no_such_type"
    return data


async def test_a_malformed_script_is_an_invalid_script_naming_id_version_and_problem() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/questionnaires/index-first-call/1")
        return httpx.Response(200, json=malformed())

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="https://server")
    client = ApiClient(http)
    with pytest.raises(InvalidScript) as caught:
        await client.questionnaire("index-first-call", 1)
    error = caught.value
    assert isinstance(error, ServerError)
    assert (error.questionnaire_id, error.version) == ("index-first-call", 1)
    first_item = script().screens[0].items[0].id
    assert "index-first-call version 1" in error.detail
    assert first_item in error.problem
    assert "type" in error.problem
    message = describe_error(error)
    assert "index-first-call" in message
    assert "1" in message
    await http.aclose()
