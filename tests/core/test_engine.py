"""The interview engine, by example."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.scripts import TODAY, low_risk_contact, start
from tracer_tui.core.engine import IncompleteError, Interview, InterviewError, validate_submission
from tracer_tui.core.rules import Rules

HEALTH = {"has_symptoms": True, "onset": "2020-10-15", "test_date": "2020-10-17"}


def test_a_new_interview_starts_on_the_first_screen() -> None:
    interview = start()
    assert interview.screen_id == "start"
    assert [s.id for s in interview.visible_screens()] == ["start", "end"]
    assert interview.position == (1, 2)
    assert interview.errors() == {"consent": ("This answer is required.",)}
    assert not interview.is_complete


def test_conditions_show_screens_and_items() -> None:
    interview = start(answers={"consent": True})
    assert [s.id for s in interview.visible_screens()] == ["start", "health", "people", "end"]
    assert not interview.is_visible("onset")
    assert interview.with_answer("has_symptoms", True).is_visible("onset")
    assert not interview.with_answer("has_symptoms", False).is_visible("onset")
    assert not start(answers={"consent": False}).is_visible("has_symptoms")


def test_next_refuses_an_incomplete_screen_and_back_returns() -> None:
    interview = start()
    with pytest.raises(IncompleteError) as caught:
        interview.next()
    assert list(caught.value.errors) == ["consent"]
    interview = interview.with_answer("consent", True).next()
    assert interview.screen_id == "health"
    assert interview.back().screen_id == "start"
    with pytest.raises(InterviewError):
        interview.back().back()


def test_next_skips_hidden_screens() -> None:
    interview = start(answers={"consent": False}).next()
    assert interview.screen_id == "end"
    assert not interview.has_next
    with pytest.raises(InterviewError):
        interview.next()


def test_a_screen_hidden_by_a_change_is_left_for_the_nearest_earlier_one() -> None:
    interview = start(answers={"consent": True}, screen_id="people")
    assert interview.screen_id == "people"
    assert interview.with_answer("consent", False).screen_id == "start"
    assert start(screen_id="no-such-screen").screen_id == "start"
    with pytest.raises(InterviewError):
        interview.with_answer("consent", False).go_to("people")


def test_validation_messages() -> None:
    interview = start(
        answers={
            "consent": True,
            "has_symptoms": True,
            "onset": "2020-08-01",
            "test_date": "21/10/2020",
            "age": "x",
            "weight": "0,2",
            "code": "abcd",
        }
    )
    assert interview.errors("health") == {
        "onset": ("Not before 20/09/2020.",),
        "test_date": ("Not after 20/10/2020.",),
        "age": ("Enter a whole number.",),
        "weight": ("At least 0.5.",),
        "code": ("This does not have the expected format.",),
    }
    assert interview.item_errors("age") == ("Enter a whole number.",)
    assert interview.item_errors("nothing") == ()


def test_computed_values_and_placeholders_in_the_interview_language() -> None:
    interview = start(answers={"consent": True, **HEALTH}, language="fr")
    assert interview.computed == {
        "period_start": date(2020, 10, 13),
        "isolation_end": date(2020, 10, 22),
    }
    advice = interview.screen("health").items[-1]
    assert advice.text == "jusqu'au 22/10/2020, 1,5 m"
    english = start(answers={"consent": True, "test_date": "2020-10-17"}, language="en")
    assert english.screen("health").items[-1].text == "until 24/10/2020, 1.5 m"


def test_durations_follow_the_rules() -> None:
    rules = Rules(isolation_days=10, contact_period_days_before_onset=3)
    interview = start(answers={"consent": True, **HEALTH}, rules=rules)
    assert interview.computed["isolation_end"] == date(2020, 10, 25)
    assert interview.computed["period_start"] == date(2020, 10, 12)


def test_groups_entries_risk_and_limits() -> None:
    interview = start(answers={"consent": True, **HEALTH}, screen_id="people")
    assert interview.errors() == {"contacts": ("Add at least 1 entry.",)}
    interview = interview.with_entry_added("contacts", low_risk_contact())
    assert interview.errors() == {}
    assert interview.entry_computed("contacts", 0) == {"risk": "low"}
    interview = interview.with_answer("contacts[0].face_to_face_minutes", "20")
    assert interview.is_visible("contacts[0].both_masked")
    assert interview.entry_computed("contacts", 0) == {"risk": "low"}  # both masked
    interview = interview.with_answer("contacts[0].both_masked", False)
    assert interview.entry_computed("contacts", 0) == {"risk": "high"}
    assert interview.is_visible("contacts[0].high_note")
    interview = interview.with_answer("contacts[0].last_contact", "2020-10-01")
    assert interview.errors() == {"contacts[0].last_contact": ("Not before 13/10/2020.",)}
    interview = interview.with_answer("contacts[0].last_contact", "2020-10-13")
    for name in "BCD":
        interview = interview.with_entry_added("contacts", low_risk_contact(name))
    assert interview.errors() == {"contacts": ("At most 3 entries.",)}
    interview = interview.with_entry_removed("contacts", 0)
    assert interview.entry_count("contacts") == 3
    assert interview.value("contacts[0].name") == "B"
    assert interview.errors() == {}


def test_entry_messages_and_views_carry_their_keys() -> None:
    contact = {**low_risk_contact(), "phone": "12", "name": ""}
    interview = start(answers={"consent": True, **HEALTH, "contacts": [contact]})
    view = interview.screen("people")
    entry = view.items[0].entries[0]
    assert entry.has_errors
    assert [v.key for v in entry.items][:3] == [
        "contacts[0].name",
        "contacts[0].phone",
        "contacts[0].last_contact",
    ]
    assert entry.items[0].errors == ("This answer is required.",)
    assert entry.items[1].errors == ("This is not a valid phone number.",)
    assert entry.value("phone") == "12"
    assert view.errors["contacts[0].phone"] == ("This is not a valid phone number.",)


def test_submission_holds_only_visible_answers_in_their_wire_form() -> None:
    answers = {
        "consent": True,
        "has_symptoms": False,
        "onset": "2020-10-15",  # hidden: no symptoms
        "test_date": "17/10/2020",
        "contacts": [{**low_risk_contact(), "phone": "0471 23 45 67", "kept_distance": True}],
        "more": ["a"],
        "detail": "hidden because b is not chosen",
    }
    interview = start(answers=answers)
    submitted = interview.submission()
    assert "onset" not in submitted
    assert "detail" not in submitted
    assert submitted["test_date"] == "2020-10-17"
    contact = submitted["contacts"][0]
    assert contact["phone"] == "+32471234567"
    assert "kept_distance" not in contact  # no time in the same room
    assert submitted["more"] == ["a"]
    assert sorted(interview.unexpected_answers()) == [
        "contacts[0].kept_distance",
        "detail",
        "onset",
    ]
    assert validate_submission(interview.questionnaire, submitted, rules=Rules(), today=TODAY) == {}


def test_submission_refused_while_incomplete() -> None:
    with pytest.raises(IncompleteError):
        start(answers={"consent": True}).submission()
    # a visible group without entries is an answer: "nobody"
    assert start(answers={"consent": True}).visible_answers() == {"consent": True, "contacts": []}


def test_validate_submission_names_the_items() -> None:
    errors = validate_submission(
        start().questionnaire,
        {"consent": True, "has_symptoms": "perhaps", "bogus": 1, "intro": "x"},
        rules=Rules(),
        today=TODAY,
    )
    assert errors["has_symptoms"] == ("Answer yes or no.",)
    assert errors["bogus"] == ("This answer was not asked for.",)
    assert errors["intro"] == ("This answer was not asked for.",)
    assert "test_date" in errors
    assert "contacts" in errors
    assert "Bad Key!" in validate_submission(
        start().questionnaire, {"Bad Key!": 1}, rules=Rules(), today=TODAY
    )


def test_changes_that_make_no_sense_are_refused() -> None:
    interview = start()
    for key in ("intro", "nothing", "contacts", "contacts[0].name", "contacts[0].zz", "a b"):
        with pytest.raises(InterviewError):
            interview.with_answer(key, "x")
    with pytest.raises(InterviewError):
        interview.with_entry_removed("contacts", 0)
    with pytest.raises(InterviewError):
        interview.with_entry_added("consent")


def test_clearing_an_answer_and_saving_a_draft() -> None:
    interview = start(answers={"consent": True}).with_answer("age", "12")
    assert interview.with_answer("age", " ").value("age") is None
    draft = interview.with_entry_added("contacts", {"name": "A"}).answers
    assert draft == {"consent": True, "age": "12", "contacts": [{"name": "A"}]}
    resumed = Interview(
        interview.questionnaire,
        language="en",
        rules=Rules(),
        today=TODAY,
        answers=draft,
        screen_id="people",
    )
    assert resumed.screen_id == "people"
    assert resumed.value("contacts[0].name") == "A"


def test_the_caller_s_answers_are_copied() -> None:
    answers: dict[str, object] = {"consent": True, "contacts": [{"name": "A"}]}
    interview = start(answers=answers)
    answers["consent"] = False
    answers["contacts"][0]["name"] = "changed"  # type: ignore[index]
    assert interview.value("consent") is True
    assert interview.value("contacts[0].name") == "A"
    interview.answers["contacts"][0]["name"] = "also changed"
    assert interview.value("contacts[0].name") == "A"
    chosen = start(answers={"more": ["a"], "contacts": [{"name": "A", "x": ["b"]}]})
    chosen.answers["more"].append("c")
    chosen.answers["contacts"][0]["x"].append("c")
    assert chosen.answers == {"more": ["a"], "contacts": [{"name": "A", "x": ["b"]}]}


def test_a_screen_view_for_the_ui() -> None:
    interview = start(answers={"consent": True, "more": ["b"]}, language="nl", screen_id="end")
    view = interview.screen()
    assert (view.id, view.title, view.number, view.count) == ("end", "nl end", 4, 4)
    assert view.has_back
    assert not view.has_next
    assert [v.key for v in view.items] == ["bye", "more", "detail"]
    assert view.items[1].choices == (("a", "nl a"), ("b", "nl b"), ("c", "nl c"))
    assert view.items[0].text == "nl bye"
    with pytest.raises(InterviewError):
        interview.with_answer("consent", False).screen("health")


def test_kept_entries_follow_a_change_of_the_top_level() -> None:
    """Entries are kept from state to state only while the top level is the same."""
    contact = {**low_risk_contact(), "last_contact": "2020-10-14"}
    interview = start(answers={"consent": True, **HEALTH, "contacts": [contact]})
    assert interview.screen("people").is_valid
    later = interview.with_answer("onset", "2020-10-18")  # the period now starts on 16/10
    assert later.errors("people") == {"contacts[0].last_contact": ("Not before 16/10/2020.",)}
    assert later.screen("people").items[0].entries[0].has_errors
    back = later.with_answer("onset", "2020-10-15")
    assert back.screen("people").is_valid


def test_kept_entry_views_follow_a_removal() -> None:
    contacts = [low_risk_contact(name) for name in "ABC"]
    interview = start(answers={"consent": True, **HEALTH, "contacts": contacts})
    assert interview.screen("people").items[0].entries[1].items[0].key == "contacts[1].name"
    shorter = interview.with_entry_removed("contacts", 0)
    entries = shorter.screen("people").items[0].entries
    assert [(e.index, e.items[0].key, e.value("name")) for e in entries] == [
        (0, "contacts[0].name", "B"),
        (1, "contacts[1].name", "C"),
    ]
