"""A keyring backend that keeps its secrets in a JSON file, for tests of the real agent app.

Select it in a child process with ``PYTHON_KEYRING_BACKEND=tests.keyring_file.FileKeyring``
(the repository root on ``PYTHONPATH``); the file is named by ``TRACER_TEST_KEYRING_FILE``.
Plain text on purpose: for tests only, never for a workstation.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "TRACER_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    """Secrets in the JSON file ``$TRACER_TEST_KEYRING_FILE``: {service: {name: secret}}."""

    priority = 1

    @property
    def _path(self) -> Path:
        name = os.environ.get(ENV)
        if not name:
            raise RuntimeError(f"{ENV} names no file")
        return Path(name)

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data: dict[str, dict[str, str]] = json.loads(self._path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), "utf-8")
        os.replace(temporary, self._path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if username not in data.get(service, {}):
            raise PasswordDeleteError(username)
        del data[service][username]
        self._save(data)
