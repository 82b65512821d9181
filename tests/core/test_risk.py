"""Contact risk classification (Sciensano, 2020), thresholds from the rules."""

from __future__ import annotations

import pytest

from tracer_tui.core.risk import Exposure, RiskClass, RiskThresholds, classify
from tracer_tui.core.rules import Rules

NOTHING = {
    "household": False,
    "physical_contact": False,
    "body_fluids": False,
    "care_without_protection": False,
    "face_to_face_minutes": 0,
    "same_room_minutes": 0,
    "travel_minutes": 0,
}
DEFAULT = RiskThresholds()


def exposure(**changes: object) -> Exposure:
    return Exposure(**{**NOTHING, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, RiskClass.LOW),
        ({"household": True}, RiskClass.HIGH),
        ({"physical_contact": True}, RiskClass.HIGH),
        ({"body_fluids": True}, RiskClass.HIGH),
        ({"care_without_protection": True}, RiskClass.HIGH),
        ({"face_to_face_minutes": 20, "both_masked": False}, RiskClass.HIGH),
        ({"face_to_face_minutes": 20, "both_masked": True}, RiskClass.LOW),
        ({"face_to_face_minutes": 15, "both_masked": False}, RiskClass.LOW),  # not *more* than
        ({"face_to_face_minutes": 10}, RiskClass.LOW),
        ({"same_room_minutes": 60, "kept_distance": False}, RiskClass.HIGH),
        ({"same_room_minutes": 60, "kept_distance": True}, RiskClass.LOW),
        ({"same_room_minutes": 10, "kept_distance": False}, RiskClass.LOW),
        ({"travel_minutes": 16}, RiskClass.HIGH),
        ({"travel_minutes": 15}, RiskClass.LOW),
        ({"face_to_face_minutes": 20}, RiskClass.UNKNOWN),  # masks not answered yet
        ({"same_room_minutes": 20}, RiskClass.UNKNOWN),
        ({"household": None}, RiskClass.UNKNOWN),
        ({"household": None, "body_fluids": True}, RiskClass.HIGH),
        ({"travel_minutes": None}, RiskClass.UNKNOWN),
    ],
)
def test_classify(changes: dict[str, object], expected: RiskClass) -> None:
    assert classify(exposure(**changes), DEFAULT) is expected


def test_masks_rule_and_minutes_are_configuration() -> None:
    before_october = RiskThresholds(masks_lower_risk=False)
    masked = exposure(face_to_face_minutes=20, both_masked=True)
    assert classify(masked, before_october) is RiskClass.HIGH
    assert classify(exposure(travel_minutes=20), RiskThresholds(high_risk_minutes=30)) is (
        RiskClass.LOW
    )


def test_thresholds_come_from_the_rules_when_they_have_them() -> None:
    assert RiskThresholds.from_rules(Rules()) == RiskThresholds()

    class LaterRules(Rules):
        high_risk_minutes: int = 10
        masks_lower_risk: bool = False

    thresholds = RiskThresholds.from_rules(LaterRules())
    assert thresholds.high_risk_minutes == 10
    assert thresholds.masks_lower_risk is False
    assert thresholds.high_risk_distance_m == 1.5
