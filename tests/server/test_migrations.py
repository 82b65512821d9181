"""Migrations: the migrated schema is the tables' metadata, on both databases; a database from
before the migrations is adopted; every revision goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, text

from tracer_tui.cli import main_group
from tracer_tui.server.audit import verify
from tracer_tui.server.db import SchemaError, begin_immediate, init_db, make_engine
from tracer_tui.server.migrate import LEGACY_REVISION, alembic_config, head_revision
from tracer_tui.server.tables import ServerTable


@pytest.fixture
def empty(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, ServerTable.metadata))


def migrate(engine: Engine, action: str, revision: str) -> None:
    with begin_immediate(engine) as connection:
        getattr(command, action)(alembic_config(connection), revision)


def test_the_migrated_schema_is_the_metadata(empty: Engine) -> None:
    """An autogenerate run against a database at head would find nothing to write."""
    init_db(empty)
    assert schema_diff(empty) == []


def test_every_revision_goes_down_and_up_again(empty: Engine) -> None:
    engine = empty
    init_db(engine)
    migrate(engine, "downgrade", "base")
    tables = set(inspect(engine).get_table_names())
    assert tables <= {"alembic_version"}
    init_db(engine)
    assert schema_diff(engine) == []


def test_a_database_from_before_the_migrations_is_adopted(empty: Engine) -> None:
    """``schema_version`` 2 is revision 0001: stamped, then upgraded; its audit records are
    chained in id order."""
    engine = empty
    migrate(engine, "upgrade", LEGACY_REVISION)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("INSERT INTO schema_version VALUES (2, '2020-05-01 00:00:00')"))
        connection.execute(
            text(
                "INSERT INTO audit_record (at, agent_id, action, object_type, object_id) VALUES "
                "('2020-05-18 08:00:00', NULL, 'auth.login', 'login_outcome', 'bad_signature'),"
                "('2020-05-18 08:00:01.25', NULL, 'auth.login', 'login_outcome', 'ok')"
            )
        )
    init_db(engine)
    assert schema_diff(engine) == []
    verdict = verify(engine)
    assert verdict.intact, verdict.broken
    assert verdict.records == 2


def test_an_older_pre_migration_schema_is_refused(empty: Engine) -> None:
    migrate(empty, "upgrade", LEGACY_REVISION)
    with empty.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("INSERT INTO schema_version VALUES (1, '2020-05-01 00:00:00')"))
    with pytest.raises(SchemaError, match="pre-migration schema version 1"):
        init_db(empty)


def test_another_schema_is_refused(empty: Engine) -> None:
    with empty.begin() as connection:
        connection.execute(text("CREATE TABLE something (id INTEGER PRIMARY KEY)"))
    with pytest.raises(SchemaError, match="not a tracer schema"):
        init_db(empty)


def test_init_db_command_upgrades_to_head(empty_db_url: str) -> None:
    result = CliRunner().invoke(main_group, ["server", "init-db", "--db", empty_db_url])
    assert result.exit_code == 0, result.output
    assert f"schema revision {head_revision()}" in result.output
