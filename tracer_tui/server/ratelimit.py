"""Login rate limits, kept in the database so that every server worker counts together.

A fixed window per key: the first attempt opens a window of ``[central] login_window``
seconds, and the attempts in it are counted by one atomic upsert (``INSERT … ON CONFLICT DO
UPDATE … RETURNING``, on SQLite and PostgreSQL alike). Past the limit the API answers 429
``rate_limited`` with ``Retry-After`` (the seconds until the window closes).

Keys: the client's address for challenges and for logins (``challenge:``/``login:`` +
address), and the card, by the SHA-256 of the certificate sent (``card:`` + hex). Behind a
TLS terminator the address is the one it forwards (uvicorn's ``--forwarded-allow-ips``).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import Engine, case, delete, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from tracer_tui.server.db import write_session
from tracer_tui.server.errors import ApiError
from tracer_tui.server.tables import RateLimit, UTCDateTime

CODE = "rate_limited"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def card_key(certificate: bytes) -> str:
    return "card:" + hashlib.sha256(certificate).hexdigest()


def _count(session: Session, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Count one attempt for ``key``; the count in its window and when the window opened."""
    stale = col(RateLimit.window_start) <= literal(now - window, UTCDateTime)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = insert(RateLimit).values(key=key, window_start=now, count=1)
    statement = first.on_conflict_do_update(
        index_elements=[col(RateLimit.key)],
        set_={
            "count": case((stale, 1), else_=col(RateLimit.count) + 1),
            "window_start": case(
                (stale, literal(now, UTCDateTime)), else_=col(RateLimit.window_start)
            ),
        },
    ).returning(col(RateLimit.count), col(RateLimit.window_start))
    count, opened = session.execute(statement).one()
    return int(count), opened


def check(engine: Engine, now: datetime, window: timedelta, limits: dict[str, int]) -> None:
    """Count an attempt under each key (key: attempts allowed per window), in one
    transaction; raise 429 ``rate_limited`` if one key is over its limit. Windows closed
    for long are cleared on the way."""
    wait = 0.0
    with write_session(engine) as session:
        session.execute(
            delete(RateLimit).where(
                col(RateLimit.window_start) <= literal(now - 2 * window, UTCDateTime)
            )
        )
        for key, attempts in limits.items():
            count, opened = _count(session, key, now, window)
            if count > attempts:
                wait = max(wait, (opened + window - now).total_seconds())
        session.commit()
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            CODE,
            f"too many login attempts: try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
