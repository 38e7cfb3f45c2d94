"""Outbox actions of decisions and files: ``rfbs_action``, ``cancellation_approve``,
``cancellation_reject`` and ``chat_file`` (see ``ozondesk.services.outbox_actions``).

None of these methods takes an idempotency key, so before any retry of an entry whose earlier
attempt may have got through, ``already_delivered`` looks at the platform:

- a return decision went through when the return is no longer where it was when the decision
  was queued: its state moved, or the action is no longer offered (``/v2/returns/rfbs/get``);
- a cancellation decision went through when the request is no longer ``ON_APPROVAL``
  (``/v2/conditional-cancellation/list`` filtered by its posting);
- a file went through when the chat history shows a seller message naming it, sent after the
  entry was queued.

A decision somebody else made meanwhile (in the seller cabinet) counts as delivered too: what
matters is that the desk never asks Ozon twice. The next sync shows what was decided.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import to_storage
from ozondesk.domain.decisions import CANCELLATION_APPROVE, CANCELLATION_REJECT, RFBS_ACTION
from ozondesk.ozon import cancellations as ozon_cancellations
from ozondesk.ozon import chat_files, rfbs_returns
from ozondesk.ozon import errors as E
from ozondesk.services.outbox_actions import (
    Delivery,
    error_text,
    mark_chat_read,
    register,
    seller_messages_since,
)
from ozondesk.store.models import Conversation, DecisionRequest, OutboxEntry, StatusChange
from ozondesk.store.repos import outbox as repo
from ozondesk.store.repos.chat_files import CHAT_FILE, claim_file
from ozondesk.store.repos.outbox import OutboxItem

log = logging.getLogger("ozondesk.sync")



def _int(entry: OutboxItem, key: str, path: str) -> int:
    value = entry.payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise E.BadRequest(f"the queued request has no {key}", path=path)
    return value


def _target(entry: OutboxItem, path: str) -> int:
    try:
        return int(entry.chat_id)
    except ValueError:
        raise E.BadRequest("the queued request names no platform id", path=path) from None


# -- rfbs_action -------------------------------------------------------------------------------


def _rfbs_deliver(d: Delivery, entry: OutboxItem) -> str | None:
    path = rfbs_returns.ACTION_PATH
    reason = entry.payload.get("rejection_reason_id")
    amount = entry.payload.get("compensation_amount")
    comment = entry.payload.get("comment")
    rfbs_returns.rfbs_action_set(
        d.client,
        _target(entry, path),
        _int(entry, "action_id", path),
        comment=comment if isinstance(comment, str) else None,
        rejection_reason_id=reason if isinstance(reason, int) else None,
        compensation_amount=Decimal(amount) if isinstance(amount, str) else None,
    )
    return None


def _rfbs_done(d: Delivery, entry: OutboxItem) -> bool:
    detail = rfbs_returns.rfbs_get(d.client, _target(entry, rfbs_returns.GET_PATH))
    action = entry.payload.get("action_id")
    offered = {a.id for a in detail.available_actions}
    return detail.state != entry.payload.get("state") or action not in offered


def _rfbs_after(d: Delivery, entry: OutboxItem) -> None:
    # The return moves on: its buttons go until the next sync reads what Ozon offers now.
    d.db.write(lambda s: _decided(s, entry, d.clock(), None))


# -- cancellations -----------------------------------------------------------------------------


def _approve(d: Delivery, entry: OutboxItem) -> str | None:
    comment = entry.payload.get("comment")
    ozon_cancellations.approve(
        d.client,
        _target(entry, ozon_cancellations.APPROVE_PATH),
        comment if isinstance(comment, str) else None,
    )
    return None


def _reject(d: Delivery, entry: OutboxItem) -> str | None:
    comment = entry.payload.get("comment")
    if not isinstance(comment, str) or not comment:
        raise E.BadRequest("a rejection needs its comment", path=ozon_cancellations.REJECT_PATH)
    ozon_cancellations.reject(d.client, _target(entry, ozon_cancellations.REJECT_PATH), comment)
    return None


def _cancellation_done(d: Delivery, entry: OutboxItem) -> bool:
    cid = _target(entry, ozon_cancellations.LIST_PATH)
    posting = entry.payload.get("posting_number")
    numbers = (posting,) if isinstance(posting, str) and posting else ()
    last_id = 0
    while True:
        page = ozon_cancellations.cancellation_list(d.client, last_id, posting_numbers=numbers)
        for c in page.cancellations:
            if c.cancellation_id == cid:
                return not c.awaiting_decision
        if not page.cancellations or not page.last_id or page.last_id == last_id:
            # Not listed at all: nothing is left to decide, so nothing may be sent again.
            return True
        last_id = page.last_id


def _cancellation_after(state: str) -> Callable[[Delivery, OutboxItem], None]:
    def after(d: Delivery, entry: OutboxItem) -> None:
        d.db.write(lambda s: _decided(s, entry, d.clock(), state))

    return after


def _decided(session: Session, entry: OutboxItem, now: datetime, state: str | None) -> None:
    """Record locally what was decided: no button left, the conversation answered; a
    cancellation's request is settled, so its conversation is resolved."""
    row = session.get(DecisionRequest, entry.conversation_id)
    conv = session.get(Conversation, entry.conversation_id)
    if row is None or conv is None:
        return
    at = to_storage(now)
    row.actions = []
    if conv.first_response_at is None:
        conv.first_response_at = max(at, conv.received_at)
    if state is not None:
        row.state = state
        row.decided_at = row.decided_at or at
        comment = entry.payload.get("comment")
        row.decision_comment = comment if isinstance(comment, str) and comment else None
        if conv.status in ("open", "waiting_buyer"):
            conv.status = "resolved"
            conv.resolved_at = at
            conv.due_at = None
            session.add(
                StatusChange(
                    conversation_id=conv.id,
                    status="resolved",
                    at=at,
                    agent_id=_author(session, entry.id),
                )
            )
    conv.version += 1


