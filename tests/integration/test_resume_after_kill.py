"""A killed interview resumes exactly (issue 3, item 5).

The real programs, as a person runs them: ``tracer server …`` sets up and serves a central
server on a free port; the agent app ``tracer --config CFG`` runs in a pseudo-terminal with
the virtual eID card. The agent signs in, opens the first task, answers the first question,
goes to the next screen, types an answer there, and the app is killed with SIGKILL. Started
again with the same configuration, store and keyring, the same task opens on the same
screen with the answers typed before the kill.

The local store key goes through ``keyring``: the child processes use the file backend of
``tests/keyring_file.py``, a headless machine having no keyring of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.terminal import ANSI

REPO = Path(__file__).resolve().parents[2]
TRACER = str(Path(sys.executable).with_name("tracer"))
PIN = b"1234"
ENTER = b"\r"
CTRL_S = b"\x13"
PAGE_DOWN = b"\x1b[6~"
PAGE_UP = b"\x1b[5~"
SIZE = (40, 140)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Terminal:
    """A program in a pseudo-terminal: read its screen output, type keys, kill it."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.output = b""
        self.mark = 0

    def _read(self, seconds: float) -> None:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if ready:
            with contextlib.suppress(OSError):  # EIO: the program has gone
                self.output += os.read(self.master, 65536)

    def text(self, since: int = 0) -> str:
        return ANSI.sub(b"", self.output[since:]).decode("utf-8", "replace")

    def wait_for(self, *fragments: str, timeout: float = 15.0) -> str:
        """Read until every fragment appeared since the last ``type``; that output."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.text(self.mark)
            if all(fragment in seen for fragment in fragments):
                return seen
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(
                    f"{fragments} not on the screen after {timeout} s "
                    f"(exit code {self.process.poll()}); last output:\n{seen[-3000:]}"
                )
            self._read(0.05)

    def settle(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(0.05)

    def type(self, keys: bytes) -> None:
        self.mark = len(self.output)
        os.write(self.master, keys)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def close(self) -> None:
        self.kill()
        os.close(self.master)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A configuration, a central server running with an agent and six cases; the
    configuration file and the environment of the agent app."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRACER_", "XDG_", "PYTHON_KEYRING"))
    }
    for name in ("CONFIG", "DATA", "STATE", "CACHE", "RUNTIME"):
        (tmp_path / name.lower()).mkdir(mode=0o700)
        env[f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR"] = str(
            tmp_path / name.lower()
        )
    env["PYTHONPATH"] = str(REPO)
    env["PYTHON_KEYRING_BACKEND"] = "tests.keyring_file.FileKeyring"
    env["TRACER_TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    env["TERM"] = "xterm-256color"

    # The virtual card's root certificate and national number, as `tracer card virtual`
    # tells them (it then waits for a vpcd reader that never comes: stopped here).
    root = tmp_path / "root.pem"
    card = subprocess.Popen(
        [TRACER, "card", "virtual", "--write-root", str(root), "--vpcd", "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        assert card.stdout is not None
        first_line = card.stdout.readline()
    finally:
        card.kill()
        card.wait()
    found = re.search(r"national number (\d{11})", first_line)
    assert found, first_line
    national_number = found.group(1)
    assert root.read_text().startswith("-----BEGIN CERTIFICATE-----")

    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f"""\
[server]
url = "http://127.0.0.1:{port}"

[card]
backend = "virtual"

[store]
path = "{tmp_path / "store.sqlite3"}"

[sync]
interval = 1.0

[log]
path = "{tmp_path / "tracer.log"}"

[central]
db_url = "sqlite:///{tmp_path / "central.sqlite3"}"
trusted_roots = ["{root}"]
""",
        "utf-8",
    )

    def tracer(*args: str) -> None:
        done = subprocess.run(
            [TRACER, "--config", str(config), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)

    tracer("server", "init-db")
    tracer(
        "server",
        "add-agent",
        "--national-number",
        national_number,
        "--name",
        "Anna Peeters",
        "--team",
        "t",
    )
    tracer("server", "seed", "--fake", "6", "--team", "t")

    server_log = (tmp_path / "server.out").open("wb")
    server = subprocess.Popen(
        [TRACER, "--config", str(config), "server", "run", "--port", str(port)],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "the server did not start:\n" + (tmp_path / "server.out").read_text()
                    ) from None
                time.sleep(0.1)
        yield config, env
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()


def sign_in(app: Terminal, *, pledge: bool) -> None:
    app.wait_for("Type your PIN and press Enter.", timeout=20)
    app.type(PIN + ENTER)
    if pledge:
        app.wait_for("Confidentiality pledge", "Ctrl+S")
        deadline = time.monotonic() + 15
        while "to sign the pledge" not in app.text(app.mark):
            assert time.monotonic() < deadline, app.text(app.mark)[-3000:]
            app.type(CTRL_S)  # refused until the pledge's text is loaded
            app.settle(0.3)
        app.type(PIN + ENTER)
    app.wait_for("Call queue")


def open_task(app: Terminal) -> None:
    """Open the first task of the queue (the same one at every start)."""
    app.settle(1.0)  # the queue's rows
    app.type(ENTER)


def open_first_task(app: Terminal) -> None:
    open_task(app)
    app.wait_for("Step 1 of")


def test_a_killed_interview_resumes_on_the_same_screen_with_its_answers(
    setup: tuple[Path, dict[str, str]],
) -> None:
    config, env = setup
    command = [TRACER, "--config", str(config)]

    exposure = (date.today() - timedelta(days=3)).strftime("%d/%m/%Y")

    first = Terminal(command, env)
    try:
        sign_in(first, pledge=True)
        open_first_task(first)
        first.wait_for("confirms their name and date of birth")
        first.type(b"y")  # the person confirms their name and date of birth
        first.wait_for("(●) Yes")
        first.type(PAGE_DOWN)
        first.wait_for("Step 2 of", "Date of the last contact", "DD/MM/YYYY")
        first.type(exposure.encode())  # the date field has the focus
        first.wait_for(exposure)
        first.settle(1.0)  # answers are saved as they are typed
        first.kill()
        assert first.process.returncode == -signal.SIGKILL
    finally:
        first.close()
    # The store's key went to the keyring (the file backend), not to a file of tracer's.
    assert "local-store-key" in Path(env["TRACER_TEST_KEYRING_FILE"]).read_text("utf-8")

    second = Terminal(command, env)
    try:
        sign_in(second, pledge=False)
        open_task(second)
        screen = second.wait_for("Step 2 of", "Date of the last contact", exposure)
        assert "Step 1 of" not in screen, screen
        second.type(PAGE_UP)
        second.wait_for("Step 1 of", "(●) Yes")
    finally:
        second.close()
