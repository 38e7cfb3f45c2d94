"""Issue 19: two or three senders on one database deliver every reply exactly once.

Senders are threads (each with its own database connection pool, or sharing one) and
processes, against the fake Seller API, whose log of sent messages is the witness. Each
scenario runs once with the real sender (the desk lock plus the per-reply claim) and once
with the desk lock granted to everybody, so the claim alone has to hold.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sender_process
from sqlalchemy import select
from sqlalchemy.engine import URL

import ozondesk.services.outbox as outbox
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.outbox import OutboxService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation, Message, OutboxEntry

ROOT = Path(__file__).resolve().parents[2]
CHATS = 12


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=CHATS, messages=2, lifetime=600) as server:
        yield server


def url_text(db_url: object) -> str:
    if isinstance(db_url, URL):
        return db_url.render_as_string(hide_password=False)
    return str(db_url)


def fast_client(fake: FakeOzon) -> OzonClient:
    return OzonClient(fake.client_id, fake.api_key, fake.url, rate=None, backoff=0.001,
                      max_backoff=0.01, timeout=10.0)


def queue_replies(db: Database, fake: FakeOzon, n: int) -> list[str]:
    """``n`` distinct replies spread over the buyer chats, each with its window open."""
    chats = [i for i in range(CHATS) if fake.world.is_buyer_chat(i)]
    for i in chats:
        fake.world.add_message(i, "Customer", "Здравствуйте, где мой заказ?")
    with fast_client(fake) as client:
        assert SyncService(db, client, "Yuexin").run().errors == []
    with db.read() as s:
        conversations = [
            s.scalar(select(Conversation.id).where(Conversation.platform_id == fake.world.chat_id(i)))
            for i in chats
        ]
    texts = [f"Ответ номер {n_}: заказ передан в доставку" for n_ in range(n)]
    service = OutboxService(db)
    for k, text in enumerate(texts):
        service.queue(conversations[k % len(conversations)], text)  # type: ignore[arg-type]
    assert service.pending() == n
    return texts


def assert_each_sent_once(db: Database, fake: FakeOzon, texts: list[str]) -> None:
    sent = Counter(s["text"] for s in fake.world.sent)
    assert {t: sent[t] for t in texts} == dict.fromkeys(texts, 1)
    assert sum(sent.values()) == len(texts)
    with db.read() as s:
        rows = s.execute(
            select(OutboxEntry.state, OutboxEntry.platform_message_id, OutboxEntry.attempts,
                   OutboxEntry.claimed_by, Message.delivery_state)
            .join(Message, Message.id == OutboxEntry.message_id)
        ).all()
    assert Counter((state, attempts, owner, delivered) for state, _pid, attempts, owner, delivered in rows) == {
        ("sent", 1, None, "sent"): len(texts)
    }
    platform_ids = [pid for _state, pid, *_rest in rows]
    assert None not in platform_ids and len(set(platform_ids)) == len(texts)


def granted_to_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "desk_lock", sender_process.always_granted)


class JitteryClient(OzonClient):
    """Pauses a random moment before each send, so senders interleave in every way."""

    def send_message(self, chat_id: str, text: str) -> None:
        time.sleep(random.uniform(0, 0.003))
        super().send_message(chat_id, text)


@pytest.mark.parametrize(
    ("senders", "replies", "mode", "shared"),
    [
        (2, 100, "lock", False),
        (3, 300, "claims-only", True),
    ],
)
def test_senders_in_threads_deliver_each_reply_once(
    db: Database, db_url: object, fake: FakeOzon, monkeypatch: pytest.MonkeyPatch,
    senders: int, replies: int, mode: str, shared: bool,
) -> None:
    texts = queue_replies(db, fake, replies)
    if mode == "claims-only":
        granted_to_all(monkeypatch)
    databases = [db if shared else open_database(db_url) for _ in range(senders)]  # type: ignore[arg-type]
    clients = [
        JitteryClient(fake.client_id, fake.api_key, fake.url, rate=None, backoff=0.001,
                      max_backoff=0.01, timeout=10.0)
        for _ in range(senders)
    ]
    try:
        with ThreadPoolExecutor(senders) as pool:
            totals = list(pool.map(
                lambda i: sender_process.deliver_all(OutboxService(databases[i], clients[i])),
                range(senders),
            ))
    finally:
        for client in clients:
            client.close()
        for other in databases:
            if other is not db:
                other.dispose()
    assert_each_sent_once(db, fake, texts)
    assert sum(t["sent"] for t in totals) == replies
    assert sum(t["reconciled"] + t["failed"] + t["retrying"] for t in totals) == 0
    if mode == "claims-only":
        # Every sender went through the same due replies: the claims turned the others away.
        assert sum(t["taken"] for t in totals) > 0


@pytest.mark.parametrize(("senders", "replies", "mode"), [(2, 100, "lock"), (3, 150, "claims-only")])
def test_sender_processes_deliver_each_reply_once(
    db: Database, db_url: object, fake: FakeOzon, senders: int, replies: int, mode: str
) -> None:
    texts = queue_replies(db, fake, replies)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    command = [sys.executable, str(Path(sender_process.__file__)), url_text(db_url), fake.url,
               fake.client_id, fake.api_key, mode]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(senders)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert (proc.returncode, err) == (0, "")
    totals = [json.loads(out) for out, _err in outputs]
    assert_each_sent_once(db, fake, texts)
    assert sum(t.get("sent", 0) for t in totals) == replies
    assert sum(t.get("reconciled", 0) + t.get("failed", 0) + t.get("retrying", 0) for t in totals) == 0


def test_the_lock_lets_one_sender_deliver_a_round_and_turns_the_other_away(
    db: Database, db_url: object, fake: FakeOzon
) -> None:
    texts = queue_replies(db, fake, 3)
    other = open_database(db_url)  # type: ignore[arg-type]
    inner: list[outbox.DeliveryReport] = []
    try:
        with fast_client(fake) as client:
            first = OutboxService(db, client)
            second = OutboxService(other, client)
            real_send = client.send_message

            def send_and_meet_a_rival(chat_id: str, text: str) -> None:
                if not inner:
                    inner.append(second.deliver())  # while the first holds the outbox
                real_send(chat_id, text)

            client.send_message = send_and_meet_a_rival  # type: ignore[method-assign]
            report = first.deliver()
    finally:
        other.dispose()
    assert (report.sent, report.busy) == (3, False)
    assert (inner[0].busy, inner[0].sent, inner[0].taken) == (True, 0, 0)
    assert_each_sent_once(db, fake, texts)


def test_a_claimed_reply_is_not_taken_by_a_second_sender_in_mid_flight(
    db: Database, fake: FakeOzon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving that sent replies twice: the second sender reads the outbox while the
    first is on the wire with the same reply."""
    texts = queue_replies(db, fake, 1)
    granted_to_all(monkeypatch)
    inner: list[outbox.DeliveryReport] = []
    with fast_client(fake) as client:
        first, second = OutboxService(db, client), OutboxService(db, client)
        real_send = client.send_message

        def send_and_meet_a_rival(chat_id: str, text: str) -> None:
            if not inner:
                inner.append(second.deliver())
            real_send(chat_id, text)

        client.send_message = send_and_meet_a_rival  # type: ignore[method-assign]
        report = first.deliver()
    assert (report.sent, inner[0].sent, inner[0].taken) == (1, 0, 0)
    assert_each_sent_once(db, fake, texts)


