"""Translations through gettext.

Every user-facing string goes through ``_()``. Strings that must be defined before the
language is known (class-level bindings, labels in tables) are marked with ``N_()`` and
translated where they are shown. Catalogs live in ``tracer_tui/locale``; see
``scripts/i18n.py`` for extraction and compilation.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from tracer_tui.core.types import Language

DOMAIN = "tracer"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: gettext.NullTranslations = gettext.NullTranslations()
_current_language: Language = Language.EN


def translations(language: Language | str) -> gettext.NullTranslations:
    """The catalog for one language (the English catalog is the identity)."""
    return gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[str(language)], fallback=True
    )


def set_language(language: Language | str) -> None:
    """Switch the UI language for the whole process."""
    global _current, _current_language
    _current_language = Language(language)
    _current = translations(_current_language)


def current_language() -> Language:
    return _current_language


def _(message: str) -> str:
    """Translate ``message`` into the current UI language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def translate_in(language: Language | str, message: str) -> str:
    """Translate into a given language, whatever the UI language is (interview texts)."""
    return translations(language).gettext(message)
