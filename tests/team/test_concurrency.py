"""Simulated desks (threads, each with its own engine) against one real PostgreSQL server."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from teamdata import NOW, claim_and_reply, make_team

from ozondesk.services.claims import ClaimService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Claim, Conversation, Message

DESKS = 10


def open_desks(url: URL, n: int = DESKS) -> list[Database]:
    return [open_database(url) for _ in range(n)]


def test_ten_desks_claiming_at_once_leave_exactly_one_holder(pg_db: Database, pg_url: URL) -> None:
    agents, (cid, *_rest) = make_team(pg_db, agents=DESKS, conversations=1)
    desks = open_desks(pg_url)
    start = threading.Barrier(DESKS)

    def desk(i: int) -> tuple[bool, int | None]:
        start.wait()
        state = ClaimService(desks[i], clock=lambda: NOW).claim(cid, agents[i])
        return state.mine, state.holder.agent_id if state.holder else None

    try:
        with ThreadPoolExecutor(DESKS) as pool:
            results = list(pool.map(desk, range(DESKS)))
    finally:
        for d in desks:
            d.dispose()
    winners = [agents[i] for i, (mine, _h) in enumerate(results) if mine]
    assert len(winners) == 1
    assert {holder for _mine, holder in results} == set(winners)


def test_ten_desks_times_a_thousand_actions_lose_no_update_and_duplicate_no_message(
    pg_db: Database, pg_url: URL
) -> None:
    actions = 1000
    agents, conversations = make_team(pg_db, agents=DESKS, conversations=40)
    desks = open_desks(pg_url)

    def desk(i: int) -> Counter[str]:
        rng = random.Random(i)
        claims = ClaimService(desks[i], clock=lambda: NOW)
        tally: Counter[str] = Counter()
        for n in range(actions):
            cid = rng.choice(conversations)
            roll = rng.random()
            if roll < 0.6:
                sent = claim_and_reply(desks[i], cid, agents[i], f"desk {i} reply {n}", NOW)
                tally["sent" if sent else "refused"] += 1
            elif roll < 0.8:
                tally["claimed" if claims.claim(cid, agents[i]).mine else "refused"] += 1
            else:
                claims.release(cid, agents[i])
                tally["released"] += 1
        return tally

    try:
        with ThreadPoolExecutor(DESKS) as pool:
            tallies = list(pool.map(desk, range(DESKS)))
    finally:
        for d in desks:
            d.dispose()
    sent = sum(t["sent"] for t in tallies)
    assert sum(t.total() for t in tallies) == DESKS * actions
    assert sent > DESKS * actions // 20 and sum(t["refused"] for t in tallies) > 0
    with pg_db.begin() as s:
        replies = s.scalars(select(Message.text).where(Message.side == "seller")).all()
        bumps = s.scalar(select(func.sum(Conversation.version - 1)))
        held = s.scalars(select(Claim.conversation_id)).all()
    assert len(replies) == sent  # none lost
    assert len(set(replies)) == sent  # none twice
    assert bumps == sent  # every read-modify-write of a conversation survived
    assert len(held) == len(set(held))


def test_a_connection_killed_mid_transaction_recovers_with_nothing_lost(
    pg_db: Database, pg_server: object
) -> None:
    (wang, _li), (cid, *_rest) = make_team(pg_db)
    pids: list[int] = []

    def work(s: object) -> int:
        from ozondesk.services.claims import require_claim

        require_claim(s, cid, wang, NOW)  # type: ignore[arg-type]
        s.add(Message(conversation_id=cid, side="seller", author_agent_id=wang,  # type: ignore[attr-defined]
                      text="Ответ после обрыва", created_at=NOW.replace(tzinfo=None)))
        s.flush()  # type: ignore[attr-defined]
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()  # type: ignore[attr-defined]
        pids.append(pid)
        if len(pids) == 1:
            with pg_server.admin() as admin:  # type: ignore[attr-defined]
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        s.execute(text("SELECT 1"))  # type: ignore[attr-defined]
        return pid

    assert pg_db.transact(work) == pids[-1]
    assert len(pids) == 2 and pids[0] != pids[1]
    with pg_db.begin() as s:
        replies = s.scalars(select(Message.text).where(Message.side == "seller")).all()
        holder = s.scalar(select(Claim.agent_id).where(Claim.conversation_id == cid))
    assert replies == ["Ответ после обрыва"]
    assert holder == wang
    # Every pooled connection of the desk still works.
    assert ClaimService(pg_db, clock=lambda: NOW).state(cid, wang).mine


def test_a_listener_whose_connection_drops_reconnects_and_says_resync(
    pg_db: Database, pg_server: object
) -> None:
    import queue

    from ozondesk.services.live import ChangeEvent, LiveFeed

    (wang, _li), (cid, *_rest) = make_team(pg_db)
    events: queue.Queue[ChangeEvent] = queue.Queue()
    feed = LiveFeed(pg_db, events.put)
    feed.start()
    try:
        assert feed.wait_ready()
        worker = feed.worker
        assert worker is not None
        first_pid = worker.backend_pid  # type: ignore[union-attr]
        with pg_server.admin() as admin:  # type: ignore[attr-defined]
            admin.execute("SELECT pg_terminate_backend(%s)", (first_pid,))
        assert events.get(timeout=15) == ChangeEvent("resync")
        assert feed.wait_ready()
        assert worker.backend_pid != first_pid  # type: ignore[union-attr]
        ClaimService(pg_db, clock=lambda: NOW).claim(cid, wang)
        assert events.get(timeout=10) == ChangeEvent("claim", cid, wang)
    finally:
        feed.stop()


def test_a_deadlock_victim_runs_again_and_both_units_of_work_land(pg_db: Database, pg_url: URL) -> None:
    _agents, (a, b, _c) = make_team(pg_db)
    desks = open_desks(pg_url, 2)
    both_hold_one = threading.Barrier(2, timeout=10)
    runs: Counter[int] = Counter()

    def desk(i: int) -> None:
        first, second = (a, b) if i == 0 else (b, a)

        def work(s: object) -> None:
            runs[i] += 1
            s.execute(text("UPDATE conversations SET version = version + 1 WHERE id = :id"),  # type: ignore[attr-defined]
                      {"id": first})
            if runs[i] == 1:
                both_hold_one.wait()  # each holds one row and wants the other's: a deadlock
            s.execute(text("UPDATE conversations SET version = version + 1 WHERE id = :id"),  # type: ignore[attr-defined]
                      {"id": second})

        desks[i].transact(work)

    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(desk, range(2)))
    finally:
        for d in desks:
            d.dispose()
    assert sorted(runs.values()) == [1, 2]  # PostgreSQL picked one victim, which ran again
    with pg_db.begin() as s:
        versions = s.scalars(select(Conversation.version).where(Conversation.id.in_([a, b]))).all()
    assert versions == [3, 3]
