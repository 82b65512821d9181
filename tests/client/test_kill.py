"""The workstation killed (SIGKILL) at random points of interviews, 50 times: on restart,
every answer typed before the kill is there, and every submitted interview is in the outbox."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from tests.client.kill_driver import KEY_ENV, STEPS_PER_TASK, questionnaire, replay, steps_in
from tracer_tui.client.store import LocalStore
from tracer_tui.client.store_key import StoreKey

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the driver forks (POSIX)")

RUNS = 50
DRIVER = Path(__file__).with_name("kill_driver.py")


class Zygote:
    def __init__(self, store: Path, key: StoreKey, raw_key: bytes) -> None:
        env = {**os.environ, KEY_ENV: raw_key.hex()}
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), str(store)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdout is not None
        self.fd = self.process.stdout.fileno()
        self.buffer = b""

    def line(self, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError("the driver said nothing")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise EOFError("the driver ended")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()

    def run(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(b"run\n")
        self.process.stdin.flush()
        kind, pid = self.line().split()
        assert kind == "pid"
        return int(pid)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(10)


@pytest.fixture
def raw_key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def zygote(tmp_path: Path, raw_key: bytes) -> Iterator[Zygote]:
    driver = Zygote(tmp_path / "store.sqlite3", StoreKey(raw_key), raw_key)
    assert driver.line() == "ready"
    yield driver
    driver.close()


def test_answers_survive_sigkill_at_random_points(
    tmp_path: Path, zygote: Zygote, raw_key: bytes
) -> None:
    script = questionnaire()
    rng = random.Random(20260302)
    path = tmp_path / "store.sqlite3"
    acked: dict[int, int] = {}  # task -> steps the driver said were saved
    submitted: dict[int, UUID] = {}
    kills_after_resume = 0
    for _ in range(RUNS):
        pid = zygote.run()
        lines: list[str] = []
        if rng.random() < 0.1:  # sometimes while it is still starting
            os.kill(pid, signal.SIGKILL)
        else:
            lines.append(zygote.line())  # resume …
            time.sleep(rng.uniform(0, 0.08))
            os.kill(pid, signal.SIGKILL)
            kills_after_resume += 1
        while not (line := zygote.line()).startswith("exit"):
            lines.append(line)
        assert line.split()[1] != "0"  # it was killed, it did not end
        for event in lines:
            kind, task_text, value = event.split()
            task_id = int(task_text)
            if kind == "resume":  # what the restart found: never less than acknowledged
                assert int(value) >= acked.get(task_id, 0)
                acked[task_id] = int(value)
            elif kind == "saved":
                acked[task_id] = int(value)
            else:
                submitted[task_id] = UUID(value)

        with LocalStore.open(path, key=StoreKey(raw_key)) as store:  # the restart
            for task, submission_id in submitted.items():
                item = store.outbox.get(submission_id)
                assert item is not None
                assert item.task_id == task
                assert store.load_draft(task) is None
            for task, steps in acked.items():
                if task in submitted:
                    continue
                draft = store.load_draft(task)
                if draft is None and steps == 0:
                    continue  # killed before the first answer of this task
                if draft is None:  # killed after the submit, before it was said
                    assert steps == STEPS_PER_TASK
                    assert len(store.outbox.for_task(task)) == 1
                    continue
                found = steps_in(draft.answers)
                assert steps <= found <= steps + 1  # at most the one save not yet said
                assert draft.answers == replay(script, found)
    assert kills_after_resume >= RUNS // 2
    assert len(submitted) >= 3  # kills landed in several interviews, not one
