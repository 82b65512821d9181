"""Computed values: every duration comes from the rules."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from tracer_tui.core.computed import ComputedValue, RuleContext, compute
from tracer_tui.core.risk import RiskThresholds
from tracer_tui.core.rules import Rules

TODAY = date(2020, 10, 20)


def run(rule: str, inputs: dict[str, str], answers: dict[str, object], **rules: object) -> object:
    value = ComputedValue(name="x", rule=rule, inputs=inputs)
    context = RuleContext(Rules.model_validate(rules), RiskThresholds(), TODAY)
    return compute(value, context, answers)  # type: ignore[arg-type]


DATES = {"onset": "onset", "test": "test"}


def test_contact_period_starts_before_onset_else_before_the_test() -> None:
    onset, test = date(2020, 10, 10), date(2020, 10, 12)
    assert run("contact_period_start", DATES, {"onset": onset, "test": test}) == date(2020, 10, 8)
    assert run("contact_period_start", DATES, {"test": test}) == date(2020, 10, 10)
    assert run("contact_period_start", DATES, {}) is None
    changed = run("contact_period_start", DATES, {"test": test}, contact_period_days_before_onset=3)
    assert changed == date(2020, 10, 9)


def test_isolation_end() -> None:
    onset = date(2020, 10, 10)
    assert run("isolation_end", DATES, {"onset": onset}) == date(2020, 10, 17)
    assert run("isolation_end", DATES, {"onset": onset}, isolation_days=10) == date(2020, 10, 20)


def test_quarantine_end_and_test_days() -> None:
    inputs = {"last_exposure": "last"}
    last = date(2020, 10, 15)
    assert run("quarantine_end", inputs, {"last": last}) == date(2020, 10, 25)
    assert run("quarantine_end", inputs, {"last": last}, quarantine_days=14) == date(2020, 10, 29)
    # day 1 is already past: test as soon as possible (today); day 7 as counted
    assert run("test_dates", inputs, {"last": last}) == (TODAY, date(2020, 10, 22))
    assert run("test_dates", inputs, {"last": last}, test_days=(5,)) == (TODAY,)
    assert run("test_dates", inputs, {"last": date(2020, 10, 19)}, test_days=(7, 1, 7)) == (
        date(2020, 10, 20),
        date(2020, 10, 26),
    )
    assert run("test_dates", inputs, {}) is None


def test_contact_risk() -> None:
    names = [
        "household",
        "physical_contact",
        "body_fluids",
        "care_without_protection",
        "face_to_face_minutes",
        "both_masked",
        "same_room_minutes",
        "kept_distance",
        "travel_minutes",
    ]
    inputs = {name: name for name in names}
    answers: dict[str, object] = dict.fromkeys(names[:4], False)
    answers.update(face_to_face_minutes=0, same_room_minutes=0, travel_minutes=0)
    assert run("contact_risk", inputs, answers) == "low"
    assert run("contact_risk", inputs, {**answers, "household": True}) == "high"
    assert run("contact_risk", inputs, {**answers, "travel_minutes": None}) == "unknown"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "rule": "eval", "inputs": {}}, "unknown rule"),
        ({"name": "x", "rule": "quarantine_end", "inputs": {}}, "missing inputs last_exposure"),
        (
            {"name": "x", "rule": "quarantine_end", "inputs": {"last_exposure": "a", "b": "c"}},
            "unknown inputs b",
        ),
        ({"name": "X y", "rule": "quarantine_end", "inputs": {"last_exposure": "a"}}, "pattern"),
    ],
)
def test_bad_definitions(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ComputedValue.model_validate(data)
