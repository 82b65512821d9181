"""The standardised interview scripts as data.

A script ("questionnaire") is screens of items. Files are YAML in ``questionnaires/``; this
module only sees the parsed data, so that the core needs no parser of its own (loading lives in
``tracer_tui.questionnaire_files``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tracer_tui.core.types import Language, TaskKind

ID_PATTERN = r"^[a-z][a-z0-9_-]*$"


class LocalText(BaseModel):
    """A text in every language of the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)
    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: Language | str) -> str:
        return str(getattr(self, str(language)))


class ItemType(StrEnum):
    READ = "read"  # text the agent reads aloud: no answer
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    YES_NO = "yes_no"
    SINGLE = "single"
    MULTIPLE = "multiple"
    PHONE = "phone"
    NATIONAL_NUMBER = "national_number"
    POSTCODE = "postcode"
    EMAIL = "email"


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(pattern=ID_PATTERN)
    label: LocalText


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    type: ItemType
    text: LocalText
    required: bool = False
    choices: tuple[Choice, ...] = ()

    @model_validator(mode="after")
    def _choices_match_type(self) -> Item:
        has_choices = self.type in (ItemType.SINGLE, ItemType.MULTIPLE)
        if has_choices and not self.choices:
            raise ValueError(f"a {self.type.value} question needs choices")
        if not has_choices and self.choices:
            raise ValueError(f"a {self.type.value} item takes no choices")
        if self.type is ItemType.READ and self.required:
            raise ValueError("a read-aloud text cannot be required")
        return self

    @property
    def is_question(self) -> bool:
        return self.type is not ItemType.READ


class Screen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: LocalText
    items: tuple[Item, ...] = Field(min_length=1)


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    kind: TaskKind
    title: LocalText
    screens: tuple[Screen, ...] = Field(min_length=1)

    @field_validator("screens")
    @classmethod
    def _unique_ids(cls, screens: tuple[Screen, ...]) -> tuple[Screen, ...]:
        seen: set[str] = set()
        for screen in screens:
            for item in screen.items:
                if item.id in seen:
                    raise ValueError(f"item id {item.id!r} is used twice")
                seen.add(item.id)
        return screens

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def questions(self) -> list[Item]:
        return [item for screen in self.screens for item in screen.items if item.is_question]


def parse_questionnaire(data: Any) -> Questionnaire:
    """Validate parsed data; raises pydantic.ValidationError."""
    return Questionnaire.model_validate(data)
