"""Small scripts built in code for the engine tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracer_tui.core.engine import Interview
from tracer_tui.core.questionnaire import Questionnaire, parse_questionnaire
from tracer_tui.core.rules import Rules

TODAY = date(2020, 10, 20)
VALID_NISS = "85.07.30-033.28"


def text(english: str) -> dict[str, str]:
    return {"fr": f"fr {english}", "nl": f"nl {english}", "de": f"de {english}", "en": english}


def item(ident: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"id": ident, "type": kind, "text": text(ident), **more}


def choices(*values: str) -> list[dict[str, Any]]:
    return [{"value": value, "label": text(value)} for value in values]


def when(*comparisons: dict[str, Any], mode: str = "all") -> dict[str, Any]:
    return {mode: list(comparisons)}


def script(*screens: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "id": "test-script",
        "version": 1,
        "kind": "index_call",
        "title": text("Test"),
        "screens": list(screens),
        **more,
    }


def screen(ident: str, *items: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": ident, "title": text(ident), "items": list(items), **more}


EXPOSURE_INPUTS = {
    name: name
    for name in (
        "household",
        "physical_contact",
        "body_fluids",
        "care_without_protection",
        "face_to_face_minutes",
        "both_masked",
        "same_room_minutes",
        "kept_distance",
        "travel_minutes",
    )
}


def exposure_items() -> list[dict[str, Any]]:
    flags = ["household", "physical_contact", "body_fluids", "care_without_protection"]
    return [
        *(item(name, "yes_no", required=True) for name in flags),
        item("face_to_face_minutes", "integer", required=True, min=0),
        item(
            "both_masked",
            "yes_no",
            required=True,
            show_if=when({"item": "face_to_face_minutes", "greater_than": 0}),
        ),
        item("same_room_minutes", "integer", required=True, min=0),
        item(
            "kept_distance",
            "yes_no",
            required=True,
            show_if=when({"item": "same_room_minutes", "greater_than": 0}),
        ),
        item("travel_minutes", "integer", required=True, min=0),
    ]


def tracing_script() -> Questionnaire:
    """Three screens: a gate, health with computed dates, a contact group with risk."""
    return parse_questionnaire(
        script(
            screen(
                "start",
                item("intro", "read"),
                item("consent", "yes_no", required=True),
            ),
            screen(
                "health",
                item("has_symptoms", "yes_no", required=True),
                item(
                    "onset",
                    "date",
                    required=True,
                    show_if=when({"item": "has_symptoms", "equals": True}),
                    not_before={"today": -30},
                    not_after={"today": 0},
                ),
                item("test_date", "date", required=True, not_after={"today": 0}),
                item("age", "integer", min=0, max=120),
                item("weight", "decimal", min=0.5),
                item("code", "text", pattern="^[A-Z]{4}$"),
                item(
                    "advice",
                    "read",
                    text={
                        "fr": "jusqu'au {isolation_end}, {high_risk_distance_m} m",
                        "nl": "tot {isolation_end}, {high_risk_distance_m} m",
                        "de": "bis {isolation_end}, {high_risk_distance_m} m",
                        "en": "until {isolation_end}, {high_risk_distance_m} m",
                    },
                ),
                show_if=when({"item": "consent", "equals": True}),
            ),
            screen(
                "people",
                item(
                    "contacts",
                    "group",
                    min_entries=1,
                    max_entries=3,
                    computed=[{"name": "risk", "rule": "contact_risk", "inputs": EXPOSURE_INPUTS}],
                    items=[
                        item("name", "text", required=True),
                        item("phone", "phone"),
                        item(
                            "last_contact",
                            "date",
                            required=True,
                            not_before={"computed": "period_start"},
                            not_after={"today": 0},
                        ),
                        *exposure_items(),
                        item(
                            "high_note",
                            "read",
                            show_if=when({"computed": "risk", "equals": "high"}),
                        ),
                    ],
                ),
                show_if=when({"item": "consent", "equals": True}),
            ),
            screen(
                "end",
                item("bye", "read"),
                item("more", "multiple", choices=choices("a", "b", "c")),
                item("detail", "text", show_if=when({"item": "more", "equals": "b"})),
            ),
            computed=[
                {
                    "name": "period_start",
                    "rule": "contact_period_start",
                    "inputs": {"onset": "onset", "test": "test_date"},
                },
                {
                    "name": "isolation_end",
                    "rule": "isolation_end",
                    "inputs": {"onset": "onset", "test": "test_date"},
                },
            ],
        )
    )


def low_risk_contact(name: str = "Ann") -> dict[str, Any]:
    return {
        "name": name,
        "last_contact": "2020-10-16",
        "household": False,
        "physical_contact": False,
        "body_fluids": False,
        "care_without_protection": False,
        "face_to_face_minutes": 5,
        "both_masked": True,
        "same_room_minutes": 0,
        "travel_minutes": 0,
    }


def start(
    questionnaire: Questionnaire | None = None,
    answers: dict[str, Any] | None = None,
    language: str = "en",
    rules: Rules | None = None,
    screen_id: str | None = None,
) -> Interview:
    return Interview(
        questionnaire or tracing_script(),
        language=language,
        rules=rules or Rules(),
        today=TODAY,
        answers=answers,
        screen_id=screen_id,
    )
