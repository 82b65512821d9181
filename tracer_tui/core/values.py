"""Answer values: what each item type accepts, and the form in which it is submitted.

An interview keeps what was entered (a widget's string, a bool, a list of choice values);
:func:`parse_answer` turns it into a typed value or raises :class:`AnswerError` with a short
English message (translated through ``_``), and :func:`to_wire` gives the JSON form that is
submitted: ISO dates, E.164 phone numbers, the 11 digits of a national number.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from tracer_tui.core.i18n import _
from tracer_tui.core.identifiers import (
    IdentifierError,
    is_belgian_postcode,
    normalise_national_number,
    normalise_phone,
)


class ItemType(StrEnum):
    READ = "read"  # text the agent reads aloud: no answer
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    YES_NO = "yes_no"
    SINGLE = "single"
    MULTIPLE = "multiple"
    PHONE = "phone"
    NATIONAL_NUMBER = "national_number"
    POSTCODE = "postcode"
    EMAIL = "email"
    GROUP = "group"  # a repeatable group of items (the list of contacts)


TEXT_TYPES = frozenset(
    {
        ItemType.TEXT,
        ItemType.PHONE,
        ItemType.NATIONAL_NUMBER,
        ItemType.POSTCODE,
        ItemType.EMAIL,
    }
)
NUMBER_TYPES = frozenset({ItemType.INTEGER, ItemType.DECIMAL})
CHOICE_TYPES = frozenset({ItemType.SINGLE, ItemType.MULTIPLE})
ANSWER_TYPES = frozenset(ItemType) - {ItemType.READ, ItemType.GROUP}

# A parsed answer: multiple choice answers are tuples of choice values.
Value = bool | int | float | str | date | tuple[str, ...]

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AnswerError(ValueError):
    """An answer that does not fit its item type; the message is shown to the agent."""


def is_empty(raw: object) -> bool:
    """No answer: nothing, a blank string, an empty selection."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set | frozenset):
        return not raw
    return False


def parse_date(raw: object) -> date:
    """A date from a ``date``, an ISO string or a Belgian ``DD/MM/YYYY`` (``.`` or ``-``)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        return _parse_date_text(raw.strip())
    raise AnswerError(_("Enter a date as DD/MM/YYYY."))


@lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise AnswerError(_("Enter a date as DD/MM/YYYY."))


@lru_cache(maxsize=4096)
def _phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except IdentifierError:
        raise AnswerError(_("This is not a valid {kind}.").format(kind=_("phone number"))) from None


@lru_cache(maxsize=4096)
def _national_number(text: str) -> str:
    try:
        return normalise_national_number(text)
    except IdentifierError:
        message = _("This is not a valid {kind}.").format(kind=_("national number"))
        raise AnswerError(message) from None


def _number(raw: object, integer: bool) -> int | float:
    if isinstance(raw, bool):
        raise AnswerError(_("Enter a number."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if integer and not raw.is_integer():
            raise AnswerError(_("Enter a whole number."))
        return int(raw) if integer else raw
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".")
        try:
            return int(text) if integer else float(text)
        except ValueError:
            message = _("Enter a whole number.") if integer else _("Enter a number.")
            raise AnswerError(message) from None
    raise AnswerError(_("Enter a number."))


def _choices(raw: object, allowed: Collection[str], multiple: bool) -> str | tuple[str, ...]:
    values: tuple[object, ...]
    if multiple:
        values = tuple(raw) if isinstance(raw, list | tuple | set | frozenset) else (raw,)
    else:
        values = (raw,)
    if not all(isinstance(value, str) and value in allowed for value in values):
        raise AnswerError(_("Choose one of the options."))
    if not multiple:
        return str(values[0])
    order = list(allowed)
    return tuple(sorted({str(value) for value in values}, key=order.index))


def parse_answer(item_type: ItemType, raw: object, choices: Collection[str] = ()) -> Value:
    """The typed value of a non-empty answer; raises :class:`AnswerError`."""
    match item_type:
        case ItemType.YES_NO:
            if not isinstance(raw, bool):
                raise AnswerError(_("Answer yes or no."))
            return raw
        case ItemType.INTEGER | ItemType.DECIMAL:
            number = _number(raw, item_type is ItemType.INTEGER)
            if isinstance(number, float) and number != number:  # NaN
                raise AnswerError(_("Enter a number."))
            return number
        case ItemType.DATE:
            return parse_date(raw)
        case ItemType.SINGLE | ItemType.MULTIPLE:
            return _choices(raw, choices, item_type is ItemType.MULTIPLE)
    if not isinstance(raw, str):
        raise AnswerError(_("Enter a text."))
    text = raw.strip()
    match item_type:
        case ItemType.PHONE:
            return _phone(text)
        case ItemType.NATIONAL_NUMBER:
            return _national_number(text)
        case ItemType.POSTCODE:
            if not is_belgian_postcode(text):
                raise AnswerError(_("A Belgian postcode has four digits."))
        case ItemType.EMAIL:
            if not _EMAIL.match(text):
                raise AnswerError(_("This is not an e-mail address."))
    return text


def to_wire(value: Value) -> bool | int | float | str | list[str]:
    """The JSON form of a parsed value, as submitted and stored."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
