"""Checks across the items of a script, run when a script is loaded.

Every id is unique (screens, items, items of groups, computed values: they become FHIR
``linkId``s); conditions name answers that come *earlier* in the script (so that the
visible items follow from the answers in one pass, the same on the agent's workstation and on
the server), with operands that fit; computed values take inputs of the right types; date
limits name date items or computed dates; placeholders are known and the same in every
language. Each problem names the screen, the item and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from tracer_tui.core.computed import ComputedValue, ResultKind
from tracer_tui.core.conditions import ORDERING, Comparison, Condition, Operator
from tracer_tui.core.render import placeholders
from tracer_tui.core.risk import RiskClass, RiskThresholds
from tracer_tui.core.rules import Rules
from tracer_tui.core.values import CHOICE_TYPES, NUMBER_TYPES, ItemType

if TYPE_CHECKING:
    from tracer_tui.core.questionnaire import DateBound, Item, LocalText, Questionnaire

BASE_PLACEHOLDERS = frozenset(Rules.model_fields) | frozenset(RiskThresholds.model_fields)
BASE_PLACEHOLDERS |= {"today"}


@dataclass(frozen=True)
class Problem:
    """One problem of a script: where (screen, item), which field, what."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [self.where] if self.where else []
        if self.field:
            parts.append(f"field {self.field!r}")
        return f"{', '.join(parts) or 'script'}: {self.message}"


