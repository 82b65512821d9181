"""Alembic's entry point for the server's migrations.

Only the programmatic way is supported: :mod:`tracer_tui.server.migrate` hands over an open
connection (in ``config.attributes["connection"]``), already in the transaction that holds the
migration lock, so that every migration of a run commits or rolls back together.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from tracer_tui.server.tables import ServerTable

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run the migrations with tracer_tui.server.migrate (tracer server init-db)")

context.configure(
    connection=connection,
    target_metadata=ServerTable.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
