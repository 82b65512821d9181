"""The script model: per-item checks and the checks across items."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from tests.core.scripts import choices, item, screen, script, text, tracing_script, when
from tracer_tui.core.questionnaire import ItemType, parse_questionnaire
from tracer_tui.core.script_checks import QuestionnaireProblems


def problems(data: dict[str, Any]) -> list[str]:
    """The messages of every error, with the cross-item problems one per line."""
    try:
        parse_questionnaire(data)
    except ValidationError as exc:
        found: list[str] = []
        for error in exc.errors():
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, QuestionnaireProblems):
                found.extend(str(problem) for problem in cause.problems)
            else:
                found.append(f"{error['loc']}: {error['msg']}")
        return found
    return []


def one_screen(*items: dict[str, Any]) -> dict[str, Any]:
    return script(screen("s", *items))


def test_the_test_script_is_valid_and_survives_json() -> None:
    questionnaire = tracing_script()
    again = parse_questionnaire(json.loads(questionnaire.model_dump_json()))
    assert again == questionnaire
    assert [i.id for i in questionnaire.questions()][:2] == ["consent", "has_symptoms"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (item("q", "date", min=1), "field 'min' does not apply to a date item"),
        (item("q", "text", not_after={"today": 0}), "field 'not_after' does not apply"),
        (item("q", "read", required=True), "field 'required' does not apply to a read item"),
        (item("q", "single"), "needs choices"),
        (item("q", "yes_no", choices=choices("a")), "field 'choices' does not apply"),
        (item("q", "single", choices=choices("a", "a")), "used twice"),
        (item("q", "integer", min=5, max=1), "greater than 'max'"),
        (item("q", "integer", min=1.5), "must be whole"),
        (item("q", "text", min_length=9, max_length=2), "'min_length' is greater"),
        (item("q", "text", pattern="(["), "not a valid regular expression"),
        (item("q", "group"), "a group needs items"),
        (item("q", "group", items=[item("r", "group", items=[item("s", "text")])]), "cannot"),
        (item("q", "group", items=[item("r", "text")], columns=["z"]), "no item 'z'"),
        (item("q", "group", items=[item("r", "text")], min_entries=3, max_entries=1), "greater"),
        (item("q", "date", not_after={}), "exactly one of 'today', 'item' or 'computed'"),
        (item("q", "date", not_after={"today": 0, "days": 3}), "without 'days'"),
        (item("Q", "text"), "pattern"),
        (item("q", "text", text={"fr": "a", "nl": "b", "de": "c"}), "Field required"),
        (item("q", "text", text={"fr": "a", "nl": "b", "de": " ", "en": "d"}), "pattern"),
        (item("q", "text", unknown=1), "Extra inputs"),
        (item("q", "slider"), "Input should be"),
    ],
)
def test_item_problems(bad: dict[str, Any], message: str) -> None:
    found = problems(one_screen(bad))
    assert any(message in line for line in found), found


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([item("a", "text"), item("a", "text")], "screen 's', item 'a', field 'id': the id 'a'"),
        ([item("s", "text")], "the id 's' is used twice"),
        (
            [item("a", "yes_no", show_if=when({"item": "b", "equals": True})), item("b", "yes_no")],
            "item 'b' does not come before this one",
        ),
        ([item("a", "yes_no", show_if=when({"item": "zz", "equals": True}))], "no item 'zz'"),
        (
            [item("a", "read"), item("b", "text", show_if=when({"item": "a", "answered": True}))],
            "item 'a' has no answer",
        ),
        (
            [item("a", "yes_no"), item("b", "text", show_if=when({"item": "a", "equals": 1}))],
            "compares with true or false",
        ),
        (
            [
                item("a", "yes_no"),
                item("b", "text", show_if=when({"item": "a", "greater_than": 1})),
            ],
            "needs a number or date question",
        ),
        (
            [item("a", "integer"), item("b", "text", show_if=when({"item": "a", "equals": "1"}))],
            "compares with a number",
        ),
        (
            [
                item("a", "single", choices=choices("x", "y")),
                item("b", "text", show_if=when({"item": "a", "equals": "z"})),
            ],
            "'z' is not one of the choices",
        ),
        (
            [
                item("a", "date"),
                item("b", "text", show_if=when({"item": "a", "less_than": "soon"})),
            ],
            "compares with a date",
        ),
        ([item("a", "text", text=text("{nothing}"))], "unknown placeholder {nothing}"),
        (
            [item("a", "text", text={**text("x"), "en": "{quarantine_days} days"})],
            "do not use the same {placeholders}",
        ),
        ([item("a", "date", not_before={"item": "b"}), item("b", "text")], "no date item 'b'"),
        ([item("a", "date", not_before={"computed": "c"})], "no computed date 'c'"),
    ],
)
def test_cross_item_problems(items: list[dict[str, Any]], message: str) -> None:
    found = problems(one_screen(*items))
    assert any(message in line for line in found), found


def test_problems_name_the_item_inside_a_group_and_are_all_listed() -> None:
    group = item(
        "people",
        "group",
        items=[
            item("a", "yes_no", show_if=when({"item": "b", "equals": True})),
            item("b", "yes_no"),
            item("c", "text", text=text("{unknown}")),
        ],
    )
    found = problems(one_screen(group))
    assert "screen 's', item 'people' > 'a', field 'show_if.all[0]'" in found[0]
    assert any("item 'people' > 'c', field 'text': unknown placeholder" in f for f in found)


def test_group_items_see_earlier_top_level_items_and_their_own_computed_values() -> None:
    risk = {
        "name": "risk",
        "rule": "quarantine_end",
        "inputs": {"last_exposure": "when"},
    }
    group = item(
        "people",
        "group",
        computed=[risk],
        items=[
            item("when", "date"),
            item("note", "text", show_if=when({"item": "gate", "equals": True})),
            item("late", "text", show_if=when({"computed": "risk", "answered": True})),
            item("early", "text", show_if=when({"item": "after", "equals": True})),
        ],
    )
    found = problems(one_screen(item("gate", "yes_no"), group, item("after", "yes_no")))
    assert len(found) == 1, found
    assert "item 'people' > 'early'" in found[0]
    assert "does not come before" in found[0]


def test_computed_values_are_checked() -> None:
    computed = [
        {"name": "end", "rule": "quarantine_end", "inputs": {"last_exposure": "txt"}},
        {"name": "start", "rule": "quarantine_end", "inputs": {"last_exposure": "nowhere"}},
        {"name": "late", "rule": "quarantine_end", "inputs": {"last_exposure": "day"}},
    ]
    data = script(
        screen(
            "s",
            item("txt", "text"),
            item("early", "text", show_if=when({"computed": "late", "answered": True})),
            item("day", "date"),
            item("risky", "text", show_if=when({"computed": "late", "equals": "high"})),
        ),
        computed=computed,
    )
    found = problems(data)
    assert any(
        "computed 'end', field 'inputs.last_exposure': item 'txt' is not date" in f for f in found
    )
    assert any(
        "computed 'start', field 'inputs.last_exposure': no item 'nowhere'" in f for f in found
    )
    assert any("the inputs of 'late' do not all come before this item" in f for f in found)
    assert any("item 'risky'" in f and "compares with a date" in f for f in found)


def test_risk_compares_with_a_class() -> None:
    group = item(
        "people",
        "group",
        computed=[
            {
                "name": "risk",
                "rule": "contact_risk",
                "inputs": {
                    name: "m" if name.endswith("_minutes") else "f"
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
                },
            }
        ],
        items=[
            item("f", "yes_no"),
            item("m", "integer"),
            item("x", "read", show_if=when({"computed": "risk", "equals": "severe"})),
        ],
    )
    found = problems(one_screen(group))
    assert len(found) == 1
    assert "a risk class compares" in found[0]


def test_first_screen_is_always_shown() -> None:
    data = script(screen("s", item("a", "yes_no"), show_if=when({"item": "a", "equals": True})))
    assert any("the first screen is always shown" in f for f in problems(data))


def test_item_type_values_did_not_change() -> None:
    assert [t.value for t in ItemType] == [
        "read",
        "text",
        "integer",
        "decimal",
        "date",
        "yes_no",
        "single",
        "multiple",
        "phone",
        "national_number",
        "postcode",
        "email",
        "group",
    ]
