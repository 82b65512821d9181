"""Health-policy rules. They changed many times in 2020, so every number here is a
configuration default (``[rules]`` in the config file), never a constant in code."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Rules(BaseModel):
    """The ``[rules]`` section of the configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts_before_field_visit: int = Field(default=6, ge=1, le=50)
    hours_before_field_visit: int = Field(default=48, ge=1, le=24 * 14)
    retry_delay_minutes: int = Field(default=120, ge=1, le=24 * 60)
    index_call_target_hours: int = Field(default=24, ge=1, le=24 * 7)
    contact_period_days_before_onset: int = Field(default=2, ge=0, le=14)
    isolation_days: int = Field(default=7, ge=1, le=30)
    quarantine_days: int = Field(default=10, ge=1, le=30)
    test_days: tuple[int, ...] = Field(default=(1, 7))
    high_risk_minutes: int = Field(default=15, ge=1, le=24 * 60)
    high_risk_distance_m: float = Field(default=1.5, gt=0, le=10)
    masks_lower_risk: bool = True
