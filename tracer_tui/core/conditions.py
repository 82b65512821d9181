"""Conditions that show an item or a screen: declarative data, never evaluated code.

A condition is ``all`` or ``any`` of comparisons; a comparison names one earlier answer
(``item``) or one computed value (``computed``) and one operator::

    show_if:
      all:
        - {item: has_symptoms, equals: true}
        - {item: face_to_face_minutes, greater_than: 0}

This is the shape of FHIR's ``enableWhen`` with ``enableBehavior``, so that scripts export
to FHIR without loss. An unanswered (or hidden) question makes every comparison false except
``not_equals`` and ``answered: false`` (FHIR's rule for ``!=``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from functools import cached_property

from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

Operand = StrictBool | StrictInt | StrictFloat | StrictStr | date


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    ANSWERED = "answered"


ORDERING = frozenset(
    {Operator.GREATER_THAN, Operator.LESS_THAN, Operator.AT_LEAST, Operator.AT_MOST}
)


class Comparison(BaseModel):
    """One test on one answer or computed value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str | None = None
    computed: str | None = None
    equals: Operand | None = None
    not_equals: Operand | None = None
    greater_than: Operand | None = None
    less_than: Operand | None = None
    at_least: Operand | None = None
    at_most: Operand | None = None
    answered: StrictBool | None = None

    @model_validator(mode="after")
    def _one_subject_one_operator(self) -> Comparison:
        if (self.item is None) == (self.computed is None):
            raise ValueError("a comparison names exactly one of 'item' or 'computed'")
        given = [op for op in Operator if getattr(self, op.value) is not None]
        if len(given) != 1:
            names = ", ".join(op.value for op in Operator)
            raise ValueError(f"a comparison has exactly one operator among {names}")
        return self

    @cached_property
    def subject(self) -> str:
        return self.item if self.item is not None else str(self.computed)

    @cached_property
    def operator(self) -> Operator:
        return next(op for op in Operator if getattr(self, op.value) is not None)

    @cached_property
    def operand(self) -> Operand:
        value: Operand = getattr(self, self.operator.value)
        return value


class Condition(BaseModel):
    """``all`` (every comparison holds) or ``any`` (at least one holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all: tuple[Comparison, ...] = ()
    any: tuple[Comparison, ...] = ()

    @model_validator(mode="after")
    def _exactly_one_list(self) -> Condition:
        if bool(self.all) == bool(self.any):
            raise ValueError("a condition has a non-empty 'all' or 'any' list, not both")
        return self

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        return self.all or self.any

    @property
    def behaviour(self) -> str:
        return "all" if self.all else "any"


def _as_operand(value: object, operand: Operand) -> object:
    """Dates may be written as ISO strings in a script (they are after a JSON round trip)."""
    if isinstance(value, date) and isinstance(operand, str):
        try:
            return date.fromisoformat(operand)
        except ValueError:
            return operand
    return operand


def _same(value: object, operand: object) -> bool:
    if isinstance(value, bool) or isinstance(operand, bool):
        return value is operand
    if isinstance(value, int | float) and isinstance(operand, int | float):
        return value == operand
    if isinstance(value, str) and isinstance(operand, str):
        return str(value) == str(operand)
    if isinstance(value, date) and isinstance(operand, date):
        return value == operand
    return False


def compare(comparison: Comparison, value: object) -> bool:
    """Apply one comparison to a value (``None`` when unanswered or hidden)."""
    operator = comparison.operator
    if operator is Operator.ANSWERED:
        return (value is not None) == comparison.answered
    if value is None:
        return operator is Operator.NOT_EQUALS
    operand = _as_operand(value, comparison.operand)
    if operator in (Operator.EQUALS, Operator.NOT_EQUALS):
        # a multiple choice answer: "is this one chosen"
        same = operand in value if isinstance(value, tuple) else _same(value, operand)
        return same if operator is Operator.EQUALS else not same
    if isinstance(value, bool) or isinstance(operand, bool):
        return False
    try:
        if operator is Operator.GREATER_THAN:
            return bool(value > operand)  # type: ignore[operator]
        if operator is Operator.LESS_THAN:
            return bool(value < operand)  # type: ignore[operator]
        if operator is Operator.AT_LEAST:
            return bool(value >= operand)  # type: ignore[operator]
        return bool(value <= operand)  # type: ignore[operator]
    except TypeError:
        return False


def evaluate(condition: Condition | None, lookup: Callable[[Comparison], object]) -> bool:
    """Whether a condition holds; ``lookup`` gives the value a comparison is about."""
    if condition is None:
        return True
    results = (compare(comparison, lookup(comparison)) for comparison in condition.comparisons)
    return all(results) if condition.all else any(results)