def test_an_expired_claim_is_taken_over_only_after_a_look_at_the_history(
    db: Database, fake: FakeOzon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sender died right after the platform accepted the reply: the next one finds it in the
    chat history and records it, instead of sending it again."""
    texts = queue_replies(db, fake, 2)
    from ozondesk.store.repos import outbox as repo

    with fast_client(fake) as client:
        dying = OutboxService(db, client)
        with monkeypatch.context() as m:
            m.setattr(repo, "mark_sent", lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed")))
            with pytest.raises(SystemExit):
                dying.deliver()
        assert [s["text"] for s in fake.world.sent] == texts[:1]
        with db.read() as s:
            entry = s.scalar(select(OutboxEntry).order_by(OutboxEntry.id).limit(1))
            assert entry is not None
            assert (entry.state, entry.attempts, entry.claimed_by) == ("sending", 1, dying.owner)
        # While the lease lasts the entry is the dead sender's: the next round skips it.
        now = outbox.utcnow()
        assert OutboxService(db, client, clock=lambda: now).deliver().sent == 1  # the other reply
        later = OutboxService(db, client, clock=lambda: now + outbox.SEND_LEASE)
        report = later.deliver()
    assert (report.reconciled, report.sent) == (1, 0)
    assert_each_sent_once(db, fake, texts)


def test_the_lease_outlasts_the_clients_slowest_send() -> None:
    """A sender that is only slow must still own its reply when another looks at it."""
    import inspect

    defaults = inspect.signature(OzonClient.__init__).parameters
    timeout, retries = defaults["timeout"].default, defaults["retries"].default
    max_backoff = defaults["max_backoff"].default
    slowest = (retries + 1) * timeout + retries * max_backoff
    assert slowest < outbox.SEND_LEASE.total_seconds()
