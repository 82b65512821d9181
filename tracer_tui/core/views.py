"""What a screen draws: the visible items of a screen in the interview language, with their
answers and messages. Built by :meth:`tracer_tui.core.engine.Interview.screen`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tracer_tui.core.computed import Computed
from tracer_tui.core.questionnaire import Item

Errors = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ItemView:
    """One visible item of a screen, ready to show in the interview language."""

    key: str
    item: Item
    text: str
    hint: str | None
    value: object  # as entered
    errors: tuple[str, ...]
    choices: tuple[tuple[str, str], ...]  # (value, label)
    entries: tuple[EntryView, ...] = ()  # groups only

    @property
    def required(self) -> bool:
        return self.item.required


@dataclass(frozen=True)
class EntryView:
    """One entry of a group (one contact): its visible items and computed values."""

    group: str
    index: int
    items: tuple[ItemView, ...]
    computed: Mapping[str, Computed]

    @property
    def has_errors(self) -> bool:
        return any(view.errors for view in self.items)

    def value(self, item_id: str) -> object:
        return next((view.value for view in self.items if view.item.id == item_id), None)


@dataclass(frozen=True)
class ScreenView:
    """The current screen: title, place in the interview, visible items, messages."""

    id: str
    title: str
    number: int  # 1-based, among the visible screens
    count: int
    items: tuple[ItemView, ...]
    errors: Errors  # every message of the screen, by key (group counts under the group id)
    has_back: bool
    has_next: bool

    @property
    def is_valid(self) -> bool:
        return not self.errors
