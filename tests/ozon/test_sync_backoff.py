"""Pending items whose fetch keeps failing are tried again after longer and longer pauses
(the next sync, then 1, 5, 15 and 60 minutes), and are reported all the while (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ozondesk.domain.retry_pause import pause_after
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.store.models import SyncPending

RETURNS = "/v1/returns/list"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def returns_calls(fake: FakeOzon) -> int:
    return dict(fake.calls).get(RETURNS, 0)


def attempts(db: Database) -> set[int]:
    with db.read() as s:
        return set(s.scalars(select(SyncPending.attempts).where(SyncPending.stage == "returns")))


def test_the_pause_grows_to_an_hour_and_stays_there() -> None:
    assert [pause_after(n) for n in range(1, 8)] == [
        timedelta(0), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
        timedelta(minutes=60), timedelta(minutes=60), timedelta(minutes=60),
    ]


def test_a_fetch_that_keeps_failing_is_paused_between_tries_and_still_reported(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    clock = Clock()
    fake.inject("500", RETURNS, times=100_000)

    def sync() -> tuple[int, dict[str, str], list[str]]:
        before = returns_calls(fake)
        report = SyncService(db, client, "Yuexin", clock=clock).run()
        assert report.pending.get("returns") == 38  # still owed, whatever happened
        skipped = {s.method: s.reason for s in report.skipped}
        return returns_calls(fake) - before, skipped, [e.where for e in report.errors]

    calls, skipped, errors = sync()  # the first failure
    assert calls > 0 and errors == ["returns"] and attempts(db) == {1}
    calls, skipped, errors = sync()  # one failure: the very next sync tries again
    assert calls > 0 and errors == ["returns"] and attempts(db) == {2}

    # Two failures: a minute's pause. Polls inside it do not call the method at all.
    failed_at = clock.now
    for seconds in (0, 30, 59):
        clock.now = failed_at + timedelta(seconds=seconds)
        calls, skipped, errors = sync()
        assert (calls, errors, attempts(db)) == (0, [], {2})
        assert skipped[RETURNS].startswith("returns of 38 postings not fetched yet (its call kept "
                                           "failing; next try in ")
    assert skipped[RETURNS] == ("returns of 38 postings not fetched yet (its call kept failing; "
                                "next try in 1 minute); the next sync tries again")
    clock.now = failed_at + timedelta(seconds=60)
    calls, skipped, errors = sync()
    assert calls > 0 and errors == ["returns"] and attempts(db) == {3}

    # Three failures: five minutes.
    failed_at = clock.now
    clock.now = failed_at + timedelta(minutes=1)
    calls, skipped, errors = sync()
    assert (calls, errors) == (0, [])
    assert skipped[RETURNS] == ("returns of 38 postings not fetched yet (its call kept failing; "
                                "next try in 4 minutes); the next sync tries again")
    clock.now = failed_at + timedelta(minutes=5)
    fake.clear_faults()
    before = returns_calls(fake)
    last = SyncService(db, client, "Yuexin", clock=clock).run()
    assert returns_calls(fake) - before > 0
    assert (last.pending, last.errors, last.skipped, attempts(db)) == ({}, [], [], set())
