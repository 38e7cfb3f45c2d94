"""The agent corrects a ticket's category: the policy and the inbox countdown follow, audited."""

from __future__ import annotations

from datetime import datetime

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.errors import UserError
from ozondesk.services.inbox import InboxService
from ozondesk.services.tickets import TicketService
from ozondesk.store.db import Database
from ozondesk.store.repos import audit
from ozondesk.store.repos.sync import ensure_shop


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 12, day, hour, minute))


def test_a_corrected_category_changes_the_policy_and_the_countdown(db: Database) -> None:
    with db.begin() as s:
        ensure_shop(s, "Юэсинь", "123456789", msk(1, 9))
    tickets = TicketService(db, lambda: msk(1, 12))
    view = tickets.add(kind="support", category="other", number="SR-9", sent_at=msk(1, 10))
    assert (view.policy, view.due_at) == ("ozon-ticket", msk(1, 14))
    changed = tickets.set_category(view.id, "payment-hold", "li.ming")
    assert (changed.category, changed.policy, changed.due_at) == ("payment-hold", "ozon-ticket-urgent", msk(1, 12))
    (row,) = InboxService(db).rows([view.conversation_id])  # type: ignore[list-item]
    assert row is not None and (row.sla_policy, row.due_at) == ("ozon-ticket-urgent", msk(1, 12))
    assert [(e.event, e.note) for e in tickets.history(view.id)][-1] == ("category", "payment-hold")
    with db.read() as s:
        (entry,) = audit.entries(s, "ticket:SR-9")
    assert (entry.action, entry.detail) == ("ticket.category", {"old": "other", "new": "payment-hold"})
    with pytest.raises(UserError, match="unknown ticket category 'nope'"):
        tickets.set_category(view.id, "nope")
    email = tickets.add(kind="email", category="commission", number="EM-1", sent_at=msk(1, 10))
    with pytest.raises(UserError, match="not e-mail"):
        tickets.set_category(email.id, "account-freeze")
    assert tickets.ticket(email.id).category == "commission"  # refused: nothing changed
