"""Configuration: load order, the example file, and one-line errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from tracer_tui.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("TRACER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file() -> None:
    settings = load_settings()
    assert settings.ui.language == "en"
    assert settings.rules.attempts_before_field_visit == 6
    assert settings.rules.hours_before_field_visit == 48


def test_file_overrides_defaults_and_environment_overrides_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[ui]\nlanguage = "nl"\n[rules]\nquarantine_days = 14\n')
    assert load_settings(path).ui.language == "nl"
    monkeypatch.setenv("TRACER_UI__LANGUAGE", "de")
    settings = load_settings(path)
    assert settings.ui.language == "de"
    assert settings.rules.quarantine_days == 14


def test_tracer_config_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[ui]\nlanguage = "fr"\n')
    monkeypatch.setenv("TRACER_CONFIG", str(path))
    assert load_settings().ui.language == "fr"


def test_user_config_directory_is_read(tmp_path: Path) -> None:
    directory = tmp_path / "xdg" / "tracer"
    directory.mkdir(parents=True)
    (directory / "config.toml").write_text('[ui]\nlanguage = "de"\n')
    assert load_settings().ui.language == "de"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[ui]\nlanguage = "xx"\n', r"config\.toml: ui\.language: .*'xx'"),
        ('[ui]\nlangage = "fr"\n', r"config\.toml: ui\.langage: Extra inputs"),
        ("[rules]\nattempts_before_field_visit = 0\n", r"rules\.attempts_before_field_visit"),
        ("[sync]\ninterval = 'soon'\n", r"sync\.interval"),
        ("[ui\nlanguage = 'fr'\n", r"config\.toml: not valid TOML"),
        ('[server]\nurl = "ftp://x"\n', r"server\.url"),
    ],
)
def test_bad_file_gives_one_line_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    assert re.search(expected, message), message


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACER_SYNC__INTERVAL", "often")
    with pytest.raises(ConfigError, match=r"^environment TRACER_SYNC__INTERVAL: sync\.interval"):
        load_settings()


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml")


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(prefix + name)
    return keys


def test_example_file_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    section = ""
    documented: set[str] = set()
    for line in text.splitlines():
        if match := re.match(r"^\[(\w+)\]", line):
            section = match.group(1)
        elif match := re.match(r"^#?\s?(\w+) = ", line):
            documented.add(f"{section}.{match.group(1)}")
    missing = sorted(set(_keys(Settings)) - documented)
    assert not missing, f"config.example.toml does not document: {missing}"


def test_example_file_loads_and_matches_the_defaults() -> None:
    assert tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert load_settings(EXAMPLE).model_dump() == Settings().model_dump()
