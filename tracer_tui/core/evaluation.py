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
from typing import Any

from tracer_tui.core.computed import Computed, ComputedValue, RuleContext, compute
from tracer_tui.core.conditions import Comparison, evaluate
from tracer_tui.core.i18n import _
from tracer_tui.core.questionnaire import DateBound, Item, Questionnaire
from tracer_tui.core.validation import constraint_errors, parse
from tracer_tui.core.values import Value, is_empty

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


@dataclass(frozen=True)
class Plan:
    """What the pass needs of a script, indexed once per interview."""

    questionnaire: Questionnaire
    items: Mapping[str, Item]  # top-level items by id
    screen_of: Mapping[str, str]  # top-level item id → screen id
    children: Mapping[str, Mapping[str, Item]]  # group id → its items by id
    group_computed: Mapping[str, Mapping[str, ComputedValue]]
    computed: Mapping[str, ComputedValue]

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
        )


@dataclass
class Entry:
    """One entry of a group, as evaluated."""

    raw: Mapping[str, object]
    values: dict[str, Value] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)
    visible: list[str] = field(default_factory=list)
    computed: dict[str, Computed] = field(default_factory=dict)


@dataclass
class Evaluation:
    plan: Plan
    context: RuleContext
    answers: Answers
    screens: list[str] = field(default_factory=list)  # visible screen ids, in order
    visible: dict[str, list[str]] = field(default_factory=dict)  # screen → visible items
    values: dict[str, Value] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    computed: dict[str, Computed] = field(default_factory=dict)
    _errors: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def run(self) -> Evaluation:
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
                    self._parse(item, self.answers.get(item.id), item.id, self)
                elif item.is_group:
                    self.entries[item.id] = [
                        self._entry(item, index, raw)
                        for index, raw in enumerate(entries_of(self.answers.get(item.id)))
                    ]
        for name in self.plan.computed:
            self._computed(name)
        return self

    @staticmethod
    def _parse(item: Item, raw: object, key: str, into: Evaluation | Entry) -> None:
        value, error = parse(item, raw)
        if value is not None:
            into.values[item.id] = value
        if error is not None:
            into.parse_errors[key] = error

    def _computed(self, name: str) -> Computed:
        if name not in self.computed:
            self.computed[name] = compute(self.plan.computed[name], self.context, self.values)
        return self.computed[name]

    def _lookup(self, comparison: Comparison) -> object:
        if comparison.item is not None:
            return self.values.get(comparison.item)
        return self._computed(comparison.subject)

    def _entry(self, group: Item, index: int, raw: Mapping[str, object]) -> Entry:
        entry = Entry(raw=raw)
        own = self.plan.group_computed[group.id]

        def entry_computed(name: str) -> Computed:
            if name not in entry.computed:
                entry.computed[name] = compute(own[name], self.context, entry.values)
            return entry.computed[name]

        def lookup(comparison: Comparison) -> object:
            name = comparison.subject
            if comparison.item is not None:
                if name in entry.values or name in self.plan.children[group.id]:
                    return entry.values.get(name)
                return self.values.get(name)
            return entry_computed(name) if name in own else self._computed(name)

        for child in group.items:
            if evaluate(child.show_if, lookup):
                entry.visible.append(child.id)
                if child.is_question:
                    key = entry_key(group.id, index, child.id)
                    self._parse(child, raw.get(child.id), key, entry)
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
        self, item: Item, raw: object, key: str, source: Evaluation | Entry, entry: Entry | None
    ) -> tuple[str, ...]:
        if is_empty(raw):
            return (_("This answer is required."),) if item.required else ()
        if key in source.parse_errors:
            return (source.parse_errors[key],)
        value = source.values.get(item.id)
        return tuple(constraint_errors(item, value, lambda bound: self._resolve(bound, entry)))

    def errors(self, screen_id: str) -> dict[str, tuple[str, ...]]:
        """The messages of one visible screen, by answer key (cached)."""
        if screen_id in self._errors:
            return self._errors[screen_id]
        found: dict[str, tuple[str, ...]] = {}
        for item_id in self.visible.get(screen_id, ()):
            item = self.plan.items[item_id]
            if item.is_question:
                messages = self._item_errors(item, self.answers.get(item_id), item_id, self, None)
                if messages:
                    found[item_id] = messages
            elif item.is_group:
                found.update(self._group_errors(item))
        self._errors[screen_id] = found
        return found

    def _group_errors(self, group: Item) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        entries = self.entries.get(group.id, [])
        if len(entries) < group.min_entries:
            message = _("Add at least {count} entries.").format(count=group.min_entries)
            found[group.id] = (message,)
        elif group.max_entries is not None and len(entries) > group.max_entries:
            found[group.id] = (_("At most {count} entries.").format(count=group.max_entries),)
        children = self.plan.children[group.id]
        for index, entry in enumerate(entries):
            for child_id in entry.visible:
                child = children[child_id]
                if not child.is_question:
                    continue
                key = entry_key(group.id, index, child_id)
                messages = self._item_errors(child, entry.raw.get(child_id), key, entry, entry)
                if messages:
                    found[key] = messages
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
    """A private copy; group answers become tuples of dicts (copied when changed)."""
    copied: dict[str, Any] = {}
    for key, value in answers.items():
        key = str(key)
        item = plan.items.get(key)
        if item is not None and item.is_group and isinstance(value, list | tuple):
            copied[key] = tuple(dict(entry) for entry in entries_of(value))
        elif isinstance(value, list | tuple | set | frozenset):
            copied[key] = list(value)
        else:
            copied[key] = value
    return copied
