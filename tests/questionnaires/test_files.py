"""Script files: one line per problem naming file, item and field; the commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracer_tui.cli_questionnaire import questionnaire
from tracer_tui.questionnaire_files import (
    QuestionnaireFileError,
    check_file,
    default_directory,
    load_directory,
    load_file,
)

GOOD = """\
id: tiny
version: 2
kind: follow_up
title: {fr: Petit, nl: Klein, de: Klein, en: Tiny}
screens:
  - id: first
    title: {fr: Un, nl: Een, de: Eins, en: One}
    items:
      - id: ok
        type: yes_no
        required: true
        text: {fr: "D'accord ?", nl: "Akkoord?", de: "Einverstanden?", en: "Agreed?"}
      - id: why
        type: text
        show_if:
          all:
            - {item: ok, equals: false}
        text: {fr: Pourquoi, nl: Waarom, de: Warum, en: Why}
"""


def write(tmp_path: Path, content: str, name: str = "tiny.v2.yaml") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert check_file(path) == []
    assert load_file(path).key == ("tiny", 2)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('de: "Einverstanden?", ', ""),
            "screen 'first', item 'ok', field 'text.de': Field required",
        ),
        (
            ("type: text", "type: txt"),
            "screen 'first', item 'why', field 'type': Input should be",
        ),
        (
            ("{item: ok, equals: false}", "{item: ok, equals: maybe}"),
            "screen 'first', item 'why', field 'show_if.all[0]': a yes/no answer compares",
        ),
        (
            ("{item: ok, equals: false}", "{item: later, equals: false}"),
            "screen 'first', item 'why', field 'show_if.all[0]': no item 'later'",
        ),
        (("version: 2", "version: 0"), "field 'version': Input should be greater than"),
        (("id: why", "id: ok"), "screen 'first', item 'ok', field 'id': the id 'ok' is used twice"),
        (
            ("        required: true\n", "        required: true\n        min: 3\n"),
            "screen 'first', item 'ok': field 'min' does not apply to a yes_no item",
        ),
    ],
)
def test_problems_name_file_item_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    found = check_file(path)
    assert all(line.startswith(f"{path}: ") for line in found)
    assert expected in found[0], found
    with pytest.raises(QuestionnaireFileError) as caught:
        load_file(path)
    assert caught.value.problems == tuple(found)


def test_every_problem_is_listed(tmp_path: Path) -> None:
    broken = GOOD.replace("de: Eins, ", "").replace("type: text", "type: nothing")
    found = check_file(write(tmp_path, broken))
    assert len(found) == 2
    with pytest.raises(QuestionnaireFileError, match=r"\(and 1 more\)") as caught:
        load_file(tmp_path / "tiny.v2.yaml")
    assert caught.value.problems == tuple(found)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id: [unclosed\n", "line 2:"),
        ("- just\n- a list\n", "a script is a mapping"),
        (GOOD.replace("version: 2\n", "version: 2\nversion: 3\n"), "the key 'version' is written"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: str, expected: str) -> None:
    found = check_file(write(tmp_path, content))
    assert len(found) == 1
    assert expected in found[0]
    assert check_file(tmp_path / "missing.yaml") == [
        f"{tmp_path / 'missing.yaml'}: cannot read: No such file or directory"
    ]


def test_the_same_script_twice_in_a_directory(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(QuestionnaireFileError, match="version 2 is defined twice"):
        load_directory(tmp_path)


def test_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    shipped = [str(path) for path in sorted(default_directory().glob("*.yaml"))]
    result = runner.invoke(questionnaire, ["check", *shipped])
    assert result.exit_code == 0, result.output
    assert "4 script(s) OK" in result.output
    bad = write(tmp_path, GOOD.replace("de: Eins, ", "").replace("type: text", "type: x"))
    result = runner.invoke(questionnaire, ["check", shipped[0], str(bad), str(tmp_path / "no")])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(str(tmp_path)) for line in lines)
    assert "Traceback" not in result.output


def test_fhir_command(tmp_path: Path) -> None:
    runner = CliRunner()
    script = default_directory() / "contact-first-call.v1.yaml"
    result = runner.invoke(questionnaire, ["fhir", str(script)])
    assert result.exit_code == 0, result.output
    resource = json.loads(result.stdout)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["version"] == "1"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"language": "nl", "answers": {"identity_confirmed": False}}))
    result = runner.invoke(questionnaire, ["fhir", str(script), "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    response = json.loads(result.stdout)
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["language"] == "nl"
    bad = write(tmp_path, "id: [")
    result = runner.invoke(questionnaire, ["fhir", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}: line")
    answers.write_text("{not json")
    result = runner.invoke(questionnaire, ["fhir", str(script), "--answers", str(answers)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr
