"""The key that encrypts personal data in the local store (AES-256-GCM).

The key lives in the operating system's keyring (``keyring``), never in a file. A headless
workstation has no keyring backend out of the box: :meth:`StoreKey.from_keyring` then raises
:class:`StoreKeyError` with a message that says how to configure one. Practice mode and tests
use :meth:`StoreKey.ephemeral`, a key that exists only in memory and never touches a keyring.

Every sealed value is bound to where it belongs (``aad``, e.g. ``b"draft:42"``): a value
copied onto another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tracer_tui.errors import UserError

KEYRING_SERVICE = "tracer"
KEYRING_ENTRY = "local-store-key"
KEY_BYTES = 32
NONCE_BYTES = 12

KEYRING_HELP = (
    "no usable keyring backend to keep the local store's key; on a desktop, unlock the "
    "Secret Service (GNOME Keyring, KWallet); on a headless machine install an encrypted "
    "backend (e.g. keyrings.cryptfile) and select it with PYTHON_KEYRING_BACKEND or "
    "keyringrc.cfg (see `python -m keyring diagnose`)"
)


class StoreKeyError(UserError):
    """The store's key is missing, unusable, or not the key the store was made with."""


class StoreKey:
    """A 256-bit AES-GCM key. ``repr`` never shows it."""

    __slots__ = ("_aead", "ephemeral_key")

    def __init__(self, key: bytes, *, ephemeral: bool = False) -> None:
        if len(key) != KEY_BYTES:
            raise StoreKeyError(f"the store key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        self.ephemeral_key = ephemeral

    def __repr__(self) -> str:
        return f"StoreKey(ephemeral={self.ephemeral_key})"

    @classmethod
    def ephemeral(cls) -> StoreKey:
        """A fresh key known only to this process (practice mode, tests)."""
        return cls(AESGCM.generate_key(bit_length=KEY_BYTES * 8), ephemeral=True)

    @classmethod
    def from_keyring(cls, entry: str = KEYRING_ENTRY, *, create: bool = True) -> StoreKey:
        """The key kept in the keyring under ``tracer``/``entry``; made and kept there the
        first time when ``create``. Raises StoreKeyError when no keyring can hold it."""
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(KEYRING_SERVICE, entry)
        except KeyringError as exc:  # includes NoKeyringError
            raise StoreKeyError(KEYRING_HELP) from exc
        except RuntimeError as exc:  # a backend that fails in its own way (D-Bus, …)
            raise StoreKeyError(f"{KEYRING_HELP} ({type(exc).__name__})") from exc
        if stored is not None:
            try:
                return cls(base64.b64decode(stored, validate=True))
            except (binascii.Error, ValueError) as exc:
                raise StoreKeyError(
                    f"the keyring entry {KEYRING_SERVICE}/{entry} is not a store key"
                ) from exc
        if not create:
            raise StoreKeyError(f"no store key in the keyring ({KEYRING_SERVICE}/{entry})")
        _refuse_plaintext_backend(keyring.get_keyring())
        key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        try:
            keyring.set_password(KEYRING_SERVICE, entry, base64.b64encode(key).decode("ascii"))
        except KeyringError as exc:
            raise StoreKeyError(KEYRING_HELP) from exc
        except RuntimeError as exc:
            raise StoreKeyError(f"{KEYRING_HELP} ({type(exc).__name__})") from exc
        return cls(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """``nonce ‖ ciphertext ‖ tag``; a fresh random nonce each time."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def unseal(self, sealed: bytes, aad: bytes) -> bytes:
        """The plaintext, or StoreKeyError if the value was made with another key or for
        another place, or was altered."""
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
        except (InvalidTag, ValueError) as exc:
            raise StoreKeyError("a stored value does not open with the store's key") from exc


def _refuse_plaintext_backend(backend: object) -> None:
    """keyrings.alt's plaintext keyring is base64 on disk: never keep a key there silently."""
    name = type(backend).__name__
    module = type(backend).__module__
    if "keyrings.alt" in module and "Plaintext" in name:
        raise StoreKeyError(
            f"the keyring backend {module}.{name} stores secrets unencrypted; {KEYRING_HELP}"
        )
