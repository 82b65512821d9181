"""An agent's workstation reduced to what the interview screen does with the local store,
for the SIGKILL test: answer, save the draft, answer, …, submit, next task.

Run as a "zygote": it imports everything once, then forks one child per ``run SEED`` line on
its standard input, so that each of the test's 50 runs starts in milliseconds. A child opens
the store (a restart), resumes the first task not yet submitted from its draft, and goes on
answering until the test kills it. It reports on standard output, one line per event,
*after* the store call returned:

- ``resume TASK N``: the draft held N answered steps;
- ``saved TASK N``: the draft with N steps is saved;
- ``submitted TASK SUBMISSION_ID``: the interview is in the outbox.

The answers of step k are a function of k alone (:func:`replay`), so the test can tell
which state a draft holds and rebuild it.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from tracer_tui.client.store import Draft, LocalStore
from tracer_tui.client.store_key import StoreKey
from tracer_tui.core.engine import Interview
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language
from tracer_tui.questionnaire_files import default_directory, load_file
from tracer_tui.wire import InterviewSubmission

KEY_ENV = "TRACER_TEST_STORE_KEY"
TASKS = range(1, 1000)
STEPS_PER_TASK = 24
TODAY = date(2026, 3, 2)
TEXT_ITEMS = ("profession", "risk_people_details", "isolation_help")


def questionnaire() -> Questionnaire:
    return load_file(default_directory() / "index-first-call.v1.yaml")


def fresh(script: Questionnaire, answers: dict[str, Any] | None = None) -> Interview:
    return Interview(script, language=Language.FR, rules=Rules(), today=TODAY, answers=answers)


def step(interview: Interview, k: int) -> Interview:
    """What the agent types at step ``k`` (0-based): a text answer, or a new contact."""
    if k % 4 == 3:
        return interview.with_entry_added("contacts", {"first_name": f"s{k}", "last_name": "X"})
    return interview.with_answer(TEXT_ITEMS[k % 3], f"s{k}")


def replay(script: Questionnaire, steps: int) -> dict[str, Any]:
    """The answers after ``steps`` steps."""
    interview = fresh(script)
    for k in range(steps):
        interview = step(interview, k)
    return interview.answers


def steps_in(answers: dict[str, Any]) -> int:
    """How many steps a draft's answers hold (1 + the highest step found)."""
    found = [int(value[1:]) for value in answers.values() if isinstance(value, str)]
    for entry in answers.get("contacts") or []:
        found.append(int(entry["first_name"][1:]))
    return 1 + max(found) if found else 0


def emit(line: str) -> None:
    os.write(1, (line + "\n").encode())


def work(store: LocalStore, script: Questionnaire) -> None:
    task_id = next(t for t in TASKS if not store.outbox.for_task(t))
    draft = store.load_draft(task_id)
    now = datetime.now(UTC)
    if draft is None:
        interview, steps, submission_id, started = fresh(script), 0, uuid4(), now
    else:
        interview = fresh(script, draft.answers)
        steps, submission_id, started = (
            steps_in(draft.answers),
            draft.submission_id,
            draft.started_at,
        )
    emit(f"resume {task_id} {steps}")
    while True:
        if steps < STEPS_PER_TASK:  # a resumed, complete draft goes straight to the submit
            interview = step(interview, steps)
            steps += 1
            store.save_draft(
                Draft(
                    task_id=task_id,
                    submission_id=submission_id,
                    questionnaire_id=script.id,
                    questionnaire_version=script.version,
                    language=Language.FR,
                    answers=interview.answers,
                    screen_id=interview.screen_id,
                    started_at=started,
                    updated_at=datetime.now(UTC),
                )
            )
            emit(f"saved {task_id} {steps}")
        if steps >= STEPS_PER_TASK:
            submission = InterviewSubmission(
                submission_id=submission_id,
                questionnaire_id=script.id,
                questionnaire_version=script.version,
                language=Language.FR,
                answers=interview.visible_answers(),
                started_at=started,
                finished_at=datetime.now(UTC),
            )
            store.submit_interview(task_id, submission)
            emit(f"submitted {task_id} {submission_id}")
            task_id += 1
            interview, steps, submission_id, started = fresh(script), 0, uuid4(), datetime.now(UTC)


def child(path: Path, key: StoreKey, script: Questionnaire) -> None:
    store = LocalStore.open(path, key=key)
    try:
        work(store, script)
    finally:
        store.close()


def zygote(path: Path) -> None:
    key = StoreKey(bytes.fromhex(os.environ[KEY_ENV]))
    script = questionnaire()
    fresh(script)  # warm the engine's caches before forking
    emit("ready")
    for line in sys.stdin:
        if not line.startswith("run"):
            continue
        pid = os.fork()
        if pid == 0:
            try:
                child(path, key, script)
            finally:
                os._exit(0)
        emit(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        emit(f"exit {status}")


if __name__ == "__main__":
    zygote(Path(sys.argv[1]))
