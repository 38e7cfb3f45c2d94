"""Queueing replies and delivering each of them exactly once.

``queue`` refuses, with the reason, a reply the platform would refuse (length, plain
text, the send window) and otherwise writes it to the outbox before anything else.
``deliver`` sends what is due.

Never twice, whatever runs at the same time (the app's sync thread, a scheduled ``ozondesk
sync --send``, another desk of a team):

- One sender per database delivers at a time (``desk_lock``); the others skip the round.
- Independently of that lock, an entry is *claimed* before it goes on the wire: one
  conditional update (``pending`` → ``sending``, with this sender as owner and a lease of
  :data:`SEND_LEASE`) that only one sender can win. Each later step (the attempt, the retry,
  the refusal) changes the entry only while this sender still owns it.
- Each attempt is committed *before* the call. Ozon's send method has no idempotency key,
  so an entry whose outcome is unknown — a timeout, a dropped connection, a sender killed
  after the call — is never resent blindly: the next sender first looks for the reply in
  the chat history and, if it is there, records it as sent. An entry left ``sending`` by a
  dead sender waits until its lease runs out; the lease is longer than the client's slowest
  send (6 tries × 20 s + 5 pauses of ≤ 30 s), so a sender that is merely slow still owns it.
  What remains: a reply the platform accepted but does not yet show in the history could be
  sent again after a crash; the history check is the only witness Ozon offers.
- Clocks: a lease is written with the owner's clock (``now + SEND_LEASE``) and judged expired
  by another sender's clock. On SQLite every sender is on one computer, one clock. Desks of a
  team on PostgreSQL each use their own: a desk whose clock runs ahead of the owner's by more
  than the lease's margin over the slowest send (5 min − 4.5 min = 30 s) could take over an
  entry whose send is still under way, and only the history check stands between that and a
  second copy. Team desks must keep their clocks synchronised (NTP does it to well under a
  second); the server's clock is not used, so a desk's skew is the only thing that matters.

Error texts stored with an entry (``last_error``) or logged pass through ``redact``, so a
key the server echoes back is never written down.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import utcnow
from ozondesk.domain.public_reply import PUBLIC_KINDS, check_public_text
from ozondesk.domain.send_window import can_send
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.services import (
    decision_actions,  # noqa: F401 - registers decisions and files
    outbox_actions,
)
from ozondesk.services.changes import NOTHING, OpChanges
from ozondesk.store.db import Database
from ozondesk.store.locks import desk_lock
from ozondesk.store.models import DECISION_KINDS, Conversation
from ozondesk.store.repos import feedback as feedback_repo
from ozondesk.store.repos import outbox as repo

log = logging.getLogger("ozondesk.sync")

MAX_BACKOFF = timedelta(minutes=5)
# How long a claimed entry stays its sender's without a word from it (see the docstring).
SEND_LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    sent: int = 0
    reconciled: int = 0
    retrying: int = 0
    failed: int = 0
    offline: bool = False
    # Entries another sender claimed first (or took over): theirs to deliver.
    taken: int = 0
    # Another sender held the outbox: this round delivered nothing.
    busy: bool = False
    # The conversations whose entries were sent, found sent or refused this round.
    conversations: set[int] = field(default_factory=set)

    @property
    def changes(self) -> OpChanges:
        """What the round changed: a delivered reply or decision can move its conversation
        (a decision resolves a cancellation), a refusal shows in its thread."""
        if not self.conversations:
            return NOTHING
        return OpChanges(conversations=frozenset(self.conversations), membership=True)


def sender_id() -> str:
    """Who claims entries: host, process and a random part, so threads and desks differ."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class OutboxService:
    def __init__(
        self,
        db: Database,
        client: OzonClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        *,
        lease: timedelta = SEND_LEASE,
    ) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self.lease = lease
        self.owner = sender_id()

    def queue(
        self, conversation_id: int, text: str, agent_id: int | None = None
    ) -> repo.OutboxItem:
        with self.db.begin() as session:
            return self.queue_in(session, conversation_id, text, agent_id)

    def queue_in(
        self, session: Session, conversation_id: int, text: str, agent_id: int | None = None
    ) -> repo.OutboxItem:
        """:meth:`queue` inside the caller's transaction (the composer also deletes the draft there)."""
        now = self.clock()
        if session.scalar(select(Conversation.kind).where(Conversation.id == conversation_id)) in (
            DECISION_KINDS
        ):
            # Its platform id is a return's or cancellation's, no chat: a message would go astray.
            raise UserError(
                _("a return or cancellation request is answered with its decision buttons")
            )
        facts = repo.window_facts(session, conversation_id)
        if facts is None or not facts.chat_id:
            raise UserError(_("this conversation has no Ozon chat to reply in"))
        verdict = can_send(text, now, facts.scheme, facts.last_buyer_at, facts.delivered_at)
        if not verdict.allowed:
            raise UserError(verdict.reason)
        return repo.enqueue(session, conversation_id, text, now, agent_id)

    def queue_reply_in(
        self, session: Session, conversation_id: int, text: str, agent_id: int | None = None
    ) -> repo.OutboxItem:
        """The conversation's own kind of reply: an answer or comment for a product question
        or review, a chat message otherwise."""
        kind = feedback_repo.kind_of(session, conversation_id)
        if kind in PUBLIC_KINDS:
            return self.queue_public_reply_in(session, conversation_id, text, agent_id)
        return self.queue_in(session, conversation_id, text, agent_id)

    def queue_public_reply(
        self, conversation_id: int, text: str, agent_id: int | None = None
    ) -> repo.OutboxItem:
        with self.db.begin() as session:
            return self.queue_public_reply_in(session, conversation_id, text, agent_id)

    def queue_public_reply_in(
        self, session: Session, conversation_id: int, text: str, agent_id: int | None = None
    ) -> repo.OutboxItem:
        """An answer to a product question (``question_answer``) or a public comment on a
        review (``review_comment``), queued like a chat reply; refused with the reason when
        the platform would refuse it."""
        target = feedback_repo.public_target(session, conversation_id)
        if target is None or target.kind not in PUBLIC_KINDS:
            raise UserError(_("this conversation is no product question or review"))
        reason = check_public_text(text)
        if reason is not None:
            raise UserError(reason)
        if target.kind == "question":
            if target.sku is None:
                raise UserError(_("this question names no product: sync the shop again"))
            return repo.enqueue_action(
                session, conversation_id, "question_answer", target.platform_id, self.clock(),
                text=text, payload={"sku": target.sku}, agent_id=agent_id,
            )
        return repo.enqueue_action(
            session, conversation_id, "review_comment", target.platform_id, self.clock(),
            text=text, payload={"mark_review_as_processed": True}, agent_id=agent_id,
        )

    def pending(self, shop_id: int | None = None) -> int:
        with self.db.read() as session:
            return repo.pending_count(session, shop_id)

    def deliver(self, shop_id: int | None = None, limit: int = 50) -> DeliveryReport:
        if self.client is None:
            raise RuntimeError("deliver needs a client")
        report = DeliveryReport()
        with desk_lock(self.db, "ozon-outbox") as mine:
            if not mine:
                report.busy = True  # another sender delivers this round
                return report
            with self.db.read() as session:
                due = repo.due_ids(session, self.clock(), shop_id, limit)
            for entry_id in due:
                if report.offline:
                    break

                def claim(s: Session, entry_id: int = entry_id) -> repo.OutboxItem | None:
                    return repo.claim(s, entry_id, self.owner, self.clock(), self.lease)

                item = self.db.write(claim)
                if item is None:
                    report.taken += 1
                    continue
                self._one(item, report)
        return report

    def _one(self, item: repo.OutboxItem, report: DeliveryReport) -> None:
        assert self.client is not None
        action = outbox_actions.action_for(item.action)
        if action is None:
            # Written by a newer version of the desk: leave it for that version's sender.
            error = _("this desk cannot deliver {action!r}: update OzonDesk").format(
                action=item.action
            )
            self.db.write(
                lambda s: repo.mark_retry(s, item.id, self.owner, error, self.clock() + MAX_BACKOFF)
            )
            report.retrying += 1
            return
        delivery = outbox_actions.Delivery(self.client, self.db, self.clock)
        if item.attempts > 0:
            # An earlier attempt may have got through: the platform decides, never a blind resend.
            try:
                found = action.already_delivered(delivery, item)
            except E.OzonError as exc:
                self._retry(item, exc, report)
                return
            if found:
                self.db.write(lambda s: repo.mark_sent(s, item.id, None, self.clock(), only_unsent=True))
                report.reconciled += 1
                report.conversations.add(item.conversation_id)
                self._after(action, delivery, item)
                return
        if not self.db.write(
            lambda s: repo.begin_attempt(s, item.id, self.owner, self.clock(), self.lease)
        ):
            report.taken += 1  # our lease ran out and another sender took the entry over
            return
        try:
            platform_id = action.deliver(delivery, item)
        except E.TransientError as exc:
            self._retry(item, exc, report)
            return
        except E.OzonError as exc:
            error = _error_text(exc)
            self.db.write(lambda s: repo.mark_failed(s, item.id, self.owner, error))
            report.failed += 1
            report.conversations.add(item.conversation_id)
            return
        self.db.write(lambda s: repo.mark_sent(s, item.id, platform_id, self.clock()))
        report.sent += 1
        report.conversations.add(item.conversation_id)
        self._after(action, delivery, item)

    @staticmethod
    def _after(
        action: outbox_actions.OutboxAction,
        delivery: outbox_actions.Delivery,
        item: repo.OutboxItem,
    ) -> None:
        if action.after_sent is not None:
            action.after_sent(delivery, item)

    def _retry(self, item: repo.OutboxItem, exc: E.OzonError, report: DeliveryReport) -> None:
        attempts = max(1, item.attempts + 1)
        delay = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(attempts, 10)))
        error, next_at = _error_text(exc), self.clock() + delay
        self.db.write(lambda s: repo.mark_retry(s, item.id, self.owner, error, next_at))
        report.retrying += 1
        if isinstance(exc, E.ConnectionFailed):
            report.offline = True


_error_text = outbox_actions.error_text
