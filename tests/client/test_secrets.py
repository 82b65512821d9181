"""Secrets in the keyring: an in-memory backend for the tests, refusals on a headless
machine (keyring's fail backend) and of plain-text backends, and practice mode in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from tracer_tui.client.secrets import (
    SERVICE,
    STORE_KEY,
    KeyringSecrets,
    MemorySecrets,
    SecretStoreError,
)
from tracer_tui.config import Settings
from tracer_tui.errors import UserError
from tracer_tui.launch import PracticeWorld, practice_services


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps everything in a dict (tests only: never chosen by
    keyring itself, its priority says it is not viable)."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("tests only")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not there")
        del self.entries[(service, username)]


def use_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    for _ in use_keyring(backend):
        yield backend


@pytest.fixture
def headless() -> Iterator[KeyringBackend]:
    """What a server without a desktop session has: keyring's fail backend."""
    yield from use_keyring(fail.Keyring())  # type: ignore[no-untyped-call]


def test_secrets_go_to_the_keyring_under_the_tracer_service(
    memory_keyring: MemoryKeyring,
) -> None:
    secrets = KeyringSecrets()
    assert secrets.get(STORE_KEY) is None
    secrets.set(STORE_KEY, "c2VjcmV0")
    assert memory_keyring.entries == {(SERVICE, STORE_KEY): "c2VjcmV0"}
    assert secrets.get(STORE_KEY) == "c2VjcmV0"
    secrets.delete(STORE_KEY)
    secrets.delete(STORE_KEY)  # already gone: nothing happens
    assert secrets.get(STORE_KEY) is None


def test_a_headless_machine_is_told_how_to_configure_a_keyring(headless: object) -> None:
    secrets = KeyringSecrets()
    actions: list[Callable[[], object]] = [
        lambda: secrets.set(STORE_KEY, "x"),
        lambda: secrets.get(STORE_KEY),
        lambda: secrets.delete(STORE_KEY),
    ]
    for action in actions:
        with pytest.raises(SecretStoreError) as refused:
            action()
        message = str(refused.value)
        assert "no keyring backend is available" in message
        assert "PYTHON_KEYRING_BACKEND" in message
        assert "Secret Service" in message
        assert isinstance(refused.value, UserError)  # one line from the CLI, no traceback


def test_a_plain_text_backend_is_refused() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    backend = PlaintextKeyring()
    for _ in use_keyring(backend):
        with pytest.raises(SecretStoreError) as refused:
            KeyringSecrets().set(STORE_KEY, "x")
        assert "plain text" in str(refused.value)
    assert backend.entries == {}


def test_an_empty_chain_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    for _ in use_keyring(chainer.ChainerBackend()):  # type: ignore[no-untyped-call]
        with pytest.raises(SecretStoreError):
            KeyringSecrets().get(STORE_KEY)


def test_a_keyring_that_fails_is_reported(memory_keyring: MemoryKeyring) -> None:
    def broken(*args: object) -> None:
        raise keyring.errors.KeyringLocked("the keyring is locked")

    memory_keyring.set_password = broken  # type: ignore[method-assign,assignment]
    with pytest.raises(SecretStoreError) as refused:
        KeyringSecrets().set(STORE_KEY, "x")
    assert "the keyring is locked" in str(refused.value)


def test_memory_secrets() -> None:
    secrets = MemorySecrets()
    secrets.set("a", "1")
    assert secrets.get("a") == "1"
    secrets.delete("a")
    secrets.delete("a")
    assert secrets.get("a") is None


def test_practice_mode_never_touches_the_keyring(memory_keyring: MemoryKeyring) -> None:
    world = PracticeWorld(Settings(), seed=2, cases=1)
    services = practice_services(world)
    services.secrets.set(STORE_KEY, "practice")
    assert services.secrets.get(STORE_KEY) == "practice"
    assert isinstance(services.secrets, MemorySecrets)
    assert memory_keyring.calls == 0
    assert memory_keyring.entries == {}
