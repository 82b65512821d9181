"""Start and stop a private pcscd whose only reader is a vpcd slot on a free local port."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

READER_NAME = "Tracer Test vpcd"
LOCK_FILE = Path("/tmp/tracer-tests-pcscd.lock")
DEFAULT_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


@dataclass(frozen=True)
class PcscdStack:
    port: int
    reader: str  # the slot's full reader name
    pid: int
    log: Path


def vpcd_driver() -> Path | None:
    """The vpcd driver library, from the package's reader.conf or its usual place."""
    system_conf = Path("/etc/reader.conf.d/vpcd")
    if system_conf.exists():
        for line in system_conf.read_text().splitlines():
            if line.strip().startswith("LIBPATH"):
                return Path(line.split()[1])
    return DEFAULT_DRIVER if DEFAULT_DRIVER.exists() else None


def missing_parts() -> list[str]:
    missing = []
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        missing.append("pcscd (Debian package pcscd)")
    driver = vpcd_driver()
    if driver is None or not driver.exists():
        missing.append("the vpcd driver (Debian package vsmartcard-vpcd)")
    if importlib.util.find_spec("smartcard") is None:
        missing.append("pyscard (the 'pcsc' extra)")
    return missing


def running_pcscd() -> list[int]:
    """PIDs of live pcscd processes (zombies excluded)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "pcscd":
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            pids.append(int(entry.name))
    return pids


def _free_port_pair() -> int:
    """A port p with p and p+1 free (Debian's vpcd opens two slots)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("0.0.0.0", 0))
            port: int = probe.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as second:
            try:
                second.bind(("0.0.0.0", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of TCP ports for vpcd")


@contextlib.contextmanager
def _exclusive(timeout: float) -> Iterator[None]:
    """Only one test session at a time runs its pcscd on this machine."""
    with LOCK_FILE.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{LOCK_FILE} stayed locked for {timeout:.0f} s") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _wait_for_reader(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    from tracer_tui.eid.errors import TransportError
    from tracer_tui.eid.pcsc import list_readers

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pcscd exited with {process.returncode}: {log.read_text()}")
        with contextlib.suppress(TransportError):
            readers = list_readers(READER_NAME)
            if readers:
                return sorted(readers)[0]
        time.sleep(0.05)
    raise RuntimeError(f"pcscd showed no {READER_NAME!r} reader in {timeout} s: {log.read_text()}")


@contextlib.contextmanager
def pcscd_with_vpcd(workdir: Path, *, wait_for_others: float = 60.0) -> Iterator[PcscdStack]:
    """Run ``pcscd --foreground`` with a private reader.conf.d holding one vpcd entry."""
    with _exclusive(wait_for_others):
        deadline = time.monotonic() + wait_for_others
        while others := running_pcscd():
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"another pcscd is running (pid {', '.join(map(str, others))}): "
                    "stop it before running the PC/SC integration tests"
                )
            time.sleep(0.5)
        port = _free_port_pair()
        conf = workdir / "reader.conf.d"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "vpcd").write_text(
            f'FRIENDLYNAME "{READER_NAME}"\n'
            f"DEVICENAME   /dev/null:0x{port:04X}\n"
            f"LIBPATH      {vpcd_driver()}\n"
            f"CHANNELID    0x{port:04X}\n"
        )
        log = workdir / "pcscd.log"
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        env = {k: v for k, v in os.environ.items() if k != "PCSCLITE_CSOCK_NAME"}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [pcscd, "--foreground", "-c", str(conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            reader = _wait_for_reader(process, log, 10.0)
            yield PcscdStack(port=port, reader=reader, pid=process.pid, log=log)
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
