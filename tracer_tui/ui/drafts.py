"""The interview drafts of the local store, as the screens use them (blocking calls: run
them in thread workers). Without a store (none configured), drafts live only in memory."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from tracer_tui.client.store import Draft, LocalStore
    from tracer_tui.core.engine import Interview

log = logging.getLogger(__name__)


def make_draft(
    interview: Interview, *, task_id: int, submission_id: UUID, started_at: datetime
) -> Draft:
    """The draft of an interview as it stands: every answer as entered, and the screen."""
    from tracer_tui.client.store import Draft

    questionnaire = interview.questionnaire
    return Draft(
        task_id=task_id,
        submission_id=submission_id,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        language=interview.language,
        answers=interview.answers,
        screen_id=interview.screen_id,
        started_at=started_at,
        updated_at=datetime.now(UTC),
    )


class Drafts:
    """Opens the store once, on first use, off the UI thread."""

    def __init__(self, services: Any) -> None:
        self._services = services
        self._store: LocalStore | None = None
        self._opened = False
        self._lock = threading.Lock()
        self._memory: dict[int, Draft] = {}
        self._versions = 0
        self._saved: dict[int, int] = {}
        self._order = threading.Lock()

    def next_version(self) -> int:
        """A number for a draft about to be saved: later states get larger numbers."""
        with self._order:
            self._versions += 1
            return self._versions

    def save_if_newest(self, draft: Draft, version: int) -> None:
        """Save unless a later state of the same task was saved already (threads may run
        out of order)."""
        with self._order:
            if version <= self._saved.get(draft.task_id, 0):
                return
            self.save(draft)
            self._saved[draft.task_id] = version

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
