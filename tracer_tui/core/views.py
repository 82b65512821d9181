"""What a screen draws: the visible items of a screen in the interview language, with their
answers and messages. Built by :meth:`tracer_tui.core.engine.Interview.screen`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tracer_tui.core.computed import Computed
from tracer_tui.core.evaluation import Entry, Evaluation, Plan, entry_key
from tracer_tui.core.questionnaire import Item, LocalText
from tracer_tui.core.render import render
from tracer_tui.core.types import Language

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


class ViewBuilder:
    """Builds the views of one interview state; texts are rendered once per item (and per
    entry's computed values), entry views are kept on the entries for the next state."""

    def __init__(
        self,
        plan: Plan,
        evaluation: Evaluation,
        answers: Mapping[str, object],
        language: Language,
        values: Mapping[str, object],
    ) -> None:
        self.plan = plan
        self.evaluation = evaluation
        self.answers = answers
        self.language = language
        self.values = values  # placeholder values: rules, thresholds, today, computed
        self.texts: dict[tuple[str, object], tuple[str, str | None]] = {}

    def render(self, text: LocalText, extra: Mapping[str, Computed] | None = None) -> str:
        content = text.get(self.language)
        if "{" not in content:
            return content
        values: Mapping[str, object] = self.values
        if extra:
            values = {**values, **extra}
        return render(content, values, self.language)

    def screen(self, screen_id: str) -> ScreenView:
        """A visible screen, ready to draw."""
        errors = self.evaluation.errors(screen_id)
        views = []
        for item_id in self.evaluation.visible[screen_id]:
            item = self.plan.items[item_id]
            entries: tuple[EntryView, ...] = ()
            if item.is_group:
                entries = tuple(
                    self._entry_view(item, index, entry)
                    for index, entry in enumerate(self.evaluation.entries.get(item_id, []))
                )
            raw = self.answers.get(item_id)
            messages = errors.get(item_id, ())
            views.append(self._view(item, item_id, raw, messages, entries=entries))
        number = self.evaluation.screens.index(screen_id)
        return ScreenView(
            id=screen_id,
            title=self.render(self.plan.questionnaire.screen(screen_id).title),
            number=number + 1,
            count=len(self.evaluation.screens),
            items=tuple(views),
            errors=errors,
            has_back=number > 0,
            has_next=number < len(self.evaluation.screens) - 1,
        )

    def _view(
        self,
        item: Item,
        key: str,
        raw: object,
        messages: tuple[str, ...],
        computed: Mapping[str, Computed] | None = None,
        computed_key: object = (),
        entries: tuple[EntryView, ...] = (),
    ) -> ItemView:
        memo_key = (item.id, computed_key)
        texts = self.texts.get(memo_key)
        if texts is None:
            hint = self.render(item.hint, computed) if item.hint is not None else None
            texts = self.texts[memo_key] = (self.render(item.text, computed), hint)
        return ItemView(
            key=key,
            item=item,
            text=texts[0],
            hint=texts[1],
            value=raw,
            errors=messages,
            choices=self.plan.choice_labels(item, self.language),
            entries=entries,
        )

    def _entry_view(self, group: Item, index: int, entry: Entry) -> EntryView:
        """The view of one entry; kept on the entry while it does not change."""
        if entry.view is not None and entry.view[0] == index:
            kept = entry.view[1]
            if isinstance(kept, EntryView):
                return kept
        children = self.plan.children[group.id]
        messages = self.evaluation.entry_errors(group, entry)
        computed_key = tuple(entry.computed.items())
        views = tuple(
            self._view(
                children[child_id],
                entry_key(group.id, index, child_id),
                entry.raw.get(child_id),
                messages.get(child_id, ()),
                entry.computed,
                computed_key,
            )
            for child_id in entry.visible
        )
        view = EntryView(group.id, index, views, dict(entry.computed))
        entry.view = (index, view)
        return view
