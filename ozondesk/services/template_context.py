"""Placeholder values for a template, taken from the conversation it is used in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ozondesk.domain.clock import to_msk
from ozondesk.services.conversation import ConversationDetail


def context_values(
    detail: ConversationDetail,
    now: datetime,
    *,
    shop_name: str | None = None,
    agent_name: str | None = None,
) -> dict[str, Any]:
    """Every placeholder the conversation can fill; the rest stay unfilled (an error before sending).

    ``deadline_msk`` is the running response target's deadline: a reply promising
    an answer "by" it keeps the platform's clock.
    """
    values: dict[str, Any] = {}
    if detail.kind in ("buyer_chat", "buyer_ticket") and detail.title:
        values["buyer_name"] = detail.title.split()[0]
    if shop_name:
        values["shop_name"] = shop_name
    if agent_name:
        values["agent_name"] = agent_name
    posting = detail.posting
    if posting is not None:
        values["posting_number"] = posting.posting_number
        if posting.order_number:
            values["order_number"] = posting.order_number
        if posting.tracking_number:
            values["tracking_number"] = posting.tracking_number
        if posting.eta is not None:
            values["eta_date"] = to_msk(posting.eta).date()
            days = (to_msk(posting.eta).date() - to_msk(now).date()).days
            if days > 0:
                values["eta_in"] = days
        if posting.items:
            values["sku_name"] = posting.items[-1].name
            values["sku"] = posting.items[-1].offer_id
    feedback = detail.feedback
    if feedback is not None:
        # A question's or review's product: the public reply may name it, never the buyer.
        if feedback.product_name:
            values["sku_name"] = feedback.product_name
        if feedback.offer_id:
            values["sku"] = feedback.offer_id
    pending = [t for t in detail.targets if t.met_at is None and t.deadline is not None]
    if pending:
        deadline = min(t.deadline for t in pending if t.deadline is not None)
        if deadline > now:
            values["deadline_msk"] = deadline
            values["deadline_date"] = to_msk(deadline).date()
    return values
