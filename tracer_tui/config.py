"""Configuration: defaults < file < environment (``TRACER_…``, nested with ``__``).

The file is ``--config``, else ``$TRACER_CONFIG``, else ``config.toml`` in the platformdirs
user config directory. Every key is documented in ``config.example.toml``. A bad file or
value raises :class:`ConfigError`, whose message is one line naming the file (or the
environment variable) and the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from tracer_tui.config_file import (
    APP_NAME,
    ENV_PREFIX,
    ConfigError,
    config_path,
    env_name,
    read_config_file,
    user_config_file,
)
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language

__all__ = [
    "ENV_PREFIX",
    "ConfigError",
    "Settings",
    "config_path",
    "load_settings",
    "user_config_file",
]


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerConfig(Section):
    url: str = Field(default="https://tracer.invalid", pattern=r"^https?://[^\s]+$")
    ca_bundle: Path | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)


class CardConfig(Section):
    backend: Literal["pcsc", "virtual"] = "pcsc"
    reader: str = ""


class StoreConfig(Section):
    path: Path | None = None
    retention_days: int = Field(default=30, ge=1, le=3650)

    def resolved_path(self) -> Path:
        return self.path or user_data_dir() / "store.sqlite3"


class SyncConfig(Section):
    interval: float = Field(default=15.0, gt=0, le=3600)
    backoff_initial: float = Field(default=1.0, gt=0, le=600)
    backoff_max: float = Field(default=300.0, gt=0, le=3600)


class UIConfig(Section):
    language: Language = Language.EN
    theme: str = Field(default="textual-dark", min_length=1)


class LogConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    path: Path | None = None

    def resolved_path(self) -> Path:
        return self.path or user_log_dir() / "tracer.log"


class CentralConfig(Section):
    db_url: str = ""
    db_pool_size: int = Field(default=10, ge=1, le=500)
    trusted_roots: list[Path] = Field(default_factory=list)
    token_ttl: int = Field(default=3600, ge=60, le=24 * 3600)
    pledge_version: int = Field(default=1, ge=1)
    questionnaires_dir: Path | None = None
    login_window: int = Field(default=300, ge=1, le=24 * 3600)
    login_attempts_per_card: int = Field(default=10, ge=1)
    login_attempts_per_address: int = Field(default=600, ge=1)

    def resolved_db_url(self) -> str:
        return self.db_url or f"sqlite:///{user_data_dir() / 'central.sqlite3'}"


class _FileSource(PydanticBaseSettingsSource):
    """The TOML file, already parsed by :func:`load_settings`."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid"
    )

    server: ServerConfig = Field(default_factory=ServerConfig)
    card: CardConfig = Field(default_factory=CardConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    rules: Rules = Field(default_factory=Rules)
    central: CentralConfig = Field(default_factory=CentralConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _with_file(data: dict[str, Any]) -> type[Settings]:
    """A Settings class whose lowest-priority source (above defaults) is the parsed file."""

    class FileSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _FileSource(settings_cls, data))

    return FileSettings


def load_settings(explicit: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate the configuration, or raise ConfigError with one clear line."""
    path, data = read_config_file(explicit)
    try:
        return _with_file(data)(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        key = ".".join(str(part) for part in loc)
        env = env_name(*loc)
        origin = f"environment {env}" if env in os.environ else str(path)
        value = first.get("input")
        shown = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
        raise ConfigError(f"{origin}: {key}: {first['msg']}{shown}") from exc
