#!/usr/bin/env python3
"""Time to first paint of `tracer practice`, beside a minimal Textual app, in one run.

Each program runs in a pseudo-terminal (100x30); the clock stops when its first screen's
text appears in the terminal output. Runs alternate between the two programs; medians are
compared as a ratio (target: <= 1.5).

    .venv/bin/python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TRACER = [str(BIN / "tracer"), "practice"]
MINIMAL = [sys.executable, str(ROOT / "bench" / "minimal_app.py")]


def first_paint(
    command: list[str], marker: bytes, env: dict[str, str], timeout: float = 20.0
) -> float:
    """Seconds from spawn until ``marker`` is on the terminal; then quit the program."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if marker in seen:
                elapsed = time.perf_counter() - start
                break
        if elapsed is None:
            raise RuntimeError(f"{command[0]}: no first paint within {timeout}s")
        os.write(master, b"\x11")  # ctrl+q: quit, letting practice mode clean up
        deadline = time.perf_counter() + 10
        while process.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        return elapsed
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": "100",
            "LINES": "30",
            "XDG_CONFIG_HOME": home,
            "XDG_DATA_HOME": home,
            "XDG_STATE_HOME": home,
        }
        env.pop("TRACER_CONFIG", None)
        # Warm the file cache and bytecode of both programs once, unmeasured.
        first_paint(MINIMAL, b"minimal benchmark app", env)
        first_paint(TRACER, b"PRACTICE", env)
        tracer_times: list[float] = []
        minimal_times: list[float] = []
        for _ in range(args.runs):
            minimal_times.append(first_paint(MINIMAL, b"minimal benchmark app", env))
            tracer_times.append(first_paint(TRACER, b"PRACTICE", env))
    minimal = statistics.median(minimal_times)
    tracer = statistics.median(tracer_times)
    print(
        f"minimal Textual app  first paint: median {minimal * 1000:6.0f} ms "
        f"(min {min(minimal_times) * 1000:.0f}, max {max(minimal_times) * 1000:.0f})"
    )
    print(
        f"tracer practice      first paint: median {tracer * 1000:6.0f} ms "
        f"(min {min(tracer_times) * 1000:.0f}, max {max(tracer_times) * 1000:.0f})"
    )
    ratio = tracer / minimal
    print(
        f"ratio tracer/minimal: {ratio:.2f} (target <= 1.5) "
        f"{'OK' if ratio <= 1.5 else 'OVER TARGET'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
