"""The demo's product questions, reviews, rFBS return requests and conditional cancellations
(#13): conversations of those kinds with the side rows the sync writes beside them
(``product_feedback``, ``decision_requests``), so a new user trying the demo meets every kind
the inbox holds. Rows are shaped as ``store/repos/feedback.py`` and ``store/repos/decisions.py``
write them from the platform's answers."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ozondesk.domain import sla
from ozondesk.domain.clock import to_storage
from ozondesk.services import demo_data as data
from ozondesk.store.repos.decisions import POLICIES as DECISION_POLICIES
from ozondesk.store.repos.decisions import due_at as decision_due
from ozondesk.store.repos.feedback import QUESTION_POLICY, REVIEW_POLICY, URGENT_RATING

if TYPE_CHECKING:
    from ozondesk.services.demo import _Builder

FEEDBACK_KINDS = ("question", "review")
DECISION_KINDS = ("return_request", "cancellation")
# The fake server's id bases (ozon/fake/rfbs.py), so demo ids look like the platform's.
RETURN_BASE = 8_000_000_000
CANCEL_BASE = 283_000_000
# A conditional cancellation's auto_approve_date: the fake's 48 h (the real one comes with it).
AUTO_APPROVE = timedelta(hours=48)


def sku_of(offer: str) -> int:
    """The demo's SKU of an offer id: the same number its posting items carry."""
    return 1_000_000_000 + zlib.crc32(offer.encode()) % 900_000_000


def _uuid(b: _Builder) -> str:
    h = f"{b.rnd.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _conversation(
    b: _Builder, cid: int, kind: str, platform_id: str, received: datetime, **fields: Any
) -> dict[str, Any]:
    """A conversation row with every column the other demo rows set (one executemany)."""
    row: dict[str, Any] = {
        "id": cid, "shop_id": b.shop_id, "kind": kind, "platform_id": platform_id,
        "subject": "", "buyer_name": None, "status": "open", "category": None,
        "priority": "normal", "assignee_id": None, "posting_id": None, "order_number": None,
        "sla_policy": "", "received_at": to_storage(received), "first_response_at": None,
        "resolved_at": None, "last_message_at": to_storage(received),
        "last_message_preview": "", "unread_count": 0, "due_at": None, "version": 1,
    }
    row.update(fields)
    return row


def feedback(b: _Builder, cid: int, kind: str, received: datetime, answered: bool) -> None:
    """A product question or a review, answered (publicly, by the desk) or still waiting."""
    rnd = b.rnd
    offer, name, _price = rnd.choice(data.PRODUCTS)
    platform_id = _uuid(b)
    rating: int | None = None
    if kind == "question":
        text = rnd.choice(data.QUESTIONS)
        subject, policy = text, QUESTION_POLICY
        author: str | None = rnd.choice(data.BUYERS)
        reply = rnd.choice(data.QUESTION_ANSWERS)
    else:
        # Most buyers who bother to rate are pleased; the few low ones are the desk's work.
        rating = rnd.choices([1, 2, 3, 4, 5], weights=[6, 5, 9, 25, 55])[0]
        text = rnd.choice(data.REVIEWS[rating])
        subject, policy = f"{rating}★ {text}", REVIEW_POLICY
        author = None  # the review list names no author (as the sync stores it)
        reply = data.REVIEW_COMMENTS["low" if rating <= 3 else "high"]
    b._message(cid, "buyer", text, received)
    b.messages[-1]["platform_message_id"] = platform_id
    assignee = rnd.choice(b.desk) if rnd.random() < 0.5 else None
    photos = []
    if kind == "review" and rnd.random() < 0.3:
        photos = [f"photo_{n}.jpg" for n in range(1, rnd.randint(2, 4))]
    status = "PROCESSED" if answered else "NEW" if kind == "question" else "UNPROCESSED"
    # The sync counts only a NEW question unread (a review's statuses have no NEW).
    fields: dict[str, Any] = {
        "status": "open", "unread_count": int(status == "NEW"), "last_message_preview": text[:200]
    }
    # Sellers mark most older good reviews processed in the cabinet without a comment; the
    # sync stores those resolved, with nothing due and no reply.
    silent = (not answered and rating is not None and rating >= 4
              and b.now - received > timedelta(days=1) and rnd.random() < 0.7)
    if silent:
        status = "PROCESSED"
        fields.update(status="resolved", unread_count=0)
    elif answered:
        at = min(received + timedelta(minutes=rnd.choice([20, 45, 90, 180, 300])), b.now)
        b._message(cid, "seller", reply, at, assignee)
        b.messages[-1]["platform_message_id"] = _uuid(b)
        fields.update(
            status="resolved", unread_count=0, first_response_at=to_storage(at),
            resolved_at=to_storage(at), last_message_at=to_storage(at),
            last_message_preview=reply[:200],
        )
    else:
        due = sla.deadline(b.policies[policy], received)
        fields["due_at"] = to_storage(due) if due else None
    b.conversations.append(_conversation(
        b, cid, kind, platform_id, received, subject=subject[:300], buyer_name=author,
        priority="urgent" if rating is not None and rating <= URGENT_RATING else "normal",
        assignee_id=assignee, sla_policy=policy, **fields,
    ))
    b.feedback.append({
        "conversation_id": cid, "sku": sku_of(offer), "offer_id": offer, "product_name": name,
        "product_url": None, "link": None, "image": None, "rating": rating, "photos": photos,
        "videos": 0, "order_status": "DELIVERED" if kind == "review" else None,
        "platform_status": status,
        "has_reply": answered, "replies": 1 if answered else 0,
        "published_at": to_storage(received),
    })


