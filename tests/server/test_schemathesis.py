"""Property-based requests from the OpenAPI document (schemathesis) against the in-process
app, on both databases, signed in as an agent: no answer may be a server error (5xx).

Bounded: a few examples per operation (``MAX_EXAMPLES``), no deadline per example.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

with warnings.catch_warnings():  # starlette would rather have httpx2: httpx is what we have
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from tests.server.helpers import TEAM, cases, niss
from tracer_tui import wire
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language, Role
from tracer_tui.server.app import create_app
from tracer_tui.server.seed import add_agent, seed_cases

MAX_EXAMPLES = 25
NUMBER = niss(1)


@pytest.fixture
def api(
    engine: Engine, questionnaires: dict[tuple[str, int], Questionnaire]
) -> Iterator[tuple[schemathesis.BaseSchema, TestClient]]:
    app = create_app(
        CentralConfig(token_ttl=3600),
        Rules(),
        engine=engine,
        allow_dev_login=True,
        questionnaires=questionnaires,
    )
    add_agent(
        engine,
        national_number=NUMBER,
        display_name="Agent Un",
        team=TEAM,
        roles=[Role.AGENT, Role.SUPERVISOR],
        language=Language.FR,
    )
    seed_cases(engine, cases(20), team=TEAM)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield schemathesis.openapi.from_asgi("/openapi.json", app), client


@pytest.fixture
def api_schema(api: tuple[schemathesis.BaseSchema, TestClient]) -> schemathesis.BaseSchema:
    return api[0]


def token(client: TestClient) -> dict[str, str]:
    answer = client.post(f"{wire.API_PREFIX}/auth/dev-login", json={"national_number": NUMBER})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(
    case: schemathesis.Case, api: tuple[schemathesis.BaseSchema, TestClient]
) -> None:
    _, client = api
    headers = dict(case.headers or {})
    if "authorization" not in {name.lower() for name in headers}:
        headers.update(token(client))
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])


@pytest.mark.parametrize("task_id", [2**31, 2**63, 2**70, -1, 0])
def test_ids_out_of_the_databases_range_are_refused_not_errors(
    api: tuple[schemathesis.BaseSchema, TestClient], task_id: int
) -> None:
    """A value the database cannot hold (PostgreSQL: integer out of range; SQLite: too large
    for INTEGER) is a 4xx, never a 500."""
    _, client = api
    url = f"{wire.API_PREFIX}/tasks/{task_id}/interview"
    body = {
        "submission_id": "5f0c6b8e-8f51-4c8e-9a55-0d4f3e1b2a10",
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": "fr",
        "answers": {},
        "started_at": "2020-05-18T08:00:00Z",
        "finished_at": "2020-05-18T08:10:00Z",
    }
    answer = client.put(url, json=body, headers=token(client))
    assert answer.status_code in (404, 422), answer.text


def test_a_nul_character_is_refused_not_an_error(
    api: tuple[schemathesis.BaseSchema, TestClient],
) -> None:
    """PostgreSQL refuses NUL in text: 422, never a 500."""
    _, client = api
    body = {
        "challenge_id": "a\x00b",
        "certificate": "AAAA",
        "signature": "AAAA",
        "signature_algorithm": "rsa-pkcs1-sha256",
    }
    answer = client.post(f"{wire.API_PREFIX}/auth/login", json=body)
    assert answer.status_code in (401, 422), answer.text
    assert answer.json()["code"] in ("challenge_unknown", "invalid_request")
