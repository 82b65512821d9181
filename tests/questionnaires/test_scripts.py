"""The four shipped scripts: valid, complete in every language, and realistic walks."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tracer_tui.core.engine import Interview
from tracer_tui.core.questionnaire import ItemType, Questionnaire, parse_questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language, TaskKind
from tracer_tui.questionnaire_files import check_file, default_directory, load_directory

TODAY = date(2020, 10, 20)
SCRIPTS = load_directory()
NAMES = {
    ("index-first-call", 1): TaskKind.INDEX_CALL,
    ("contact-first-call", 1): TaskKind.CONTACT_CALL,
    ("follow-up-call", 1): TaskKind.FOLLOW_UP,
    ("field-visit-report", 1): TaskKind.FIELD_VISIT,
}


def test_the_four_scripts_are_shipped_one_file_per_id_and_version() -> None:
    assert {key: script.kind for key, script in SCRIPTS.items()} == NAMES
    names = sorted(path.name for path in default_directory().glob("*.yaml"))
    assert names == sorted(f"{key[0]}.v{key[1]}.yaml" for key in NAMES)
    for path in default_directory().glob("*.yaml"):
        assert check_file(path) == []


@pytest.mark.parametrize("key", sorted(NAMES))
def test_json_round_trip(key: tuple[str, int]) -> None:
    script = SCRIPTS[key]
    assert parse_questionnaire(json.loads(script.model_dump_json())) == script


def interview(key: tuple[str, int], answers: dict[str, Any], language: str = "en") -> Interview:
    return Interview(SCRIPTS[key], language=language, rules=Rules(), today=TODAY, answers=answers)


def walk(start: Interview, answers_by_screen: dict[str, dict[str, Any]]) -> Interview:
    """Answer screen by screen and go on, as an agent does; returns the last screen."""
    current = start
    while True:
        current = current.with_answers(answers_by_screen.get(current.screen_id, {}))
        assert current.errors() == {}, (current.screen_id, dict(current.errors()))
        if not current.has_next:
            return current
        current = current.next()


CONTACT: dict[str, Any] = {
    "first_name": "Jan",
    "last_name": "Peeters",
    "phone": "0471 23 45 67",
    "email": "jan@example.be",
    "postcode": "3000",
    "relation": "colleague",
    "last_contact": "2020-10-16",
    "household": False,
    "physical_contact": False,
    "body_fluids": False,
    "care_without_protection": False,
    "face_to_face_minutes": 30,
    "both_masked": False,
    "same_room_minutes": 0,
    "travel_minutes": 0,
}
INDEX: dict[str, dict[str, Any]] = {
    "identity": {"identity_confirmed": True},
    "privacy": {"consent": True},
    "health": {
        "has_symptoms": True,
        "symptom_onset": "15/10/2020",
        "symptoms": ["fever", "smell_taste"],
        "test_date": "17/10/2020",
        "hospitalised": False,
    },
    "work": {"profession": "Teacher", "care_worker": False, "risk_people": False},
    "isolation": {"isolation_possible": True},
    "collectivities": {
        "collectivity": True,
        "collectivity_kinds": ["school"],
        "collectivity_names": "École communale, Namur",
    },
    "travel": {"travelled": False},
    "closing": {"medical_questions": False},
}


@pytest.mark.parametrize("language", [lang.value for lang in Language])
def test_index_case_first_call(language: str) -> None:
    start = interview(("index-first-call", 1), {}, language)
    last = walk(start.with_answers({}), INDEX)
    assert last.screen_id == "closing"
    assert "22" in last.screen().items[-1].text  # isolation until 22 October
    with_contacts = last.go_to("contact_list").with_entry_added("contacts", CONTACT)
    with_contacts = with_contacts.with_entry_added(
        "contacts", {**CONTACT, "first_name": "Els", "face_to_face_minutes": 5}
    )
    assert with_contacts.entry_computed("contacts", 0) == {"risk": "high"}
    assert with_contacts.entry_computed("contacts", 1) == {"risk": "low"}
    submitted = with_contacts.submission()
    assert submitted["contacts"][0]["phone"] == "+32471234567"
    assert submitted["symptom_onset"] == "2020-10-15"
    assert with_contacts.computed["contact_period_start"] == date(2020, 10, 13)


def test_index_case_refusing_ends_the_interview() -> None:
    start = interview(("index-first-call", 1), {"identity_confirmed": True, "consent": False})
    assert [s.id for s in start.visible_screens()] == ["identity", "privacy"]
    assert start.submission() == {"identity_confirmed": True, "consent": False}
    wrong = interview(("index-first-call", 1), {"identity_confirmed": False})
    assert [s.id for s in wrong.visible_screens()] == ["identity"]


def test_index_contacts_group_holds_what_mission_asks() -> None:
    script = SCRIPTS[("index-first-call", 1)]
    group = next(i for s in script.screens for i in s.items if i.id == "contacts")
    assert group.type is ItemType.GROUP
    children = {child.id: child.type for child in group.items}
    for name, kind in {
        "first_name": ItemType.TEXT,
        "last_name": ItemType.TEXT,
        "phone": ItemType.PHONE,
        "email": ItemType.EMAIL,
        "street": ItemType.TEXT,
        "postcode": ItemType.POSTCODE,
        "birth_date": ItemType.DATE,
        "relation": ItemType.SINGLE,
        "last_contact": ItemType.DATE,
        "face_to_face_minutes": ItemType.INTEGER,
    }.items():
        assert children[name] is kind
    assert [value.rule for value in group.computed] == ["contact_risk"]


CONTACT_CALL: dict[str, dict[str, Any]] = {
    "identity": {"identity_confirmed": True},
    "exposure": {
        "last_exposure": "2020-10-18",
        "household": False,
        "physical_contact": False,
        "body_fluids": False,
        "care_without_protection": False,
        "face_to_face_minutes": 40,
        "both_masked": False,
        "same_room_minutes": 0,
        "travel_minutes": 0,
    },
    "high_risk": {
        "test_code_sent": True,
        "test_code_value": "AB12 CD34 EF56 GH78",
        "quarantine_possible": True,
        "certificate_needed": True,
        "certificate_email": "me@example.be",
    },
    "symptoms": {"has_symptoms": False},
    "closing": {"medical_questions": False},
}


@pytest.mark.parametrize("language", ["fr", "nl", "de", "en"])
def test_contact_first_call_high_risk(language: str) -> None:
    last = walk(interview(("contact-first-call", 1), {}, language), CONTACT_CALL)
    visited = [s.id for s in last.visible_screens()]
    assert "high_risk" in visited
    assert "low_risk" not in visited
    assert last.computed["quarantine_end"] == date(2020, 10, 28)
    assert last.computed["test_dates"] == (date(2020, 10, 20), date(2020, 10, 25))
    advice = last.go_to("high_risk").screen().items[0].text
    assert "28" in advice
    assert "25" in advice
    assert "{" not in advice


def test_contact_first_call_low_risk_and_rules_from_configuration() -> None:
    low = {**CONTACT_CALL["exposure"], "face_to_face_minutes": 10}
    last = walk(interview(("contact-first-call", 1), {}), {**CONTACT_CALL, "exposure": low})
    assert [s.id for s in last.visible_screens()] == [
        "identity",
        "exposure",
        "low_risk",
        "symptoms",
        "closing",
    ]
    seven_days = Interview(
        SCRIPTS[("contact-first-call", 1)],
        language="fr",
        rules=Rules(quarantine_days=7, test_days=(5,)),
        today=TODAY,
        answers=last.answers,
    )
    assert seven_days.computed["quarantine_end"] == date(2020, 10, 25)
    assert seven_days.computed["test_dates"] == (date(2020, 10, 23),)


def test_the_contact_script_never_names_the_index_case() -> None:
    script = SCRIPTS[("contact-first-call", 1)]
    announce = script.screen("exposure").items[0]
    assert "cannot tell you who" in announce.text.en
    assert not any("index" in item.id for s in script.screens for item in s.items)
    last_exposure = next(i for s in script.screens for i in s.items if i.id == "last_exposure")
    assert last_exposure.type is ItemType.DATE
    assert last_exposure.required


def test_a_wrong_test_code_is_refused() -> None:
    answers = {
        **CONTACT_CALL["identity"],
        **CONTACT_CALL["exposure"],
        "test_code_sent": True,
        "test_code_value": "AB12-CD34",
    }
    errors = interview(("contact-first-call", 1), answers).errors("high_risk")
    assert errors["test_code_value"] == ("This does not have the expected format.",)


def test_follow_up_call() -> None:
    answers: dict[str, dict[str, Any]] = {
        "identity": {"identity_confirmed": True},
        "health": {"symptoms_since": False},
        "test": {"test_done": True, "test_date": "2020-10-19", "test_result": "positive"},
        "quarantine": {"quarantine_kept": "partly", "quarantine_problems": "Had to shop"},
        "support": {"needs": ["groceries"]},
    }
    last = walk(interview(("follow-up-call", 1), {}, "nl"), answers)
    assert last.is_visible("positive_advice")
    assert last.submission()["quarantine_problems"] == "Had to shop"
    fully = last.with_answer("quarantine_kept", "fully")
    assert "quarantine_problems" not in fully.submission()


def test_field_visit_report() -> None:
    nobody: dict[str, dict[str, Any]] = {
        "visit": {"visit_date": "2020-10-19", "address_found": True, "person_met": "nobody"},
        "not_met": {"outcome": "nobody_home", "notice_left": True},
        "remarks": {"another_visit": True},
    }
    last = walk(interview(("field-visit-report", 1), {}, "de"), nobody)
    assert [s.id for s in last.visible_screens()] == ["visit", "not_met", "remarks"]
    met: dict[str, dict[str, Any]] = {
        "visit": {"visit_date": "2020-10-19", "address_found": True, "person_met": "person"},
        "conversation": {
            "spoken_language": "fr",
            "identity_confirmed": True,
            "instructions_given": True,
            "new_phone": "0485 11 22 33",
            "callback_agreed": True,
            "has_symptoms": False,
        },
        "remarks": {"another_visit": False},
    }
    last = walk(interview(("field-visit-report", 1), {}), met)
    assert last.submission()["new_phone"] == "+32485112233"


def every_text(script: Questionnaire) -> list[dict[str, str]]:
    texts = [script.title.texts()]
    for screen in script.screens:
        texts.append(screen.title.texts())
        for item in screen.items:
            for each in (item, *item.items):
                texts.append(each.text.texts())
                if each.hint:
                    texts.append(each.hint.texts())
                texts.extend(choice.label.texts() for choice in each.choices)
    return texts


@pytest.mark.parametrize("key", sorted(NAMES))
def test_every_text_is_translated(key: tuple[str, int]) -> None:
    for texts in every_text(SCRIPTS[key]):
        assert set(texts) == {"fr", "nl", "de", "en"}
        assert all(value.strip() for value in texts.values())
        if texts["en"] not in ("Test", "E-mail"):  # the same word in several languages
            assert texts["fr"] != texts["en"] or texts["nl"] != texts["en"], texts
