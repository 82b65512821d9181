"""The audit trail: every read or write of personal data leaves a record.

A record holds identifiers only (who, what action, which object): never a name, a national
number or any other personal data. It is written in the same transaction as the action it
records, so that no action commits without its record.

The trail is append-only (triggers refuse UPDATE, DELETE and TRUNCATE) and hash-chained: the
records are numbered by ``seq`` without gaps, and each one stores the hash of the one before
(:func:`record_hash`). :func:`record` only stages records in the session; the session's commit
(:class:`tracer_tui.server.db.ServerSession`) chains them as its last step, holding the chain's
head row locked until the commit: two writers never chain onto the same record, however many
workers share the database. On PostgreSQL one statement locks the head (``FOR UPDATE``),
hashes, inserts and moves the head, so the lock is held for that round trip and the commit
only; on SQLite every writing transaction holds the write lock from ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text, update
from sqlmodel import Session, col

from tracer_tui.server.tables import AuditHead, AuditRecord

GENESIS = "0" * 64
"""The ``prev_hash`` of the first record."""
HEAD_ID = 1
PENDING = "tracer_audit_pending"
"""Key in ``Session.info`` of the records staged for the commit."""
_BATCH = 5000
AUDIT_TABLE: Table = AuditRecord.__table__  # type: ignore[attr-defined]


class Action(StrEnum):
    DEV_LOGIN = "auth.dev_login"
    LOGIN = "auth.login"  # every card login attempt; the object is its outcome code
    LOGOUT = "auth.logout"
    PLEDGE_SIGN = "pledge.sign"
    QUEUE_READ = "queue.read"
    TASK_ASSIGN = "task.assign"
    INTERVIEW_SUBMIT = "interview.submit"
    INTERVIEW_DUPLICATE = "interview.duplicate"


class ObjectType(StrEnum):
    AGENT = "agent"
    TASK = "task"
    SUBMISSION = "interview_submission"
    LOGIN_OUTCOME = "login_outcome"  # "ok" or the refusal code, e.g. "bad_signature"
    PLEDGE_SIGNATURE = "pledge_signature"


def _utc_text(at: datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    agent_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
) -> str:
    """SHA-256 (hex) of the record's fields joined by U+001F, the previous hash first."""
    fields = [
        prev_hash,
        str(seq),
        _utc_text(at),
        "" if agent_id is None else str(agent_id),
        action,
        object_type,
        object_id,
    ]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    at: datetime,
    agent_id: int | None,
    action: Action,
    object_type: ObjectType,
    object_ids: Iterable[int | str],
) -> None:
    """Stage one record per object; the session's commit chains and writes them."""
    pending = session.info.get(PENDING)
    if pending is None:
        raise RuntimeError("audit records are written in a write_session()")
    pending.extend(
        {
            "at": at,
            "agent_id": agent_id,
            "action": action.value,
            "object_type": object_type.value,
            "object_id": str(object_id),
        }
        for object_id in object_ids
    )


_APPEND_POSTGRESQL = text(
    """
    WITH RECURSIVE
    staged AS (
        SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
            ord integer, at timestamp, agent_id integer, action text, object_type text,
            object_id text)
    ),
    head AS (SELECT last_seq, last_hash FROM audit_head WHERE id = :head FOR UPDATE),
    chain (ord, seq, hash) AS (
        SELECT 0, last_seq, CAST(last_hash AS text) FROM head
        UNION ALL
        SELECT s.ord, c.seq + 1, encode(sha256(convert_to(concat_ws(chr(31),
            c.hash, CAST(c.seq + 1 AS text), to_char(s.at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            coalesce(CAST(s.agent_id AS text), ''), s.action, s.object_type, s.object_id),
            'UTF8')), 'hex')
        FROM chain c JOIN staged s ON s.ord = c.ord + 1
    ),
    added AS (
        INSERT INTO audit_record
            (seq, at, agent_id, action, object_type, object_id, prev_hash, hash)
        SELECT c.seq, s.at, s.agent_id, s.action, s.object_type, s.object_id, p.hash, c.hash
        FROM chain c JOIN staged s ON s.ord = c.ord JOIN chain p ON p.ord = c.ord - 1
        RETURNING seq, hash
    )
    UPDATE audit_head SET
        last_seq = (SELECT max(seq) FROM added),
        last_hash = (SELECT hash FROM added ORDER BY seq DESC LIMIT 1)
    WHERE id = :head
    """
)
"""PostgreSQL: the chain's append in one statement (one round trip while the head is locked);
the hash computed as :func:`record_hash` does, which ``verify`` checks."""


def _append_postgresql(session: Session, pending: list[dict[str, Any]]) -> None:
    rows = [
        {**staged, "ord": ord_, "at": _utc_text(staged["at"])[:-1]}
        for ord_, staged in enumerate(pending, start=1)
    ]
    session.execute(_APPEND_POSTGRESQL, {"rows": json.dumps(rows), "head": HEAD_ID})
    pending.clear()


def append_pending(session: Session) -> None:
    """Chain and insert the staged records (called by the commit, in its transaction)."""
    pending: list[dict[str, Any]] | None = session.info.get(PENDING)
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        _append_postgresql(session, pending)
        return
    head = session.execute(
        select(col(AuditHead.last_seq), col(AuditHead.last_hash))
        .where(col(AuditHead.id) == HEAD_ID)
        .with_for_update()
    ).one()
    seq, last = int(head[0]), str(head[1])
    rows = []
    for staged in pending:
        seq += 1
        digest = record_hash(
            last,
            seq,
            staged["at"],
            staged["agent_id"],
            staged["action"],
            staged["object_type"],
            staged["object_id"],
        )
        rows.append({**staged, "seq": seq, "prev_hash": last, "hash": digest})
        last = digest
    # Core, not the ORM's bulk insert: this runs on every request, inside the chain's lock.
    session.connection().execute(insert(AUDIT_TABLE), rows)
    session.execute(
        update(AuditHead)
        .where(col(AuditHead.id) == HEAD_ID)
        .values(last_seq=seq, last_hash=last)
        .execution_options(synchronize_session=False)
    )
    pending.clear()


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: ``broken`` names the first bad record, else None."""

    records: int
    broken: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _chain(engine: Engine) -> Iterator[AuditRecord]:
    after = 0
    while True:
        with Session(engine) as session:
            batch = list(
                session.execute(
                    select(AuditRecord)
                    .where(col(AuditRecord.seq) > after)
                    .order_by(col(AuditRecord.seq))
                    .limit(_BATCH)
                ).scalars()
            )
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def verify(engine: Engine) -> Verdict:
    """Check the whole chain, in ``seq`` order, then that it ends where its head says."""
    expected_seq, last = 1, GENESIS
    count = 0
    for row in _chain(engine):
        where = f"record seq {row.seq} (id {row.id})"
        if row.seq != expected_seq:
            return Verdict(count, f"{where}: expected seq {expected_seq}, a record is missing")
        if row.prev_hash != last:
            return Verdict(count, f"{where}: prev_hash is not the previous record's hash")
        digest = record_hash(
            row.prev_hash, row.seq, row.at, row.agent_id, row.action, row.object_type, row.object_id
        )
        if digest != row.hash:
            return Verdict(count, f"{where}: its hash does not match its fields")
        count += 1
        expected_seq, last = row.seq + 1, row.hash
    with Session(engine) as session:
        head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return Verdict(count, "the chain's head row is missing")
    if head.last_seq != count or head.last_hash != last:
        return Verdict(
            count,
            f"the chain ends at seq {count} but its head says seq {head.last_seq}: "
            "records were removed from its end",
        )
    return Verdict(count)
