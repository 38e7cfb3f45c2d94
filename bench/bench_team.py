"""Team mode on PostgreSQL: claim-and-reply throughput at 10 desks, beside bare INSERTs.

Each desk is a thread with its own engine, and again a process (as on a real team): it claims a random
conversation and, if it got it, stores a reply in the same transaction (``require_claim`` +
the message + the conversation's version), then releases it (a second transaction). A refusal is a real collision: another desk
held that conversation at that moment. "bare" is the same
number of one-row INSERT transactions on raw psycopg connections, one per desk, no ORM, no
claim: the floor the server and the loopback set. Also printed: NOTIFY latency from the
writer's commit to another desk's listener.

Run: python bench/bench_team.py [--desks 10] [--actions 500] [--db postgresql+psycopg://…]
Without --db a throwaway cluster is started (needs the postgresql server package).
"""

from __future__ import annotations

import argparse
import queue
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1] / "tests"), str(Path(__file__).parents[1] / "tests" / "team")]

from pgserver import start_server  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402
from teamdata import NOW, claim_and_reply, make_team  # noqa: E402

from ozondesk.domain.clock import to_storage  # noqa: E402
from ozondesk.services.claims import ClaimService  # noqa: E402
from ozondesk.services.live import ChangeEvent, LiveFeed  # noqa: E402
from ozondesk.store.db import open_database, resolve_url  # noqa: E402
from ozondesk.store.models import Message  # noqa: E402
from ozondesk.store.notify import conninfo  # noqa: E402


def desks_run(url: URL, agents: list[int], conversations: list[int], desks: int, actions: int,
              timings: list[float]) -> tuple[float, int]:
    dbs = [open_database(url) for _ in range(desks)]
    start = threading.Barrier(desks + 1)

    def desk(i: int) -> int:
        rng = random.Random(i)
        claims = ClaimService(dbs[i], clock=lambda: NOW)
        sent = 0
        start.wait()
        for n in range(actions):
            cid = rng.choice(conversations)
            t0 = time.perf_counter()
            if claim_and_reply(dbs[i], cid, agents[i], f"bench desk {i} reply {n}", NOW):
                timings.append(time.perf_counter() - t0)  # list.append is atomic under the GIL
                sent += 1
                claims.release(cid, agents[i])  # the reply ends the agent's turn
        return sent

    with ThreadPoolExecutor(desks) as pool:
        futures = [pool.submit(desk, i) for i in range(desks)]
        start.wait()
        t0 = time.perf_counter()
        sent = sum(f.result() for f in futures)
        elapsed = time.perf_counter() - t0
    for d in dbs:
        d.dispose()
    return elapsed, sent


def _process_desk(args: tuple[str, int, int, list[int], int, float]) -> tuple[int, list[float]]:
    """One desk in its own process (as on a real team: one interpreter, one GIL per desk)."""
    url_text, i, agent, conversations, actions, start_at = args
    db = open_database(url_text)
    claims = ClaimService(db, clock=lambda: NOW)
    rng = random.Random(i)
    timings: list[float] = []
    sent = 0
    while time.time() < start_at:  # every desk starts together, after its imports
        time.sleep(0.001)
    for n in range(actions):
        cid = rng.choice(conversations)
        t0 = time.perf_counter()
        if claim_and_reply(db, cid, agent, f"bench process desk {i} reply {n}", NOW):
            timings.append(time.perf_counter() - t0)
            sent += 1
            claims.release(cid, agent)
    db.dispose()
    return sent, timings


def processes_run(url: URL, agents: list[int], conversations: list[int], desks: int, actions: int,
                  timings: list[float]) -> tuple[float, int]:
    import multiprocessing

    url_text = url.render_as_string(hide_password=False)
    start_at = time.time() + 5.0
    with multiprocessing.get_context("spawn").Pool(desks) as pool:
        results = pool.map(_process_desk, [(url_text, i, agents[i], conversations, actions, start_at)
                                           for i in range(desks)])
    elapsed = time.time() - start_at
    for _sent, times in results:
        timings.extend(times)
    return elapsed, sum(sent for sent, _times in results)


