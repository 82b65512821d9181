"""Run a command in a pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])"
)


@dataclass
class Finished:
    returncode: int
    output: bytes

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.output).decode("utf-8", "replace").replace("\r", "")

    @property
    def after_ui(self) -> str:
        """What stays on the terminal after the full-screen UI left (alternate screen off)."""
        tail = self.output.rsplit(b"\x1b[?1049l", 1)[-1]
        return ANSI.sub(b"", tail).decode("utf-8", "replace").replace("\r", "")


def run_in_terminal(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    keys: Sequence[tuple[bytes, bytes]] = (),
    timeout: float = 30.0,
    size: tuple[int, int] = (30, 100),
) -> Finished:
    """Run ``command`` with a terminal on stdin/stdout/stderr. ``keys`` are (wait for this
    output, then type this) pairs. Returns when the program exits (killed after timeout)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    process = subprocess.Popen(
        list(command),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    output = b""
    pending = list(keys)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if pending and pending[0][0] in output:
                os.write(master, pending.pop(0)[1])
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk and process.poll() is not None:
                    break
                output += chunk
            elif process.poll() is not None:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    return Finished(process.returncode, output)
