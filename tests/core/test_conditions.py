"""Conditions: declarative comparisons, FHIR enableWhen semantics."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from tracer_tui.core.conditions import Comparison, Condition, compare, evaluate


def comparison(**data: object) -> Comparison:
    return Comparison.model_validate({"item": "x", **data})


@pytest.mark.parametrize(
    ("data", "value", "expected"),
    [
        ({"equals": True}, True, True),
        ({"equals": True}, False, False),
        ({"equals": 1}, True, False),  # a bool is not a number
        ({"equals": True}, 1, False),
        ({"equals": 3}, 3.0, True),
        ({"equals": "b"}, ("a", "b"), True),  # a multiple choice answer holds "b"
        ({"not_equals": "b"}, ("a",), True),
        ({"greater_than": 0}, 5, True),
        ({"greater_than": 5}, 5, False),
        ({"at_least": 5}, 5, True),
        ({"less_than": 5}, 4.5, True),
        ({"at_most": 5}, 6, False),
        ({"greater_than": "2020-10-01"}, date(2020, 10, 2), True),
        ({"equals": date(2020, 10, 2)}, date(2020, 10, 2), True),
        ({"greater_than": 1}, "text", False),
        ({"greater_than": True}, 1, False),
        ({"answered": True}, 0, True),
        ({"answered": False}, 0, False),
    ],
)
def test_compare(data: dict[str, object], value: object, expected: bool) -> None:
    assert compare(comparison(**data), value) is expected


def test_unanswered_is_false_except_not_equals_and_not_answered() -> None:
    for data in ({"equals": True}, {"greater_than": 0}, {"at_most": 9}, {"answered": True}):
        assert compare(comparison(**data), None) is False
    assert compare(comparison(not_equals=True), None) is True
    assert compare(comparison(answered=False), None) is True


def test_all_and_any() -> None:
    values = {"a": True, "b": 3}
    both = Condition.model_validate(
        {"all": [{"item": "a", "equals": True}, {"item": "b", "greater_than": 5}]}
    )
    either = Condition.model_validate(
        {"any": [{"item": "a", "equals": True}, {"item": "b", "greater_than": 5}]}
    )
    assert not evaluate(both, lambda c: values.get(c.subject))
    assert evaluate(either, lambda c: values.get(c.subject))
    assert evaluate(None, lambda c: None)


@pytest.mark.parametrize(
    "data",
    [
        {"item": "x"},
        {"item": "x", "equals": 1, "not_equals": 2},
        {"equals": 1},
        {"item": "x", "computed": "y", "equals": 1},
        {"item": "x", "equals": 1, "expression": "x == 1"},
        {"item": "x", "equals": [1, 2]},
    ],
)
def test_bad_comparisons(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Comparison.model_validate(data)


@pytest.mark.parametrize(
    "data",
    [{}, {"all": []}, {"all": [{"item": "x", "equals": 1}], "any": [{"item": "x", "equals": 2}]}],
)
def test_bad_conditions(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Condition.model_validate(data)
