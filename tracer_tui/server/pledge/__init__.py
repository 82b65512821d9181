"""The confidentiality pledge texts, one YAML file per version: ``pledge-v<N>.yaml``.

A file holds ``version``, and ``title`` and ``text`` in fr, nl, de and en. The server serves the
version ``[central] pledge_version`` names; a missing or malformed file is a startup error.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tracer_tui import wire
from tracer_tui.config_file import ConfigError
from tracer_tui.core.types import Language


class PledgeError(ConfigError):
    """The pledge file of the configured version is missing or malformed."""


def pledge_directory() -> Path:
    return Path(str(resources.files(__name__)))


def _texts(data: dict[str, Any], key: str, where: str) -> dict[Language, str]:
    found = data.get(key)
    if not isinstance(found, dict):
        raise PledgeError(f"{where}: {key!r} must map each language to a text")
    texts: dict[Language, str] = {}
    for language in Language:
        value = found.get(language.value)
        if not isinstance(value, str) or not value.strip():
            raise PledgeError(f"{where}: {key}.{language.value} is missing or empty")
        texts[language] = value.strip("\n") if key == "title" else value
    extra = set(found) - {language.value for language in Language}
    if extra:
        raise PledgeError(f"{where}: {key} has unknown languages: {', '.join(sorted(extra))}")
    return texts


def make_pledge(
    version: int, title: dict[Language, str], text: dict[Language, str]
) -> wire.PledgeText:
    """A pledge with its SHA-256 (see ``wire.pledge_canonical``)."""
    digest = hashlib.sha256(wire.pledge_canonical(version, title, text)).hexdigest()
    return wire.PledgeText(version=version, title=title, text=text, sha256=digest)


def load_pledge(version: int, directory: Path | None = None) -> wire.PledgeText:
    """The pledge of this version; raises PledgeError naming the file."""
    path = (directory or pledge_directory()) / f"pledge-v{version}.yaml"
    where = f"[central] pledge_version = {version}: {path}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PledgeError(f"{where}: cannot read it ({exc.strerror})") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PledgeError(f"{where}: not valid YAML") from exc
    if not isinstance(data, dict):
        raise PledgeError(f"{where}: not a mapping")
    if data.get("version") != version:
        raise PledgeError(f"{where}: the file says version {data.get('version')!r}")
    return make_pledge(version, _texts(data, "title", where), _texts(data, "text", where))
