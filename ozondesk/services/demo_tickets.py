"""The demo's tickets: one beside each generated Ozon-support and account-manager conversation,
so the Tickets workspace of a demo database shows Ozon's clocks, late answers and drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ozondesk.domain.clock import to_storage

_KIND = {"ozon-ticket": "support", "ozon-ticket-urgent": "urgent",
         "ozon-ticket-consult": "consult", "am-first-response": "am"}
_CATEGORY = {"support": "commission", "urgent": "delisting-appeal", "consult": "other",
             "am": "promotion-dispute"}


def demo_tickets(conversations: list[dict[str, Any]], shop_ref: str, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for conv in conversations:
        kind = _KIND.get(conv["sla_policy"])
        if kind is None or conv["kind"] not in ("ozon_ticket", "account_manager"):
            continue
        answered = conv["first_response_at"]
        status = ("closed" if conv["status"] == "resolved" else "answered" if answered
                  else "pending_review")
        rows.append({
            "shop_id": conv["shop_id"], "conversation_id": conv["id"], "source": "sync",
            "kind": kind, "number": f"SR-{4_100_000 + conv['id']}", "category": _CATEGORY[kind],
            "policy": conv["sla_policy"], "shop_ref": shop_ref, "order_numbers": [],
            "error_code": None, "question": conv["subject"], "status": status,
            "sent_at": conv["received_at"], "answered_at": answered, "due_at": conv["due_at"],
            "created_at": to_storage(now), "created_by": None,
        })
    return rows
