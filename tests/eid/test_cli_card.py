"""``tracer card`` without a PC/SC stack: argument errors, missing pcscd, error mapping."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracer_tui.cli_card import card, format_card_number
from tracer_tui.eid import (
    CardRemoved,
    NoCard,
    NoReader,
    NotBelgianEid,
    ReaderBusy,
    ServiceUnavailable,
    TransportError,
)
from tracer_tui.eid.pcsc import error_for

RUN_CLI = "from tracer_tui.cli_card import main; main(prog_name='tracer card')"


@pytest.mark.parametrize(
    ("code", "error", "text"),
    [
        (0x8010001D, ServiceUnavailable, "pcscd"),
        (-2146435043, ServiceUnavailable, "pcscd"),  # the same code, signed (Windows style)
        (0x8010002E, NoReader, "no card reader"),
        (0x80100009, NoReader, "disconnected"),
        (0x8010000C, NoCard, "insert your eID"),
        (0x80100069, CardRemoved, "removed"),
        (0x8010000B, ReaderBusy, "another program"),
        (0x80100065, NotBelgianEid, "not a Belgian eID"),
        (0x80100066, TransportError, "does not respond"),
        (0x80100123, TransportError, "0x80100123"),
    ],
)
def test_pcsc_error_mapping(code: int, error: type[Exception], text: str) -> None:
    mapped = error_for(code, "testing")
    assert type(mapped) is error
    assert text in str(mapped)


def test_format_card_number() -> None:
    assert format_card_number("592123456789") == "592-1234567-89"
    assert format_card_number("B12345678") == "B12345678"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pin", "12"], "--pin: a PIN is 4 to 12 digits"),
        (["--pin", "12ab"], "--pin: a PIN is 4 to 12 digits"),
        (["--vpcd", "localhost:http"], "--vpcd: bad port"),
        (["--national-number", "85031506299"], "--national-number:"),
        (["--name", "Cher"], "--name needs first names and a surname"),
    ],
)
def test_virtual_bad_arguments(args: list[str], message: str) -> None:
    result = CliRunner().invoke(card, ["virtual", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("tracer card: error: ")
    assert message in lines[0]


def test_help() -> None:
    result = CliRunner().invoke(card, ["--help"])
    assert result.exit_code == 0
    assert "info" in result.output
    assert "virtual" in result.output


def test_info_without_pcscd(tmp_path: Path) -> None:
    """pcscd not running: one clear line, exit code 2, no traceback."""
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "info", "--timeout", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    if importlib.util.find_spec("smartcard") is None:
        assert result.stderr == (
            "tracer card: error: pyscard is not installed: install tracer with the 'pcsc' "
            "extra (it needs libpcsclite-dev and a C compiler to build)\n"
        )
    else:
        assert (
            result.stderr == "tracer card: error: the smart card service (pcscd) is not running\n"
        )


WATCH_WITHOUT_PCSCD = """
import time
from tracer_tui.eid.pcsc import CardWatcher
errors = []
watcher = CardWatcher()
watcher.start(print, on_error=errors.append, timeout=0.1)
time.sleep(0.5)
watcher.stop()
print(type(errors[0]).__name__, len(errors) > 1)
"""


@pytest.mark.skipif(importlib.util.find_spec("smartcard") is None, reason="needs pyscard")
def test_watcher_reports_missing_pcscd_and_keeps_trying(tmp_path: Path) -> None:
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", WATCH_WITHOUT_PCSCD],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ServiceUnavailable True"
