"""bench/bench_faults.py's checks, so the bench cannot rot: its counters on known inputs, a
clean run of two scenarios, and the same scenarios with a fault planted in the code under test
(the forked children inherit the patch), which the bench must count."""

from __future__ import annotations

import os
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_faults as bf  # noqa: E402

from ozondesk.ozon.client import OzonClient  # noqa: E402
from ozondesk.services.drafts import DraftService  # noqa: E402
from ozondesk.services.outbox import OutboxService  # noqa: E402


def test_a_draft_counts_as_lost_unless_the_reported_state_or_a_later_one_is_stored() -> None:
    tag = "d7"
    assert not bf.draft_lost(tag, None, None)  # killed before anything was reported saved
    assert not bf.draft_lost(tag, 3, bf.draft_text(tag, 3))
    assert not bf.draft_lost(tag, 3, bf.draft_text(tag, 4))  # saved, killed before saying so
    assert bf.draft_lost(tag, 3, bf.draft_text(tag, 2))
    assert bf.draft_lost(tag, 3, None)
    assert bf.draft_lost(tag, 3, bf.draft_text("d8", 5))  # another trial's draft
    assert bf.draft_lost(tag, 3, bf.draft_text(tag, 4)[:-3])  # cut short


def test_replies_lost_and_duplicated_are_counted_against_the_servers_log() -> None:
    queued = ["a", "b", "c", "d"]
    sent = ["a", "b", "b", "b", "other"]
    # c never went out; d was refused by Ozon and shown as failed: not lost.
    assert bf.reply_faults(queued, sent, refused=["d"]) == (1, 2)
    assert bf.reply_faults([], sent) == (0, 0)


def test_tracebacks_are_counted_in_stderr() -> None:
    err = "WARNING ozondesk.sync: retried\nTraceback (most recent call last):\n  x\n" * 2
    assert bf.count_tracebacks(err) == 2
    assert bf.count_tracebacks("the disk holding the database is full: free some space\n") == 0


def test_a_snapshot_names_what_a_half_applied_sync_left_out() -> None:
    whole = bf.Snapshot(frozenset({"c1"}), frozenset({("c1", "1", "hi"), ("c1", "2", "ok")}),
                        frozenset({("p-1", "delivered")}), frozenset({5}), frozenset({9}))
    half = bf.Snapshot(frozenset({"c1"}), frozenset({("c1", "1", "hi")}),
                       frozenset({("p-1", "delivering")}), frozenset(), frozenset({9}), unattached=1)
    assert whole.differences(whole) == []
    assert half.differences(whole) == [
        "messages: 1 missing, 0 extra",
        "postings: 1 missing, 1 extra",
        "returns: 1 missing, 0 extra",
        "1 replies not matched to the platform's copy",
    ]


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[bf.Bench]:
    b = bf.Bench(tmp_path, trials=2, quick=True, rng=random.Random(19))
    try:
        yield b
    finally:
        b.close()


def _faults(counts: Counter[str]) -> dict[str, int]:
    return {k: counts[k] for k in bf.COLUMNS}


def test_a_clean_run_of_send_and_draft_counts_nothing(bench: bf.Bench) -> None:
    bench.run(["draft", "send"])
    assert {name: _faults(c) for name, c in bench.results.items()} == {
        "draft": dict.fromkeys(bf.COLUMNS, 0), "send": dict.fromkeys(bf.COLUMNS, 0)}
    assert bench.results["draft"]["trials"] == bench.results["send"]["trials"] == 2
    assert bench.results["send"]["replies reported queued"] == 12
    assert bench.failures() == 0
    # What the half-applied check compares, read from the synced database the trials start from.
    with bf.opened(bench.base("send")) as db:
        snap = bf.snapshot(db)
    world = bf.FakeWorld(seed=3, chats=20, messages=4)
    chats = {world.chat_id(i) for i in range(20) if world.is_buyer_chat(i)}
    # The 19 buyer chats, each with its 4 messages and the bench's fresh buyer message (other
    # conversation kinds the fake serves, questions and reviews, come along as they are).
    assert len(snap.chats & chats) == 19 and snap.unattached == 0
    assert len([m for m in snap.messages if m[0] in chats]) == 19 * 5
    assert len(snap.postings) == 19 and snap.products and snap.differences(snap) == []


def test_planted_faults_are_counted(bench: bf.Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    # A save that says "saved" and writes nothing; a send that goes out twice; a sender that
    # crashes after its first round.
    monkeypatch.setattr(DraftService, "save", lambda self, *a, **k: None)
    real_send = OzonClient.send_message

    def twice(self: OzonClient, chat_id: str, text: str) -> None:
        real_send(self, chat_id, text)
        real_send(self, chat_id, text)

    monkeypatch.setattr(OzonClient, "send_message", twice)
    real_deliver = OutboxService.deliver
    bench_process = os.getpid()

    def crash_after_a_round(self: OutboxService, *a: object, **k: object) -> object:
        report = real_deliver(self, *a, **k)
        if os.getpid() != bench_process:  # the senders crash; the bench's recovery round does not
            raise RuntimeError("planted")
        return report

    monkeypatch.setattr(OutboxService, "deliver", crash_after_a_round)
    bench.run(["draft", "senders2"])
    draft, senders = bench.results["draft"], bench.results["senders2"]
    # Each killed typist had reported at least one save: every trial lost its draft.
    assert draft["lost drafts"] == 2
    # Each of the 16 replies went out twice (the recovery round found nothing left to send),
    # and each of the 2 x 2 senders crashed with a traceback.
    assert (senders["duplicated replies"], senders["lost replies"]) == (16, 0)
    assert senders["tracebacks"] == 4
    assert bench.failures() == 2 + 16 + 4
    assert "lost draft" in "\n".join(bench.notes.values())
