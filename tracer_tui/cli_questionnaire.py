"""``tracer questionnaire``: check the interview scripts and export them to FHIR."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_PROBLEMS = 2
LANGUAGES = ("fr", "nl", "de", "en")


def _stop(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(EXIT_PROBLEMS)


@click.group("questionnaire")
def questionnaire() -> None:
    """Check the interview scripts; export them as FHIR R4."""


@questionnaire.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate script FILES: exit 0, or 2 with one line per problem (file, item, field)."""
    from tracer_tui.questionnaire_files import check_file

    problems = [line for path in files for line in check_file(path)]
    if problems:
        _stop(problems)
    click.echo(f"{len(files)} script(s) OK")


@questionnaire.command("fhir")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path),
    help="A submitted interview (JSON): export it as a QuestionnaireResponse instead.",
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    help="The interview language of --answers (default: the submission's, else en).",
)
def fhir(file: Path, answers_file: Path | None, language: str | None) -> None:
    """Print script FILE as a FHIR R4 Questionnaire (JSON)."""
    from tracer_tui.fhir import questionnaire_resource, questionnaire_response
    from tracer_tui.questionnaire_files import QuestionnaireFileError, load_file

    try:
        script = load_file(file)
    except QuestionnaireFileError as exc:
        _stop(list(exc.problems))
    if answers_file is None:
        resource = questionnaire_resource(script)
    else:
        answers, found_language = _read_answers(answers_file)
        resource = questionnaire_response(
            script, answers, language=language or found_language or "en"
        )
    click.echo(json.dumps(resource, ensure_ascii=False, indent=2))


def _read_answers(path: Path) -> tuple[dict[str, Any], str | None]:
    """The answers of a submission file (``{"answers": …, "language": …}``) or of a bare
    answers object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _stop([f"{path}: cannot read: {exc.strerror}"])
    except (ValueError, UnicodeDecodeError) as exc:
        _stop([f"{path}: not valid JSON: {exc}"])
    if not isinstance(data, dict):
        _stop([f"{path}: expected a JSON object of answers"])
    answers = data.get("answers", data)
    if not isinstance(answers, dict):
        _stop([f"{path}: field 'answers': expected a JSON object"])
    language = data.get("language")
    if language is not None and language not in LANGUAGES:
        _stop([f"{path}: field 'language': expected one of {', '.join(LANGUAGES)}"])
    return answers, language