def bare_run(url: URL, conversation: int, desks: int, actions: int) -> float:
    import psycopg

    conns = [psycopg.connect(**conninfo(url)) for _ in range(desks)]
    start = threading.Barrier(desks + 1)

    def desk(i: int) -> None:
        conn = conns[i]
        start.wait()
        for n in range(actions):
            with conn.transaction():
                conn.execute(
                    "INSERT INTO messages (conversation_id, side, text, attachments, created_at,"
                    " delivery_state) VALUES (%s, 'seller', %s, '[]', %s, 'queued')",
                    (conversation, f"bare {i} {n}", to_storage(NOW)),
                )

    with ThreadPoolExecutor(desks) as pool:
        futures = [pool.submit(desk, i) for i in range(desks)]
        start.wait()
        t0 = time.perf_counter()
        for f in futures:
            f.result()
        elapsed = time.perf_counter() - t0
    for c in conns:
        c.close()
    return elapsed


def notify_latency(url: URL, conversation: int, samples: int = 50) -> list[float]:
    writer = open_database(url)
    reader = open_database(url)
    got: queue.Queue[tuple[ChangeEvent, float]] = queue.Queue()
    feed = LiveFeed(reader, lambda e: got.put((e, time.perf_counter())))
    feed.start()
    feed.wait_ready()
    delays = []
    try:
        for n in range(samples):
            with writer.sessions() as s:
                s.add(Message(conversation_id=conversation, side="buyer", text=f"ping {n}",
                              created_at=to_storage(NOW)))
                s.flush()
                committed = time.perf_counter()  # from the COMMIT's start: it includes the commit
                s.commit()
            while True:
                event, at = got.get(timeout=10)
                if event.kind == "message":
                    delays.append(at - committed)
                    break
    finally:
        feed.stop()
        writer.dispose()
        reader.dispose()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=10)
    parser.add_argument("--actions", type=int, default=500, help="claim-and-reply attempts per desk")
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--db", help="an empty PostgreSQL database (default: a throwaway cluster)")
    args = parser.parse_args()
    server = None
    if args.db:
        url = resolve_url(args.db)
    else:
        server = start_server()
        url = server.create_database("bench_team")
    try:
        db = open_database(url)
        agents, conversations = make_team(db, agents=args.desks, conversations=args.conversations)
        db.dispose()
        total = args.desks * args.actions
        timings: list[float] = []
        elapsed, sent = desks_run(url, agents, conversations, args.desks, args.actions, timings)
        timings.sort()
        ptimings: list[float] = []
        pelapsed, psent = processes_run(url, agents, conversations, args.desks, args.actions, ptimings)
        ptimings.sort()
        bare = bare_run(url, conversations[0], args.desks, args.actions)
        delays = sorted(notify_latency(url, conversations[0]))
        print(f"{args.desks} desks x {args.actions} claim-and-reply attempts on PostgreSQL "
              f"({args.conversations} conversations)")
        print(f"  claim-and-reply : {total / elapsed:8.0f} attempts/s, {sent / elapsed:8.0f} replies/s "
              f"({sent} replies, {total - sent} refused: held by another desk; releases included) "
              f"in {elapsed:.2f} s")
        print(f"  one Send        : median {timings[len(timings) // 2] * 1000:.1f} ms, 95th percentile "
              f"{timings[int(len(timings) * 0.95)] * 1000:.1f} ms (claim + reply transaction, as a desk waits;"
              " ten threads share one GIL)")
        print(f"  as processes    : {total / pelapsed:8.0f} attempts/s, {psent / pelapsed:8.0f} replies/s, "
              f"one Send median {ptimings[len(ptimings) // 2] * 1000:.1f} ms, 95th percentile "
              f"{ptimings[int(len(ptimings) * 0.95)] * 1000:.1f} ms ({args.desks} processes, "
              f"{total - psent} refused)")
        print(f"  bare INSERTs    : {total / bare:8.0f} transactions/s ({total} one-row INSERT "
              f"transactions, raw psycopg, same desks) in {bare:.2f} s")
        print(f"  ratio           : {bare / elapsed:8.2f} x the bare floor's throughput")
        print(f"  NOTIFY latency  : median {statistics.median(delays) * 1000:.1f} ms, "
              f"max {delays[-1] * 1000:.1f} ms over {len(delays)} commits (from COMMIT to the "
              "other desk's listener)")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