def _author(session: Session, entry_id: int) -> int | None:
    return session.scalar(select(OutboxEntry.author_agent_id).where(OutboxEntry.id == entry_id))


# -- chat_file ---------------------------------------------------------------------------------


def _content(entry: OutboxItem) -> bytes:
    raw = entry.payload.get("content")
    try:
        return base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise E.BadRequest("the queued file is damaged", path=chat_files.SEND_FILE_PATH) from None


def _file_deliver(d: Delivery, entry: OutboxItem) -> str | None:
    name = str(entry.payload.get("name") or entry.text)
    chat_files.send_file(d.client, entry.chat_id, name, _content(entry))
    return None


def _file_reconcile(d: Delivery, entry: OutboxItem) -> bool:
    """Attach the platform's copy of the file message if the history has it; True if it does."""
    seller = seller_messages_since(d, entry)
    if seller is None:
        return True

    def attach(session: Session) -> bool:
        for m in seller:
            if claim_file(
                session, entry.conversation_id, m.text, str(m.message_id), m.created_at,
                m.moderate_image_status if m.is_image else None,
            ):
                break
        now = repo.get(session, entry.id)
        return now is not None and now.platform_message_id is not None

    return d.db.write(attach)


def _file_after(d: Delivery, entry: OutboxItem) -> None:
    try:
        _file_reconcile(d, entry)
    except E.OzonError as exc:
        log.info("file %d sent; its platform id is not known yet (%s)", entry.id, error_text(exc))
    mark_chat_read(d, entry)


register(RFBS_ACTION, _rfbs_deliver, _rfbs_done, _rfbs_after)
register(CANCELLATION_APPROVE, _approve, _cancellation_done, _cancellation_after("APPROVED"))
register(CANCELLATION_REJECT, _reject, _cancellation_done, _cancellation_after("REJECTED"))
register(CHAT_FILE, _file_deliver, _file_reconcile, _file_after)
