"""Answer values: parsing by item type, and the submitted form."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.scripts import VALID_NISS
from tracer_tui.core.values import AnswerError, ItemType, is_empty, parse_answer, to_wire


@pytest.mark.parametrize(
    ("item_type", "raw", "expected"),
    [
        (ItemType.YES_NO, True, True),
        (ItemType.INTEGER, "42", 42),
        (ItemType.INTEGER, 7, 7),
        (ItemType.INTEGER, 3.0, 3),
        (ItemType.DECIMAL, "1,5", 1.5),
        (ItemType.DECIMAL, 2, 2),
        (ItemType.DATE, "2020-10-01", date(2020, 10, 1)),
        (ItemType.DATE, "01/10/2020", date(2020, 10, 1)),
        (ItemType.DATE, "01.10.2020", date(2020, 10, 1)),
        (ItemType.DATE, date(2020, 10, 1), date(2020, 10, 1)),
        (ItemType.PHONE, "0471 23 45 67", "+32471234567"),
        (ItemType.PHONE, "+32 2 555 12 34", "+3225551234"),
        (ItemType.NATIONAL_NUMBER, VALID_NISS, "85073003328"),
        (ItemType.POSTCODE, " 1000 ", "1000"),
        (ItemType.EMAIL, "a.b@example.be", "a.b@example.be"),
        (ItemType.TEXT, "  hello ", "hello"),
    ],
)
def test_parse(item_type: ItemType, raw: object, expected: object) -> None:
    assert parse_answer(item_type, raw) == expected


@pytest.mark.parametrize(
    ("item_type", "raw"),
    [
        (ItemType.YES_NO, "yes"),
        (ItemType.INTEGER, "4.5"),
        (ItemType.INTEGER, True),
        (ItemType.INTEGER, 2.5),
        (ItemType.DECIMAL, "abc"),
        (ItemType.DECIMAL, "nan"),
        (ItemType.DATE, "31/02/2020"),
        (ItemType.DATE, 20201001),
        (ItemType.PHONE, "12"),
        (ItemType.NATIONAL_NUMBER, "85.07.30-033.29"),
        (ItemType.POSTCODE, "0999"),
        (ItemType.POSTCODE, "10000"),
        (ItemType.EMAIL, "not-an-address"),
        (ItemType.EMAIL, "a@b"),
        (ItemType.TEXT, 12),
    ],
)
def test_parse_refuses(item_type: ItemType, raw: object) -> None:
    with pytest.raises(AnswerError):
        parse_answer(item_type, raw)


def test_choices() -> None:
    assert parse_answer(ItemType.SINGLE, "b", ("a", "b")) == "b"
    assert parse_answer(ItemType.MULTIPLE, ["c", "a", "a"], ("a", "b", "c")) == ("a", "c")
    with pytest.raises(AnswerError):
        parse_answer(ItemType.SINGLE, "z", ("a", "b"))
    with pytest.raises(AnswerError):
        parse_answer(ItemType.MULTIPLE, ["a", 1], ("a", "b"))


def test_empty() -> None:
    empty: tuple[object, ...] = (None, "", "  ", [], ())
    assert all(is_empty(raw) for raw in empty)
    assert not any(is_empty(raw) for raw in (False, 0, "x", ["a"]))


def test_wire_form() -> None:
    assert to_wire(date(2020, 1, 2)) == "2020-01-02"
    assert to_wire(("a", "b")) == ["a", "b"]
    assert to_wire(False) is False
