"""Sync stages: progress per stage, cancel and resume, and dependent work that survives failures.

Reproduces issue 19's "silent permanent gaps": postings, returns or products whose calls fail
during a sync are fetched by the next one, exactly those, and reported until they are.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import URL

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon, FakeWorld
from ozondesk.ozon.fake.rfbs import FakeRfbs
from ozondesk.services.sync import STAGES, Progress, SyncReport, SyncService
from ozondesk.store.db import Database, alembic_config, open_database
from ozondesk.store.models import (
    Conversation,
    Posting,
    Product,
    ReturnRow,
    SyncCursor,
    SyncPending,
)
from ozondesk.store.repos import sync as sync_repo

# The nine count keys of ``ozondesk sync``'s JSON, exactly as issue #13 names them.
ZERO = dict.fromkeys(
    (
        "chats",
        "messages",
        "postings",
        "returns",
        "products",
        "questions",
        "reviews",
        "return_requests",
        "cancellations",
    ),
    0,
)


def decisions(world: FakeWorld) -> dict[str, int]:
    """Return requests and cancellations a full sync brings in: all the fake has."""
    rfbs = FakeRfbs(world)
    return {"return_requests": len(rfbs.return_indexes()), "cancellations": len(rfbs.cancel_indexes())}
# A key shaped like Ozon's (a UUID): echoed back in an error, it must never be printed.
KEY = "3f0c9a7e-5b1d-4c8e-9a2f-6d7e8f9a0b1c"


def count(db: Database, model: type) -> int:
    query = select(func.count()).select_from(model)
    if model is Conversation:  # buyer conversations; support chats are tickets (#14)
        query = query.where(Conversation.kind == "buyer_chat")
    with db.begin() as s:
        return int(s.scalar(query) or 0)


def buyer(world: FakeWorld, chats: range) -> list[int]:
    return [i for i in chats if world.is_buyer_chat(i)]


def expected(world: FakeWorld, chats: list[int]) -> dict[str, int]:
    """What a complete sync of these buyer chats creates, from the fake's own rules."""
    return {
        **ZERO,
        "chats": len(chats),
        "messages": len(chats) * world.n_messages,
        "postings": len(chats),
        "returns": sum(world.has_return(i) for i in chats),
        "products": len({world.sku(i) for i in chats}),
        **decisions(world),
    }


def calls(fake: FakeOzon) -> dict[str, int]:
    return dict(fake.calls)


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def reasons(report: SyncReport) -> dict[str, str]:
    return {s.method: s.reason for s in report.skipped}


@pytest.fixture
def big() -> Iterator[FakeOzon]:
    """250 chats in three chat-list pages; 238 buyer chats, so five batches of 50 orders."""
    with FakeOzon(port=0, chats=250, messages=2, api_key=KEY, lifetime=300) as server:
        yield server


@pytest.fixture
def big_client(big: FakeOzon) -> Iterator[OzonClient]:
    with OzonClient(
        big.client_id, big.api_key, big.url, rate=None, backoff=0.001, max_backoff=0.01, timeout=5.0
    ) as client:
        yield client


# -- progress ------------------------------------------------------------------------------------


def test_progress_goes_through_the_four_stages_with_counts(
    db: Database, big: FakeOzon, big_client: OzonClient
) -> None:
    seen: list[Progress] = []
    report = SyncService(db, big_client, "Yuexin", progress=seen.append).run()
    w = big.world
    want = expected(w, buyer(w, range(250)))
    assert report.created == want and report.errors == [] and report.skipped == []
    # Stages in order, each opening at 0 and closing at its total.
    order = [p.stage for i, p in enumerate(seen) if i == 0 or seen[i - 1].stage != p.stage]
    assert order == list(STAGES)
    by_stage = {stage: [p for p in seen if p.stage == stage] for stage in STAGES}
    chats = by_stage["chats"]
    assert all(p.total is None for p in chats)  # the chat list gives no total count
    assert [p.done for p in chats] == [0, 100, 200, 250, 250]  # start, each page, end
    assert chats[-1].message == "250 chats checked" and chats[-1].chats_done == 250
    totals = {
        "postings": want["postings"],  # one order per buyer chat
        "returns": want["postings"],  # every posting found is checked for returns
        "products": want["products"],
    }
    for stage, total in totals.items():
        events = by_stage[stage]
        assert {p.total for p in events} == {total}
        assert events[0].done == 0 and events[-1].done == total
        assert [p.done for p in events] == sorted(p.done for p in events)
        assert all(p.chats_done == 250 for p in events)
    # Batches of 50 orders and of 50 postings: one event per batch.
    assert [p.done for p in by_stage["postings"]] == [0, 50, 100, 150, 200, 238, 238]
    assert by_stage["postings"][-1].message == "postings: 238 of 238 orders"
    assert by_stage["products"][-1].message == f"products: {want['products']} of {want['products']}"
    assert report.pending == {}