def _request_posting(b: _Builder, kind: str, received: datetime) -> tuple[int, str, str]:
    """An rFBS posting for the request: delivered before a return, not yet shipped before a
    cancellation."""
    rnd = b.rnd
    posting_id, number, offer = b._posting(received)
    posting = b.postings[-1]
    if kind == "return_request":
        created = received - timedelta(days=rnd.uniform(6, 20))
        delivered = received - timedelta(hours=rnd.uniform(3, 48))
        carrier_status, warehouse = data.CARRIER_STATES["delivered"]
        posting.update(
            status="delivered", created_at=to_storage(created),
            shipped_at=to_storage(created + timedelta(days=2)), eta=to_storage(delivered),
            delivered_at=to_storage(delivered), carrier=posting["carrier"] or data.CARRIERS[0],
            tracking_number=posting["tracking_number"] or f"OZ{rnd.randrange(10**11, 10**12)}RU",
        )
    else:
        created = received - timedelta(hours=rnd.uniform(1, 30))
        carrier_status, warehouse = data.CARRIER_STATES["awaiting_packaging"]
        posting.update(
            status="awaiting_packaging", created_at=to_storage(created), shipped_at=None,
            delivered_at=None, carrier=None, tracking_number=None,
            eta=to_storage(created + timedelta(days=rnd.randrange(7, 21))),
        )
    posting.update(scheme="rFBS", carrier_status=carrier_status, warehouse_status=warehouse)
    return posting_id, number, offer


def decision(b: _Builder, cid: int, kind: str, received: datetime, answered: bool) -> None:
    """An rFBS return request or a conditional cancellation: awaiting the seller's decision,
    or decided by the desk (then resolved, as the sync leaves a decided one)."""
    rnd = b.rnd
    posting_id, posting_number, offer = _request_posting(b, kind, received)
    order = b.postings[-1]["order_number"]
    _offer, name, price = next(p for p in data.PRODUCTS if p[0] == offer)
    policy = DECISION_POLICIES[kind]
    auto: datetime | None = None
    row: dict[str, Any] = {
        "conversation_id": cid, "kind": kind, "number": None, "posting_number": posting_number,
        "order_number": order, "initiator": None, "sku": sku_of(offer), "offer_id": offer,
        "product_name": name, "amount": Decimal(price).quantize(Decimal("0.01")),
        "currency": "RUB", "is_defect": False, "photos": [], "actions": [],
        "rejection_reasons": [], "requested_at": to_storage(received),
        "auto_decision_at": None, "decided_at": None, "decision_comment": None,
    }
    if kind == "return_request":
        platform_id = RETURN_BASE + cid
        reason, defect, words = rnd.choice(data.RETURN_REASONS)
        row.update(reason=reason, buyer_comment=words, is_defect=defect,
                   photos=["photo_1.jpg", "photo_2.jpg"] if defect else [])
        if answered:
            state, state_name = rnd.choice(
                [("MONEY_RETURNED", "Деньги возвращены")] * 4 + [("REJECTED", "Отклонена")]
            )
        else:
            state, state_name = "NEW", "Новая"
            row.update(actions=list(data.RETURN_ACTIONS),
                       rejection_reasons=list(data.RETURN_REJECTION_REASONS))
    else:
        platform_id = CANCEL_BASE + cid
        reason, words = rnd.choice(data.CANCEL_REASONS)
        auto = received + AUTO_APPROVE
        row.update(reason=reason, buyer_comment=words, initiator="CLIENT",
                   auto_decision_at=to_storage(auto))
        if answered:
            state, state_name = "APPROVED", "Подтверждена"
        else:
            state, state_name = "ON_APPROVAL", "На согласовании"
            row["actions"] = [{"id": "approve", "name": "approve"},
                              {"id": "reject", "name": "reject"}]
    row.update(platform_id=platform_id, state=state, state_name=state_name)
    b._message(cid, "buyer", words, received)
    b.messages[-1]["platform_message_id"] = f"{kind}:{platform_id}"
    fields: dict[str, Any] = {"last_message_preview": words[:200]}
    assignee = rnd.choice(b.desk) if rnd.random() < 0.7 else None
    if answered:
        decided = min(received + timedelta(minutes=rnd.choice([30, 90, 240, 600])), b.now)
        row["decided_at"] = to_storage(decided)
        fields.update(status="resolved", first_response_at=to_storage(decided),
                      resolved_at=to_storage(decided))
        b.status_changes.append({"conversation_id": cid, "status": "resolved",
                                 "at": to_storage(decided), "agent_id": assignee})
    else:
        due = decision_due(received, b.policies.get(policy), auto)
        fields["due_at"] = to_storage(due) if due else None
    b.conversations.append(_conversation(
        b, cid, kind, str(platform_id), received,
        subject=f"{posting_number} · {name}"[:300], assignee_id=assignee,
        posting_id=posting_id, order_number=order, sla_policy=policy, **fields,
    ))
    b.decisions.append(row)
