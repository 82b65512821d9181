"""The interview scripts served by id and version."""

from __future__ import annotations

from tests.server.helpers import Server
from tracer_tui import wire
from tracer_tui.core.questionnaire import Questionnaire, parse_questionnaire
from tracer_tui.core.types import TaskKind


async def test_list(server: Server, questionnaires: dict[tuple[str, int], Questionnaire]) -> None:
    headers = await server.agent("Agent Un")
    answer = await server.get("/questionnaires", headers)
    assert answer.status_code == 200
    summaries = [wire.QuestionnaireSummary.model_validate(item) for item in answer.json()]
    assert [(item.id, item.version) for item in summaries] == sorted(questionnaires)
    index = next(item for item in summaries if item.id == "index-first-call")
    assert index.kind == TaskKind.INDEX_CALL
    assert set(index.title) == {"fr", "nl", "de", "en"}


async def test_get(server: Server, questionnaires: dict[tuple[str, int], Questionnaire]) -> None:
    headers = await server.agent("Agent Un")
    answer = await server.get("/questionnaires/contact-first-call/1", headers)
    assert answer.status_code == 200
    expected = questionnaires[("contact-first-call", 1)]
    assert answer.json() == expected.model_dump(mode="json", exclude_unset=True)
    assert parse_questionnaire(answer.json()) == expected


async def test_unknown_id_or_version(server: Server) -> None:
    headers = await server.agent("Agent Un")
    for path in ("/questionnaires/contact-first-call/7", "/questionnaires/nothing/1"):
        answer = await server.get(path, headers)
        assert answer.status_code == 404
        assert answer.json()["code"] == "unknown_questionnaire"


async def test_version_must_be_a_number(server: Server) -> None:
    headers = await server.agent("Agent Un")
    answer = await server.get("/questionnaires/contact-first-call/one", headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request"


async def test_questionnaires_need_a_token(server: Server) -> None:
    assert (await server.get("/questionnaires")).status_code == 401
    assert (await server.get("/questionnaires/contact-first-call/1")).status_code == 401