def test_progress_keeps_working_for_callers_of_chats_done(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    seen: list[int] = []
    SyncService(db, client, "Yuexin", progress=lambda p: seen.append(p.chats_done)).run()
    assert seen[0] == 0 and seen[-1] == 40 and max(seen) == 40


# -- cancel and resume --------------------------------------------------------------------------


def test_cancel_during_chats_stops_within_one_page_and_the_next_sync_goes_on(
    db: Database, big: FakeOzon, big_client: OzonClient
) -> None:
    w = big.world
    cancel = threading.Event()

    def on_progress(p: Progress) -> None:
        if p.stage == "chats" and p.done >= 100:
            cancel.set()  # the agent presses Cancel while the first page is being stored

    report = SyncService(db, big_client, "Yuexin", progress=on_progress, cancel=cancel).run()
    first_page = buyer(w, range(100))
    assert report.cancelled and not report.aborted and report.errors == []
    assert big.calls["/v3/chat/list"] == 1  # no second page was asked for
    assert report.created == {**expected(w, first_page), "postings": 0, "returns": 0, "products": 0,
                              "return_requests": 0, "cancellations": 0}
    assert count(db, Conversation) == len(first_page)
    assert not any(k.startswith(("/v4/posting", "/v3/posting", "/v1/returns", "/v3/product")) for k in big.calls)
    # What the finished page implies is written down, and reported as skipped.
    skus = len({w.sku(i) for i in first_page})
    assert report.pending == {"postings": len(first_page), "products": skus}
    assert reasons(report) == {
        "/v4/posting/fbs/list, /v3/posting/fbo/list":
            f"{len(first_page)} orders not fetched yet (the sync was cancelled); the next sync tries again",
        "/v3/product/info/list":
            f"{skus} products not fetched yet (the sync was cancelled); the next sync tries again",
    }

    before = calls(big)
    again = SyncService(db, big_client, "Yuexin").run()
    rest = buyer(w, range(100, 250))
    # The finished page's histories are not read again; everything else arrives once.
    # (support, manager and notification chats are read too: #14)
    assert delta(before, calls(big))["/v3/chat/history"] == len(range(100, 250))
    assert again.created == {
        **expected(w, rest),
        "postings": len(first_page) + len(rest),
        "returns": expected(w, first_page + rest)["returns"],
        "products": expected(w, first_page + rest)["products"],
    }
    assert again.errors == [] and again.skipped == [] and again.pending == {}
    third = SyncService(db, big_client, "Yuexin").run()
    assert (third.created, third.updated, third.errors, third.skipped) == (ZERO, ZERO, [], [])


def test_a_crash_mid_stage_loses_nothing_and_refetches_only_the_unfinished_batches(
    db: Database, big: FakeOzon, big_client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = big.world
    real = sync_repo.link_orders
    batches = 0

    def crash_on_the_third_batch(*args: object) -> int:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise RuntimeError("the process dies here")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_repo, "link_orders", crash_on_the_third_batch)
    service = SyncService(db, big_client, "Yuexin")
    with pytest.raises(RuntimeError):
        service.run()
    monkeypatch.setattr(sync_repo, "link_orders", real)
    assert count(db, Posting) == 100  # two batches of 50 were stored; the third rolled back
    assert service.pending()["postings"] == 238 - 100

    before = calls(big)
    report = SyncService(db, big_client, "Yuexin").run()
    made = delta(before, calls(big))
    assert "/v3/chat/history" not in made  # every chat was stored before the crash
    assert made["/v4/posting/fbs/list"] == 3 and made["/v3/posting/fbo/list"] == 3
    all_chats = buyer(w, range(250))
    assert report.created["postings"] == 238 - 100
    assert count(db, Posting) == 238 and count(db, ReturnRow) == expected(w, all_chats)["returns"]
    assert count(db, Product) == expected(w, all_chats)["products"]
    assert report.errors == [] and report.skipped == [] and report.pending == {}
    with db.begin() as s:
        unlinked = s.scalar(select(func.count()).where(Conversation.posting_id.is_(None), Conversation.kind == "buyer_chat"))
    assert unlinked == 0


# -- issue 19: failed dependent calls are owed, retried and reported ----------------------------


def test_failed_returns_and_products_calls_are_fetched_by_the_next_sync(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    w = fake.world
    chats = buyer(w, range(40))
    want = expected(w, chats)
    fake.inject("500", "/v1/returns/list", times=1000)
    fake.inject("500", "/v3/product/info/list", times=1000)
    first = SyncService(db, client, "Yuexin").run()
    assert first.created == {**want, "returns": 0, "products": 0}
    assert [(e.where, "Internal error" in e.message) for e in first.errors] == [
        ("returns", True),
        ("products", True),
    ]
    assert first.pending == {"returns": 38, "products": want["products"]}
    assert reasons(first) == {
        "/v1/returns/list": "returns of 38 postings not fetched yet (its call failed, see errors); "
        "the next sync tries again",
        "/v3/product/info/list": f"{want['products']} products not fetched yet (its call failed, "
        "see errors); the next sync tries again",
    }
    with db.begin() as s:
        kept = s.scalars(select(SyncPending).where(SyncPending.stage == "returns")).all()
        assert {p.attempts for p in kept} == {1} and all("Internal error" in (p.last_error or "") for p in kept)

    fake.clear_faults()
    before = calls(fake)
    second = SyncService(db, client, "Yuexin").run()
    # Exactly the missing ones, with one call each and nothing else read again.
    assert second.created == {**ZERO, "returns": want["returns"], "products": want["products"]}
    assert second.updated == ZERO
    assert delta(before, calls(fake)) == {
        "/v3/chat/list": 1,
        # Questions and reviews have no "changed since": every full sync reads their lists.
        "/v1/question/list": 1,
        "/v2/review/list": 1,
        # The two lists of requests; none changed, so none is read again.
        "/v2/returns/rfbs/list": 1,
        "/v2/conditional-cancellation/list": 1,
        "/v1/returns/list": 1,
        "/v3/product/info/list": 1,
    }
    assert second.errors == [] and second.skipped == [] and second.pending == {}
    assert count(db, ReturnRow) == want["returns"] and count(db, Product) == want["products"]
    third = SyncService(db, client, "Yuexin").run()
    assert (third.created, third.errors, third.skipped, third.pending) == (ZERO, [], [], {})


def test_a_failed_postings_call_is_retried_and_then_its_returns_are_fetched(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    w = fake.world
    want = expected(w, buyer(w, range(40)))
    fake.inject("500", "/v3/posting/fbo/list", times=1000)
    first = SyncService(db, client, "Yuexin").run()
    # The batch stores nothing when one of its two calls fails; products come from the
    # messages themselves and do not wait for the postings.
    assert first.created == {**want, "postings": 0, "returns": 0}
    assert [e.where for e in first.errors] == ["postings"]
    assert first.pending == {"postings": 38}
    assert list(reasons(first)) == ["/v4/posting/fbs/list, /v3/posting/fbo/list"]
    with db.begin() as s:
        assert s.scalar(select(func.count()).where(Conversation.posting_id.is_not(None))) == 0

    fake.clear_faults()
    second = SyncService(db, client, "Yuexin").run()
    assert second.created == {**ZERO, "postings": 38, "returns": want["returns"]}
    assert second.errors == [] and second.skipped == [] and second.pending == {}
    with db.begin() as s:
        assert s.scalar(select(func.count()).where(Conversation.posting_id.is_(None), Conversation.kind == "buyer_chat")) == 0
    third = SyncService(db, client, "Yuexin").run()
    assert (third.created, third.updated, third.errors, third.skipped) == (ZERO, ZERO, [], [])


def test_one_refused_batch_leaves_only_its_orders_pending_and_never_prints_the_key(
    db: Database, big: FakeOzon, big_client: OzonClient, caplog: pytest.LogCaptureFixture
) -> None:
    w = big.world
    all_chats = buyer(w, range(250))
    big.inject("echo_key", "/v4/posting/fbs/list", times=1)  # a 400: this batch only
    with caplog.at_level(logging.DEBUG):
        first = SyncService(db, big_client, "Yuexin").run()
    assert first.created["postings"] == 238 - 50
    assert len(first.errors) == 1 and first.errors[0].where == "postings"
    assert big.api_key not in first.errors[0].message and "***" in first.errors[0].message
    assert first.pending == {"postings": 50}
    assert big.api_key not in json.dumps(first.to_json())
    assert not any(big.api_key in r.getMessage() for r in caplog.records)
    with db.begin() as s:
        stored = s.scalars(select(SyncPending.last_error)).all()
    assert len(stored) == 50 and all(e and "***" in e and big.api_key not in e for e in stored)

    second = SyncService(db, big_client, "Yuexin").run()
    assert second.created["postings"] == 50 and second.created["chats"] == 0
    assert count(db, Posting) == 238
    assert count(db, ReturnRow) == expected(w, all_chats)["returns"]
    assert second.errors == [] and second.skipped == [] and second.pending == {}


def test_losing_the_network_in_a_later_stage_stops_the_rest_and_keeps_the_work(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    w = fake.world
    want = expected(w, buyer(w, range(40)))
    fake.inject("drop", "/v4/posting/fbs/list", times=1000)
    first = SyncService(db, client, "Yuexin").run()
    assert first.aborted and first.created["chats"] == 38 and first.created["postings"] == 0
    assert "/v3/product/info/list" not in fake.calls  # offline: later stages are not tried
    assert first.pending == {"postings": 38, "products": want["products"]}
    assert "Ozon could not be reached" in reasons(first)["/v3/product/info/list"]
    fake.clear_faults()
    second = SyncService(db, client, "Yuexin").run()
    assert second.created == {**ZERO, "postings": 38, "returns": want["returns"],
                              "products": want["products"]}
    assert second.errors == [] and second.skipped == []


def test_a_failed_chat_list_skips_the_later_stages_and_says_so(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("500", "/v3/product/info/list", times=1000)
    SyncService(db, client, "Yuexin").run()  # leaves the products owed
    fake.clear_faults()
    fake.inject("badkey", "/v3/chat/list", times=1)
    before = calls(fake)
    report = SyncService(db, client, "Yuexin").run()
    assert report.aborted and len(report.errors) == 1
    assert delta(before, calls(fake)) == {"/v3/chat/list": 1}
    assert "the chat list could not be read" in reasons(report)["/v3/product/info/list"]


# -- the command line ----------------------------------------------------------------------------


def run_sync(db_path: Path, fake: FakeOzon) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OZON_CLIENT_ID": fake.client_id, "OZON_API_KEY": fake.api_key}
    cmd = [sys.executable, "-m", "ozondesk.cli", "sync", "--format", "json", "--db", str(db_path),
           "--base-url", fake.url, "--shop", "Yuexin"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def keyed() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=40, messages=6, api_key=KEY, lifetime=300) as server:
        yield server


def test_sync_command_never_prints_an_echoed_key_and_reports_what_it_owes(
    db_path: Path, keyed: FakeOzon
) -> None:
    fake = keyed
    w = fake.world
    want = expected(w, buyer(w, range(40)))
    fake.inject("echo_key", "/v1/returns/list", times=1)
    first = run_sync(db_path, fake)
    assert first.returncode == 1, first.stderr
    assert fake.api_key not in first.stdout + first.stderr
    out = json.loads(first.stdout)
    assert out["created"] == {**want, "returns": 0}
    assert [e["where"] for e in out["errors"]] == ["returns"]
    assert "invalid request from key ***" in out["errors"][0]["message"]
    assert out["skipped"] == [
        {
            "method": "/v1/returns/list",
            "reason": "returns of 38 postings not fetched yet (its call failed, see errors); "
            "the next sync tries again",
        }
    ]
    second = run_sync(db_path, fake)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == {
        "created": {**ZERO, "returns": want["returns"]},
        "updated": ZERO,
        "errors": [],
        "skipped": [],
    }
    third = run_sync(db_path, fake)
    assert third.returncode == 0
    assert json.loads(third.stdout) == {"created": ZERO, "updated": ZERO, "errors": [], "skipped": []}


# -- the upgrade of a database synced before pending work was recorded --------------------------


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """An empty database of this test's backend, for migrating step by step."""
    if backend == "sqlite":
        yield URL.create("sqlite+pysqlite", database=str(tmp_path / "old.sqlite"))
        return
    server = request.getfixturevalue("pg_server")
    name = f"u_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


def test_the_upgrade_queues_what_an_old_sync_may_have_missed(empty_url: URL) -> None:
    engine = create_engine(empty_url)
    stamp = datetime(2026, 11, 1)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
        conn.execute(text("INSERT INTO shops (id, ozon_seller_id, name, created_at) "
                          "VALUES (1, '123', 'Yuexin', :at)"), {"at": stamp})
        for pid, number in ((1, "10000001-1001-1"), (2, "10000002-1001-1")):
            conn.execute(text(
                "INSERT INTO postings (id, shop_id, posting_number, order_number, scheme, status) "
                "VALUES (:id, 1, :n, :o, 'FBS', 'delivered')"
            ), {"id": pid, "n": number, "o": number[:-2]})
        for pid, sku in ((1, 200000001), (2, 200000002)):
            conn.execute(text(
                "INSERT INTO posting_items (posting_id, sku, offer_id, name, quantity, price, currency) "
                "VALUES (:p, :s, 'YX', 'Товар', 1, 1290, 'RUB')"
            ), {"p": pid, "s": sku})
        conn.execute(text("INSERT INTO products (shop_id, sku, offer_id, name, currency, archived) "
                          "VALUES (1, 200000001, 'YX', 'Товар', 'RUB', :no)"), {"no": False})
        for cid, chat, posting in ((1, "chat-linked", 1), (2, "chat-orphan", None)):
            conn.execute(text(
                "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, status, priority, "
                "posting_id, sla_policy, received_at, last_message_preview, unread_count, version) "
                "VALUES (:id, 1, 'buyer_chat', :chat, '', 'open', 'normal', :posting, "
                "'chat-first-response', :at, '', 0, 1)"
            ), {"id": cid, "chat": chat, "posting": posting, "at": stamp})
            conn.execute(text(
                "INSERT INTO sync_cursors (shop_id, key, value, updated_at) "
                "VALUES (1, :key, '3000', :at)"
            ), {"key": f"chat:{chat}", "at": stamp})
    engine.dispose()
    db = open_database(empty_url)
    try:
        with db.begin() as s:
            pending = {(p.stage, p.key, p.attempts) for p in s.scalars(select(SyncPending))}
            cursors = set(s.scalars(select(SyncCursor.key)))
    finally:
        db.dispose()
    assert pending == {
        ("returns", "10000001-1001-1", 0),
        ("returns", "10000002-1001-1", 0),
        ("products", "200000002", 0),  # 200000001 has its product row already
    }
    assert cursors == {"chat:chat-linked"}  # the orphan's history is read again


def test_every_sync_error_text_is_redacted_whatever_raised_it(db: Database, big_client: OzonClient) -> None:
    SyncService(db, big_client, "Yuexin")  # registers the client's key for redaction
    report = SyncReport()
    report.error("chat list", ValueError(f"unreadable record near {KEY}"))
    assert report.errors[0].message == "unreadable record near ***"
