"""Complete, valid answers for a script, built by walking the interview engine screen by screen.

The server validates every submitted interview with the engine, so tests and benchmarks that
submit interviews send these (with their own values where the test needs them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from tracer_tui.core.engine import Interview
from tracer_tui.core.questionnaire import Item, Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language
from tracer_tui.core.values import ItemType, is_empty
from tracer_tui.questionnaire_files import default_directory, load_file

# The yes/no items that gate the interview: answered "no", the interview ends early.
GATES = frozenset({"identity_confirmed", "consent"})
DAYS_BEFORE = 3


@cache
def script(questionnaire_id: str = "index-first-call", version: int = 1) -> Questionnaire:
    """One of the shipped scripts (the ones the test server loads)."""
    return load_file(default_directory() / f"{questionnaire_id}.v{version}.yaml")


def _value(item: Item, today: date) -> object:
    """A valid answer to a question, by its type."""
    match item.type:
        case ItemType.YES_NO:
            return item.id in GATES
        case ItemType.DATE:
            return (today - timedelta(days=DAYS_BEFORE)).isoformat()
        case ItemType.INTEGER:
            return max(0, int(item.min or 0))
        case ItemType.DECIMAL:
            return max(0.0, float(item.min or 0))
        case ItemType.SINGLE:
            return item.choices[0].value
        case ItemType.MULTIPLE:
            return [item.choices[0].value]
        case ItemType.PHONE:
            return "+32470123456"
        case ItemType.NATIONAL_NUMBER:
            return "85.07.30-033.28"
        case ItemType.POSTCODE:
            return "1000"
        case ItemType.EMAIL:
            return "agent@example.org"
        case _:
            return "x"


def _fill_screen(interview: Interview) -> Interview:
    """Answer every visible, required, unanswered question of the current screen (answers can
    show more questions: go on until none is left)."""
    while True:
        missing = {
            view.key: _value(view.item, interview.today)
            for view in interview.screen().items
            if view.required
            and view.item.type not in (ItemType.READ, ItemType.GROUP)
            and is_empty(view.value)
        }
        if not missing:
            return interview
        interview = interview.with_answers(missing)


def complete_answers(
    questionnaire: Questionnaire,
    *,
    language: Language | str = "fr",
    today: date | None = None,
    rules: Rules | None = None,
    overrides: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """A complete, valid submission for ``questionnaire``: the answers in ``overrides`` (a
    test's own values), every other visible required question answered validly."""
    interview = Interview(
        questionnaire,
        language=language,
        rules=rules or Rules(),
        today=today or datetime.now(UTC).date(),
        answers=dict(overrides or {}),
    )
    interview = _fill_screen(interview)
    while interview.has_next:
        interview = _fill_screen(interview.next())
    return interview.submission()
