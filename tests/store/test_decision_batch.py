"""A page of return requests and cancellations stored with what ``read_page`` read and inserted
gives exactly what storing them one by one gave, a request twice on a page included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import (
    Conversation,
    DecisionRequest,
    Message,
    Posting,
    Shop,
    StatusChange,
)
from ozondesk.store.repos import decisions as repo

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _facts(n: int, *, kind: str = "return_request", awaiting: bool = True,
           state: str = "NEW") -> repo.RequestFacts:
    return repo.RequestFacts(
        kind=kind, platform_id=n, posting_number=f"{n}-1", state=state, awaiting=awaiting,
        reason="Брак", buyer_comment=f"Вернуть {n}" if n % 2 else "",
        requested_at=T0 + timedelta(minutes=n),
        decided_at=None if awaiting else T0 + timedelta(hours=n),
    )  # fmt: skip


PAGES = [
    # A new one twice (decided the second time), one naming a posting the desk knows, a
    # cancellation beside the returns, one decided already.
    [_facts(1), _facts(2), _facts(1, awaiting=False, state="APPROVED"), _facts(7),
     _facts(3, kind="cancellation"), _facts(4, awaiting=False, state="REJECTED")],
    # The next page: a known one changed, a known one unchanged, a new one.
    [_facts(2, state="ON_APPROVAL"), _facts(7), _facts(5)],
]


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as s:
        return {
            "conversations": [
                (c.id, c.kind, c.platform_id, c.status, c.posting_id, c.order_number, c.due_at,
                 c.resolved_at, c.first_response_at, c.version, c.sla_first_due)
                for c in s.scalars(select(Conversation).order_by(Conversation.id))
            ],
            "requests": sorted(
                (r.conversation_id, r.kind, r.platform_id, r.state, r.posting_number)
                for r in s.scalars(select(DecisionRequest))
            ),
            "messages": sorted(
                (m.conversation_id, m.platform_message_id, m.text)
                for m in s.scalars(select(Message))
            ),
            "changes": sorted((c.conversation_id, c.status) for c in s.scalars(select(StatusChange))),
        }  # fmt: skip


def _store(db: Database, batched: bool) -> list[list[str | None]]:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=T0.replace(tzinfo=None))
        s.add(shop)
        s.flush()
        s.add(Posting(shop_id=shop.id, posting_number="7-1", order_number="7", scheme="FBS",
                      status="delivered"))
    outcomes = []
    for facts in PAGES:
        with db.begin() as s, s.no_autoflush:
            page = repo.read_page(s, 1, facts, T0) if batched else None
            found = []
            seen: set[tuple[str, int]] = set()
            for f in facts:
                if (f.kind, f.platform_id) in seen:
                    s.flush()
                seen.add((f.kind, f.platform_id))
                found.append(repo.upsert_request(s, 1, f, DEFAULT_POLICIES, T0, page))
            outcomes.append(found)
    return outcomes


def test_a_read_page_stores_what_one_by_one_stored(tmp_path: Any) -> None:
    results = {}
    for batched in (False, True):
        db = open_database(str(tmp_path / f"{batched}.sqlite"))
        try:
            results[batched] = (_store(db, batched), _rows(db))
        finally:
            db.dispose()
    assert results[True] == results[False]
    outcomes, rows = results[True]
    assert outcomes == [
        ["created", "created", "updated", "created", "created", "created"],
        ["updated", None, "created"],
    ]
    assert len(rows["conversations"]) == 6 and len(rows["requests"]) == 6
    by_id = {c[2]: c for c in rows["conversations"] if c[1] == "return_request"}
    assert by_id["7"][4] is not None  # linked to the posting the desk knew
    assert by_id["1"][3] == "resolved" and by_id["4"][3] == "resolved"
    assert rows["changes"] == sorted([(by_id["1"][0], "resolved"), (by_id["4"][0], "resolved")])
