"""People and cases as the domain sees them, before any database or wire format."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from tracer_tui.core.types import Language, TaskKind


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    street: str
    postcode: str = Field(pattern=r"^[0-9A-Z -]{3,10}$")
    municipality: str
    country: str = Field(default="BE", pattern=r"^[A-Z]{2}$")


class PersonData(BaseModel):
    """A person the centre calls: an index case or a contact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_name: str = Field(min_length=1)
    last_name: str = Field(min_length=1)
    national_number: str | None = Field(default=None, pattern=r"^[0-9]{11}$")
    birth_date: date | None = None
    sex: str | None = Field(default=None, pattern=r"^[MFX]$")
    language: Language
    phones: tuple[str, ...] = ()  # E.164
    email: str | None = None
    address: Address | None = None


class CaseData(BaseModel):
    """A call order (ticket) for a person, as it reaches the centre."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TaskKind
    person: PersonData
    reported_at: datetime
    test_date: date | None = None
    last_exposure: date | None = None
