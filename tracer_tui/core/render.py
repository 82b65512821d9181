"""Placeholders in script texts: ``{isolation_end}``, ``{quarantine_days}``.

A placeholder is a plain name: a computed value, a rule of the configuration, a risk
threshold or ``today``. Nothing else is looked up (no attribute access, no format spec), so a
script cannot reach into the program.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from tracer_tui.core.types import Language

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
MISSING = "…"

_DATE_FORMATS = {
    Language.FR: "%d/%m/%Y",
    Language.NL: "%d/%m/%Y",
    Language.DE: "%d.%m.%Y",
    Language.EN: "%d/%m/%Y",
}


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def format_value(value: object, language: Language | str) -> str:
    """A value as read aloud in ``language``: local dates, decimal commas, lists."""
    lang = Language(language)
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.strftime(_DATE_FORMATS[lang])
    if isinstance(value, float):
        text = f"{value:g}"
        return text if lang is Language.EN else text.replace(".", ",")
    if isinstance(value, list | tuple):
        return ", ".join(format_value(part, lang) for part in value)
    return str(value)


def render(text: str, values: Mapping[str, object], language: Language | str) -> str:
    """Replace every known placeholder; an unknown one stays as written."""
    if "{" not in text:
        return text

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return format_value(values[name], language)

    return PLACEHOLDER.sub(substitute, text)
