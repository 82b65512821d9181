#!/usr/bin/env python3
"""Syncing a full outbox: 10,000 completed interviews queued on the workstation (a day's
work of a team that was offline), sent to a local ``tracer server run``.

The server runs in its own process over SQLite, with one agent holding the 10,000 tasks.
The client is this process: the local store (encrypted, WAL, ``synchronous = FULL``) with
the interviews put in its outbox one by one, as the interview screen does, then the sync
engine's ``sync_once()`` (batches over HTTP on 127.0.0.1, then the queue pulled) is timed.
Targets: <= 10 s, client memory <= 200 MB (peak resident set of this process).

    .venv/bin/python bench/sync.py [--count 10000] [--batch 250]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.client.live import LiveServer, api_client, interviews_on_server, prepare  # noqa: E402
from tracer_tui.client.store import LocalStore  # noqa: E402
from tracer_tui.client.sync import Outcome, SyncEngine  # noqa: E402
from tracer_tui.config import SyncConfig  # noqa: E402
from tracer_tui.core.types import Language  # noqa: E402
from tracer_tui.wire import InterviewSubmission  # noqa: E402

STARTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def answers(index: int) -> dict[str, object]:
    """A complete index-case interview the server accepts (about 1 kB of JSON)."""
    return {**_complete(), "profession": f"Enseignant·e {index}"}


@functools.cache
def _complete() -> dict[str, object]:
    from tests.answers import complete_answers, script

    return complete_answers(script("index-first-call"), today=STARTED.date())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def sync(store: LocalStore, base_url: str, token: str, batch: int) -> tuple[Outcome, float]:
    api = api_client(base_url, token, timeout=60.0)
    engine = SyncEngine(store, api, SyncConfig(), batch_size=batch)
    try:
        start = time.perf_counter()
        outcome = await engine.sync_once()
        return outcome, time.perf_counter() - start
    finally:
        await api.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=250)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tracer-bench-sync-") as tmp:
        directory = Path(tmp)
        start = time.perf_counter()
        world = prepare(directory / "server", args.count)
        print(f"server database: {args.count} tasks in {time.perf_counter() - start:.1f} s")
        server = LiveServer(world)
        server.start()
        try:
            store = LocalStore.open(directory / "store.sqlite3")
            start = time.perf_counter()
            for index, task_id in enumerate(world.task_ids):
                submission = InterviewSubmission(
                    submission_id=uuid4(),
                    questionnaire_id="index-first-call",
                    questionnaire_version=1,
                    language=Language.FR,
                    answers=answers(index),
                    started_at=STARTED,
                    finished_at=STARTED + timedelta(minutes=20),
                )
                store.submit_interview(task_id, submission)
            queued = time.perf_counter() - start
            print(
                f"queued: {args.count} interviews in the outbox in {queued:.1f} s "
                f"({queued / args.count * 1000:.2f} ms each, on disk when it returns)"
            )
            outcome, elapsed = asyncio.run(sync(store, server.url, world.token, args.batch))
            counts = store.outbox.counts()
            store.close()
        finally:
            server.stop()
        total, distinct = interviews_on_server(world)
    print(f"sync: {outcome.value} in {elapsed:.2f} s ({args.count / elapsed:,.0f} interviews/s)")
    print(f"client peak memory (max RSS): {rss_mb():.0f} MB")
    print(f"outbox: {counts.sent} sent, {counts.pending} pending, {counts.error} refused")
    print(f"server: {total} interviews stored, {distinct} distinct")
    ok = (
        outcome is Outcome.DONE
        and counts.sent == total == distinct == args.count
        and elapsed <= 10
        and rss_mb() <= 200
    )
    print("target (<= 10 s, <= 200 MB, all stored once):", "met" if ok else "MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
