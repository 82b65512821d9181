"""Validation of a well-formed answer against the limits of its item: ranges, lengths,
pattern, date limits. (Types are checked by :func:`tracer_tui.core.values.parse_answer`.)

Messages are short English source texts translated through ``_`` (the agent's language).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from tracer_tui.core.i18n import _
from tracer_tui.core.questionnaire import DateBound, Item
from tracer_tui.core.render import format_value
from tracer_tui.core.values import ItemType, Value

BoundResolver = Callable[[DateBound], date | None]


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _shown_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def constraint_errors(item: Item, value: Value | None, resolve: BoundResolver) -> list[str]:
    """The messages of a parsed answer that breaks a limit of its item."""
    if value is None:
        return []
    errors: list[str] = []
    if item.type in (ItemType.INTEGER, ItemType.DECIMAL) and isinstance(value, int | float):
        if item.min is not None and value < item.min:
            errors.append(_("At least {minimum}.").format(minimum=format_value(item.min, "en")))
        if item.max is not None and value > item.max:
            errors.append(_("At most {maximum}.").format(maximum=format_value(item.max, "en")))
    elif item.type is ItemType.TEXT and isinstance(value, str):
        if item.min_length is not None and len(value) < item.min_length:
            errors.append(_("At least {count} characters.").format(count=item.min_length))
        if item.max_length is not None and len(value) > item.max_length:
            errors.append(_("At most {count} characters.").format(count=item.max_length))
        if item.pattern is not None and not _compiled(item.pattern).fullmatch(value):
            errors.append(_("This does not have the expected format."))
    elif item.type is ItemType.DATE and isinstance(value, date):
        earliest = resolve(item.not_before) if item.not_before is not None else None
        latest = resolve(item.not_after) if item.not_after is not None else None
        if earliest is not None and value < earliest:
            errors.append(_("Not before {date}.").format(date=_shown_date(earliest)))
        if latest is not None and value > latest:
            errors.append(_("Not after {date}.").format(date=_shown_date(latest)))
    return errors