class QuestionnaireProblems(ValueError):
    """The problems found across the items of a script."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass
class _Scope:
    """The items (with their position) and computed values one item can see."""

    items: dict[str, tuple[Item, int]] = field(default_factory=dict)
    computed: dict[str, ComputedValue] = field(default_factory=dict)
    parent: _Scope | None = None
    position_in_parent: int = 0

    def ready_at(self, value: ComputedValue) -> int:
        """The position after which all the inputs of a computed value are known."""
        positions = [self.items[i][1] for i in value.inputs.values() if i in self.items]
        return max(positions, default=-1)


class _Checker:
    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire
        self.problems: list[Problem] = []
        self.top = _Scope(computed={c.name: c for c in questionnaire.computed})

    def add(self, where: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(where, field_name, message))

    def run(self) -> None:
        self._unique_ids()
        position = 0
        for screen in self.q.screens:
            for item in screen.items:
                self.top.items[item.id] = (item, position)
                position += 1
        self._placeholders("", "title", self.q.title, self.top)
        for value in self.q.computed:
            self._computed_inputs(f"computed '{value.name}'", value, self.top)
        for index, screen in enumerate(self.q.screens):
            where = f"screen '{screen.id}'"
            self._placeholders(where, "title", screen.title, self.top)
            if screen.show_if is not None:
                if index == 0:
                    self.add(where, "show_if", "the first screen is always shown")
                first = self.top.items[screen.items[0].id][1]
                self._condition(where, screen.show_if, self.top, first)
            for item in screen.items:
                item_where = f"{where}, item '{item.id}'"
                self._item(item_where, item, self.top, self.top.items[item.id][1])
                if item.is_group:
                    self._group(item_where, item)

    def _unique_ids(self) -> None:
        seen: set[str] = set()

        def ids() -> Iterator[tuple[str, str]]:
            for screen in self.q.screens:
                yield f"screen '{screen.id}'", screen.id
                for item in screen.items:
                    yield f"screen '{screen.id}', item '{item.id}'", item.id
                    for child in item.items:
                        yield f"screen '{screen.id}', item '{item.id}' > '{child.id}'", child.id
                    for value in item.computed:
                        yield f"item '{item.id}', computed '{value.name}'", value.name
            for value in self.q.computed:
                yield f"computed '{value.name}'", value.name

        for where, ident in ids():
            if ident in seen:
                self.add(where, "id", f"the id {ident!r} is used twice")
            seen.add(ident)

    def _group(self, where: str, group: Item) -> None:
        scope = _Scope(
            items={child.id: (child, index) for index, child in enumerate(group.items)},
            computed={value.name: value for value in group.computed},
            parent=self.top,
            position_in_parent=self.top.items[group.id][1],
        )
        for value in group.computed:
            self._computed_inputs(f"{where}, computed '{value.name}'", value, scope)
        for index, child in enumerate(group.items):
            self._item(f"{where} > '{child.id}'", child, scope, index)

    def _item(self, where: str, item: Item, scope: _Scope, position: int) -> None:
        if item.show_if is not None:
            self._condition(where, item.show_if, scope, position)
        self._placeholders(where, "text", item.text, scope)
        if item.hint is not None:
            self._placeholders(where, "hint", item.hint, scope)
        for choice in item.choices:
            self._placeholders(where, f"choices[{choice.value}].label", choice.label, scope)
        for name in ("not_before", "not_after"):
            bound: DateBound | None = getattr(item, name)
            if bound is not None:
                self._date_bound(where, name, bound, scope)

    def _computed_inputs(self, where: str, value: ComputedValue, scope: _Scope) -> None:
        for param in value.spec.params:
            ident = value.inputs[param.name]
            found = scope.items.get(ident)
            if found is None:
                self.add(where, f"inputs.{param.name}", f"no item {ident!r} here")
            elif found[0].type not in param.types:
                kinds = " or ".join(sorted(t.value for t in param.types))
                self.add(where, f"inputs.{param.name}", f"item {ident!r} is not {kinds}")

    def _date_bound(self, where: str, name: str, bound: DateBound, scope: _Scope) -> None:
        if bound.item is not None:
            found = scope.items.get(bound.item) or (
                scope.parent.items.get(bound.item) if scope.parent else None
            )
            if found is None or found[0].type is not ItemType.DATE:
                self.add(where, f"{name}.item", f"no date item {bound.item!r}")
        if bound.computed is not None:
            value = self._find_computed(bound.computed, scope)
            if value is None or value.spec.result is not ResultKind.DATE:
                self.add(where, f"{name}.computed", f"no computed date {bound.computed!r}")

    def _find_computed(self, name: str, scope: _Scope) -> ComputedValue | None:
        if name in scope.computed:
            return scope.computed[name]
        return scope.parent.computed.get(name) if scope.parent else None

    def _condition(self, where: str, condition: Condition, scope: _Scope, position: int) -> None:
        for index, comparison in enumerate(condition.comparisons):
            field_name = f"show_if.{condition.behaviour}[{index}]"
            message = self._comparison(comparison, scope, position)
            if message:
                self.add(where, field_name, message)

    def _comparison(self, comparison: Comparison, scope: _Scope, position: int) -> str | None:
        """A problem with one comparison, or None."""
        name = comparison.subject
        if comparison.item is not None:
            if name in scope.items:
                item, at = scope.items[name]
                earlier = at < position
            elif scope.parent is not None and name in scope.parent.items:
                item, at = scope.parent.items[name]
                earlier = at < scope.position_in_parent
            else:
                return f"no item {name!r}"
            if not earlier:
                return f"item {name!r} does not come before this one"
            if not item.is_question:
                return f"item {name!r} has no answer"
            return _operand_problem(comparison, item.type, item.choice_values)
        if name in scope.computed:
            ready = scope.ready_at(scope.computed[name]) < position
            value = scope.computed[name]
        elif scope.parent is not None and name in scope.parent.computed:
            value = scope.parent.computed[name]
            ready = scope.parent.ready_at(value) < scope.position_in_parent
        else:
            return f"no computed value {name!r}"
        if not ready:
            return f"the inputs of {name!r} do not all come before this item"
        return _computed_operand_problem(comparison, value.spec.result)

    def _placeholders(self, where: str, field_name: str, text: LocalText, scope: _Scope) -> None:
        found = {language: placeholders(content) for language, content in text.texts().items()}
        if len({frozenset(names) for names in found.values()}) > 1:
            self.add(where, field_name, "the languages do not use the same {placeholders}")
        known = set(BASE_PLACEHOLDERS)
        for current in (scope, scope.parent):
            if current is not None:
                known.update(
                    name
                    for name, value in current.computed.items()
                    if value.spec.result in (ResultKind.DATE, ResultKind.DATES)
                )
        for name in sorted(set().union(*found.values()) - known):
            self.add(where, field_name, f"unknown placeholder {{{name}}}")


def _operand_problem(
    comparison: Comparison, item_type: ItemType, choices: tuple[str, ...]
) -> str | None:
    operator, operand = comparison.operator, comparison.operand
    if operator is Operator.ANSWERED:
        return None
    if operator in ORDERING and item_type not in NUMBER_TYPES | {ItemType.DATE}:
        return f"{operator.value} needs a number or date question"
    if item_type is ItemType.YES_NO and not isinstance(operand, bool):
        return "a yes/no answer compares with true or false"
    if item_type in NUMBER_TYPES and (
        isinstance(operand, bool) or not isinstance(operand, int | float)
    ):
        return "a number answer compares with a number"
    if item_type is ItemType.DATE and not _is_date(operand):
        return "a date answer compares with a date (YYYY-MM-DD)"
    if item_type in CHOICE_TYPES and operand not in choices:
        return f"{operand!r} is not one of the choices"
    if item_type not in NUMBER_TYPES | {ItemType.DATE, ItemType.YES_NO} and not isinstance(
        operand, str
    ):
        return "a text answer compares with a text"
    return None


def _computed_operand_problem(comparison: Comparison, result: ResultKind) -> str | None:
    operator, operand = comparison.operator, comparison.operand
    if operator is Operator.ANSWERED:
        return None
    if result is ResultKind.RISK:
        if operator in ORDERING or operand not in {risk.value for risk in RiskClass}:
            names = ", ".join(risk.value for risk in RiskClass)
            return f"a risk class compares (equals, not_equals) with one of {names}"
        return None
    if result is ResultKind.DATE:
        return None if _is_date(operand) else "a computed date compares with a date"
    return "a list of dates can only be tested with 'answered'"


def _is_date(operand: object) -> bool:
    if isinstance(operand, date):
        return True
    if isinstance(operand, str):
        try:
            date.fromisoformat(operand)
        except ValueError:
            return False
        return True
    return False


def find_problems(questionnaire: Questionnaire) -> list[Problem]:
    checker = _Checker(questionnaire)
    checker.run()
    return checker.problems
