"""Contact risk classification, after the Sciensano definitions of 2020.

High risk: more than the threshold of minutes (15) cumulated face to face within the
distance (1.5 m) — from October 2020 only when one of the two did not wear a mask correctly;
more than the threshold in the same room without keeping the distance or sharing objects
(household members); direct physical contact; contact with body fluids; care without
protective equipment; travelling together for more than the threshold within two seats.
Low risk: every other exposure (closer than the distance for less than the threshold, both
masked, same room keeping the distance). Contacts of contacts are not contacts.

The thresholds are health policy, so they come from the ``[rules]`` configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from tracer_tui.core.rules import Rules


class RiskClass(StrEnum):
    HIGH = "high"
    LOW = "low"
    UNKNOWN = "unknown"  # not enough answers yet


class RiskThresholds(BaseModel):
    """The thresholds of the classification.

    They are read from :class:`Rules` under these same names when the configuration has
    them (``high_risk_minutes``, ``high_risk_distance_m``, ``masks_lower_risk``); the
    defaults are the Sciensano definitions of October 2020.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    high_risk_minutes: int = Field(default=15, ge=1, le=24 * 60)
    high_risk_distance_m: float = Field(default=1.5, gt=0, le=10)
    masks_lower_risk: bool = True

    @classmethod
    def from_rules(cls, rules: Rules) -> RiskThresholds:
        found = {name: getattr(rules, name) for name in cls.model_fields if hasattr(rules, name)}
        return cls.model_validate(found)


@dataclass(frozen=True)
class Exposure:
    """The exposure answers about one contact; ``None`` is "not answered"."""

    household: bool | None = None
    physical_contact: bool | None = None
    body_fluids: bool | None = None
    care_without_protection: bool | None = None
    face_to_face_minutes: int | None = None
    both_masked: bool | None = None
    same_room_minutes: int | None = None
    kept_distance: bool | None = None
    travel_minutes: int | None = None


EXPOSURE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Exposure))
FLAG_FIELDS: tuple[str, ...] = (
    "household",
    "physical_contact",
    "body_fluids",
    "care_without_protection",
)


def classify(exposure: Exposure, thresholds: RiskThresholds) -> RiskClass:
    """High as soon as one high-risk criterion holds; low when every needed answer is there
    and none holds; unknown otherwise."""
    minutes = thresholds.high_risk_minutes
    missing = False
    for name in FLAG_FIELDS:
        flag = getattr(exposure, name)
        if flag is True:
            return RiskClass.HIGH
        missing = missing or flag is None

    face = exposure.face_to_face_minutes
    if face is None:
        missing = True
    elif face > minutes:
        if not thresholds.masks_lower_risk or exposure.both_masked is False:
            return RiskClass.HIGH
        missing = missing or exposure.both_masked is None

    room = exposure.same_room_minutes
    if room is None:
        missing = True
    elif room > minutes:
        if exposure.kept_distance is False:
            return RiskClass.HIGH
        missing = missing or exposure.kept_distance is None

    travel = exposure.travel_minutes
    if travel is None:
        missing = True
    elif travel > minutes:
        return RiskClass.HIGH

    return RiskClass.UNKNOWN if missing else RiskClass.LOW
