"""The throwaway PostgreSQL cluster of the tests: without its binaries the PostgreSQL variants
fail (never skip), saying what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import emptied
from tests.server.postgres import MISSING, PostgresCluster, PostgresUnavailable


def test_missing_binaries_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACER_PG_BIN", str(tmp_path))
    with pytest.raises(PostgresUnavailable) as caught:
        PostgresCluster.start()
    assert str(caught.value) == MISSING
    assert "apt-packages.txt" in MISSING


def test_a_postgresql_variant_fails_without_a_cluster() -> None:
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL binaries"):
        emptied(PostgresUnavailable(MISSING))


def test_the_cluster_listens_on_loopback_only(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        return
    assert "@127.0.0.1:" in db_url
