"""``tracer server run --workers N``: the schema migrated once, then N processes that build
their app from the configuration they are handed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import text

from tracer_tui.cli import main_group
from tracer_tui.config import CentralConfig
from tracer_tui.core.rules import Rules
from tracer_tui.server import runner
from tracer_tui.server.db import make_engine
from tracer_tui.server.migrate import head_revision
from tracer_tui.server.state import STATE_KEY, ServerState


def test_workers_get_a_factory_and_the_configuration(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: object, **options: Any) -> None:
        served.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv(runner.ENVIRONMENT, "")  # restored after the test
    central = CentralConfig(db_url=empty_db_url, token_ttl=600)
    runner.run(central, Rules(quarantine_days=12), host="127.0.0.1", port=8080, workers=3)
    assert served["app"] == "tracer_tui.server.runner:app_from_environment"
    assert served["factory"] is True
    assert served["workers"] == 3
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:  # migrated once, before the workers start
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert found == head_revision()
    handed = json.loads(os.environ[runner.ENVIRONMENT])
    assert handed["central"]["db_url"] == empty_db_url
    app = runner.app_from_environment()
    state = getattr(app.state, STATE_KEY)
    assert isinstance(state, ServerState)
    assert state.central.token_ttl == 600
    assert state.rules.quarantine_days == 12
    assert state.allow_dev_login is False
    state.engine.dispose()


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main_group,
        ["server", "run", "--db", f"sqlite:///{tmp_path / 'c.sqlite3'}", "--workers", "2"],
    )
    assert result.exit_code == 2
    assert "several workers need PostgreSQL" in result.output
