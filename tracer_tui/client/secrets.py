"""Secrets that must survive a restart, in the system keyring (``keyring``), never in a file.

The login keeps nothing here: the card and its PIN are asked at every start. What will be
stored is named below (the key of the local store, for example). The services of each
mode choose the store: :class:`KeyringSecrets` for the agent app, :class:`MemorySecrets` for
practice mode, which must never touch a real keyring entry.

On a headless machine the only keyring backend is keyring's ``fail`` backend: then, and for
a backend that writes in plain text (``keyrings.alt``'s ``PlaintextKeyring``), every
operation raises :class:`SecretStoreError` saying how to configure a real one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from tracer_tui.errors import UserError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "tracer"
"""The keyring service name of every tracer secret."""

STORE_KEY = "local-store-key"
"""Name of the encryption key of the local store (used from the local store's release)."""

HOW_TO = (
    "run tracer in a desktop session with a Secret Service (GNOME Keyring or KWallet), "
    "or choose an encrypting backend with PYTHON_KEYRING_BACKEND or keyringrc.cfg "
    "(`python -m keyring --list-backends` lists the installed ones)"
)


class SecretStoreError(UserError):
    """There is no safe keyring to keep tracer's secrets on this machine."""


class SecretStore(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


def _plain_text(backend: KeyringBackend) -> bool:
    kind = type(backend)
    return kind.__module__.startswith("keyrings.alt") and "plaintext" in kind.__name__.lower()


def _usable(backend: KeyringBackend) -> str | None:
    """Why ``backend`` cannot keep secrets safely; None if it can."""
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return "no keyring backend is available on this machine"
    if isinstance(backend, chainer.ChainerBackend):
        inner = list(backend.backends)
        if not inner:
            return "no keyring backend is available on this machine"
        backend = inner[0]  # where the chainer writes
    if _plain_text(backend):
        return f"the keyring backend {type(backend).__name__} writes secrets in plain text"
    return None


class KeyringSecrets:
    """Named secrets of the service ``tracer`` in the system keyring."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def _backend(self) -> KeyringBackend:
        import keyring

        backend = keyring.get_keyring()
        problem = _usable(backend)
        if problem is not None:
            raise SecretStoreError(f"cannot keep secrets: {problem}; {HOW_TO}")
        return backend

    def _failed(self, action: str, exc: Exception) -> SecretStoreError:
        return SecretStoreError(f"cannot {action} a secret in the keyring ({exc}); {HOW_TO}")

    def get(self, name: str) -> str | None:
        from keyring.errors import KeyringError

        backend = self._backend()
        try:
            return backend.get_password(self.service, name)
        except KeyringError as exc:
            raise self._failed("read", exc) from exc

    def set(self, name: str, value: str) -> None:
        from keyring.errors import KeyringError

        backend = self._backend()
        try:
            backend.set_password(self.service, name, value)
        except KeyringError as exc:
            raise self._failed("store", exc) from exc

    def delete(self, name: str) -> None:
        """Forget ``name``; nothing happens if it was not there."""
        from keyring.errors import KeyringError, PasswordDeleteError

        backend = self._backend()
        try:
            backend.delete_password(self.service, name)
        except PasswordDeleteError:
            return
        except KeyringError as exc:
            raise self._failed("delete", exc) from exc


class MemorySecrets:
    """Secrets that live as long as the process: practice mode and tests."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        self._values[name] = value

    def delete(self, name: str) -> None:
        self._values.pop(name, None)
