"""One pass over a script and its answers: what is visible, the parsed values, the computed
values and the messages. :mod:`tracer_tui.core.engine` wraps it in the interview object.

Conditions only name earlier answers (checked when the script is loaded), so the pass goes in
script order and every condition sees final values. Hidden answers are ignored everywhere:
in conditions, in computed values and in date limits, exactly as the server sees a
submission (which never holds them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from tracer_tui.core.computed import Computed, ComputedValue, RuleContext, compute
from tracer_tui.core.conditions import Comparison, evaluate
from tracer_tui.core.i18n import _, current_language, ngettext
from tracer_tui.core.questionnaire import DateBound, Item, Questionnaire
from tracer_tui.core.validation import constraint_errors
from tracer_tui.core.values import AnswerError, Value, is_empty, parse_answer

KEY = re.compile(r"^([a-z][a-z0-9_-]*)(?:\[(\d+)\]\.([a-z][a-z0-9_-]*))?$")
Answers = Mapping[str, object]


def entry_key(group: str, index: int, item: str) -> str:
    """The key of an answer inside a group entry: ``contacts[2].phone``."""
    return f"{group}[{index}].{item}"


def split_key(key: str) -> tuple[str, int | None, str | None]:
    """``contacts[2].phone`` → ``("contacts", 2, "phone")``; ``x`` → ``("x", None, None)``."""
    match = KEY.match(key)
    if match is None:
        raise KeyError(key)
    group, index, item = match.groups()
    return group, (int(index) if index is not None else None), item


class ItemFacts(NamedTuple):
    """What the pass asks of an item again and again, worked out once."""

    item: Item
    question: bool
    limited: bool  # has a range, length, pattern or date limit
    choices: tuple[str, ...]


def _facts(item: Item) -> ItemFacts:
    return ItemFacts(item, item.is_question, item.has_limits, item.choice_values)


@dataclass(frozen=True)
class Plan:
    """What the pass needs of a script, indexed once per interview."""

    questionnaire: Questionnaire
    items: Mapping[str, Item]  # top-level items by id
    screen_of: Mapping[str, str]  # top-level item id → screen id
    children: Mapping[str, Mapping[str, Item]]  # group id → its items by id
    group_computed: Mapping[str, Mapping[str, ComputedValue]]
    computed: Mapping[str, ComputedValue]
    facts: Mapping[str, ItemFacts]  # every item, groups' items too, by id
    _labels: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def choice_labels(self, item: Item, language: str) -> tuple[tuple[str, str], ...]:
        """(value, label) of an item's choices in one language (memoised)."""
        key = (item.id, language)
        if key not in self._labels:
            self._labels[key] = tuple((c.value, c.label.get(language)) for c in item.choices)
        return self._labels[key]

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> Plan:
        items = {item.id: item for screen in questionnaire.screens for item in screen.items}
        groups = [item for item in items.values() if item.is_group]
        return cls(
            questionnaire=questionnaire,
            items=items,
            screen_of={i.id: s.id for s in questionnaire.screens for i in s.items},
            children={g.id: {child.id: child for child in g.items} for g in groups},
            group_computed={g.id: {value.name: value for value in g.computed} for g in groups},
            computed={value.name: value for value in questionnaire.computed},
            facts={
                each.id: _facts(each) for item in items.values() for each in (item, *item.items)
            },
        )


@dataclass
class Entry:
    """One entry of a group, as evaluated; its messages and view are kept for reuse."""

    raw: Mapping[str, object]
    values: dict[str, Value] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)  # by item id
    visible: list[str] = field(default_factory=list)
    computed: dict[str, Computed] = field(default_factory=dict)
    errors: dict[str, tuple[str, ...]] | None = None  # by item id, once validated
    view: tuple[int, object] | None = None  # (index, EntryView) kept by the engine


