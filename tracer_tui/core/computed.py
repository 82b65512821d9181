"""Named computed values: a script names a rule of this module and maps its inputs to items.

::

    computed:
      - name: isolation_end
        rule: isolation_end
        inputs: {onset: symptom_onset, test: test_date}

The rules are code in ``core`` (no expression language); every duration they use comes from
:class:`~tracer_tui.core.rules.Rules`, every threshold from
:class:`~tracer_tui.core.risk.RiskThresholds`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracer_tui.core.risk import EXPOSURE_FIELDS, Exposure, RiskThresholds, classify
from tracer_tui.core.rules import Rules
from tracer_tui.core.values import ItemType, Value

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class ResultKind(StrEnum):
    DATE = "date"
    DATES = "dates"
    RISK = "risk"


@dataclass(frozen=True)
class RuleContext:
    """What every rule may use besides its inputs."""

    rules: Rules
    thresholds: RiskThresholds
    today: date


Inputs = Mapping[str, Value | None]
Computed = date | tuple[date, ...] | str | None


@dataclass(frozen=True)
class Param:
    name: str
    types: frozenset[ItemType]


@dataclass(frozen=True)
class RuleSpec:
    name: str
    params: tuple[Param, ...]
    result: ResultKind
    function: Callable[[RuleContext, Inputs], Computed]

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(param.name for param in self.params)


def _date(value: Value | None) -> date | None:
    return value if isinstance(value, date) else None


def _reference_date(inputs: Inputs) -> date | None:
    """Symptom onset, or the test date when there are no symptoms."""
    return _date(inputs.get("onset")) or _date(inputs.get("test"))


def contact_period_start(context: RuleContext, inputs: Inputs) -> date | None:
    start = _reference_date(inputs)
    if start is None:
        return None
    return start - timedelta(days=context.rules.contact_period_days_before_onset)


def isolation_end(context: RuleContext, inputs: Inputs) -> date | None:
    start = _reference_date(inputs)
    if start is None:
        return None
    return start + timedelta(days=context.rules.isolation_days)


def quarantine_end(context: RuleContext, inputs: Inputs) -> date | None:
    last = _date(inputs.get("last_exposure"))
    if last is None:
        return None
    return last + timedelta(days=context.rules.quarantine_days)


def test_dates(context: RuleContext, inputs: Inputs) -> tuple[date, ...] | None:
    """Test days counted from the last exposure; a day already past becomes today."""
    last = _date(inputs.get("last_exposure"))
    if last is None:
        return None
    days = sorted(set(context.rules.test_days))
    return tuple(sorted({max(context.today, last + timedelta(days=day)) for day in days}))


def _flag(inputs: Inputs, name: str) -> bool | None:
    value = inputs.get(name)
    return value if isinstance(value, bool) else None


def _minutes(inputs: Inputs, name: str) -> int | None:
    value = inputs.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def contact_risk(context: RuleContext, inputs: Inputs) -> str:
    exposure = Exposure(
        household=_flag(inputs, "household"),
        physical_contact=_flag(inputs, "physical_contact"),
        body_fluids=_flag(inputs, "body_fluids"),
        care_without_protection=_flag(inputs, "care_without_protection"),
        face_to_face_minutes=_minutes(inputs, "face_to_face_minutes"),
        both_masked=_flag(inputs, "both_masked"),
        same_room_minutes=_minutes(inputs, "same_room_minutes"),
        kept_distance=_flag(inputs, "kept_distance"),
        travel_minutes=_minutes(inputs, "travel_minutes"),
    )
    return classify(exposure, context.thresholds).value


_DATE = frozenset({ItemType.DATE})
_YES_NO = frozenset({ItemType.YES_NO})
_MINUTES = frozenset({ItemType.INTEGER})

RULES: Mapping[str, RuleSpec] = {
    spec.name: spec
    for spec in (
        RuleSpec(
            "contact_period_start",
            (Param("onset", _DATE), Param("test", _DATE)),
            ResultKind.DATE,
            contact_period_start,
        ),
        RuleSpec(
            "isolation_end",
            (Param("onset", _DATE), Param("test", _DATE)),
            ResultKind.DATE,
            isolation_end,
        ),
        RuleSpec(
            "quarantine_end", (Param("last_exposure", _DATE),), ResultKind.DATE, quarantine_end
        ),
        RuleSpec("test_dates", (Param("last_exposure", _DATE),), ResultKind.DATES, test_dates),
        RuleSpec(
            "contact_risk",
            tuple(
                Param(name, _MINUTES if name.endswith("_minutes") else _YES_NO)
                for name in EXPOSURE_FIELDS
            ),
            ResultKind.RISK,
            contact_risk,
        ),
    )
}


class ComputedValue(BaseModel):
    """A named value computed by a rule of :data:`RULES` from items of the script."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    rule: str
    inputs: dict[str, str]

    @model_validator(mode="after")
    def _rule_and_inputs(self) -> ComputedValue:
        spec = RULES.get(self.rule)
        if spec is None:
            raise ValueError(f"unknown rule {self.rule!r}; known: {', '.join(sorted(RULES))}")
        missing = [name for name in spec.param_names if name not in self.inputs]
        extra = [name for name in self.inputs if name not in spec.param_names]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing inputs {', '.join(missing)}")
            if extra:
                parts.append(f"unknown inputs {', '.join(extra)}")
            raise ValueError(f"rule {self.rule!r}: {'; '.join(parts)}")
        return self

    @property
    def spec(self) -> RuleSpec:
        return RULES[self.rule]


def compute(value: ComputedValue, context: RuleContext, answers: Inputs) -> Computed:
    """Apply the rule; ``answers`` maps item ids to parsed values (absent when hidden)."""
    inputs = {param: answers.get(item) for param, item in value.inputs.items()}
    return value.spec.function(context, inputs)
