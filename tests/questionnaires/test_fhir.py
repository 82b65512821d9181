"""FHIR R4 export, validated with fhir.resources (its R4B models: the R4 family's
Questionnaire and QuestionnaireResponse)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.questionnaires.test_scripts import CONTACT, INDEX, SCRIPTS, interview, walk
from tracer_tui.core.rules import Rules
from tracer_tui.fhir import COMPUTED_GROUP, questionnaire_resource, questionnaire_response

fhir_questionnaire = pytest.importorskip("fhir.resources.R4B.questionnaire")
fhir_response = pytest.importorskip("fhir.resources.R4B.questionnaireresponse")

TODAY = date(2020, 10, 20)
ANSWER_TYPES = {
    "boolean": "valueBoolean",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "date": "valueDate",
    "string": "valueString",
    "choice": "valueCoding",
}


def walk_items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in items:
        yield node
        yield from walk_items(node.get("item", []))


@pytest.mark.parametrize("key", sorted(SCRIPTS))
def test_every_script_is_a_valid_questionnaire(key: tuple[str, int]) -> None:
    resource = questionnaire_resource(SCRIPTS[key])
    parsed = fhir_questionnaire.Questionnaire.model_validate(resource)
    assert parsed.status == "active"
    nodes = list(walk_items(resource["item"]))
    link_ids = [node["linkId"] for node in nodes]
    assert len(link_ids) == len(set(link_ids))
    for node in nodes:
        for condition in node.get("enableWhen", []):
            assert condition["question"] in link_ids
        if node["type"] not in ("group", "display") and not node.get("readOnly"):
            languages = {
                part["valueCode"]
                for translation in node["_text"]["extension"]
                for part in translation["extension"]
                if part["url"] == "lang"
            }
            assert languages == {"fr", "nl", "de"}
        assert "{high_risk_distance_m}" not in node.get("text", "")


def test_the_contact_list_is_a_repeating_group_with_its_risk_class() -> None:
    resource = questionnaire_resource(SCRIPTS[("index-first-call", 1)])
    nodes = {node["linkId"]: node for node in walk_items(resource["item"])}
    group = nodes["contacts"]
    assert group["type"] == "group"
    assert group["repeats"] is True
    assert {"linkId": "risk", "text": "risk", "type": "string", "readOnly": True} in group["item"]
    assert nodes["both_masked"]["enableWhen"] == [
        {"question": "face_to_face_minutes", "operator": ">", "answerInteger": 0}
    ]
    assert nodes[COMPUTED_GROUP]["item"][0]["linkId"] == "contact_period_start"
    assert "{isolation_end}" in nodes["isolation_advice"]["text"]  # computed per interview
    assert "1.5 m" in nodes["kept_distance"]["text"]  # from the rules


def test_a_submitted_interview_is_a_valid_response() -> None:
    done = walk(interview(("index-first-call", 1), {}, "fr"), INDEX)
    done = done.go_to("contact_list").with_entry_added("contacts", CONTACT)
    done = done.with_entry_added("contacts", {**CONTACT, "first_name": "Els"})
    submitted = done.submission()
    script = SCRIPTS[("index-first-call", 1)]
    response = questionnaire_response(
        script,
        submitted,
        language="fr",
        authored=datetime(2020, 10, 20, 10, 30, tzinfo=UTC),
        identifier="7a0c6a1e-1111-4c4c-8888-000000000001",
        rules=Rules(),
        today=TODAY,
    )
    fhir_response.QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == "urn:tracer:questionnaire:index-first-call|1"

    definitions = {
        node["linkId"]: node for node in walk_items(questionnaire_resource(script)["item"])
    }
    answered = list(walk_items(response["item"]))
    for node in answered:
        definition = definitions[node["linkId"]]
        for answer in node.get("answer", []):
            assert list(answer) == [ANSWER_TYPES[definition["type"]]], node
    contacts = [node for node in answered if node["linkId"] == "contacts"]
    assert len(contacts) == 2
    risk = next(child for child in contacts[0]["item"] if child["linkId"] == "risk")
    assert risk["answer"] == [{"valueString": "high"}]
    symptoms = next(node for node in answered if node["linkId"] == "symptoms")
    assert symptoms["answer"][0]["valueCoding"] == {"code": "fever", "display": "Fièvre"}


@pytest.mark.parametrize("key", sorted(SCRIPTS))
def test_a_response_without_computed_values(key: tuple[str, int]) -> None:
    answers = interview(key, {"identity_confirmed": True, "visit_date": "2020-10-19"})
    response = questionnaire_response(SCRIPTS[key], answers.visible_answers(), language="de")
    fhir_response.QuestionnaireResponse.model_validate(response)
    assert response["language"] == "de"
