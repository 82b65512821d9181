"""The database: SQLite settings, migrations, in-memory use across threads, PostgreSQL URLs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from tracer_tui.server.db import SchemaError, init_db, make_engine, read_session, write_session
from tracer_tui.server.migrate import head_revision
from tracer_tui.server.tables import LoginChallenge, Team


def test_sqlite_file_settings(db_path: Path) -> None:
    engine = make_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_postgresql_urls_get_psycopg_and_a_pool() -> None:
    engine = make_engine("postgresql://tracer@127.0.0.1:1/tracer", pool_size=7)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool.size() == 7  # type: ignore[attr-defined]
    engine.dispose()


def test_file_directory_is_created(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'central.sqlite3'}")
    init_db(engine)
    engine.dispose()
    assert (tmp_path / "a" / "b" / "central.sqlite3").is_file()


def revision(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())


def test_init_db_is_at_head_and_harmless_again(engine: Engine) -> None:
    init_db(engine)
    init_db(engine)
    assert revision(engine) == head_revision()


def test_a_newer_schema_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="unknown to this server"):
        init_db(engine)


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    insert = text(
        "INSERT INTO agent (national_number, display_name, team_id, roles, language)"
        " VALUES ('80010100107', 'x', 42, '[]', 'fr')"
    )
    with write_session(engine) as session, pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        session.execute(insert)


def test_times_come_back_as_utc(engine: Engine) -> None:
    with write_session(engine) as session:
        session.add(
            LoginChallenge(
                id="c",
                nonce=b"n",
                created_at=datetime(2020, 5, 18, 10, tzinfo=timezone(timedelta(hours=2))),
                expires_at=datetime(2020, 5, 18, 8, 1),
            )
        )
        session.commit()
    with read_session(engine) as session:
        challenge = session.get(LoginChallenge, "c")
    assert challenge is not None
    assert challenge.created_at == datetime(2020, 5, 18, 8, tzinfo=UTC)
    assert challenge.created_at.tzinfo is UTC
    assert challenge.expires_at == datetime(2020, 5, 18, 8, 1, tzinfo=UTC)


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
def test_sqlite_writers_do_not_interleave(where: str, db_path: Path) -> None:
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