@dataclass
class Evaluation:
    """The evaluation of one interview state.

    Top-level items never depend on the entries of a group (checked when the script is
    loaded), so the pass takes the top level first, then the groups. When the previous state
    had the same top-level values (``signature``), an entry whose answers are the very same
    object is taken over as it was, with its messages: editing one contact re-evaluates
    that contact only.
    """

    plan: Plan
    context: RuleContext
    answers: Answers
    previous: Evaluation | None = None
    screens: list[str] = field(default_factory=list)  # visible screen ids, in order
    visible: dict[str, list[str]] = field(default_factory=dict)  # screen → visible items
    values: dict[str, Value] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    computed: dict[str, Computed] = field(default_factory=dict)
    signature: object = None
    _errors: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def run(self) -> Evaluation:
        groups: list[Item] = []
        for screen in self.plan.questionnaire.screens:
            if not evaluate(screen.show_if, self._lookup):
                continue
            self.screens.append(screen.id)
            shown = self.visible[screen.id] = []
            for item in screen.items:
                if not evaluate(item.show_if, self._lookup):
                    continue
                shown.append(item.id)
                if item.is_question:
                    self._parse(self.plan.facts[item.id], self.answers.get(item.id), self)
                elif item.is_group:
                    groups.append(item)
        for name in self.plan.computed:
            self._computed(name)
        self.signature = (
            frozenset(self.values.items()),
            frozenset(self.computed.items()),
            current_language(),
        )
        previous = self.previous
        self.previous = None  # keep no chain of old states alive
        same_top = previous is not None and previous.signature == self.signature
        for group in groups:
            reusable = (
                {id(e.raw): e for e in previous.entries.get(group.id, [])}
                if (previous is not None and same_top)
                else {}
            )
            self.entries[group.id] = []
            for raw in entries_of(self.answers.get(group.id)):
                kept = reusable.get(id(raw))
                entry = kept if kept is not None and kept.raw is raw else self._entry(group, raw)
                self.entries[group.id].append(entry)
        return self

    @staticmethod
    def _parse(facts: ItemFacts, raw: object, into: Evaluation | Entry) -> None:
        if is_empty(raw):
            return
        item = facts.item
        try:
            into.values[item.id] = parse_answer(item.type, raw, facts.choices)
        except AnswerError as exc:
            into.parse_errors[item.id] = str(exc)

    def _computed(self, name: str) -> Computed:
        if name not in self.computed:
            self.computed[name] = compute(self.plan.computed[name], self.context, self.values)
        return self.computed[name]

    def _lookup(self, comparison: Comparison) -> object:
        if comparison.item is not None:
            return self.values.get(comparison.item)
        return self._computed(comparison.subject)

    def _entry(self, group: Item, raw: Mapping[str, object]) -> Entry:
        entry = Entry(raw=raw)
        own = self.plan.group_computed[group.id]
        children = self.plan.children[group.id]

        def entry_computed(name: str) -> Computed:
            if name not in entry.computed:
                entry.computed[name] = compute(own[name], self.context, entry.values)
            return entry.computed[name]

        def lookup(comparison: Comparison) -> object:
            name = comparison.subject
            if comparison.item is not None:
                return entry.values.get(name) if name in children else self.values.get(name)
            return entry_computed(name) if name in own else self._computed(name)

        facts = self.plan.facts
        visible = entry.visible
        for child in group.items:
            if child.show_if is None or evaluate(child.show_if, lookup):
                visible.append(child.id)
                child_facts = facts[child.id]
                if child_facts.question:
                    self._parse(child_facts, raw.get(child.id), entry)
        for name in own:
            entry_computed(name)
        return entry

    def _resolve(self, bound: DateBound, entry: Entry | None) -> date | None:
        origin: object
        if bound.today is not None:
            origin = self.context.today
        elif bound.item is not None:
            if entry is not None and bound.item in entry.values:
                origin = entry.values.get(bound.item)
            else:
                origin = self.values.get(bound.item)
        else:
            name = str(bound.computed)
            origin = entry.computed.get(name) if entry and name in entry.computed else None
            origin = origin if origin is not None else self.computed.get(name)
        if not isinstance(origin, date):
            return None
        return origin + timedelta(days=bound.offset)

    def _item_errors(
        self, item: Item, raw: object, source: Evaluation | Entry, entry: Entry | None
    ) -> tuple[str, ...]:
        if item.id in source.parse_errors:
            return (source.parse_errors[item.id],)
        value = source.values.get(item.id)
        if value is None:
            return (_("This answer is required."),) if item.required else ()
        if not self.plan.facts[item.id].limited:
            return ()
        return tuple(constraint_errors(item, value, lambda bound: self._resolve(bound, entry)))

    def errors(self, screen_id: str) -> dict[str, tuple[str, ...]]:
        """The messages of one visible screen, by answer key (cached)."""
        if screen_id in self._errors:
            return self._errors[screen_id]
        found: dict[str, tuple[str, ...]] = {}
        for item_id in self.visible.get(screen_id, ()):
            item = self.plan.items[item_id]
            if item.is_question:
                messages = self._item_errors(item, self.answers.get(item_id), self, None)
                if messages:
                    found[item_id] = messages
            elif item.is_group:
                found.update(self._group_errors(item))
        self._errors[screen_id] = found
        return found

    def entry_errors(self, group: Item, entry: Entry) -> dict[str, tuple[str, ...]]:
        """The messages of one entry, by item id (kept on the entry)."""
        if entry.errors is None:
            facts = self.plan.facts
            entry.errors = {}
            for child_id in entry.visible:
                child_facts = facts[child_id]
                if child_facts.question:
                    child = child_facts.item
                    messages = self._item_errors(child, entry.raw.get(child_id), entry, entry)
                    if messages:
                        entry.errors[child_id] = messages
        return entry.errors

    def _group_errors(self, group: Item) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        entries = self.entries.get(group.id, [])
        if len(entries) < group.min_entries:
            count = group.min_entries
            message = ngettext(
                "Add at least {count} entry.", "Add at least {count} entries.", count
            )
            found[group.id] = (message.format(count=count),)
        elif group.max_entries is not None and len(entries) > group.max_entries:
            count = group.max_entries
            message = ngettext("At most {count} entry.", "At most {count} entries.", count)
            found[group.id] = (message.format(count=count),)
        for index, entry in enumerate(entries):
            for child_id, messages in self.entry_errors(group, entry).items():
                found[entry_key(group.id, index, child_id)] = messages
        return found


def entries_of(raw: object) -> list[Mapping[str, object]]:
    """The entries of a group answer (a list of mappings); anything else is no entry."""
    if not isinstance(raw, list | tuple):
        return []
    return [entry if isinstance(entry, Mapping) else {} for entry in raw]


def store_answer(target: dict[str, Any], key: str, value: object) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        target.pop(key, None)
    elif isinstance(value, list | set | frozenset):
        target[key] = list(value)
    else:
        target[key] = value


def copy_answers(answers: Mapping[str, Any], plan: Plan) -> dict[str, Any]:
    """A private copy; group answers become tuples of dicts. The interview never changes
    them in place: a change copies the one entry it touches, so that the other entries stay
    the same objects (see :class:`Evaluation`)."""
    copied: dict[str, Any] = {}
    for key, value in answers.items():
        key = str(key)
        item = plan.items.get(key)
        if item is not None and item.is_group and isinstance(value, list | tuple):
            copied[key] = tuple(
                {str(k): list(v) if isinstance(v, list | tuple) else v for k, v in entry.items()}
                for entry in entries_of(value)
            )
        elif isinstance(value, list | tuple | set | frozenset):
            copied[key] = list(value)
        else:
            copied[key] = value
    return copied
