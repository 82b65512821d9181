"""``tracer server …``: run and administer the central server."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from tracer_tui.cli import CliState, fail
from tracer_tui.core.types import Language, Role

DB_HELP = "Database URL (default: [central] db_url, else a SQLite file in the user data dir)."


@click.group()
def server() -> None:
    """Run and administer the central server."""


@server.command()
@click.option("--db", help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (PostgreSQL; about one per core).",
)
@click.pass_obj
def run(state: CliState, db: str | None, host: str, port: int, workers: int) -> None:
    """Run the central server (uvicorn). Put it behind a TLS terminator in production."""
    from tracer_tui.config import ConfigError
    from tracer_tui.server.runner import run as run_server

    settings = state.settings()
    central = settings.central.model_copy(update={"db_url": db}) if db else settings.central
    from tracer_tui.server.db import SchemaError

    if workers > 1 and central.resolved_db_url().startswith("sqlite"):
        fail("--workers: several workers need PostgreSQL ([central] db_url or --db)")
    try:
        run_server(central, settings.rules, host=host, port=port, workers=workers)
    except (ConfigError, SchemaError) as exc:  # a bad trusted root or pledge; a newer schema
        fail(str(exc))


@server.command("init-db")
@click.option("--db", help=DB_HELP)
@click.pass_obj
def init_db(state: CliState, db: str | None) -> None:
    """Create the schema of an empty database, or migrate an older one to the newest
    (harmless on an up-to-date one)."""
    from tracer_tui.server.db import init_db as create
    from tracer_tui.server.db import make_engine
    from tracer_tui.server.migrate import head_revision

    settings = state.settings()
    url = db or settings.central.resolved_db_url()
    try:
        engine = make_engine(url)
        create(engine)
        engine.dispose()
    except Exception as exc:  # a bad URL or an unreachable database: one line, no traceback
        fail(f"cannot initialise the database: {type(exc).__name__}: {exc}".splitlines()[0])
    click.echo(f"database ready at schema revision {head_revision()}: {_safe_url(url)}")


@server.group()
def audit() -> None:
    """The audit trail."""


@audit.command()
@click.option("--db", help=DB_HELP)
@click.pass_obj
def verify(state: CliState, db: str | None) -> None:
    """Check the audit chain: exit 0 if intact, 1 naming the first broken record."""
    from tracer_tui.server.audit import verify as check
    from tracer_tui.server.db import make_engine

    settings = state.settings()
    url = db or settings.central.resolved_db_url()
    try:
        engine = make_engine(url)
        verdict = check(engine)
        engine.dispose()
    except Exception as exc:  # a bad URL, an unreachable or empty database
        fail(f"cannot read the audit trail: {type(exc).__name__}: {exc}".splitlines()[0])
    if not verdict.intact:
        click.echo(f"audit chain broken after {verdict.records} records: {verdict.broken}")
        sys.exit(1)
    click.echo(f"audit chain intact: {verdict.records} records")


@server.command()
@click.option("--db", help=DB_HELP)
@click.option(
    "--fake",
    "count",
    type=click.IntRange(1, 1_000_000),
    required=True,
    help="Number of fake cases to add.",
)
@click.option("--seed", type=click.IntRange(0), default=1, show_default=True)
@click.option("--team", default="default", show_default=True, help="Team pool of the cases.")
@click.pass_obj
def seed(state: CliState, db: str | None, count: int, seed: int, team: str) -> None:
    """Add fake cases (for tests, demos and training rooms: never on a real database)."""
    from tracer_tui.practice.fake import FakeWorld
    from tracer_tui.server.db import init_db as create
    from tracer_tui.server.db import make_engine
    from tracer_tui.server.seed import seed_cases

    settings = state.settings()
    engine = make_engine(db or settings.central.resolved_db_url())
    create(engine)
    added = seed_cases(engine, FakeWorld(seed, datetime.now(UTC)).cases(count), team=team)
    click.echo(f"added {added} fake cases to team {team!r}")


@server.command("add-agent")
@click.option("--db", help=DB_HELP)
@click.option("--national-number", required=True, help="The agent's national register number.")
@click.option("--name", "display_name", required=True, help="Name shown to colleagues.")
@click.option("--team", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=["agent"],
    show_default=True,
    type=click.Choice([r.value for r in Role]),
)
@click.option(
    "--language",
    default="fr",
    show_default=True,
    type=click.Choice([lang.value for lang in Language]),
)
@click.pass_obj
def add_agent(
    state: CliState,
    db: str | None,
    national_number: str,
    display_name: str,
    team: str,
    roles: tuple[str, ...],
    language: str,
) -> None:
    """Register a staff member, identified by the national number on their eID card."""
    from tracer_tui.core.identifiers import IdentifierError, normalise_national_number
    from tracer_tui.server.db import init_db as create
    from tracer_tui.server.db import make_engine
    from tracer_tui.server.seed import add_agent as add

    try:
        number = normalise_national_number(national_number)
    except IdentifierError:
        fail(f"--national-number: not a valid national register number: {national_number!r}")
    settings = state.settings()
    engine = make_engine(db or settings.central.resolved_db_url())
    create(engine)
    agent_id = add(
        engine,
        national_number=number,
        display_name=display_name,
        team=team,
        roles=[Role(r) for r in roles],
        language=Language(language),
    )
    click.echo(f"agent {agent_id} registered in team {team!r}")


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
