"""No personal data in the logs: a whole flow run with every logger at DEBUG, the log scanned
for the names, national numbers, phones and e-mails of the fixtures (and for the token).

The flow: card login (the card holder's name and national number are in its certificate),
the pledge signed, the queue read (people's names and phones in the answer), interviews
submitted with answers naming people (and again, and for another agent's task, and
malformed), a script fetched, a server error whose message holds a name, logout, the audit
chain checked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from tests.answers import complete_answers
from tests.answers import script as shipped_script
from tests.server.cards import (
    FIRST_NAMES,
    SURNAME,
    card_headers,
    card_server,
    make_card,
    write_roots,
)
from tests.server.helpers import START, Clock, cases, person, seed
from tests.server.test_pledge import acceptance, current_pledge, sign
from tracer_tui import wire
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.types import Role
from tracer_tui.server import audit
from tracer_tui.server.routes import tasks as task_routes

PEOPLE = 3


@pytest.fixture
def everything_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, as an operator chasing a problem would set them."""
    root = logging.getLogger()
    before = root.level
    names = list(logging.root.manager.loggerDict)
    levels = {name: logging.getLogger(name).level for name in names}
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    yield caplog
    root.setLevel(before)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def secrets_of_the_flow(agent_number: str, token: str) -> list[str]:
    found = [SURNAME, FIRST_NAMES, agent_number, "Agent Vandenbroucke", token]
    for index in range(PEOPLE):
        data = person(index)
        assert data.national_number is not None
        assert data.email is not None
        found += [data.first_name, data.last_name, data.national_number, data.email]
        found += list(data.phones)
    return found


async def test_a_whole_flow_logs_nothing_personal(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    tmp_path: Path,
    everything_at_debug: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with card_server(engine, clock, questionnaires, write_roots(tmp_path)) as server:
        seed(server, cases(PEOPLE))
        number = server.add_agent("Agent Vandenbroucke", roles=[Role.AGENT])
        card = make_card(number)
        other = await card_headers(server, make_card(server.add_agent("Agent Autre")))
        headers = await card_headers(server, card)
        token = headers["Authorization"].removeprefix("Bearer ")
        pledge = await current_pledge(server, headers)
        assert (await sign(server, headers, acceptance(card, pledge))).status_code == 200
        queue = await server.queue(headers)
        assert len(queue) == PEOPLE
        first = person(0)
        answers = complete_answers(
            shipped_script(),
            today=START.date(),
            overrides={
                "profession": f"{first.first_name} {first.last_name} "
                f"{first.national_number} {first.phones[0]}"
            },
        )
        body = {
            "submission_id": str(uuid4()),
            "questionnaire_id": "index-first-call",
            "questionnaire_version": 1,
            "language": "fr",
            "answers": answers,
            "started_at": (START - timedelta(minutes=15)).isoformat(),
            "finished_at": START.isoformat(),
        }
        url = f"{wire.API_PREFIX}/tasks/{queue[0]['id']}/interview"
        for _ in range(2):  # accepted, then answered as a duplicate
            assert (await server.client.put(url, json=body, headers=headers)).status_code == 200
        malformed = {**body, "submission_id": str(uuid4()), "language": first.last_name}
        assert (
            await server.client.put(
                f"{wire.API_PREFIX}/tasks/{queue[1]['id']}/interview",
                json=malformed,
                headers=headers,
            )
        ).status_code == 422
        hidden = {  # an answer to a question not asked: refused, the name not echoed
            **body,
            "submission_id": str(uuid4()),
            "answers": {
                **answers,
                "risk_people_details": f"{first.first_name} {first.last_name}",
            },
        }
        refused = await server.client.put(
            f"{wire.API_PREFIX}/tasks/{queue[1]['id']}/interview", json=hidden, headers=headers
        )
        assert refused.status_code == 422
        assert refused.json()["items"] == ["risk_people_details"]
        assert first.last_name not in refused.text
        stolen = {**body, "submission_id": str(uuid4())}
        assert (
            await server.client.put(
                f"{wire.API_PREFIX}/tasks/{queue[2]['id']}/interview", json=stolen, headers=other
            )
        ).status_code in (403, 404)
        script = await server.get("/questionnaires/index-first-call/1", headers)
        assert script.status_code == 200

        def fail_with_a_name(*args: object, **kwargs: object) -> None:
            raise ValueError(f"cannot show {first.first_name} {first.last_name}")

        monkeypatch.setattr(task_routes, "queue", fail_with_a_name)
        assert (await server.get("/queue", headers)).status_code == 500
        monkeypatch.undo()
        logout = await server.client.post(f"{wire.API_PREFIX}/auth/logout", headers=headers)
        assert logout.status_code == 204
        assert audit.verify(engine).intact

    text = everything_at_debug.text + "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in everything_at_debug.records
    )
    assert "unexpected ValueError on GET /api/v1/queue" in text  # the log did capture
    leaked = [secret for secret in secrets_of_the_flow(number, token) if secret in text]
    where = sorted(
        {
            record.name
            for record in everything_at_debug.records
            for secret in leaked
            if secret in f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        }
    )
    assert not leaked, f"personal data in the logs of {where}: {leaked}"
