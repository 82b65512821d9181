"""Administration helpers: teams, agents, cases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from tests.server.helpers import START, cases, niss, person
from tracer_tui.core.identifiers import IdentifierError
from tracer_tui.core.people import CaseData
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.types import Language, Role, TaskKind, TaskStatus
from tracer_tui.server.db import init_db
from tracer_tui.server.seed import QUESTIONNAIRE_FOR_KIND, add_agent, add_team, seed_cases
from tracer_tui.server.tables import Agent, Person, Task, Team


@pytest.fixture
def db(engine: Engine) -> Engine:
    init_db(engine)
    return engine


def test_add_team_is_idempotent(db: Engine) -> None:
    first = add_team(db, "namur-1")
    assert add_team(db, "namur-1") == first
    assert add_team(db, "liege-2") != first


def test_add_agent_creates_the_team(db: Engine) -> None:
    number = niss(1)
    agent_id = add_agent(
        db,
        national_number=f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}",
        display_name="  Agent Un ",
        team="mons-3",
        roles=[Role.AGENT, Role.AGENT, Role.FIELD],
        language=Language.NL,
    )
    with Session(db) as session:
        agent = session.get(Agent, agent_id)
        team = session.execute(select(Team).where(col(Team.name) == "mons-3")).scalar_one()
    assert agent is not None
    assert agent.national_number == number
    assert agent.display_name == "Agent Un"
    assert agent.team_id == team.id
    assert agent.roles == ["agent", "field"]
    assert agent.language == "nl"
    assert agent.pledge_version is None


def test_add_agent_checks_its_input(db: Engine) -> None:
    good = {
        "display_name": "A",
        "team": None,
        "roles": [Role.AGENT],
        "language": Language.FR,
    }
    with pytest.raises(IdentifierError):
        add_agent(db, national_number=niss(1)[:-1] + "0", **good)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="role"):
        add_agent(db, national_number=niss(1), **{**good, "roles": []})  # type: ignore[arg-type]
    add_agent(db, national_number=niss(1), **good)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        add_agent(db, national_number=niss(1), **good)  # type: ignore[arg-type]


def test_seed_cases(db: Engine) -> None:
    items = [*cases(2), *cases(1, kind=TaskKind.CONTACT_CALL, first=2)]
    assert seed_cases(db, items, team="namur-1") == 3
    with Session(db) as session:
        tasks = session.execute(select(Task).order_by(col(Task.id))).scalars().all()
        people = session.execute(select(Person).order_by(col(Person.id))).scalars().all()
    assert [(t.kind, t.questionnaire_id, t.questionnaire_version) for t in tasks] == [
        ("index_call", "index-first-call", 1),
        ("index_call", "index-first-call", 1),
        ("contact_call", "contact-first-call", 1),
    ]
    assert {t.status for t in tasks} == {TaskStatus.NEW}
    assert {t.assigned_agent_id for t in tasks} == {None}
    assert tasks[0].due_at == items[0].reported_at
    data = person(0)
    assert data.address is not None
    first = people[0]
    assert (first.first_name, first.last_name, first.national_number) == (
        data.first_name,
        data.last_name,
        data.national_number,
    )
    assert first.phones == list(data.phones)
    assert (first.street, first.postcode, first.municipality, first.country) == (
        data.address.street,
        data.address.postcode,
        data.address.municipality,
        "BE",
    )


def test_every_seeded_script_exists(questionnaires: dict[tuple[str, int], Questionnaire]) -> None:
    for key in QUESTIONNAIRE_FOR_KIND.values():
        assert key in questionnaires


def test_a_kind_without_a_script_is_refused(db: Engine) -> None:
    case = CaseData(kind=TaskKind.FIELD_VISIT, person=person(0), reported_at=START)
    with pytest.raises(ValueError, match="field_visit"):
        seed_cases(db, [case], team="namur-1")
    with Session(db) as session:
        assert session.execute(select(Person)).first() is None  # nothing half-seeded
