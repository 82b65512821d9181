"""Invariants of the interview engine, on generated answers (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.scripts import TODAY, VALID_NISS, tracing_script
from tracer_tui.core.engine import Interview, InterviewError, validate_submission
from tracer_tui.core.evaluation import entry_key
from tracer_tui.core.questionnaire import Item, ItemType, Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.questionnaire_files import default_directory, load_file

SCRIPTS = [
    tracing_script(),
    load_file(default_directory() / "index-first-call.v1.yaml"),
    load_file(default_directory() / "contact-first-call.v1.yaml"),
]
RULES = Rules()
DAYS = st.integers(-60, 5).map(lambda n: TODAY + timedelta(days=n))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_for(item: Item) -> st.SearchStrategy[object]:
    """Answers as a screen would send them: mostly fitting, sometimes wrong."""
    wrong = st.sampled_from(["", "???", 12])
    match item.type:
        case ItemType.YES_NO:
            right: st.SearchStrategy[object] = st.booleans()
        case ItemType.INTEGER:
            right = st.integers(-5, 200) | st.integers(0, 99).map(str)
        case ItemType.DECIMAL:
            right = st.floats(-1, 300, allow_nan=False) | st.just("1,5")
        case ItemType.DATE:
            right = DAYS | DAYS.map(date.isoformat) | DAYS.map(lambda d: d.strftime("%d/%m/%Y"))
        case ItemType.SINGLE:
            right = st.sampled_from(item.choice_values)
        case ItemType.MULTIPLE:
            right = st.lists(st.sampled_from(item.choice_values), max_size=3)
        case ItemType.PHONE:
            right = st.sampled_from(["0471 23 45 67", "+3225551234", "02 555 12 34"])
        case ItemType.NATIONAL_NUMBER:
            right = st.just(VALID_NISS)
        case ItemType.POSTCODE:
            right = st.sampled_from(["1000", "4700", "9999"])
        case ItemType.EMAIL:
            right = st.just("someone@example.be")
        case _:
            right = st.text(max_size=6) | st.just("ABCD")
    return st.one_of(right, right, right, wrong)


def answers_for(items: tuple[Item, ...], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[object]] = {}
    for item in items:
        if item.is_question:
            fields[item.id] = value_for(item)
        elif item.is_group and depth == 0:
            fields[item.id] = st.lists(answers_for(item.items, 1), max_size=4)
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def interviews(draw: st.DrawFn) -> Interview:
    questionnaire: Questionnaire = draw(st.sampled_from(SCRIPTS))
    items = tuple(item for screen in questionnaire.screens for item in screen.items)
    answers = draw(answers_for(items))
    language = draw(st.sampled_from(["fr", "nl", "de", "en"]))
    screen = draw(st.sampled_from([s.id for s in questionnaire.screens]))
    return Interview(
        questionnaire,
        language=language,
        rules=RULES,
        today=TODAY,
        answers=answers,
        screen_id=screen,
    )


def submitted_keys(answers: dict[str, Any]) -> list[str]:
    keys = []
    for key, value in answers.items():
        keys.append(key)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, entry in enumerate(value):
                keys.extend(entry_key(key, index, child) for child in entry)
    return keys


def fresh(interview: Interview, answers: dict[str, Any] | None = None) -> Interview:
    return Interview(
        interview.questionnaire,
        language=interview.language,
        rules=RULES,
        today=TODAY,
        answers=interview.answers if answers is None else answers,
        screen_id=interview.screen_id,
    )


@SETTINGS
@given(interviews())
def test_submitted_answers_are_visible_questions(interview: Interview) -> None:
    submitted = interview.visible_answers()
    for key in submitted_keys(submitted):
        assert interview.is_visible(key), key
    hidden = set(interview.unexpected_answers())
    assert not hidden & set(submitted_keys(submitted))


@SETTINGS
@given(interviews())
def test_the_submitted_answers_give_back_the_same_interview(interview: Interview) -> None:
    submitted = interview.visible_answers()
    again = fresh(interview, submitted)
    assert again.visible_answers() == submitted
    assert [s.id for s in again.visible_screens()] == [s.id for s in interview.visible_screens()]
    assert again.unexpected_answers() == []
    if interview.is_complete:
        assert interview.submission() == submitted
        assert (
            validate_submission(interview.questionnaire, submitted, rules=RULES, today=TODAY) == {}
        )


@SETTINGS
@given(interviews())
def test_evaluation_is_deterministic(interview: Interview) -> None:
    other = fresh(interview)
    assert other.all_errors() == interview.all_errors()
    assert other.computed == interview.computed
    assert other.visible_answers() == interview.visible_answers()
    assert other.screen() == interview.screen()


@SETTINGS
@given(interviews(), st.data())
def test_navigation_never_lands_on_a_hidden_screen(
    interview: Interview, data: st.DataObject
) -> None:
    questionnaire = interview.questionnaire
    questions = [i for s in questionnaire.screens for i in s.items if i.is_question]
    for _ in range(12):
        visible = [s.id for s in interview.visible_screens()]
        assert interview.screen_id in visible
        number, count = interview.position
        assert visible[number - 1] == interview.screen_id
        assert count == len(visible)
        assert interview.screen().id == interview.screen_id
        action = data.draw(st.sampled_from(["next", "back", "go_to", "answer"]))
        try:
            if action == "next":
                interview = interview.next()
            elif action == "back":
                interview = interview.back()
            elif action == "go_to":
                interview = interview.go_to(data.draw(st.sampled_from(visible)))
            else:
                item = data.draw(st.sampled_from(questions))
                interview = interview.with_answer(item.id, data.draw(value_for(item)))
        except InterviewError:
            continue


@settings(SETTINGS, max_examples=120)
@given(interviews(), st.data())
def test_changes_step_by_step_equal_a_fresh_evaluation(
    interview: Interview, data: st.DataObject
) -> None:
    """Entries kept from one state to the next never show stale values or messages."""
    groups = [i for s in interview.questionnaire.screens for i in s.items if i.is_group]
    if groups:  # open the gates to the group most of the time
        gates = {"identity_confirmed": True, "consent": True}
        known = {i.id for s in interview.questionnaire.screens for i in s.items}
        opened = {key: value for key, value in gates.items() if key in known}
        if data.draw(st.integers(0, 4)):
            interview = interview.with_answers(opened)
    questions = [i for s in interview.questionnaire.screens for i in s.items if i.is_question]
    for _ in range(10):
        for screen in interview.visible_screens():  # views built, then kept for the next state
            interview.screen(screen.id)
        choice = data.draw(st.sampled_from(["top", "entry", "add", "remove"]))
        group = data.draw(st.sampled_from(groups)) if groups else None
        count = interview.entry_count(group.id) if group else 0
        if choice == "top" or group is None:
            item = data.draw(st.sampled_from(questions))
            interview = interview.with_answer(item.id, data.draw(value_for(item)))
        elif choice == "add":
            interview = interview.with_entry_added(group.id)
        elif count and choice == "remove":
            interview = interview.with_entry_removed(group.id, data.draw(st.integers(0, count - 1)))
        elif count:
            child = data.draw(st.sampled_from([c for c in group.items if c.is_question]))
            index = data.draw(st.integers(0, count - 1))
            key = entry_key(group.id, index, child.id)
            interview = interview.with_answer(key, data.draw(value_for(child)))
    reference = fresh(interview)
    assert interview.all_errors() == reference.all_errors()
    assert interview.visible_answers() == reference.visible_answers()
    for screen in reference.visible_screens():
        assert interview.screen(screen.id) == reference.screen(screen.id)
