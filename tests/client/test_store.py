"""The local store: drafts, durability across reopening, keys, threads, schema."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, inspect

from tests.client.test_secrets import use_keyring
from tracer_tui.client.store import Draft, LocalStore, StoreError
from tracer_tui.client.store_key import StoreKey, StoreKeyError
from tracer_tui.client.store_schema import SCHEMA_VERSION, StoreTable
from tracer_tui.core.types import Language

keyring_backend = contextmanager(use_keyring)
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def draft(task_id: int = 7, **changes: object) -> Draft:
    values: dict[str, object] = {
        "task_id": task_id,
        "submission_id": uuid4(),
        "questionnaire_id": "index-first-call",
        "questionnaire_version": 1,
        "language": Language.NL,
        "answers": {"symptoms": "yes", "contacts": [{"name": "Jan Peeters", "phone": "0470"}]},
        "screen_id": "contacts",
        "started_at": T0,
        "updated_at": T0 + timedelta(minutes=3),
    }
    values.update(changes)
    return Draft.model_validate(values)


@pytest.fixture
def key() -> StoreKey:
    return StoreKey.ephemeral()


@pytest.fixture
def store(tmp_path: Path, key: StoreKey) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "store.sqlite3", key=key) as opened:
        yield opened


def test_a_saved_draft_comes_back_after_reopening(tmp_path: Path, key: StoreKey) -> None:
    path = tmp_path / "store.sqlite3"
    saved = draft()
    with LocalStore.open(path, key=key) as store:
        store.save_draft(saved)
    with LocalStore.open(path, key=key) as store:
        assert store.load_draft(7) == saved
        assert store.load_draft(8) is None


def test_saving_again_replaces_the_draft(store: LocalStore) -> None:
    first = draft()
    store.save_draft(first)
    later = first.model_copy(update={"answers": {"symptoms": "no"}, "screen_id": "end"})
    store.save_draft(later)
    assert store.load_draft(7) == later
    assert store.draft_task_ids() == [7]


def test_discard(store: LocalStore) -> None:
    store.save_draft(draft(1))
    store.save_draft(draft(2))
    store.discard_draft(1)
    store.discard_draft(99)
    assert store.load_draft(1) is None
    assert store.draft_task_ids() == [2]


def test_answers_are_not_in_the_file_in_clear(tmp_path: Path, key: StoreKey) -> None:
    path = tmp_path / "store.sqlite3"
    with LocalStore.open(path, key=key) as store:
        store.save_draft(draft())
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Jan Peeters" not in raw
    assert b"Jan Peeters" not in path.read_bytes()
    assert (path.stat().st_mode & 0o777) == 0o600


def test_a_draft_does_not_show_its_answers_in_a_repr() -> None:
    assert "Jan" not in repr(draft())


def test_another_key_is_refused(tmp_path: Path, key: StoreKey) -> None:
    path = tmp_path / "store.sqlite3"
    with LocalStore.open(path, key=key) as store:
        store.save_draft(draft())
    with pytest.raises(StoreKeyError, match="another key"):
        LocalStore.open(path, key=StoreKey.ephemeral())


def test_a_sealed_value_moved_to_another_row_does_not_open(tmp_path: Path, key: StoreKey) -> None:
    path = tmp_path / "store.sqlite3"
    with LocalStore.open(path, key=key) as store:
        store.save_draft(draft(1))
        store.save_draft(draft(2, answers={"other": "value"}))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE draft SET payload = (SELECT payload FROM draft WHERE task_id = 1)")
    with LocalStore.open(path, key=key) as store, pytest.raises(StoreKeyError):
        store.load_draft(2)


def test_threads_share_the_store(store: LocalStore) -> None:
    errors: list[BaseException] = []

    def work(task_id: int) -> None:
        try:
            for n in range(30):
                store.save_draft(draft(task_id, answers={"n": n}))
                loaded = store.load_draft(task_id)
                assert loaded is not None
                assert loaded.answers == {"n": n}
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(task_id,)) for task_id in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(store.draft_task_ids()) == list(range(8))


def test_the_file_is_in_wal_mode(store: LocalStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_build_the_schema_of_the_tables(tmp_path: Path, key: StoreKey) -> None:
    path = tmp_path / "store.sqlite3"
    LocalStore.open(path, key=key).close()
    migrated = inspect(create_engine(f"sqlite:///{path}"))
    reference_engine = create_engine("sqlite://")
    StoreTable.metadata.create_all(reference_engine)
    reference = inspect(reference_engine)
    assert set(migrated.get_table_names()) == set(reference.get_table_names())
    for table in reference.get_table_names():
        want = {(c["name"], str(c["type"]), c["nullable"]) for c in reference.get_columns(table)}
        got = {(c["name"], str(c["type"]), c["nullable"]) for c in migrated.get_columns(table)}
        assert got == want, table
    with sqlite3.connect(path) as db:
        versions = [row[0] for row in db.execute("SELECT version FROM store_schema")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_a_store_from_a_newer_tracer_is_refused(tmp_path: Path, key: StoreKey) -> None:
    path = tmp_path / "store.sqlite3"
    LocalStore.open(path, key=key).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO store_schema VALUES (?, '2030-01-01T00:00:00.000000Z')", (99,))
    with pytest.raises(StoreError, match="update tracer"):
        LocalStore.open(path, key=key)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    path.write_bytes(b"not a database at all, " * 100)
    with pytest.raises(StoreError):
        LocalStore.open(path)


def test_practice_opens_its_own_store_in_its_temporary_directory(tmp_path: Path) -> None:
    from tracer_tui.config import Settings
    from tracer_tui.launch import PracticeWorld

    agent_path = tmp_path / "agent.sqlite3"
    world = PracticeWorld(Settings.model_validate({"store": {"path": str(agent_path)}}))
    store = world.open_store()
    assert world.open_store() is store
    assert world.directory is not None
    assert store.path.parent == world.directory
    store.save_draft(draft())
    world.stop()
    assert not store.path.exists()
    assert not agent_path.exists()


def test_the_agent_key_is_kept_in_the_keyring_and_used_again(tmp_path: Path) -> None:
    from tests.client.test_secrets import MemoryKeyring
    from tracer_tui.client.secrets import SERVICE, STORE_KEY, KeyringSecrets

    backend = MemoryKeyring()
    with keyring_backend(backend):
        first = StoreKey.from_secrets(KeyringSecrets())
        kept = backend.get_password(SERVICE, STORE_KEY)
        assert kept is not None
        path = tmp_path / "store.sqlite3"
        with LocalStore.open(path, key=first) as store:
            store.save_draft(draft())
        again = StoreKey.from_secrets(KeyringSecrets())
        with LocalStore.open(path, key=again) as store:
            assert store.load_draft(7) is not None
    raw = b"".join(file.read_bytes() for file in tmp_path.iterdir())
    assert kept.encode() not in raw  # never written in the clear


def test_a_headless_machine_is_told_how_to_keep_the_key() -> None:
    from keyring.backends import fail

    from tracer_tui.client.secrets import KeyringSecrets, SecretStoreError

    with (
        keyring_backend(fail.Keyring()),  # type: ignore[no-untyped-call]
        pytest.raises(SecretStoreError, match="PYTHON_KEYRING_BACKEND"),
    ):
        StoreKey.from_secrets(KeyringSecrets())


def test_the_agent_boot_opens_its_store_with_the_keyring_key(tmp_path: Path) -> None:
    from tests.client.test_secrets import MemoryKeyring
    from tracer_tui.config import Settings
    from tracer_tui.launch import agent_services

    path = tmp_path / "agent" / "store.sqlite3"
    with keyring_backend(MemoryKeyring()):
        services = agent_services(Settings.model_validate({"store": {"path": str(path)}}))
        assert services.store is not None
        store = services.store()
        assert services.store() is store
        assert store.path == path
        services.shutdown()
