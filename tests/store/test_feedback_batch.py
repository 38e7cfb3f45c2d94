"""A page of questions or reviews stored in one batch gives exactly what storing them one by
one gave (the first sync inserts a page's new conversations together)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation, Message, ProductFeedback, Shop
from ozondesk.store.repos import feedback as repo

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _post(n: int, kind: str = "question", replies: int = 0, **extra: Any) -> repo.Post:
    return repo.Post(
        kind=kind,
        platform_id=f"{kind}-{n}",
        text=f"Вопрос {n}",
        published_at=T0 + timedelta(minutes=n),
        sku=1000 + n,
        author="Анна",
        platform_status="NEW",
        reply_count=replies,
        replies=[
            repo.Reply(f"a-{n}-{k}", f"Ответ {k}", T0 + timedelta(minutes=n, seconds=k + 1), "seller")
            for k in range(replies)
        ],
        **extra,
    )


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as s:
        return {
            "conversations": [
                (c.id, c.kind, c.platform_id, c.subject, c.status, c.priority, c.due_at,
                 c.first_response_at, c.last_message_at, c.last_message_preview, c.version)
                for c in s.scalars(select(Conversation).order_by(Conversation.id))
            ],
            "messages": [
                (m.id, m.conversation_id, m.platform_message_id, m.side, m.text, m.created_at)
                for m in s.scalars(select(Message).order_by(Message.id))
            ],
            "feedback": [
                (f.conversation_id, f.sku, f.replies, f.has_reply, f.rating, f.platform_status)
                for f in s.scalars(select(ProductFeedback).order_by(ProductFeedback.conversation_id))
            ],
        }  # fmt: skip


def _store(db: Database, pages: list[list[repo.Post]], batched: bool) -> list[list[str | None]]:
    policies = DEFAULT_POLICIES
    outcomes = []
    with db.begin() as s:
        s.add(Shop(ozon_seller_id="1", name="Shop", created_at=T0.replace(tzinfo=None)))
    for page in pages:
        with db.begin() as s:
            known = repo.posts_by_id(s, 1, page[0].kind, [p.platform_id for p in page])
            if batched:
                outcomes.append(repo.upsert_posts(s, 1, page, policies, known))
            else:
                outcomes.append([repo.upsert_post(s, 1, p, policies, known) for p in page])
    return outcomes


def test_a_batched_page_stores_what_one_by_one_stored(tmp_path: Any) -> None:
    pages = [
        [_post(1), _post(2, replies=2), _post(3, replies=1)],
        # The next page: one known unchanged, one known with a new answer, a new one twice.
        [_post(1), _post(2, replies=3), _post(4), _post(4, replies=1)],
        [_post(5, kind="review", rating=1), _post(6, kind="review", rating=5, replies=1)],
    ]
    results = {}
    for batched in (False, True):
        db = open_database(str(tmp_path / f"{batched}.sqlite"))
        try:
            results[batched] = (_store(db, pages, batched), _rows(db))
        finally:
            db.dispose()
    assert results[True] == results[False]
    outcomes, rows = results[True]
    assert outcomes == [
        ["created", "created", "created"],
        [None, "updated", "created", "updated"],
        ["created", "created"],
    ]
    assert len(rows["conversations"]) == 6
    # Each one's own text plus its replies: 1, 1 + 3 (the third arrived on page two), 1 + 1,
    # 1 + 1 (question 4's answer, from its second copy on the page), 1, 1 + 1.
    assert len(rows["messages"]) == 12
