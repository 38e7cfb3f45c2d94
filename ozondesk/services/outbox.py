"""Queueing replies and delivering them exactly once.

``queue`` refuses, with the reason, a reply the platform would refuse (length, plain
text, the send window) and otherwise writes it to the outbox before anything else.
``deliver`` sends what is due. Each attempt is committed *before* the call, so after a
crash, a timeout or a dropped connection the entry shows an attempt whose outcome is
unknown; before trying again the sender looks for the reply in the chat history and, if
it is there, records it as sent instead of sending it twice.
"""

from __future__ import annotations

import logging
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
from ozondesk.store.db import Database
from ozondesk.store.locks import desk_lock
from ozondesk.store.repos import outbox as repo

log = logging.getLogger("ozondesk.sync")

MAX_BACKOFF = timedelta(minutes=5)
RECONCILE_PAGE = 200


@dataclass
class DeliveryReport:
    sent: int = 0
    reconciled: int = 0
    retrying: int = 0
    failed: int = 0
    offline: bool = False


class OutboxService:
    def __init__(
        self, db: Database, client: OzonClient | None = None, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.client = client
        self.clock = clock

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
        with self.db.begin() as session:
            return repo.pending_count(session, shop_id)

    def deliver(self, shop_id: int | None = None, limit: int = 50) -> DeliveryReport:
        if self.client is None:
            raise RuntimeError("deliver needs a client")
        report = DeliveryReport()
        with desk_lock(self.db, "ozon-outbox") as mine:
            if not mine:
                return report  # one sender for the team, so no reply goes out twice
            with self.db.begin() as session:
                items = repo.due(session, self.clock(), shop_id, limit)
            for item in items:
                if report.offline:
                    break
                self._one(item, report)
        return report

    def _one(self, item: repo.OutboxItem, report: DeliveryReport) -> None:
        assert self.client is not None
        if item.attempts > 0:
            try:
                found = self._reconcile(item)
            except E.OzonError as exc:
                self._retry(item, exc, report)
                return
            if found:
                report.reconciled += 1
                self._mark_read(item)
                return
        with self.db.begin() as session:
            repo.begin_attempt(session, item.id, self.clock())
        try:
            self.client.send_message(item.chat_id, item.text)
        except E.TransientError as exc:
            self._retry(item, exc, report)
            return
        except E.OzonError as exc:
            with self.db.begin() as session:
                repo.mark_failed(session, item.id, f"{exc} — {exc.hint}")
            report.failed += 1
            return
        with self.db.begin() as session:
            repo.mark_sent(session, item.id, None, self.clock())
        report.sent += 1
        try:
            self._reconcile(item)
        except E.OzonError as exc:
            # Sent for sure; the sync will attach the platform id later.
            log.info("outbox %d sent; its platform id is not known yet (%s)", item.id, exc)
        self._mark_read(item)

    def _retry(self, item: repo.OutboxItem, exc: E.OzonError, report: DeliveryReport) -> None:
        attempts = max(1, item.attempts + 1)
        delay = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(attempts, 10)))
        with self.db.begin() as session:
            repo.mark_retry(session, item.id, f"{exc} — {exc.hint}", self.clock() + delay)
        report.retrying += 1
        if isinstance(exc, E.ConnectionFailed):
            report.offline = True

    def _reconcile(self, item: repo.OutboxItem) -> bool:
        """Attach the platform's copy of this reply if the chat history has it; True if it does."""
        assert self.client is not None
        with self.db.begin() as session:
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
        with self.db.begin() as session:
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

    def _mark_read(self, item: repo.OutboxItem) -> None:
        assert self.client is not None
        with self.db.begin() as session:
            latest = repo.latest_platform_id(session, item.conversation_id)
        if latest is None:
            return
        try:
            self.client.read_chat(item.chat_id, int(latest))
        except E.OzonError as exc:
            log.info("could not mark chat read: %s", exc)
