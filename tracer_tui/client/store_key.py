"""The key that encrypts personal data in the local store (AES-256-GCM).

The key lives in the operating system's keyring, through :mod:`tracer_tui.client.secrets`
(entry ``tracer``/``local-store-key``), never in a file. A headless workstation has no
keyring backend out of the box: :meth:`StoreKey.from_secrets` then raises ``SecretStoreError``
with a message that says how to configure one. Practice mode and tests use
:meth:`StoreKey.ephemeral`, a key that exists only in memory and never touches a keyring.

Every sealed value is bound to where it belongs (``aad``, e.g. ``b"draft:42"``): a value
copied onto another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tracer_tui.errors import UserError

if TYPE_CHECKING:
    from tracer_tui.client.secrets import SecretStore

KEY_BYTES = 32
NONCE_BYTES = 12


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
    def from_secrets(cls, secrets: SecretStore, *, create: bool = True) -> StoreKey:
        """The key kept under ``secrets.STORE_KEY`` (base64); made and kept there the first
        time when ``create``. The agent app passes the system keyring
        (:class:`~tracer_tui.client.secrets.KeyringSecrets`), which raises
        ``SecretStoreError`` (saying how to configure a keyring) on a headless machine."""
        from tracer_tui.client.secrets import STORE_KEY

        stored = secrets.get(STORE_KEY)
        if stored is not None:
            try:
                return cls(base64.b64decode(stored, validate=True))
            except (binascii.Error, ValueError) as exc:
                raise StoreKeyError(
                    "the keyring's local-store-key entry is not a store key"
                ) from exc
        if not create:
            raise StoreKeyError("no local store key in the keyring")
        key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        secrets.set(STORE_KEY, base64.b64encode(key).decode("ascii"))
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
