"""Finding and loading the interview scripts (YAML files in ``questionnaires/``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from tracer_tui.core.questionnaire import Questionnaire, parse_questionnaire


class QuestionnaireFileError(ValueError):
    """A script file that cannot be read or does not validate; the message names the file."""


def default_directory() -> Path:
    """The shipped scripts: inside the wheel, or the repository's ``questionnaires/``."""
    packaged = Path(str(resources.files("tracer_tui"))) / "_questionnaires"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "questionnaires"


def _where(loc: tuple[int | str, ...], data: object) -> str:
    """Turn a pydantic error location into ``screen 'x' > item 'y' > field``."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(node, dict):
            node = node.get(step)
            parts.append(str(step))
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident or step}]"]
        else:
            parts.append(str(step))
    return ".".join(parts)


def load_file(path: Path) -> Questionnaire:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionnaireFileError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else ""
        raise QuestionnaireFileError(f"{path}:{line} not valid YAML") from exc
    try:
        return parse_questionnaire(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(tuple(first["loc"]), data)
        raise QuestionnaireFileError(f"{path}: {where}: {first['msg']}") from exc


def load_directory(directory: Path | None = None) -> dict[tuple[str, int], Questionnaire]:
    """Every script of a directory, by (id, version); two files with one key is an error."""
    directory = directory or default_directory()
    found: dict[tuple[str, int], Questionnaire] = {}
    for path in sorted(directory.glob("*.yaml")):
        questionnaire = load_file(path)
        if questionnaire.key in found:
            raise QuestionnaireFileError(
                f"{path}: id {questionnaire.id!r} version {questionnaire.version} is defined twice"
            )
        found[questionnaire.key] = questionnaire
    return found
