"""The interview drafts of the local store, as the screens use them (blocking calls: run
them in thread workers). Without a store (none configured), drafts live only in memory."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracer_tui.client.store import Draft, LocalStore

log = logging.getLogger(__name__)


class Drafts:
    """Opens the store once, on first use, off the UI thread."""

    def __init__(self, services: Any) -> None:
        self._services = services
        self._store: LocalStore | None = None
        self._opened = False
        self._lock = threading.Lock()
        self._memory: dict[int, Draft] = {}

    def _get(self) -> LocalStore | None:
        with self._lock:
            if not self._opened:
                factory = getattr(self._services, "store", None)
                self._store = factory() if factory is not None else None
                self._opened = True
            return self._store

    def load(self, task_id: int) -> Draft | None:
        store = self._get()
        return store.load_draft(task_id) if store else self._memory.get(task_id)

    def save(self, draft: Draft) -> None:
        store = self._get()
        if store:
            store.save_draft(draft)
        else:
            self._memory[draft.task_id] = draft

    def discard(self, task_id: int) -> None:
        store = self._get()
        if store:
            store.discard_draft(task_id)
        self._memory.pop(task_id, None)


def drafts_of(app: Any) -> Drafts:
    """The app's drafts, made on first use from its services."""
    drafts = getattr(app, "_tracer_drafts", None)
    if drafts is None:
        drafts = Drafts(app.services)
        app._tracer_drafts = drafts
    assert isinstance(drafts, Drafts)
    return drafts
