"""Tickets entered by hand appear in the inbox like synced ones (issue 14, part 2): a
conversation of the ticket's kind whose countdown is Ozon's deadline, following the status."""

from __future__ import annotations

from datetime import datetime, timedelta

from ozondesk.domain.clock import MOSCOW, as_utc
from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.services.tickets import TicketService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message
from ozondesk.store.repos.sync import ensure_shop


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 12, day, hour, minute))


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_an_urgent_ticket_entered_by_hand_counts_down_in_the_inbox(db: Database) -> None:
    with db.begin() as s:
        ensure_shop(s, "Юэсинь", "123456789", msk(1, 9))
    clock = Clock(msk(4, 18))
    tickets = TicketService(db, clock)
    # Friday 17:30 MSK: 30 working minutes that day, the other 90 on Monday from 09:00.
    urgent = tickets.add(kind="urgent", category="payment-hold", number="SR-77001", sent_at=msk(4, 17, 30),
                         orders=["12345678-0001"], question="Funds on hold since 1 December")
    am = tickets.add(kind="am", category="other", number="AM-9", sent_at=msk(4, 10))
    draft = tickets.add(kind="support", category="logistics", number="SR-5", sent_at=None)
    inbox = InboxService(db)
    ids = list(inbox.ids(InboxFilter(kind="ozon_ticket")))
    assert ids == [urgent.conversation_id] and draft.conversation_id is None  # a draft is not sent yet
    (row,) = inbox.rows(ids)
    assert row is not None
    assert (row.kind, row.title, row.status, row.sla_policy) == (
        "ozon_ticket", "SR-77001: Funds on hold since 1 December", "open", "ozon-ticket-urgent")
    assert row.due_at == msk(7, 10, 30) == urgent.due_at
    (am_row,) = inbox.rows(list(inbox.ids(InboxFilter(kind="account_manager"))))
    assert am_row is not None and am_row.due_at == msk(4, 12) and am_row.id == am.conversation_id
    with db.read() as s:
        thread = [(m.side, m.text) for m in s.query(Message).filter_by(conversation_id=urgent.conversation_id)]
        conv = s.get(Conversation, urgent.conversation_id)
        assert conv is not None
        # The stored SLA outcome (what the inbox and dashboard read) agrees: Ozon's deadline.
        assert (as_utc(conv.sla_first_due), conv.sla_first_met_at) == (msk(7, 10, 30), None)  # type: ignore[arg-type]
    assert thread == [("seller", "Funds on hold since 1 December")]
    # Ozon answers: the countdown stops; the ticket closes: the conversation is resolved.
    tickets.set_status(urgent.id, "answered", msk(7, 9, 45))
    with db.read() as s:
        conv = s.get(Conversation, urgent.conversation_id)
        assert conv is not None and as_utc(conv.sla_first_met_at) == msk(7, 9, 45)  # type: ignore[arg-type]
    (row,) = inbox.rows(ids)
    assert row is not None and (row.due_at, row.first_response_at, row.status) == (None, msk(7, 9, 45), "open")
    tickets.set_status(urgent.id, "closed", msk(7, 11))
    (row,) = inbox.rows(ids)
    assert row is not None and row.status == "resolved"
    # A draft marked sent later gets its conversation then.
    tickets.update_evidence(draft.id, shop_ref="123456789", orders=["12345678-0002"], error_code="E-1")
    tickets.attach(draft.id, "shot.png", "image/png", b"\x89PNG")
    sent = tickets.mark_sent(draft.id, msk(4, 17, 50))
    assert sent.conversation_id is not None
    assert inbox.rows([sent.conversation_id])[0].due_at == sent.due_at  # type: ignore[union-attr]
    assert sent.due_at is not None and sent.due_at - msk(4, 17, 50) > timedelta(days=2)  # over the weekend
