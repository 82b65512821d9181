"""The walls between layers (DESIGN.md): checked on a fresh interpreter's sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FORBIDDEN_IN_CORE = (
    "textual",
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "uvicorn",
    "smartcard",
    "faker",
    "yaml",
    "tracer_tui.ui",
    "tracer_tui.server",
    "tracer_tui.client",
)
SERVER_ONLY = ("fastapi", "sqlalchemy", "sqlmodel", "uvicorn", "starlette")


def loaded_modules(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def offenders(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


def test_core_imports_no_ui_http_sql_or_server() -> None:
    modules = loaded_modules(
        "import pkgutil, importlib, tracer_tui.core as core\n"
        "for info in pkgutil.walk_packages(core.__path__, 'tracer_tui.core.'):\n"
        "    importlib.import_module(info.name)"
    )
    assert offenders(modules, FORBIDDEN_IN_CORE) == []


def test_wire_imports_only_core_and_pydantic() -> None:
    modules = loaded_modules("import tracer_tui.wire")
    assert offenders(modules, FORBIDDEN_IN_CORE) == []


@pytest.mark.parametrize("module", ["tracer_tui.ui.app", "tracer_tui.cli", "tracer_tui.launch"])
def test_agent_app_does_not_load_server_code_or_pyscard(module: str) -> None:
    modules = loaded_modules(f"import {module}")
    assert offenders(modules, (*SERVER_ONLY, "tracer_tui.server", "smartcard", "faker")) == []


def test_agent_services_build_without_server_code() -> None:
    modules = loaded_modules(
        "from tracer_tui.config import Settings\n"
        "from tracer_tui.launch import agent_services\n"
        "agent_services(Settings()).connect()"
    )
    assert offenders(modules, (*SERVER_ONLY, "tracer_tui.server", "smartcard")) == []


def test_first_frame_needs_no_pydantic_httpx_or_server() -> None:
    """What runs before the first paint of `tracer practice` stays light (bench/startup.py)."""
    modules = loaded_modules(
        "import tracer_tui.cli, tracer_tui.launch, tracer_tui.ui.app\n"
        "import tracer_tui.ui.screens.login\n"
        "from tracer_tui.launch import practice_boot\n"
        "practice_boot(None, seed=1, cases=3)"
    )
    heavy = ("pydantic", "pydantic_settings", "httpx", *SERVER_ONLY, "faker", "yaml")
    assert offenders(modules, heavy) == []
