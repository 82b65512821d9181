"""Every UI string is translated into fr, nl, de and en, and the compiled catalogs match."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tracer_tui.core import i18n

ROOT = Path(__file__).resolve().parent.parent


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogs_are_complete_current_and_compiled() -> None:
    problems = load_tool().problems()
    assert problems == [], "run `python scripts/i18n.py update` and translate:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Quitter"), ("nl", "Afsluiten"), ("de", "Beenden"), ("en", "Quit")],
)
def test_ui_language_switches_the_catalog(language: str, expected: str) -> None:
    try:
        i18n.set_language(language)
        assert i18n._("Quit") == expected
    finally:
        i18n.set_language("en")


def test_interview_language_is_independent_of_the_ui_language() -> None:
    try:
        i18n.set_language("nl")
        assert i18n.translate_in("de", "Quit") == "Beenden"
        assert i18n._("Quit") == "Afsluiten"
    finally:
        i18n.set_language("en")
