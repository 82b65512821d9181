"""Administration: teams, agents and cases put straight into the server's database.

Used by ``tracer server add-agent`` / ``seed`` / ``import-cases`` and by practice mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tracer_tui.core.identifiers import normalise_national_number
from tracer_tui.core.people import CaseData
from tracer_tui.core.types import Language, Role, TaskKind, TaskStatus
from tracer_tui.server.db import write_session
from tracer_tui.server.tables import Agent, Person, Task, Team

QUESTIONNAIRE_FOR_KIND: Mapping[TaskKind, tuple[str, int]] = {
    TaskKind.INDEX_CALL: ("index-first-call", 1),
    TaskKind.CONTACT_CALL: ("contact-first-call", 1),
}
"""The script (id, version) a new task of each kind is done with."""


def _team_id(session: Session, name: str) -> int:
    """The team's id, the team created if missing (in the caller's transaction)."""
    if not name.strip():
        raise ValueError("a team needs a name")
    found = session.execute(select(col(Team.id)).where(col(Team.name) == name)).scalar()
    if found is not None:
        return int(found)
    team = Team(name=name)
    session.add(team)
    session.flush()
    assert team.id is not None
    return team.id


def add_team(engine: Engine, name: str) -> int:
    """The id of the team of this name, created if missing."""
    with write_session(engine) as session:
        team_id = _team_id(session, name)
        session.commit()
    return team_id


def add_agent(
    engine: Engine,
    *,
    national_number: str,
    display_name: str,
    team: str | None,
    roles: list[Role],
    language: Language,
) -> int:
    """Add an agent (their team created if missing); returns their id.

    Raises ValueError for an invalid national number, an empty name or no role, and
    sqlalchemy's IntegrityError for a national number already used by another agent.
    """
    number = normalise_national_number(national_number)
    if not display_name.strip():
        raise ValueError("an agent needs a display name")
    if not roles:
        raise ValueError("an agent needs at least one role")
    with write_session(engine) as session:
        team_id = _team_id(session, team) if team is not None else None
        agent = Agent(
            national_number=number,
            display_name=display_name.strip(),
            team_id=team_id,
            roles=[Role(role).value for role in dict.fromkeys(roles)],
            language=Language(language).value,
        )
        session.add(agent)
        session.commit()
        assert agent.id is not None
        return agent.id


def seed_cases(engine: Engine, cases: Iterable[CaseData], *, team: str) -> int:
    """Add each case as a person and an open, unassigned task in the team's pool.

    A task is due from the time its case was reported. Returns how many tasks were added.
    Raises ValueError for a kind of task with no script in :data:`QUESTIONNAIRE_FOR_KIND`.
    """
    now = datetime.now(UTC)
    added = 0
    with write_session(engine) as session:
        team_id = _team_id(session, team)
        for case in cases:
            script = QUESTIONNAIRE_FOR_KIND.get(case.kind)
            if script is None:
                raise ValueError(f"no questionnaire for tasks of kind {case.kind.value}")
            data = case.person
            address = data.address
            person = Person(
                first_name=data.first_name,
                last_name=data.last_name,
                national_number=data.national_number,
                birth_date=data.birth_date,
                sex=data.sex,
                language=data.language.value,
                phones=list(data.phones),
                email=data.email,
                street=address.street if address else None,
                postcode=address.postcode if address else None,
                municipality=address.municipality if address else None,
                country=address.country if address else None,
                created_at=now,
            )
            session.add(person)
            session.flush()
            assert person.id is not None
            session.add(
                Task(
                    kind=case.kind.value,
                    status=TaskStatus.NEW.value,
                    person_id=person.id,
                    team_id=team_id,
                    due_at=case.reported_at,
                    created_at=now,
                    questionnaire_id=script[0],
                    questionnaire_version=script[1],
                    test_date=case.test_date,
                    last_exposure=case.last_exposure,
                )
            )
            added += 1
        session.commit()
    return added
