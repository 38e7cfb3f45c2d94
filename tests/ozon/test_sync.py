"""A sync against the fake Seller API: what lands in the store, twice, with faults and local edits."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon, FakeWorld
from ozondesk.ozon.fake.rfbs import FakeRfbs
from ozondesk.services.sync import SyncService, poll_interval, set_poll_interval
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message, Posting, PostingItem, Product, ReturnRow

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


def count(db: Database, model: type) -> int:
    with db.begin() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_first_sync_maps_buyer_chats_and_context(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    report = SyncService(db, client, "Yuexin").run()
    w = fake.world
    buyer = [i for i in range(40) if w.is_buyer_chat(i)]
    assert report.errors == []
    assert report.created == {
        **ZERO,
        "chats": len(buyer),
        "messages": len(buyer) * 6,
        "postings": len(buyer),
        "returns": sum(w.has_return(i) for i in buyer),
        "products": len({w.sku(i) for i in buyer}),
        **decisions(w),
    }
    with db.begin() as s:
        conv = s.scalar(select(Conversation).where(Conversation.platform_id == w.chat_id(0)))
        assert conv is not None
        assert (conv.kind, conv.sla_policy, conv.status, conv.unread_count) == (
            "buyer_chat",
            "chat-first-response",
            "open",
            1,
        )
        assert conv.first_response_at is not None and conv.due_at is not None
        posting = s.get(Posting, conv.posting_id)
        assert posting is not None and posting.posting_number == w.posting_number(0)
        assert posting.scheme == "rFBS"
        msgs = s.scalars(
            select(Message).where(Message.conversation_id == conv.id).order_by(Message.created_at)
        ).all()
        assert [m.platform_message_id for m in msgs] == [str(m.message_id) for m in w.messages(0)]
        assert [m.side for m in msgs] == ["buyer", "seller", "buyer", "seller", "buyer", "buyer"]
        closed = s.scalar(
            select(Conversation.status).where(Conversation.platform_id == w.chat_id(9))
        )
        assert closed == "closed"
        # The support chat is the seller's ticket to Ozon (#14), not a buyer conversation.
        assert s.scalar(select(Conversation.kind).where(Conversation.platform_id == w.chat_id(19))) == "ozon_ticket"
        assert s.scalar(select(func.count()).select_from(PostingItem)) == len(buyer)


def test_second_sync_with_nothing_new_changes_nothing(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    before = fake.calls.get("/v3/chat/history", 0)
    again = SyncService(db, client, "Yuexin").run()
    assert again.created == ZERO and again.updated == ZERO and again.errors == []
    assert fake.calls["/v3/chat/history"] == before  # unchanged chats are not re-read


def test_new_messages_arrive_incrementally_and_local_state_survives(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    w = fake.world
    with db.begin() as s:
        conv = s.scalar(select(Conversation).where(Conversation.platform_id == w.chat_id(1)))
        assert conv is not None
        conv.assignee_id, conv.status, conv.category = None, "waiting_buyer", "returns"
        conv.subject = "agent's note"
    w.add_message(1, "\u0421ustomer", "А когда привезут?")
    report = SyncService(db, client, "Yuexin").run()
    assert report.created == {**ZERO, "messages": 1}
    assert report.updated["chats"] == 1
    with db.begin() as s:
        conv = s.scalar(select(Conversation).where(Conversation.platform_id == w.chat_id(1)))
        assert conv is not None
        assert (conv.status, conv.category, conv.subject) == (
            "waiting_buyer",
            "returns",
            "agent's note",
        )
        assert conv.last_message_preview == "А когда привезут?" and conv.unread_count == 1


def test_unread_only_poll_touches_only_unread_chats(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    report = SyncService(db, client, "Yuexin").run(unread_only=True)
    unread_buyer = [i for i in range(40) if i % 3 == 0 and fake.world.is_buyer_chat(i)]
    assert report.created["chats"] == len(unread_buyer)


def test_bad_records_are_errors_not_crashes_and_are_retried(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("bad_record", "/v3/chat/history", times=1)
    fake.inject("bad_record", "/v3/product/info/list", times=1)
    report = SyncService(db, client, "Yuexin", workers=1).run()
    assert len(report.errors) == 3
    assert all(e.what_to_do for e in report.errors)
    assert report.created["chats"] == 38
    again = SyncService(db, client, "Yuexin").run()
    assert again.created == ZERO and again.errors == []


def test_transient_faults_are_survived(db: Database, fake: FakeOzon, client: OzonClient) -> None:
    for kind in ("500", "429", "drop", "malformed"):
        fake.inject(kind, "*", times=1)
    report = SyncService(db, client, "Yuexin").run()
    assert report.errors == [] and report.created["chats"] == 38
    assert fake.pending_faults() == 0


@pytest.mark.parametrize(
    "kind, hint",
    [
        ("badkey", "API key in Settings"),
        # A bare 403 names no plan: still a refusal to report (a plan's 403 is skipped instead,
        # tests/ozon/test_capabilities.py).
        ("forbidden", "subscription required"),
        ("obsolete", "update OzonDesk"),
    ],
)
def test_fatal_errors_stop_the_sync_with_what_to_do(
    db: Database, fake: FakeOzon, client: OzonClient, kind: str, hint: str
) -> None:
    fake.inject(kind, "/v3/chat/history", times=1000)
    report = SyncService(db, client, "Yuexin").run()
    assert report.aborted and len(report.errors) == 1 and hint in report.errors[0].what_to_do


def test_poll_interval_setting(db: Database) -> None:
    assert poll_interval(db) == 60
    set_poll_interval(db, 30)
    assert poll_interval(db) == 30
    with pytest.raises(ValueError):
        set_poll_interval(db, 1)


def test_sync_command_prints_the_contract_and_is_idempotent(
    db_path: object, fake: FakeOzon, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"OZON_CLIENT_ID": fake.client_id, "OZON_API_KEY": fake.api_key}
    import os

    cmd = [
        sys.executable,
        "-m",
        "ozondesk.cli",
        "sync",
        "--db",
        str(db_path),
        "--base-url",
        fake.url,
        "--shop",
        "Yuexin",
    ]
    first = subprocess.run(
        cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert list(out) == ["created", "updated", "errors", "skipped"]
    # Issue #13's contract: these nine count keys, in both objects, always (0 when nothing).
    nine = ["chats", "messages", "postings", "returns", "products", "questions", "reviews",
            "return_requests", "cancellations"]
    assert list(out["created"]) == nine and list(out["updated"]) == nine
    assert all(type(v) is int for v in [*out["created"].values(), *out["updated"].values()])
    assert out["created"]["chats"] == 38
    second = subprocess.run(
        cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )
    assert json.loads(second.stdout) == {
        "created": ZERO,
        "updated": ZERO,
        "errors": [],
        "skipped": [],
    }
    assert fake.api_key not in first.stdout + first.stderr + second.stderr
    wrong = subprocess.run(
        cmd,
        env={**os.environ, **env, "OZON_API_KEY": "nope"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 1
    assert "API key" in json.loads(wrong.stdout)["errors"][0]["what_to_do"]


def test_sync_command_without_credentials_is_one_line_exit_2(
    db_path: object, fake: FakeOzon
) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("OZON_")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ozondesk.cli",
            "sync",
            "--db",
            str(db_path),
            "--base-url",
            fake.url,
            "--shop",
            "Nope",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        len(proc.stderr.strip().splitlines()) == 1
        and "no credentials for shop 'Nope'" in proc.stderr
    )


def test_products_and_returns_are_stored(
    db: Database, fake: FakeOzon, make_client: Callable[..., OzonClient]
) -> None:
    SyncService(db, make_client(), "Yuexin").run()
    with db.begin() as s:
        ret = s.scalar(
            select(ReturnRow).where(ReturnRow.posting_number == fake.world.posting_number(3))
        )
        assert ret is not None and ret.status == "MovingToSeller"
        product = s.scalar(select(Product).where(Product.sku == fake.world.sku(3)))
        assert product is not None and str(product.price) == "1290.00"
