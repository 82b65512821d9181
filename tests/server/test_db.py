"""The database: SQLite settings, schema versioning, in-memory use across threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from tracer_tui.server.db import (
    SCHEMA_VERSION,
    SchemaError,
    init_db,
    make_engine,
    read_session,
    write_session,
)
from tracer_tui.server.tables import SchemaVersion, Team


def test_sqlite_file_settings(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_file_directory_is_created(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'central.sqlite3'}")
    init_db(engine)
    engine.dispose()
    assert (tmp_path / "a" / "b" / "central.sqlite3").is_file()


def test_schema_version_is_recorded_once(engine: Engine) -> None:
    init_db(engine)
    init_db(engine)
    with Session(engine) as session:
        rows = session.execute(select(col(SchemaVersion.version))).scalars().all()
    assert rows == [SCHEMA_VERSION]


def test_a_newer_schema_is_refused(engine: Engine) -> None:
    init_db(engine)
    with write_session(engine) as session:
        session.add(SchemaVersion(version=SCHEMA_VERSION + 1, applied_at=datetime.now(UTC)))
        session.commit()
    with pytest.raises(SchemaError, match="schema version"):
        init_db(engine)


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    init_db(engine)
    insert = text(
        "INSERT INTO agent (national_number, display_name, team_id, roles, language)"
        " VALUES ('80010100107', 'x', 42, '[]', 'fr')"
    )
    with write_session(engine) as session, pytest.raises(IntegrityError, match="FOREIGN KEY"):
        session.execute(insert)


def test_times_come_back_as_utc(engine: Engine) -> None:
    init_db(engine)
    with read_session(engine) as session:
        applied = session.execute(select(col(SchemaVersion.applied_at))).scalar_one()
    assert applied.tzinfo is UTC


def test_in_memory_database_is_shared_by_threads() -> None:
    engine = make_engine("sqlite://")
    init_db(engine)

    def add(name: str) -> None:
        with write_session(engine) as session:
            session.add(Team(name=name))
            session.commit()

    thread = threading.Thread(target=add, args=("from-a-thread",))
    thread.start()
    thread.join()
    with read_session(engine) as session:
        names = session.execute(select(col(Team.name))).scalars().all()
    assert names == ["from-a-thread"]
    engine.dispose()


@pytest.mark.parametrize("where", ["memory", "file"])
def test_writers_do_not_interleave(where: str, db_path: Path) -> None:
    """Threads that read then write never lose an update nor fail on a busy database."""
    engine = make_engine("sqlite://" if where == "memory" else f"sqlite:///{db_path}")
    init_db(engine)

    def add_next(_: int) -> None:
        with write_session(engine) as session:
            count = session.execute(select(func.count(col(Team.id)))).scalar_one()
            session.add(Team(name=f"team-{count}"))
            session.commit()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(add_next, range(40)))
    with read_session(engine) as session:
        names = set(session.execute(select(col(Team.name))).scalars())
    assert names == {f"team-{index}" for index in range(40)}
    engine.dispose()
