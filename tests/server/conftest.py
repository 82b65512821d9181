"""Fixtures for the server tests: a real app driven over httpx, on each database.

The database fixtures (``db_url``, ``engine`` and so ``server``) are parametrized over SQLite
(a temporary file) and PostgreSQL (a database of a throwaway cluster started once per session
on 127.0.0.1, see :mod:`tests.server.postgres`). Each test gets an empty database at the
newest schema: a copy of a SQLite file migrated once per session, or the session's PostgreSQL
database, migrated once and emptied before each test. Without the PostgreSQL binaries the
PostgreSQL variants fail, saying what to install: they are never skipped.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text, update
from sqlalchemy.pool import NullPool

from tests.server.helpers import Clock, Server
from tests.server.postgres import FAST, PostgresCluster, PostgresUnavailable
from tracer_tui.config import CentralConfig
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.questionnaire_files import load_directory
from tracer_tui.server.app import create_app
from tracer_tui.server.audit import GENESIS
from tracer_tui.server.db import init_db, make_engine
from tracer_tui.server.migrate import head_revision
from tracer_tui.server.tables import AuditHead, ServerTable

DATABASES = ("sqlite", "postgresql")
DATABASE = "tracer_test"
_scratch = itertools.count(1)


@pytest.fixture(scope="session")
def questionnaires() -> dict[tuple[str, int], Questionnaire]:
    """The shipped scripts, read once (the app copies the mapping)."""
    return load_directory()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster | PostgresUnavailable]:
    """The session's cluster, with its test database migrated to head; or why there is none."""
    try:
        cluster = PostgresCluster.start(FAST)
    except PostgresUnavailable as exc:
        yield exc
        return
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
        engine = make_engine(cluster.url(DATABASE))
        init_db(engine)
        engine.dispose()
        yield cluster
    finally:
        cluster.stop()


def emptied(postgres: PostgresCluster | PostgresUnavailable) -> str:
    """The URL of the test database, every table emptied (ids restart at 1, the audit chain
    at its start). Truncating is several times faster than a new database per test."""
    if isinstance(postgres, PostgresUnavailable):
        pytest.fail(str(postgres), pytrace=False)
    url = postgres.url(DATABASE)
    head = head_revision()
    tables = [
        t.name for t in ServerTable.metadata.sorted_tables if t.name != AuditHead.__tablename__
    ]
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))  # a leaked transaction
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # audit triggers
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        connection.execute(update(AuditHead).values(last_seq=0, last_hash=GENESIS))
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "central.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file, not created yet (for the SQLite-only tests)."""
    return tmp_path / "central.sqlite3"


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the newest schema, on each kind of database."""
    if request.param == "sqlite":
        path = tmp_path / "central.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield emptied(request.getfixturevalue("postgres"))


@pytest.fixture(params=DATABASES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database (no schema) of each kind, for the migration tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    postgres = request.getfixturevalue("postgres")
    if isinstance(postgres, PostgresUnavailable):
        pytest.fail(str(postgres), pytrace=False)
    name = f"empty_{next(_scratch)}"
    admin = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield postgres.url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def server(
    engine: Engine, clock: Clock, questionnaires: dict[tuple[str, int], Questionnaire]
) -> AsyncIterator[Server]:
    app = create_app(
        CentralConfig(token_ttl=3600, pledge_version=1),
        Rules(),
        engine=engine,
        allow_dev_login=True,
        questionnaires=questionnaires,
        clock=clock,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Server(app=app, engine=engine, clock=clock, client=client)
