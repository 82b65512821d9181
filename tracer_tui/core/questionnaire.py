"""The standardised interview scripts as data.

A script ("questionnaire") is screens of items. Files are YAML in ``questionnaires/``; this
module only sees the parsed data, so that the core needs no parser of its own (loading lives in
``tracer_tui.questionnaire_files``). The format is documented in ``questionnaires/README.md``;
the checks across items (references, order, placeholders) are in
:mod:`tracer_tui.core.script_checks`, the behaviour in :mod:`tracer_tui.core.engine`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from tracer_tui.core.computed import ComputedValue
from tracer_tui.core.conditions import Condition
from tracer_tui.core.script_checks import QuestionnaireProblems, find_problems
from tracer_tui.core.types import Language, TaskKind
from tracer_tui.core.values import CHOICE_TYPES, NUMBER_TYPES, ItemType

__all__ = [
    "ID_PATTERN",
    "Choice",
    "ComputedValue",
    "Condition",
    "DateBound",
    "Item",
    "ItemType",
    "LocalText",
    "Questionnaire",
    "QuestionnaireProblems",
    "Screen",
    "parse_questionnaire",
]

ID_PATTERN = r"^[a-z][a-z0-9_-]*$"


class LocalText(BaseModel):
    """A text in every language of the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fr: str = Field(min_length=1, pattern=r"\S")
    nl: str = Field(min_length=1, pattern=r"\S")
    de: str = Field(min_length=1, pattern=r"\S")
    en: str = Field(min_length=1, pattern=r"\S")

    def get(self, language: Language | str) -> str:
        return str(getattr(self, str(language)))

    def texts(self) -> dict[str, str]:
        return {language.value: self.get(language) for language in Language}


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(pattern=ID_PATTERN)
    label: LocalText


class DateBound(BaseModel):
    """A date limit: ``{today: -30}``, ``{item: symptom_onset, days: -14}`` or
    ``{computed: contact_period_start}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    today: StrictInt | None = None
    item: str | None = None
    computed: str | None = None
    days: StrictInt = 0

    @model_validator(mode="after")
    def _one_origin(self) -> DateBound:
        origins = [x for x in (self.today, self.item, self.computed) if x is not None]
        if len(origins) != 1:
            raise ValueError("a date limit names exactly one of 'today', 'item' or 'computed'")
        if self.today is not None and self.days:
            raise ValueError("write {today: N} (N days from today) without 'days'")
        return self

    @property
    def offset(self) -> int:
        return self.today if self.today is not None else self.days


# Which optional fields each item type takes (anything else set on it is an error).
_FIELDS_FOR: dict[str, frozenset[ItemType]] = {
    "choices": CHOICE_TYPES,
    "min": NUMBER_TYPES,
    "max": NUMBER_TYPES,
    "min_length": frozenset({ItemType.TEXT}),
    "max_length": frozenset({ItemType.TEXT}),
    "pattern": frozenset({ItemType.TEXT}),
    "not_before": frozenset({ItemType.DATE}),
    "not_after": frozenset({ItemType.DATE}),
    "items": frozenset({ItemType.GROUP}),
    "min_entries": frozenset({ItemType.GROUP}),
    "max_entries": frozenset({ItemType.GROUP}),
    "computed": frozenset({ItemType.GROUP}),
    "columns": frozenset({ItemType.GROUP}),
    "required": frozenset(ItemType) - {ItemType.READ, ItemType.GROUP},
}


class Item(BaseModel):
    """A read-aloud text, a question, or a repeatable group of questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    type: ItemType
    text: LocalText
    hint: LocalText | None = None
    required: bool = False
    show_if: Condition | None = None
    choices: tuple[Choice, ...] = ()
    min: StrictInt | float | None = None
    max: StrictInt | float | None = None
    min_length: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    not_before: DateBound | None = None
    not_after: DateBound | None = None
    items: tuple[Item, ...] = ()
    min_entries: int = Field(default=0, ge=0)
    max_entries: int | None = Field(default=None, ge=1)
    computed: tuple[ComputedValue, ...] = ()
    columns: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _fields_match_type(self) -> Item:
        for name, types in _FIELDS_FOR.items():
            given = getattr(self, name) != type(self).model_fields[name].default
            if given and self.type not in types:
                raise ValueError(f"field {name!r} does not apply to a {self.type.value} item")
        if self.type in CHOICE_TYPES:
            values = [choice.value for choice in self.choices]
            if not values:
                raise ValueError(f"field 'choices': a {self.type.value} question needs choices")
            if len(set(values)) != len(values):
                raise ValueError("field 'choices': a choice value is used twice")
        self._check_ranges()
        if self.type is ItemType.GROUP:
            self._check_group()
        return self

    def _check_ranges(self) -> None:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("field 'min' is greater than 'max'")
        if self.type is ItemType.INTEGER:
            for name in ("min", "max"):
                bound = getattr(self, name)
                if bound is not None and not float(bound).is_integer():
                    raise ValueError(f"field {name!r} of an integer question must be whole")
        if (self.min_length or 0) > (self.max_length or 10**9):
            raise ValueError("field 'min_length' is greater than 'max_length'")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                message = f"field 'pattern' is not a valid regular expression: {exc}"
                raise ValueError(message) from exc

    def _check_group(self) -> None:
        if not self.items:
            raise ValueError("field 'items': a group needs items")
        if any(child.type is ItemType.GROUP for child in self.items):
            raise ValueError("field 'items': a group cannot contain a group")
        if self.max_entries is not None and self.min_entries > self.max_entries:
            raise ValueError("field 'min_entries' is greater than 'max_entries'")
        ids = {child.id for child in self.items}
        unknown = [column for column in self.columns if column not in ids]
        if unknown:
            raise ValueError(f"field 'columns': no item {unknown[0]!r} in this group")

    @property
    def is_question(self) -> bool:
        """An item with an answer of its own (not a read-aloud text, not a group)."""
        return self.type not in (ItemType.READ, ItemType.GROUP)

    @property
    def is_group(self) -> bool:
        return self.type is ItemType.GROUP

    @property
    def has_limits(self) -> bool:
        """Whether a well-formed answer can still break a limit (range, length, pattern…)."""
        limits = (self.min, self.max, self.min_length, self.max_length, self.pattern)
        return any(x is not None for x in (*limits, self.not_before, self.not_after))

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def summary_columns(self) -> tuple[str, ...]:
        """The children a table of entries shows: ``columns``, else the first three."""
        if self.columns:
            return self.columns
        return tuple(child.id for child in self.items if child.is_question)[:3]


class Screen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: LocalText
    show_if: Condition | None = None
    items: tuple[Item, ...] = Field(min_length=1)


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    kind: TaskKind
    title: LocalText
    computed: tuple[ComputedValue, ...] = ()
    screens: tuple[Screen, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Questionnaire:
        problems = find_problems(self)
        if problems:
            raise QuestionnaireProblems(problems)
        return self

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def questions(self) -> list[Item]:
        """The top-level questions (the items of groups are in ``item.items``)."""
        return [item for screen in self.screens for item in screen.items if item.is_question]

    def screen(self, screen_id: str) -> Screen:
        for screen in self.screens:
            if screen.id == screen_id:
                return screen
        raise KeyError(screen_id)


def parse_questionnaire(data: Any) -> Questionnaire:
    """Validate parsed data; raises pydantic.ValidationError."""
    return Questionnaire.model_validate(data)
