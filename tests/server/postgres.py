"""A throwaway PostgreSQL cluster on 127.0.0.1, for the server tests and the load bench.

``initdb`` into a temporary directory, ``pg_ctl start`` on a free port of the loopback address
only (no Unix socket), trust authentication, and ``stop()`` removes everything. Run as root,
the cluster belongs to the ``postgres`` system user (``initdb`` refuses root). The binaries are
found in ``$TRACER_PG_BIN``, else the newest ``/usr/lib/postgresql/*/bin`` (Debian), else on
``PATH``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

USER = "tracer"
SYSTEM_USER = "postgres"
MISSING = (
    "PostgreSQL binaries (initdb, pg_ctl) not found: install the Debian package 'postgresql' "
    "(listed in scripts/apt-packages.txt; scripts/test.sh installs it) or set TRACER_PG_BIN "
    "to the directory that holds them"
)
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
"""Settings for tests: nothing survives a crash, and nothing needs to."""


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or the cluster did not start."""


def find_binaries() -> Path:
    configured = os.environ.get("TRACER_PG_BIN")
    if configured:
        candidates = [Path(configured)]
    else:
        debian = glob.glob("/usr/lib/postgresql/*/bin")
        debian.sort(key=lambda path: int(Path(path).parent.name), reverse=True)
        candidates = [Path(path) for path in debian]
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise PostgresUnavailable(MISSING)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresCluster:
    directory: Path
    binaries: Path
    port: int
    as_root: bool

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, command: Sequence[str], timeout: float = 60) -> None:
        argv = list(command)
        if self.as_root:
            argv = ["runuser", "-u", SYSTEM_USER, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(command[0]).name} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-2000:]}"
            )

    @classmethod
    def start(
        cls, settings: dict[str, str] | None = None, *, max_connections: int = 200
    ) -> PostgresCluster:
        """A new cluster, started and accepting connections; raises PostgresUnavailable."""
        binaries = find_binaries()
        as_root = os.geteuid() == 0
        directory = Path(tempfile.mkdtemp(prefix="tracer-pg-"))
        if as_root:
            owner = pwd.getpwnam(SYSTEM_USER)
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        cluster = cls(directory, binaries, 0, as_root)
        try:
            cluster._run(
                [
                    str(binaries / "initdb"),
                    "--pgdata",
                    str(cluster.data),
                    "--username",
                    USER,
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ]
            )
            options = {
                "listen_addresses": "127.0.0.1",
                "unix_socket_directories": "",
                "max_connections": str(max_connections),
                **(settings or {}),
            }
            last: PostgresUnavailable | None = None
            for _ in range(3):  # another process may take the port between probe and start
                cluster.port = free_port()
                flags = " ".join(
                    f"-c {name}={value}"
                    for name, value in {**options, "port": cluster.port}.items()
                )
                try:
                    cluster._run(
                        [
                            str(binaries / "pg_ctl"),
                            "start",
                            "--pgdata",
                            str(cluster.data),
                            "--wait",
                            "--timeout",
                            "30",
                            "--log",
                            str(cluster.directory / "server.log"),
                            "-o",
                            flags,
                        ]
                    )
                    return cluster
                except PostgresUnavailable as exc:
                    last = exc
            raise last or PostgresUnavailable("the cluster did not start")
        except BaseException:
            cluster.stop()
            raise

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                self._run(
                    [str(self.binaries / "pg_ctl"), "stop", "--pgdata", str(self.data)],
                    timeout=60,
                )
        shutil.rmtree(self.directory, ignore_errors=True)
