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

Error texts stored with an entry (``last_error``) or logged pass through ``redact``, so a
key the server echoes back is never written down.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ozondesk.domain.clock import utcnow
from ozondesk.domain.send_window import can_send
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.services.credentials import redact
from ozondesk.store.db import Database
from ozondesk.store.locks import desk_lock
from ozondesk.store.repos import outbox as repo

log = logging.getLogger("ozondesk.sync")

MAX_BACKOFF = timedelta(minutes=5)
RECONCILE_PAGE = 200
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
        facts = repo.window_facts(session, conversation_id)
        if facts is None or not facts.chat_id:
            raise UserError(_("this conversation has no Ozon chat to reply in"))
        verdict = can_send(text, now, facts.scheme, facts.last_buyer_at, facts.delivered_at)
        if not verdict.allowed:
            raise UserError(verdict.reason)
        return repo.enqueue(session, conversation_id, text, now, agent_id)

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
        if item.attempts > 0:
            # An earlier attempt may have got through: the history decides, never a blind resend.
            try:
                found = self._reconcile(item)
            except E.OzonError as exc:
                self._retry(item, exc, report)
                return
            if found:
                report.reconciled += 1
                self._mark_read(item)
                return
        if not self.db.write(
            lambda s: repo.begin_attempt(s, item.id, self.owner, self.clock(), self.lease)
        ):
            report.taken += 1  # our lease ran out and another sender took the entry over
            return
        try:
            self.client.send_message(item.chat_id, item.text)
        except E.TransientError as exc:
            self._retry(item, exc, report)
            return
        except E.OzonError as exc:
            error = _error_text(exc)
            self.db.write(lambda s: repo.mark_failed(s, item.id, self.owner, error))
            report.failed += 1
            return
        self.db.write(lambda s: repo.mark_sent(s, item.id, None, self.clock()))
        report.sent += 1
        try:
            self._reconcile(item)
        except E.OzonError as exc:
            # Sent for sure; the sync will attach the platform id later.
            log.info(
                "outbox %d sent; its platform id is not known yet (%s)", item.id, _error_text(exc)
            )
        self._mark_read(item)

    def _retry(self, item: repo.OutboxItem, exc: E.OzonError, report: DeliveryReport) -> None:
        attempts = max(1, item.attempts + 1)
        delay = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(attempts, 10)))
        error, next_at = _error_text(exc), self.clock() + delay
        self.db.write(lambda s: repo.mark_retry(s, item.id, self.owner, error, next_at))
        report.retrying += 1
        if isinstance(exc, E.ConnectionFailed):
            report.offline = True

    def _reconcile(self, item: repo.OutboxItem) -> bool:
        """Attach the platform's copy of this reply if the chat history has it; True if it does."""
        assert self.client is not None
        with self.db.read() as session:
            current = repo.get(session, item.id)
        if current is not None and current.platform_message_id:
            return True
        page = self.client.chat_history(item.chat_id, limit=RECONCILE_PAGE)
        seller = sorted(
            (
                m
                for m in page.messages
                if m.side == "seller" and m.created_at >= item.created_at - repo.CLOCK_SKEW
            ),
            key=lambda m: m.message_id,
        )

        def attach(session: Session) -> bool:
            taken = repo.attached_ids(session, item.conversation_id)
            for m in seller:
                pid = str(m.message_id)
                if pid not in taken and repo.same_text(m.text, item.text):
                    if repo.claim_outgoing(
                        session, item.conversation_id, m.text, pid, m.created_at
                    ):
                        taken.add(pid)
            current = repo.get(session, item.id)
            return current is not None and current.platform_message_id is not None

        return self.db.write(attach)

    def _mark_read(self, item: repo.OutboxItem) -> None:
        assert self.client is not None
        with self.db.read() as session:
            latest = repo.latest_platform_id(session, item.conversation_id)
        if latest is None:
            return
        try:
            self.client.read_chat(item.chat_id, int(latest))
        except E.OzonError as exc:
            log.info("could not mark chat read: %s", _error_text(exc))


def _error_text(exc: E.OzonError) -> str:
    """What is kept and logged of a failed call: never a key the server echoed back."""
    return redact(f"{exc} — {exc.hint}")
