"""FHIR R4 export: a script as a ``Questionnaire``, a submitted interview as a
``QuestionnaireResponse`` (plain JSON-ready dicts; no FHIR library needed at run time).

- Each screen is a ``group`` item; read-aloud texts are ``display`` items; a repeatable group
  is a repeating ``group`` with the minOccurs/maxOccurs extensions; computed values are
  ``readOnly`` items (the group ``_computed`` at the end, or inside their group).
- Conditions become ``enableWhen`` + ``enableBehavior`` (the script format has the same
  shape). Ranges, lengths and patterns use the standard extensions; date limits relative to
  today or to another answer have no FHIR form without an expression language and are left
  out.
- Texts are in English with the French, Dutch and German versions in the standard
  ``translation`` extension; rule placeholders (``{quarantine_days}``) are filled in from
  the rules given, computed ones are left as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tracer_tui.core.computed import ComputedValue, ResultKind
from tracer_tui.core.conditions import Condition, Operator
from tracer_tui.core.engine import Interview
from tracer_tui.core.questionnaire import Item, LocalText, Questionnaire
from tracer_tui.core.render import render
from tracer_tui.core.risk import RiskThresholds
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language
from tracer_tui.core.values import ItemType

URL_BASE = "urn:tracer:questionnaire:"
EXT = "http://hl7.org/fhir/StructureDefinition/"
TRANSLATION = EXT + "translation"
COMPUTED_GROUP = "_computed"

_TYPES = {
    ItemType.READ: "display",
    ItemType.TEXT: "string",
    ItemType.INTEGER: "integer",
    ItemType.DECIMAL: "decimal",
    ItemType.DATE: "date",
    ItemType.YES_NO: "boolean",
    ItemType.SINGLE: "choice",
    ItemType.MULTIPLE: "choice",
    ItemType.PHONE: "string",
    ItemType.NATIONAL_NUMBER: "string",
    ItemType.POSTCODE: "string",
    ItemType.EMAIL: "string",
    ItemType.GROUP: "group",
}
_OPERATORS = {
    Operator.EQUALS: "=",
    Operator.NOT_EQUALS: "!=",
    Operator.GREATER_THAN: ">",
    Operator.LESS_THAN: "<",
    Operator.AT_LEAST: ">=",
    Operator.AT_MOST: "<=",
    Operator.ANSWERED: "exists",
}
_RESULT_TYPES = {ResultKind.DATE: "date", ResultKind.DATES: "date", ResultKind.RISK: "string"}


def canonical_url(questionnaire: Questionnaire) -> str:
    return URL_BASE + questionnaire.id


def _resource_id(questionnaire: Questionnaire) -> str:
    return f"{questionnaire.id}-v{questionnaire.version}".replace("_", "-")


class _Texts:
    """Texts with rule placeholders filled in, in English plus translations."""

    def __init__(self, rules: Rules) -> None:
        self.values: dict[str, object] = dict(rules.model_dump())
        self.values.update(RiskThresholds.from_rules(rules).model_dump())

    def put(self, node: dict[str, Any], key: str, text: LocalText) -> None:
        node[key] = render(text.en, self.values, Language.EN)
        node["_" + key] = {
            "extension": [
                {
                    "url": TRANSLATION,
                    "extension": [
                        {"url": "lang", "valueCode": language.value},
                        {"url": "content", "valueString": self.render(text, language)},
                    ],
                }
                for language in (Language.FR, Language.NL, Language.DE)
            ]
        }

    def render(self, text: LocalText, language: Language) -> str:
        return render(text.get(language), self.values, language)


def _typed(prefix: str, value: object) -> dict[str, Any]:
    """``{"valueBoolean": true}`` and so on, by the Python type of a value."""
    if isinstance(value, bool):
        return {prefix + "Boolean": value}
    if isinstance(value, int):
        return {prefix + "Integer": value}
    if isinstance(value, float):
        return {prefix + "Decimal": value}
    if isinstance(value, date):
        return {prefix + "Date": value.isoformat()}
    return {prefix + "String": str(value)}


def _enable_when(condition: Condition, choices: Mapping[str, Item]) -> dict[str, Any]:
    conditions = []
    for comparison in condition.comparisons:
        operand: object = comparison.operand
        subject = choices.get(comparison.subject)
        answer: dict[str, Any]
        if comparison.operator is Operator.ANSWERED:
            answer = {"answerBoolean": comparison.answered}
        elif subject is not None and subject.type in (ItemType.SINGLE, ItemType.MULTIPLE):
            answer = {"answerCoding": {"code": str(operand)}}
        elif subject is not None and subject.type is ItemType.DATE and isinstance(operand, str):
            answer = {"answerDate": operand}
        else:
            answer = _typed("answer", operand)
        conditions.append(
            {
                "question": comparison.subject,
                "operator": _OPERATORS[comparison.operator],
                **answer,
            }
        )
    result: dict[str, Any] = {"enableWhen": conditions}
    if len(conditions) > 1:
        result["enableBehavior"] = condition.behaviour
    return result


def _computed_item(value: ComputedValue) -> dict[str, Any]:
    node: dict[str, Any] = {
        "linkId": value.name,
        "text": value.name,
        "type": _RESULT_TYPES[value.spec.result],
        "readOnly": True,
    }
    if value.spec.result is ResultKind.DATES:
        node["repeats"] = True
    return node


def _extension(name: str, value: object) -> dict[str, Any]:
    return {"url": EXT + name, **_typed("value", value)}


def _number(item: Item, value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if item.type is ItemType.DECIMAL else int(value)
    return value


def _item(item: Item, texts: _Texts, items: Mapping[str, Item]) -> dict[str, Any]:
    node: dict[str, Any] = {"linkId": item.id}
    texts.put(node, "text", item.text)
    node["type"] = _TYPES[item.type]
    if item.show_if is not None:
        node.update(_enable_when(item.show_if, items))
    if item.required:
        node["required"] = True
    if item.type in (ItemType.MULTIPLE, ItemType.GROUP):
        node["repeats"] = True
    if item.max_length is not None:
        node["maxLength"] = item.max_length
    numbers = (ItemType.INTEGER, ItemType.DECIMAL)
    extensions = [
        _extension(name, _number(item, value) if item.type in numbers else value)
        for name, value in (
            ("minValue", item.min),
            ("maxValue", item.max),
            ("minLength", item.min_length),
            ("regex", item.pattern),
            ("questionnaire-minOccurs", item.min_entries if item.is_group else None),
            ("questionnaire-maxOccurs", item.max_entries),
        )
        if value is not None
    ]
    if extensions:
        node["extension"] = extensions
    if item.choices:
        options = []
        for choice in item.choices:
            coding: dict[str, Any] = {"code": choice.value}
            texts.put(coding, "display", choice.label)
            options.append({"valueCoding": coding})
        node["answerOption"] = options
    children = [_item(child, texts, {**items, **_by_id(item.items)}) for child in item.items]
    children += [_computed_item(value) for value in item.computed]
    if item.hint is not None:
        hint: dict[str, Any] = {"linkId": item.id + ".hint", "type": "display"}
        texts.put(hint, "text", item.hint)
        hint["extension"] = [
            {
                "url": EXT + "questionnaire-itemControl",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/questionnaire-item-control",
                            "code": "flyover",
                        }
                    ]
                },
            }
        ]
        children.append(hint)
    if children:
        node["item"] = children
    return node


def _by_id(items: tuple[Item, ...]) -> dict[str, Item]:
    return {item.id: item for item in items}


def questionnaire_resource(
    questionnaire: Questionnaire, rules: Rules | None = None
) -> dict[str, Any]:
    """The script as a FHIR R4 ``Questionnaire``."""
    texts = _Texts(rules or Rules())
    all_items = {item.id: item for screen in questionnaire.screens for item in screen.items}
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _resource_id(questionnaire),
        "language": "en",
        "url": canonical_url(questionnaire),
        "version": str(questionnaire.version),
        "name": "".join(
            part.capitalize() for part in questionnaire.id.replace("_", "-").split("-")
        ),
    }
    texts.put(resource, "title", questionnaire.title)
    resource.update({"status": "active", "subjectType": ["Patient"]})
    groups = []
    for screen in questionnaire.screens:
        group: dict[str, Any] = {"linkId": screen.id}
        texts.put(group, "text", screen.title)
        group["type"] = "group"
        if screen.show_if is not None:
            group.update(_enable_when(screen.show_if, all_items))
        group["item"] = [_item(item, texts, all_items) for item in screen.items]
        groups.append(group)
    if questionnaire.computed:
        groups.append(
            {
                "linkId": COMPUTED_GROUP,
                "text": "Computed values",
                "type": "group",
                "item": [_computed_item(value) for value in questionnaire.computed],
            }
        )
    resource["item"] = groups
    return resource


def _answers(item: Item, value: object, language: Language) -> list[dict[str, Any]]:
    """The ``answer`` list of one submitted value."""
    if item.type in (ItemType.SINGLE, ItemType.MULTIPLE):
        labels = {choice.value: choice.label.get(language) for choice in item.choices}
        codes = value if isinstance(value, list) else [value]
        return [
            {"valueCoding": {"code": str(code), "display": labels.get(str(code), str(code))}}
            for code in codes
        ]
    if item.type is ItemType.DATE:
        return [{"valueDate": str(value)}]
    if item.type is ItemType.DECIMAL and isinstance(value, int | float):
        return [{"valueDecimal": float(value)}]
    return [_typed("value", value)]


def _computed_answers(values: Mapping[str, object]) -> list[dict[str, Any]]:
    items = []
    for name, value in values.items():
        if value is None:
            continue
        parts = value if isinstance(value, tuple) else (value,)
        items.append({"linkId": name, "answer": [_typed("value", part) for part in parts]})
    return items


def _response_items(
    items: tuple[Item, ...],
    answers: Mapping[str, Any],
    language: Language,
    entry_computed: Mapping[str, list[Mapping[str, object]]],
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for item in items:
        value = answers.get(item.id)
        if value is None or (not item.is_question and not item.is_group):
            continue
        text = item.text.get(language)
        if not item.is_group:
            result.append(
                {"linkId": item.id, "text": text, "answer": _answers(item, value, language)}
            )
            continue
        computed = entry_computed.get(item.id, [])
        for index, entry in enumerate(value if isinstance(value, list) else []):
            children = _response_items(item.items, entry, language, {})
            if index < len(computed):
                children += _computed_answers(computed[index])
            if children:
                result.append({"linkId": item.id, "text": text, "item": children})
    return result


def questionnaire_response(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    language: Language | str,
    authored: datetime | None = None,
    identifier: str | None = None,
    status: str = "completed",
    rules: Rules | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Submitted answers (:meth:`Interview.submission`) as a FHIR R4 ``QuestionnaireResponse``.

    With ``rules`` and ``today`` the computed values (a contact's risk class, the quarantine
    end) are added as the answers of their read-only items.
    """
    lang = Language(language)
    entry_computed: dict[str, list[Mapping[str, object]]] = {}
    computed: Mapping[str, object] = {}
    if rules is not None and today is not None:
        interview = Interview(
            questionnaire, language=lang, rules=rules, today=today, answers=answers
        )
        computed = interview.computed
        for screen in questionnaire.screens:
            for item in screen.items:
                if item.is_group:
                    entry_computed[item.id] = [
                        interview.entry_computed(item.id, index)
                        for index in range(interview.entry_count(item.id))
                    ]
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "language": lang.value,
        "questionnaire": f"{canonical_url(questionnaire)}|{questionnaire.version}",
        "status": status,
    }
    if identifier is not None:
        resource["identifier"] = {"system": "urn:tracer:submission", "value": identifier}
    if authored is not None:
        resource["authored"] = authored.isoformat()
    groups = []
    for screen in questionnaire.screens:
        children = _response_items(screen.items, answers, lang, entry_computed)
        if children:
            groups.append({"linkId": screen.id, "text": screen.title.get(lang), "item": children})
    computed_items = _computed_answers(computed)
    if computed_items:
        groups.append({"linkId": COMPUTED_GROUP, "item": computed_items})
    if groups:
        resource["item"] = groups
    return resource
