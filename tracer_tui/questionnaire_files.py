"""Finding and loading the interview scripts (YAML files in ``questionnaires/``).

Every problem of a file is told in one line naming the file, the screen and item, and the
field: ``index-first-call.v1.yaml: screen 'health', item 'symptom_onset', field 'text.de':
Field required``. :func:`check_file` lists them all; :func:`load_file` raises
:class:`QuestionnaireFileError` with the first one in its message and all of them in
``problems``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tracer_tui.core.questionnaire import Questionnaire, parse_questionnaire
from tracer_tui.core.script_checks import QuestionnaireProblems
from tracer_tui.errors import UserError


class QuestionnaireFileError(UserError, ValueError):
    """A script file that cannot be read or does not validate; the message names the file."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


def default_directory() -> Path:
    """The shipped scripts: inside the wheel, or the repository's ``questionnaires/``."""
    packaged = Path(str(resources.files("tracer_tui"))) / "_questionnaires"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "questionnaires"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    seen: set[Hashable] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is written twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _child(node: object, step: int | str) -> object:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


def _where(loc: Sequence[int | str], data: object) -> str:
    """A pydantic error location as ``screen 'x', item 'y' > 'z', field 'a.b'``."""
    places: list[str] = []
    fields: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        step, following = loc[i], loc[i + 1] if i + 1 < len(loc) else None
        if step in ("screens", "items", "computed") and isinstance(following, int) and not fields:
            node = _child(_child(node, step), following)
            ident = node.get("id") or node.get("name") if isinstance(node, dict) else None
            label = repr(str(ident)) if ident else f"#{following + 1}"
            if step == "items" and places and places[-1].startswith("item"):
                places[-1] += f" > {label}"
            else:
                places.append(f"{ {'screens': 'screen', 'items': 'item'}.get(step, step) } {label}")
            i += 2
            continue
        fields.append(f"[{step}]" if isinstance(step, int) else str(step))
        node = _child(node, step)
        i += 1
    if fields:
        places.append("field " + repr(".".join(fields).replace(".[", "[")))
    return ", ".join(places) or "script"


def _problems(error: ValidationError, data: object) -> list[str]:
    found: list[str] = []
    details = error.errors()
    locations = [tuple(detail["loc"]) for detail in details]
    for detail in details:
        loc = tuple(detail["loc"])
        if any(other[: len(loc)] == loc and other != loc for other in locations):
            continue  # a list too short because its items failed: the items tell more
        cause = (detail.get("ctx") or {}).get("error")
        if isinstance(cause, QuestionnaireProblems):
            found.extend(str(problem) for problem in cause.problems)
            continue
        message = str(detail["msg"]).removeprefix("Value error, ")
        found.append(f"{_where(tuple(detail['loc']), data)}: {message}")
    return found


def validation_problems(error: ValidationError, data: object) -> list[str]:
    """A script's validation error as lines naming the screen, item and field (for a script
    that did not come from a file: the one the server sends)."""
    return _problems(error, data)


def _parse(path: Path) -> tuple[Questionnaire | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return None, [f"cannot read: {reason}"]
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        return None, [f"{line}{problem}"]
    if not isinstance(data, dict):
        return None, ["a script is a mapping with id, version, kind, title and screens"]
    try:
        return parse_questionnaire(data), []
    except ValidationError as exc:
        return None, _problems(exc, data)


def check_file(path: Path) -> list[str]:
    """Every problem of one script file, each on one line starting with the file name."""
    return [f"{path}: {problem}" for problem in _parse(path)[1]]


def load_file(path: Path) -> Questionnaire:
    questionnaire, problems = _parse(path)
    if questionnaire is None:
        lines = [f"{path}: {problem}" for problem in problems]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        raise QuestionnaireFileError(lines[0] + more, lines)
    return questionnaire


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
