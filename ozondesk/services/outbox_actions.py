"""What each kind of outbox entry does on the wire, and how a retry finds out it already did.

The outbox (``ozondesk.services.outbox``) claims an entry, counts the attempt, and only then
asks the entry's *action* to make the call. An action is registered here under the name stored
in ``outbox.action``:

- ``deliver(delivery, entry)`` makes the platform call and returns the platform id of what
  it created (a message, an answer, a comment) or None when the platform gives none;
- ``already_delivered(delivery, entry)`` is asked before any retry of an entry whose earlier
  attempt may have got through (``attempts`` > 0): True when the platform already has it, so a
  retry never sends twice. None of these Ozon methods takes an idempotency key: looking is the
  only witness;
- ``after_sent(delivery, entry)``, optional, runs once the entry is sent (a chat is marked read).

``Delivery`` gives an action the client and, for actions that must match the platform's copy
against local rows (a chat reply), the database.

Registered here: ``chat_message`` (a chat reply), ``question_answer`` (an answer to a product
question; payload ``{"sku": int}``), ``review_comment`` (a public comment on a review; payload
``{"mark_review_as_processed": bool}``). Other modules register theirs with :func:`register`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ozondesk.ozon import errors as E
from ozondesk.ozon import questions as ozon_questions
from ozondesk.ozon import reviews as ozon_reviews
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.records import ChatMessage
from ozondesk.services.credentials import redact
from ozondesk.store.db import Database
from ozondesk.store.repos import outbox as repo
from ozondesk.store.repos.outbox import OutboxItem

log = logging.getLogger("ozondesk.sync")

RECONCILE_PAGE = 200


def error_text(exc: E.OzonError) -> str:
    """What is kept and logged of a failed call: never a key the server echoed back."""
    return redact(f"{exc} — {exc.hint}")


@dataclass(frozen=True)
class Delivery:
    client: OzonClient
    db: Database
    clock: Callable[[], datetime]


Deliver = Callable[[Delivery, OutboxItem], "str | None"]
AlreadyDelivered = Callable[[Delivery, OutboxItem], bool]
AfterSent = Callable[[Delivery, OutboxItem], None]


@dataclass(frozen=True)
class OutboxAction:
    name: str
    deliver: Deliver
    already_delivered: AlreadyDelivered
    after_sent: AfterSent | None = None


_ACTIONS: dict[str, OutboxAction] = {}


def register(
    name: str,
    deliver: Deliver,
    already_delivered: AlreadyDelivered,
    after_sent: AfterSent | None = None,
) -> OutboxAction:
    if len(name) > 24:
        raise ValueError(f"action name {name!r} is longer than outbox.action holds (24)")
    action = OutboxAction(name, deliver, already_delivered, after_sent)
    _ACTIONS[name] = action
    return action


def action_for(name: str) -> OutboxAction | None:
    return _ACTIONS.get(name)


def registered() -> tuple[str, ...]:
    return tuple(sorted(_ACTIONS))


# -- chat_message: today's chat reply -----------------------------------------------------------


def _send_chat(d: Delivery, entry: OutboxItem) -> str | None:
    d.client.send_message(entry.chat_id, entry.text)
    return None  # /v1/chat/send/message answers only "success": the history gives the id


def seller_messages_since(d: Delivery, entry: OutboxItem) -> list[ChatMessage] | None:
    """The chat's seller messages from around the entry's creation on, oldest first, for a
    reconcile to match against; None when the entry already has its platform copy."""
    with d.db.read() as session:
        current = repo.get(session, entry.id)
    if current is not None and current.platform_message_id:
        return None
    page = d.client.chat_history(entry.chat_id, limit=RECONCILE_PAGE)
    return sorted(
        (
            m
            for m in page.messages
            if m.side == "seller" and m.created_at >= entry.created_at - repo.CLOCK_SKEW
        ),
        key=lambda m: m.message_id,
    )


def _chat_reconcile(d: Delivery, entry: OutboxItem) -> bool:
    """Attach the platform's copy of this reply if the chat history has it; True if it does."""
    seller = seller_messages_since(d, entry)
    if seller is None:
        return True

    def attach(session: Session) -> bool:
        taken = repo.attached_ids(session, entry.conversation_id)
        for m in seller:
            pid = str(m.message_id)
            if pid not in taken and repo.same_text(m.text, entry.text):
                if repo.claim_outgoing(session, entry.conversation_id, m.text, pid, m.created_at):
                    taken.add(pid)
        current = repo.get(session, entry.id)
        return current is not None and current.platform_message_id is not None

    return d.db.write(attach)


def _chat_after_sent(d: Delivery, entry: OutboxItem) -> None:
    try:
        _chat_reconcile(d, entry)
    except E.OzonError as exc:
        # Sent for sure; the sync will attach the platform id later.
        log.info("outbox %d sent; its platform id is not known yet (%s)", entry.id, error_text(exc))
    mark_chat_read(d, entry)


def mark_chat_read(d: Delivery, entry: OutboxItem) -> None:
    with d.db.read() as session:
        latest = repo.latest_platform_id(session, entry.conversation_id)
    if latest is None:
        return
    try:
        d.client.read_chat(entry.chat_id, int(latest))
    except E.OzonError as exc:
        log.info("could not mark chat read: %s", error_text(exc))


# -- question_answer ----------------------------------------------------------------------------


def _sku(entry: OutboxItem) -> int:
    sku = entry.payload.get("sku")
    if not isinstance(sku, int):
        raise E.BadRequest("the queued answer names no product SKU", path="/v1/question/answer/create")
    return sku


def _answer(d: Delivery, entry: OutboxItem) -> str | None:
    return ozon_questions.answer_create(d.client, entry.chat_id, _sku(entry), entry.text)


def _answer_on_platform(d: Delivery, entry: OutboxItem) -> bool:
    since = entry.created_at - repo.CLOCK_SKEW
    return any(
        repo.same_text(a.text, entry.text) and (a.published_at is None or a.published_at >= since)
        for a in ozon_questions.iter_answers(d.client, entry.chat_id, _sku(entry))
    )


# -- review_comment -----------------------------------------------------------------------------


def _comment(d: Delivery, entry: OutboxItem) -> str | None:
    mark = entry.payload.get("mark_review_as_processed", True)
    return ozon_reviews.comment_create(
        d.client, entry.chat_id, entry.text, mark_processed=bool(mark)
    )


def _comment_on_platform(d: Delivery, entry: OutboxItem) -> bool:
    since = entry.created_at - repo.CLOCK_SKEW
    return any(
        c.is_owner
        and repo.same_text(c.text, entry.text)
        and (c.published_at is None or c.published_at >= since)
        for c in ozon_reviews.iter_comments(d.client, entry.chat_id)
    )


# After a send the history is read once more to learn the new message's id (a reconciled
# entry has it already, so that costs no call), then the chat is marked read.
register("chat_message", _send_chat, _chat_reconcile, _chat_after_sent)
register("question_answer", _answer, _answer_on_platform)
register("review_comment", _comment, _comment_on_platform)
