"""The demo database holds #13's kinds with the side rows the sync writes beside them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ozondesk.domain import sla
from ozondesk.domain.clock import as_utc
from ozondesk.domain.decisions import options_for
from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.demo_requests import sku_of
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Conversation,
    DecisionRequest,
    Posting,
    PostingItem,
    ProductFeedback,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NEW_KINDS = ("question", "review", "return_request", "cancellation")


def _kinds(db: Database) -> Counter[str]:
    with db.read() as s:
        return Counter(dict(s.execute(
            select(Conversation.kind, func.count()).group_by(Conversation.kind)
        ).all()))


def test_demo_has_each_kind_at_its_share_with_its_side_row(db: Database) -> None:
    # 800: a well-run demo desk (#17) leaves few questions waiting; this many holds one open.
    generate(db, size=800, now=NOW)
    kinds = _kinds(db)
    assert sum(kinds.values()) == 800
    # Per 100: ~10 questions, ~10 reviews, ~3 returns, ~2 cancellations (seeded: exact).
    assert {k: kinds[k] for k in NEW_KINDS} == {
        "question": 69, "review": 73, "return_request": 26, "cancellation": 14
    }
    with db.read() as s:
        fb = {r.conversation_id: r for r in s.scalars(select(ProductFeedback))}
        dr = {r.conversation_id: r for r in s.scalars(select(DecisionRequest))}
        convs = {c.id: c for c in s.scalars(select(Conversation))}
        items = {(i.posting_id, i.offer_id, i.sku) for i in s.scalars(select(PostingItem))}
        postings = {p.id: p for p in s.scalars(select(Posting))}
    # Exactly one side row per conversation of those kinds, none for the others.
    assert sorted(fb) == sorted(c.id for c in convs.values() if c.kind in ("question", "review"))
    assert sorted(dr) == sorted(
        c.id for c in convs.values() if c.kind in ("return_request", "cancellation")
    )
    ratings = Counter(fb[c].rating for c in fb if convs[c].kind == "review")
    assert set(ratings) <= {1, 2, 3, 4, 5}
    assert ratings[4] + ratings[5] > sum(ratings.values()) / 2  # mostly 4 and 5 stars
    assert all(fb[c].rating is None for c in fb if convs[c].kind == "question")
    for cid, row in fb.items():
        conv = convs[cid]
        assert row.sku == sku_of(row.offer_id or "")
        assert row.has_reply == (conv.first_response_at is not None) == (row.replies == 1)
        policy = DEFAULT_POLICIES[conv.sla_policy]
        if conv.status == "open":
            due = sla.deadline(policy, as_utc(conv.received_at))
            assert due is not None and conv.due_at == due.replace(tzinfo=None)
            assert row.platform_status == ("NEW" if conv.kind == "question" else "UNPROCESSED")
        else:
            assert conv.due_at is None and conv.status == "resolved"
            assert row.platform_status == "PROCESSED"
            # Answered, or (a good review) marked processed in the cabinet without a comment.
            assert row.has_reply or (row.rating or 0) >= 4
        assert conv.unread_count == int(row.platform_status == "NEW")
        if conv.kind == "review":
            assert row.rating is not None
            assert conv.subject.startswith(f"{row.rating}★ ")
            assert conv.priority == ("urgent" if row.rating <= 2 else "normal")
    for cid, row in dr.items():
        conv = convs[cid]
        posting = postings[conv.posting_id or -1]
        # The request names the demo posting it is about, of the rFBS scheme, with its item.
        assert (posting.posting_number, posting.scheme) == (row.posting_number, "rFBS")
        assert conv.order_number == row.order_number == posting.order_number
        assert (posting.id, row.offer_id, row.sku) in items
        assert posting.status == ("delivered" if row.kind == "return_request"
                                  else "awaiting_packaging")
        assert row.buyer_comment and row.reason
        if conv.status == "open":
            assert row.actions and row.decided_at is None
            received = as_utc(conv.received_at)
            budget = received + timedelta(hours=24)  # both policies: 24 h round the clock
            assert conv.due_at == budget.replace(tzinfo=None)
        else:
            assert row.actions == [] and row.decided_at == conv.resolved_at
    # Both states of each: some waiting for the desk, some decided or answered.
    for kind in NEW_KINDS:
        statuses = {c.status for c in convs.values() if c.kind == kind}
        assert statuses == {"open", "resolved"}, kind


def test_same_seed_same_demo(db: Database, tmp_path: object) -> None:
    from ozondesk.store.db import open_database

    generate(db, size=120, now=NOW)
    other = open_database(f"sqlite:///{tmp_path}/other.db")
    try:
        generate(other, size=120, now=NOW)

        def rows(d: Database) -> list[tuple[object, ...]]:
            with d.read() as s:
                return [tuple(r) for r in s.execute(
                    select(Conversation.kind, Conversation.subject, ProductFeedback.rating,
                           DecisionRequest.state, DecisionRequest.posting_number)
                    .outerjoin(ProductFeedback, ProductFeedback.conversation_id == Conversation.id)
                    .outerjoin(DecisionRequest, DecisionRequest.conversation_id == Conversation.id)
                    .order_by(Conversation.id)
                )]

        assert rows(db) == rows(other)
    finally:
        other.dispose()


def test_context_loads_for_one_of_each_kind(db: Database) -> None:
    # A well-run demo desk (#17) leaves few questions waiting: 800 holds one of each kind open.
    generate(db, size=800, now=NOW)
    service = ConversationService(db)
    with db.read() as s:
        first = {
            kind: s.scalar(
                select(Conversation.id).where(Conversation.kind == kind, Conversation.status == "open")
                .order_by(Conversation.id)
            )
            for kind in NEW_KINDS
        }
    assert all(first.values()), first
    question = service.detail(first["question"] or 0, NOW)
    assert question.feedback is not None and question.decision is None
    assert question.feedback.kind == "question" and question.feedback.product_name
    assert question.feedback.sku == sku_of(question.feedback.offer_id or "")
    assert not question.feedback.has_reply and question.targets
    assert [m.side for m in question.messages] == ["buyer"]
    review = service.detail(first["review"] or 0, NOW)
    assert review.feedback is not None and review.feedback.rating in (1, 2, 3, 4, 5)
    assert review.feedback.order_status == "DELIVERED"
    for kind in ("return_request", "cancellation"):
        detail = service.detail(first[kind] or 0, NOW)
        assert detail.feedback is None and detail.decision is not None
        assert detail.posting is not None
        assert detail.decision.posting_number == detail.posting.posting_number
        assert detail.messages[0].text == detail.decision.buyer_comment
        # The decision buttons the panel offers come from the stored actions.
        keys = {o.key for o in options_for(kind, detail.decision.actions)}
        expected = (
            {"rfbs:1", "rfbs:-1", "rfbs:1020"} if kind == "return_request"
            else {"cancellation:approve", "cancellation:reject"}
        )
        assert keys == expected, kind
