"""The `tracer` command as a user meets it: help, one-line errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terminal import run_in_terminal
from tracer_tui.launch import practice_pin

TRACER = str(Path(sys.executable).parent / "tracer")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACER_")}
    return {
        **clean,
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


def tracer(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRACER, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["practice"],
        ["server"],
        ["server", "run"],
        ["server", "init-db"],
        ["server", "seed"],
        ["server", "add-agent"],
    ],
)
def test_every_command_has_help(args: list[str], env: dict[str, str]) -> None:
    result = tracer(*args, "--help", env=env)
    assert result.returncode == 0, result.stderr
    assert "Usage: tracer" in result.stdout


def test_unknown_option_exits_2_without_traceback(env: dict[str, str]) -> None:
    result = tracer("practice", "--sed", "3", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "No such option" in result.stderr


def test_missing_config_file_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    result = tracer("--config", str(tmp_path / "missing.toml"), "practice", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("tracer: error: ")
    assert "missing.toml: no such configuration file" in result.stderr


def test_invalid_toml_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui\nlanguage = 'fr'\n")
    result = tracer("--config", str(bad), "practice", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"{bad}: not valid TOML" in result.stderr


def test_bad_value_in_practice_mode_ends_with_one_line_naming_file_and_key(
    tmp_path: Path, env: dict[str, str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[rules]\nquarantine_days = "ten"\n')
    finished = run_in_terminal([TRACER, "--config", str(bad), "practice"], env=env)
    assert finished.returncode == 2
    assert "Traceback" not in finished.text
    assert finished.after_ui.startswith(f"tracer: error: {bad}: rules.quarantine_days:")
    assert finished.after_ui.strip().count("\n") == 0


def test_bad_environment_value_names_the_variable(env: dict[str, str]) -> None:
    env = {**env, "TRACER_UI__LANGUAGE": "klingon"}
    finished = run_in_terminal([TRACER, "practice"], env=env)
    assert finished.returncode == 2
    assert finished.after_ui.startswith("tracer: error: environment TRACER_UI__LANGUAGE:")


def test_practice_opens_and_quits_cleanly(env: dict[str, str]) -> None:
    pin = practice_pin(1).encode()  # the practice card's PIN, shown on the sign-in screen
    finished = run_in_terminal(
        [TRACER, "practice", "--cases", "5"],
        env=env,
        keys=[
            (b"Type your PIN and press Enter.", pin + b"\r"),
            (b"Professional secrecy", b"\x13"),  # the pledge: Ctrl+S accepts it
            (b"to sign the pledge", pin + b"\r"),
            (b"tasks in your queue", b"\x11"),
        ],
        timeout=60,
    )
    assert finished.returncode == 0, finished.text[-2000:]
    assert "PRACTICE" in finished.text
    assert "tasks in your queue" in finished.text
    assert "Traceback" not in finished.text


def test_server_add_agent_refuses_a_bad_national_number(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    result = tracer(
        "server",
        "add-agent",
        "--db",
        db,
        "--national-number",
        "12345678901",
        "--name",
        "Test",
        "--team",
        "t",
        env=env,
    )
    assert result.returncode == 2
    assert "not a valid national register number" in result.stderr


def test_server_init_seed_and_add_agent(tmp_path: Path, env: dict[str, str]) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    assert tracer("server", "init-db", "--db", db, env=env).returncode == 0
    seeded = tracer("server", "seed", "--db", db, "--fake", "30", "--team", "mons", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert "added 30 fake cases" in seeded.stdout
    added = tracer(
        "server",
        "add-agent",
        "--db",
        db,
        "--national-number",
        "85.07.30-033.28",
        "--name",
        "Agent Test",
        "--team",
        "mons",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    assert "registered in team 'mons'" in added.stdout


def test_server_refuses_to_start_with_a_bad_script(tmp_path: Path, env: dict[str, str]) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "broken.v1.yaml").write_text("id: broken\nversion: 1\nkind: index_call\n")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[central]\nquestionnaires_dir = "{scripts}"\n'
        f'db_url = "sqlite:///{tmp_path / "central.sqlite3"}"\n'
    )
    result = tracer("--config", str(config), "server", "run", "--port", "1", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "broken.v1.yaml" in result.stderr
