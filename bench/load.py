#!/usr/bin/env python3
"""Load test of the central server: 600 agents on PostgreSQL with several uvicorn workers.

Starts everything it needs and stops it again, bounded in time: a throwaway PostgreSQL cluster
on 127.0.0.1 (durable settings: fsync and synchronous commits on), ``tracer server run
--workers N`` on a free loopback port, then N simulated agents (async httpx, one process).
Each agent does the real loop at a paced rate (the whole room submits ``--rate`` interviews a
second): ``GET /queue``, then ``PUT /tasks/{id}/interview`` for its tasks one after the other,
reading its queue again when it is empty and every 15 s (the client's sync interval); 2% of
the submissions are sent twice, as a client retrying after a lost answer does. The agents
start one after the other over ``--ramp`` seconds (a room signing in), which are not measured.
Logins: the agents' tokens are seeded straight into the database (the card login is a separate
concern, rate-limited on purpose).

Reports throughput, p50/p90/p99 per route, errors, and the checks: no task in two agents'
queues, every accepted submission stored exactly once, no task closed twice, the audit chain
intact. Targets (2 cores): p99 of GET /queue <= 50 ms, >= 500 accepted submissions/s, zero
double assignments, zero lost or duplicated submissions.

    .venv/bin/python bench/load.py [--agents 600] [--duration 60] [--workers 2] [--rate 550]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_agents import QUEUE, Results, load
from bench.load_setup import DURABLE, seed, start_server, stop_server, wait_until_up
from tests.server.postgres import PostgresCluster
from tracer_tui.server.audit import verify
from tracer_tui.server.db import init_db, make_engine
from tracer_tui.server.tables import InterviewSubmission, Task

# -- checking and reporting ---------------------------------------------------------------


def check(engine: Engine, results: Results) -> dict[str, Any]:
    with engine.connect() as connection:
        stored = dict(
            connection.execute(
                select(col(InterviewSubmission.submission_id), col(InterviewSubmission.task_id))
            ).all()
        )
        closed_twice = connection.execute(
            select(func.count()).select_from(
                select(col(InterviewSubmission.task_id))
                .group_by(col(InterviewSubmission.task_id))
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        wrong_agent = connection.execute(
            select(func.count())
            .select_from(InterviewSubmission)
            .join(Task, col(Task.id) == col(InterviewSubmission.task_id))
            .where(col(Task.assigned_agent_id) != col(InterviewSubmission.agent_id))
        ).scalar_one()
    lost = [s for s in results.accepted if stored.get(s) != results.accepted[s]]
    unexplained = [s for s in stored if s not in results.accepted and s not in results.ambiguous]
    resent_not_duplicate = sum(1 for duplicate in results.resent.values() if not duplicate)
    double = sum(1 for holders in results.holders.values() if len(holders) > 1)
    chain = verify(engine)
    return {
        "double_assignments": double + int(wrong_agent),
        "lost_submissions": len(lost),
        "duplicated_submissions": len(unexplained) + resent_not_duplicate + int(closed_twice),
        "resends_answered_duplicate": sum(results.resent.values()),
        "unanswered_submissions": len(results.ambiguous),
        "stored_submissions": len(stored),
        "audit_chain": "intact" if chain.intact else f"BROKEN: {chain.broken}",
        "audit_records": chain.records,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(
    results: Results, elapsed: float, checks: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    routes = {}
    for route, values in sorted(results.latencies.items()):
        statuses = results.statuses[route]
        routes[route] = {
            "requests": len(values),
            "per_second": round(len(values) / elapsed, 1),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p90_ms": round(percentile(values, 0.90) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
            "errors": sum(n for status, n in statuses.items() if status >= 400),
        }
    accepted_per_s = results.accepted_measured / elapsed
    requests = sum(len(values) for values in results.latencies.values())
    cpu = {
        name: round((results.cpu_after[name] - results.cpu_before.get(name, 0.0)) / elapsed, 2)
        for name in results.cpu_after
    }
    cpu["agents"] = round(results.generator_cpu / elapsed, 2)
    cpu_ms_per_request = {
        name: round(cores * elapsed * 1000 / max(1, requests), 2) for name, cores in cpu.items()
    }
    queue_p99 = routes.get(QUEUE, {}).get("p99_ms", float("nan"))
    targets = {
        "queue_p99_le_50ms": queue_p99 <= 50,
        "accepted_ge_500_per_s": accepted_per_s >= 500,
        "no_double_assignment": checks["double_assignments"] == 0,
        "no_lost_or_duplicated": checks["lost_submissions"] == 0
        and checks["duplicated_submissions"] == 0,
    }
    return {
        "agents": args.agents,
        "workers": args.workers,
        "duration_s": round(elapsed, 1),
        "target_rate": args.rate,
        "accepted_submissions_per_s": round(accepted_per_s, 1),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "cores_used": cpu,
        "cpu_ms_per_request": cpu_ms_per_request,
        "routes": routes,
        "failures": dict(results.failures.most_common(10)),
        **checks,
        "targets_met": targets,
    }


def show(summary: dict[str, Any]) -> None:
    print(
        f"{summary['agents']} agents, {summary['workers']} workers, {summary['duration_s']} s, "
        f"paced at {summary['target_rate']} submissions/s"
    )
    print(f"{'route':38} {'n':>7} {'/s':>7} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} {'err':>5}")
    for route, row in summary["routes"].items():
        print(
            f"{route:38} {row['requests']:>7} {row['per_second']:>7} {row['p50_ms']:>7} "
            f"{row['p90_ms']:>7} {row['p99_ms']:>7} {row['max_ms']:>7} {row['errors']:>5}"
        )
    print(f"accepted submissions/s: {summary['accepted_submissions_per_s']}")
    print(f"cores used (whole machine: 2): {summary['cores_used']}")
    print(f"CPU ms per request: {summary['cpu_ms_per_request']}")
    print(f"load average at the end: {summary['load_average']}")
    for key in (
        "double_assignments",
        "lost_submissions",
        "duplicated_submissions",
        "resends_answered_duplicate",
        "unanswered_submissions",
        "stored_submissions",
        "audit_chain",
        "audit_records",
    ):
        print(f"{key}: {summary[key]}")
    for failure, count in summary["failures"].items():
        print(f"  failure x{count}: {failure}")
    for target, met in summary["targets_met"].items():
        print(f"target {target}: {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=600)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--rate", type=float, default=550.0, help="submissions/s, whole room")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to start all agents")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    tasks = int(args.rate * (args.duration + args.ramp) * 1.3) + args.agents * 20
    cluster = PostgresCluster.start(DURABLE, max_connections=300)
    process: subprocess.Popen[bytes] | None = None
    scratch = Path(tempfile.mkdtemp(prefix="tracer-load-"))
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE tracer"))
        admin.dispose()
        url = cluster.url("tracer")
        engine = make_engine(url)
        init_db(engine)
        began = time.perf_counter()
        tokens = seed(engine, agents=args.agents, tasks=tasks)
        print(
            f"seeded {args.agents} agents and {tasks} tasks in {time.perf_counter() - began:.1f} s"
        )
        process, base = start_server(url, args.workers, scratch)
        wait_until_up(base, process)
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        roots = {"server": process.pid, "postgresql": postmaster}
        results, elapsed = asyncio.run(
            load(
                base,
                tokens,
                duration=args.duration,
                rate=args.rate,
                ramp=args.ramp,
                roots=roots,
            )
        )
        stop_server(process)
        summary = report(results, elapsed, check(engine, results), args)
        engine.dispose()
        show(summary)
        if args.json:
            args.json.write_text(json.dumps(summary, indent=2) + "\n")
        return 0 if all(summary["targets_met"].values()) else 1
    finally:
        if process is not None:
            stop_server(process)
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
