#!/usr/bin/env python3
"""Keep the UI translation catalogs complete.

    python scripts/i18n.py update   # extract strings, merge into every .po, compile .mo
    python scripts/i18n.py check    # exit 1 on a missing, stale or fuzzy translation

Catalogs: tracer_tui/locale/<lang>/LC_MESSAGES/tracer.po (+ .mo, committed so that an
installed app needs no build step). English is the source language: its catalog is the
identity, kept so that every language is handled alike.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tracer_tui"
LOCALE = SOURCE / "locale"
DOMAIN = "tracer"
LANGUAGES = ("fr", "nl", "de", "en")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# The server answers in English codes and details; only the client side speaks the UI.
EXCLUDE = ("server/",)


def extract() -> Catalog:
    template = Catalog(domain=DOMAIN, project="tracer")
    for filename, lineno, message, comments, _context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if any(filename.startswith(part) for part in EXCLUDE):
            continue
        template.add(
            message, locations=[(f"tracer_tui/{filename}", lineno)], auto_comments=comments
        )
    return template


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, project="tracer")
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def problems(template: Catalog | None = None) -> list[str]:
    """Every missing, stale, fuzzy or uncompiled translation, one line each."""
    template = template or extract()
    wanted = {message.id for message in template if message.id}
    found: list[str] = []
    for language in LANGUAGES:
        catalog = load(language)
        have = {message.id: message for message in catalog if message.id}
        for msgid in sorted(wanted - have.keys(), key=str):
            found.append(f"{language}: missing: {msgid!r}")
        for msgid in sorted(have.keys() - wanted, key=str):
            found.append(f"{language}: stale (no longer in the code): {msgid!r}")
        for msgid in sorted(wanted & have.keys(), key=str):
            message = have[msgid]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{language}: untranslated: {msgid!r}")
            elif message.fuzzy:
                found.append(f"{language}: fuzzy: {msgid!r}")
        mo = po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            found.append(f"{language}: {mo.relative_to(ROOT)} is not compiled from its .po")
    return found


def update() -> None:
    template = extract()
    for language in LANGUAGES:
        catalog = load(language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language == "en":
            for message in catalog:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and not all(strings):
                    message.string = message.id
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)
        path.with_suffix(".mo").write_bytes(mo_bytes(catalog))


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    found = problems()
    for line in found:
        print(line)
    if command == "check" and found:
        return 1
    print(f"{len(found)} problem(s)" if found else "catalogs complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
