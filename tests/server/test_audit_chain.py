"""The audit trail is append-only and hash-chained, also with many writers at once; ``tracer
server audit verify`` finds the first broken record."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from tests.server.helpers import START, Server, cases, seed
from tracer_tui.cli import main_group
from tracer_tui.server import audit
from tracer_tui.server.db import write_session
from tracer_tui.server.tables import AuditRecord


def add(engine: Engine, count: int, agent_id: int | None = None) -> None:
    with write_session(engine) as session:
        audit.record(
            session,
            at=START,
            agent_id=agent_id,
            action=audit.Action.QUEUE_READ,
            object_type=audit.ObjectType.TASK,
            object_ids=range(count),
        )
        session.commit()


def tamper(engine: Engine, statement: str) -> None:
    """Change the trail behind the triggers' back, as only the database owner could."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(statement))
        else:
            connection.execute(text("DROP TRIGGER audit_record_no_update"))
            connection.execute(text("DROP TRIGGER audit_record_no_delete"))
            connection.execute(text(statement))


def verify_command(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main_group, ["server", "audit", "verify", "--db", url])
    return result.exit_code, result.output


async def test_a_whole_flow_leaves_an_intact_chain(server: Server) -> None:
    seed(server, cases(3))
    headers = await server.agent("Agent Un")
    await server.queue(headers)
    server.clock.advance(minutes=1)
    await server.queue(headers)
    verdict = audit.verify(server.engine)
    assert verdict.intact, verdict.broken
    assert verdict.records == 1 + 3 + 3 + 3  # login, assigned, read twice
    with Session(server.engine) as session:
        rows = list(session.execute(select(AuditRecord).order_by(col(AuditRecord.seq))).scalars())
    assert [row.seq for row in rows] == list(range(1, 11))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


def test_concurrent_writers_never_fork_the_chain(engine: Engine) -> None:
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda n: add(engine, n % 4 + 1), range(120)))
    verdict = audit.verify(engine)
    assert verdict.intact, verdict.broken
    assert verdict.records == sum(n % 4 + 1 for n in range(120))
    with Session(engine) as session:
        seqs = session.execute(select(func.count(func.distinct(col(AuditRecord.seq))))).scalar()
        hashes = session.execute(
            select(func.count(func.distinct(col(AuditRecord.prev_hash))))
        ).scalar()
    assert seqs == hashes == verdict.records  # no two records chained on one


def test_records_cannot_be_changed_or_removed(engine: Engine) -> None:
    add(engine, 2)
    for statement in ("UPDATE audit_record SET object_id = 'x'", "DELETE FROM audit_record"):
        with engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
    assert audit.verify(engine).records == 2


def test_a_rolled_back_action_leaves_no_record(engine: Engine) -> None:
    with write_session(engine) as session:
        audit.record(
            session,
            at=START,
            agent_id=None,
            action=audit.Action.QUEUE_READ,
            object_type=audit.ObjectType.TASK,
            object_ids=[1],
        )
    add(engine, 1)
    assert audit.verify(engine) == audit.Verdict(1)


def test_records_need_a_write_session(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(RuntimeError, match="write_session"):
        audit.record(
            session,
            at=START,
            agent_id=None,
            action=audit.Action.QUEUE_READ,
            object_type=audit.ObjectType.TASK,
            object_ids=[1],
        )


@pytest.mark.parametrize(
    ("statement", "found"),
    [
        ("UPDATE audit_record SET object_id = '999' WHERE seq = 3", "seq 3 (id 3): its hash"),
        ("UPDATE audit_record SET at = at + interval '1 second' WHERE seq = 2", "seq 2"),
        ("DELETE FROM audit_record WHERE seq = 4", "seq 5 (id 5): expected seq 4"),
        ("DELETE FROM audit_record WHERE seq = 6", "ends at seq 5 but its head says seq 6"),
        (
            "UPDATE audit_record SET hash = prev_hash WHERE seq = 5",
            "seq 5 (id 5): its hash",
        ),
    ],
)
def test_verify_names_the_first_broken_record(
    engine: Engine, db_url: str, statement: str, found: str
) -> None:
    add(engine, 6)
    assert verify_command(db_url) == (0, "audit chain intact: 6 records\n")
    if engine.dialect.name == "sqlite":
        statement = statement.replace("at + interval '1 second'", "datetime(at, '+1 second')")
    tamper(engine, statement)
    code, output = verify_command(db_url)
    assert code == 1
    assert output.startswith("audit chain broken after")
    assert found in output


def test_verify_on_an_empty_trail(engine: Engine, db_url: str) -> None:
    assert verify_command(db_url) == (0, "audit chain intact: 0 records\n")


def test_verify_on_a_missing_database_is_one_line(tmp_path: object) -> None:
    code, output = verify_command("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert code == 2
    assert output.startswith("tracer: error: cannot read the audit trail")
    assert len(output.strip().splitlines()) == 1


def test_times_keep_their_microseconds_in_the_hash(engine: Engine) -> None:
    with write_session(engine) as session:
        audit.record(
            session,
            at=START + timedelta(microseconds=123457),
            agent_id=None,
            action=audit.Action.LOGOUT,
            object_type=audit.ObjectType.AGENT,
            object_ids=[7],
        )
        session.commit()
    assert audit.verify(engine).intact
