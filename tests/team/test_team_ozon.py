"""Two desks of a team running the Ozon sync and the outbox delivery at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from people import Team
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from ozondesk.domain.clock import utcnow
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.outbox import OutboxService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation, Message, SyncPending


def side_by_side(url: URL, fake: FakeOzon, job: Callable[[Database, OzonClient], Any]) -> list[Any]:
    desks = [open_database(url) for _ in range(2)]
    start = threading.Barrier(2)

    def desk(i: int) -> Any:
        with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None, backoff=0.001,
                        max_backoff=0.01, timeout=5.0) as client:
            start.wait()
            return job(desks[i], client)

    try:
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(desk, range(2)))
    finally:
        for d in desks:
            d.dispose()


def test_two_desks_syncing_one_shop_store_every_chat_once_without_errors(
    pg_db: Database, pg_url: URL
) -> None:
    with FakeOzon(port=0, chats=300, messages=4, lifetime=120) as fake:
        with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None) as client:
            SyncService(pg_db, client, "Yuexin")  # the shop, as the team's first desk set it up
        reports = side_by_side(pg_url, fake, lambda db, client: SyncService(db, client, "Yuexin").run())
        buyer = sum(fake.world.is_buyer_chat(i) for i in range(300))
    assert all(r.errors == [] for r in reports)
    assert sorted(r.created["chats"] for r in reports) == [0, buyer]  # one desk synced, one skipped
    with pg_db.begin() as s:
        # Buyer conversations; the support and manager chats are tickets (#14).
        assert s.scalar(select(func.count()).select_from(Conversation).where(Conversation.kind == "buyer_chat")) == buyer
        assert s.scalar(select(func.count()).select_from(Message).join(Conversation, Conversation.id == Message.conversation_id)
                        .where(Conversation.kind == "buyer_chat")) == buyer * 4


def test_two_desks_delivering_one_outbox_send_each_reply_once(pg_db: Database, pg_url: URL) -> None:
    with FakeOzon(port=0, chats=40, messages=3, lifetime=120) as fake:
        buyer_chats = [i for i in range(40) if fake.world.is_buyer_chat(i)]
        for i in buyer_chats:
            fake.world.add_message(i, "Customer", "Здравствуйте, есть вопрос")
        with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None) as client:
            SyncService(pg_db, client, "Yuexin").run()
        with pg_db.begin() as s:
            # Replies go to buyer chats; the same sync also brings return, cancellation and
            # platform conversations, which take decisions or run on Ozon's clock instead.
            conversations = s.scalars(
                select(Conversation.id).where(Conversation.kind == "buyer_chat")
            ).all()
        for n, cid in enumerate(conversations):
            OutboxService(pg_db).queue(cid, f"Ответ номер {n}")
        later = utcnow() + timedelta(minutes=10)
        side_by_side(pg_url, fake, lambda db, client: OutboxService(db, client, clock=lambda: later).deliver())
        sent = [m["text"] for m in fake.world.sent]
    assert sorted(sent) == sorted(f"Ответ номер {n}" for n in range(len(conversations)))


def test_an_agents_own_login_records_and_clears_the_work_a_sync_owes(team: Team) -> None:
    """Migration 0011 grants sync_pending to the team's groups: a desk signed in as an agent
    leaves the products a failed call missed for later, and fetches them the next time."""
    desk = team.desk("wang.fang")
    with FakeOzon(port=0, client_id="1001", chats=20, messages=2, lifetime=120) as fake:
        fake.inject("500", "/v3/product/info/list", times=1000)
        with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None, backoff=0.001,
                        max_backoff=0.01, timeout=5.0) as client:
            first = SyncService(desk, client, "Yuexin").run()
            skus = len({fake.world.sku(i) for i in range(20) if fake.world.is_buyer_chat(i)})
            assert [e.where for e in first.errors] == ["products"]
            assert first.pending == {"products": skus}
            fake.clear_faults()
            second = SyncService(desk, client, "Yuexin").run()
    assert second.created["products"] == skus
    assert second.errors == [] and second.skipped == [] and second.pending == {}
    with team.admin.begin() as s:
        assert s.scalar(select(func.count()).select_from(SyncPending)) == 0
