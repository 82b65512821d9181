"""What ``Services.store`` holds, light to import: the store module (SQLAlchemy) loads only
when the store is first opened, in a worker after the first paint."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer_tui.client.store import LocalStore


class StoreOpener:
    """Opens the store at the first call (it blocks: call it from a worker) and gives the
    same store after; :meth:`close` at shutdown. Safe from any thread."""

    def __init__(self, opener: Callable[[], LocalStore]) -> None:
        self._opener = opener
        self._store: LocalStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> LocalStore:
        with self._lock:
            if self._store is None:
                self._store = self._opener()
            return self._store

    @property
    def opened(self) -> LocalStore | None:
        """The store if it was opened, without opening it."""
        return self._store

    def close(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()
