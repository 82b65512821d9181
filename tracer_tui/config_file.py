"""Finding and reading the configuration file, without validating it.

Light on purpose (no pydantic): the UI's first frame needs only the language and theme,
which :func:`peek` reads from the raw file and environment; the full validation
(``tracer_tui.config.load_settings``) runs right after, off the UI thread.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from tracer_tui.errors import UserError

APP_NAME = "tracer"
ENV_PREFIX = "TRACER_"


class ConfigError(UserError):
    """A configuration problem, told in one line."""


def user_config_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def config_path(explicit: Path | None) -> tuple[Path, bool]:
    """The file to read, and whether it was asked for (a missing asked-for file is an error)."""
    if explicit is not None:
        return explicit, True
    env = os.environ.get("TRACER_CONFIG")
    if env:
        return Path(env), True
    return user_config_file(), False


def read_config_file(explicit: Path | None) -> tuple[Path, dict[str, Any]]:
    """The file's path and parsed content (empty when there is no file and none was asked)."""
    path, required = config_path(explicit)
    if not path.is_file():
        if required:
            raise ConfigError(f"{path}: no such configuration file")
        return path, {}
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def env_name(*loc: int | str) -> str:
    return ENV_PREFIX + "__".join(str(part) for part in loc).upper()


def peek(data: dict[str, Any], section: str, key: str) -> str | None:
    """A raw, unvalidated value: the environment's, else the file's. For the first frame only."""
    value = os.environ.get(env_name(section, key))
    if value is None:
        table = data.get(section)
        value = table.get(key) if isinstance(table, dict) else None
    return value if isinstance(value, str) else None
