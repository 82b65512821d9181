"""The outbox and the cached queue of the local store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from tests.answers import complete_answers, script
from tests.client.test_store import draft
from tracer_tui.client.store import LocalStore
from tracer_tui.client.store_key import StoreKey
from tracer_tui.client.store_outbox import Delivered, OutboxCounts, OutboxState
from tracer_tui.core.types import Language, TaskKind, TaskStatus
from tracer_tui.wire import InterviewSubmission, PersonView, TaskView

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def task(task_id: int, name: str = "Marie Peeters") -> TaskView:
    return TaskView(
        id=task_id,
        kind=TaskKind.INDEX_CALL,
        status=TaskStatus.ASSIGNED,
        person=PersonView(
            display_name=name, birth_date=None, language=Language.NL, phones=["+32470000001"]
        ),
        due_at=T0,
        attempts=0,
        questionnaire_id="index-first-call",
        questionnaire_version=1,
    )


def submission(submission_id: UUID | None = None) -> InterviewSubmission:
    return InterviewSubmission(
        submission_id=submission_id or uuid4(),
        questionnaire_id="index-first-call",
        questionnaire_version=1,
        language=Language.NL,
        answers=complete_answers(
            script(), today=T0.date(), overrides={"profession": "Verpleegkundige Jan Peeters"}
        ),
        started_at=T0,
        finished_at=T0 + timedelta(minutes=20),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "store.sqlite3", key=StoreKey.ephemeral()) as opened:
        yield opened


def test_submitting_moves_the_draft_to_the_outbox_at_once(store: LocalStore) -> None:
    store.queue.replace([task(1), task(2)], T0)
    store.save_draft(draft(1))
    sent = submission()
    item = store.submit_interview(1, sent, now=T0)
    assert (item.task_id, item.state, item.attempts, item.record_id) == (
        1,
        OutboxState.PENDING,
        0,
        sent.submission_id,
    )
    assert store.load_draft(1) is None
    assert [t.id for t in store.queue.tasks()] == [2]
    assert store.queue.get(1) == task(1)  # still cached, no longer offered
    (record,) = store.outbox.pending(10)
    assert InterviewSubmission.model_validate_json(record.body) == sent
    assert store.outbox.counts() == OutboxCounts(pending=1)


def test_submitting_twice_keeps_one_record(store: LocalStore) -> None:
    sent = submission()
    first = store.submit_interview(1, sent)
    again = store.submit_interview(1, sent)
    assert first == again
    assert len(store.outbox.pending(10)) == 1


def test_records_go_out_in_order_and_keep_their_state(store: LocalStore) -> None:
    items = [store.submit_interview(n, submission(), now=T0) for n in range(1, 6)]
    pending = store.outbox.pending(2)
    assert [record.item.seq for record in pending] == [items[0].seq, items[1].seq]
    assert [r.item.seq for r in store.outbox.pending(10, after_seq=items[2].seq)] == [
        items[3].seq,
        items[4].seq,
    ]
    later = T0 + timedelta(minutes=1)
    store.outbox.mark_failed([items[0].seq, items[1].seq], "unreachable", later)
    store.outbox.mark_sent([Delivered(items[0].seq), Delivered(items[1].seq, "reassigned")], later)
    store.outbox.mark_refused(items[2].seq, "unknown_questionnaire", later)
    by_seq = {item.seq: item for item in store.outbox.items()}
    assert by_seq[items[0].seq].state is OutboxState.SENT
    assert by_seq[items[0].seq].attempts == 2
    assert by_seq[items[0].seq].last_error is None
    assert by_seq[items[1].seq].conflict == "reassigned"
    assert by_seq[items[2].seq].state is OutboxState.ERROR
    assert by_seq[items[2].seq].last_error == "unknown_questionnaire"
    assert store.outbox.counts() == OutboxCounts(pending=2, error=1, sent=2, conflicts=1)
    assert store.outbox.counts().waiting == 3
    assert [item.state for item in store.outbox.for_task(3)] == [OutboxState.ERROR]
    assert store.outbox.retry_refused() == 1
    assert store.outbox.counts().pending == 3


def test_a_pull_keeps_the_tasks_with_work_still_here(store: LocalStore) -> None:
    store.queue.replace([task(1), task(2), task(3), task(4)], T0)
    store.save_draft(draft(2))
    store.submit_interview(3, submission())
    store.queue.replace([task(5, "Nieuw"), task(1)], T0 + timedelta(minutes=5))
    assert [t.id for t in store.queue.tasks()] == [5, 1, 2]  # 4 gone; 3 finished here
    assert store.queue.get(3) is not None
    assert store.queue.get(4) is None
    assert store.queue.fetched_at() == T0 + timedelta(minutes=5)


def test_purge_forgets_only_what_reached_the_server_long_ago(store: LocalStore) -> None:
    store.queue.replace([task(1), task(2), task(3)], T0)
    old = store.submit_interview(1, submission(), now=T0)
    recent = store.submit_interview(2, submission(), now=T0)
    unsent = store.submit_interview(3, submission(), now=T0)
    store.outbox.mark_sent([Delivered(old.seq)], T0)
    store.outbox.mark_sent([Delivered(recent.seq)], T0 + timedelta(days=29))
    assert store.purge(30, now=T0 + timedelta(days=31)) == 2  # the old record and its task
    assert {item.seq for item in store.outbox.items()} == {recent.seq, unsent.seq}
    assert store.queue.get(1) is None
    assert store.queue.get(3) is not None
    assert store.purge(30, now=T0 + timedelta(days=400)) == 2
    assert [item.seq for item in store.outbox.items()] == [unsent.seq]


def test_personal_data_is_sealed_in_every_table(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with LocalStore.open(path, key=StoreKey.ephemeral()) as store:
        store.queue.replace([task(1, "Marie Peeters"), task(2)], T0)
        store.submit_interview(2, submission())
        with sqlite3.connect(path) as db:
            rows = db.execute(
                "SELECT payload FROM cached_task UNION ALL SELECT payload FROM outbox"
            )
            blobs = b"".join(row[0] for row in rows)
    assert blobs
    assert b"Peeters" not in blobs
    assert b"+32470000001" not in blobs
    for file in tmp_path.iterdir():
        assert b"Peeters" not in file.read_bytes()
