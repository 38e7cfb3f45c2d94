"""Tickets to Ozon through the service: evidence before "sent", status history, escalation
exactly when Ozon's own time ends, and the e-mail drafts."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.errors import UserError
from ozondesk.services.templates import TemplateService
from ozondesk.services.tickets import TicketService
from ozondesk.settings import options
from ozondesk.settings.team import TeamSettings
from ozondesk.store.db import Database


def msk(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return MOSCOW.localize(datetime(2026, month, day, hour, minute))


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_a_ticket_is_refused_as_incomplete_until_its_evidence_is_there(db: Database) -> None:
    clock = Clock(msk(1, 10))
    tickets = TicketService(db, clock)
    draft = tickets.add(kind="support", category="tracking-anomaly", number="SR-1001", sent_at=None)
    assert (draft.status, draft.state, draft.missing) == (
        "draft", "draft", ("shop_id", "order_number", "error_code", "screenshot"))
    with pytest.raises(UserError) as refused:
        tickets.mark_sent(draft.id, msk(1, 10))
    assert refused.value.message == ("the ticket is incomplete, Ozon would send it back: add shop ID, "
                                     "order number, error code, screenshot")
    tickets.update_evidence(draft.id, shop_ref="123456789", orders=["12345678-0001"], error_code="")
    with pytest.raises(UserError) as refused:
        tickets.mark_sent(draft.id, msk(1, 10))
    assert refused.value.message.endswith("add error code, screenshot")
    tickets.update_evidence(draft.id, shop_ref="123456789", orders=["12345678-0001"], error_code="E-4021")
    with pytest.raises(UserError, match=r"add screenshot$"):
        tickets.mark_sent(draft.id, msk(1, 10))
    assert tickets.ticket(draft.id).status == "draft"  # refusals changed nothing
    tickets.attach(draft.id, "seller-center.png", "image/png", b"\x89PNG fake")
    sent = tickets.mark_sent(draft.id, msk(1, 10, 5))
    assert (sent.status, sent.state, sent.missing, sent.screenshots) == ("pending_review", "waiting", (), 1)
    assert sent.due_at == msk(1, 14, 5)
    assert [e.event for e in tickets.history(draft.id)] == ["draft", "pending_review"]
    with pytest.raises(UserError, match="is sent already"):
        tickets.mark_sent(draft.id, msk(1, 11))


def test_an_escalation_is_offered_exactly_when_the_account_managers_two_hours_end(db: Database) -> None:
    clock = Clock(msk(1, 16))  # Tuesday 16:00 MSK
    TemplateService(db).seed_escalation_templates(msk(1, 9))
    tickets = TicketService(db, clock)
    am = tickets.add(kind="am", category="promotion-dispute", number="AM-3", sent_at=msk(1, 16),
                     shop_ref="123456789", question="Why was SKU 2001 removed from the promotion?")
    assert am.due_at == msk(1, 18)
    for at, offered in [(msk(1, 17, 59) + timedelta(seconds=59), False), (msk(1, 18), True)]:
        clock.at = at
        assert tickets.ticket(am.id).escalate is offered
    clock.at = msk(1, 17, 30)
    with pytest.raises(UserError, match="is not late"):
        tickets.escalation(am.id)
    TeamSettings(db).set(options.ESCALATION_ADDRESS, "seller-escalation@example.com")
    clock.at = msk(2, 9, 30)
    draft = tickets.escalation(am.id, signature="Li Ming")
    assert draft.subject == "Escalation Request: SELLER-CHN-123456789-PromotionDispute"
    assert draft.to == "seller-escalation@example.com"
    for line in ["Shop ID: 123456789", "Ticket number: AM-3", "Sent: 2026-12-01 16:00 MSK (Moscow time)",
                 "Ozon's answer was due: 2026-12-01 18:00 MSK", "Waiting for an answer: 17 hours 30 minutes",
                 "Why was SKU 2001 removed from the promotion?", "- screenshot: missing", "- shop ID: yes"]:
        assert line in draft.body
    url = urlsplit(draft.mailto())
    assert (url.scheme, url.path) == ("mailto", "seller-escalation@example.com")
    assert parse_qs(url.query)["subject"] == [draft.subject]
    assert parse_qs(url.query)["body"] == [draft.body]
    tickets.record_escalation(am.id)
    assert tickets.ticket(am.id).escalations == 1
    # Once Ozon answers, nothing is offered any more.
    tickets.set_status(am.id, "answered", msk(2, 10))
    assert (tickets.ticket(am.id).escalate, tickets.ticket(am.id).state) == (False, "answered")


def test_missing_am_report_names_the_seller(db: Database) -> None:
    from ozondesk.store.repos.sync import ensure_shop

    TemplateService(db).seed_escalation_templates(msk(1, 9))
    tickets = TicketService(db, Clock(msk(1, 12)))
    with pytest.raises(UserError, match="no shop yet"):
        tickets.missing_am()
    with db.begin() as s:
        ensure_shop(s, "Юэсинь", "987654", msk(1, 9))
    draft = tickets.missing_am()
    assert draft.subject == "Missing AM 987654" and draft.to == ""
    assert "Seller ID: 987654" in draft.body and "Shop name: Юэсинь" in draft.body


def test_the_escalation_address_setting_takes_one_address_only(db: Database) -> None:
    with pytest.raises(ValueError, match="one e-mail address"):
        TeamSettings(db).set(options.ESCALATION_ADDRESS, "a@example.com, b@example.com")
    assert TeamSettings(db).get(options.ESCALATION_ADDRESS) == ""


def test_attachments_are_checked_and_kept_in_the_database(db: Database) -> None:
    tickets = TicketService(db, Clock(msk(1, 12)))
    t = tickets.add(kind="support", category="other", number="SR-9", sent_at=None)
    with pytest.raises(UserError, match="is empty"):
        tickets.attach(t.id, "empty.png", "image/png", b"")
    with pytest.raises(UserError, match="larger than 10 MB"):
        tickets.attach(t.id, "big.png", "image/png", b"x" * (10 * 1024 * 1024 + 1))
    att = tickets.attach(t.id, "log.txt", "text/plain", b"error 4021", kind="file")
    [listed] = tickets.attachments(t.id)
    assert (listed.id, listed.name, listed.kind, listed.size) == (att, "log.txt", "file", 10)
    assert tickets.attachment_data(att) == b"error 4021"
    assert tickets.ticket(t.id).missing[-1] == "screenshot"  # a file is not a screenshot


def test_the_dashboard_figures_measure_ozon_against_its_own_targets(db: Database) -> None:
    from datetime import date

    clock = Clock(msk(3, 12))
    tickets = TicketService(db, clock)
    # Tuesday 1 December, 10:00: three support tickets (4 h target: due 14:00) and one urgent one.
    fast = tickets.add(kind="support", category="logistics", number="S1", sent_at=msk(1, 10))
    slow = tickets.add(kind="support", category="logistics", number="S2", sent_at=msk(1, 10))
    tickets.add(kind="support", category="logistics", number="S3", sent_at=msk(1, 10))  # never answered
    urgent = tickets.add(kind="urgent", category="other", number="U1", sent_at=msk(1, 10))
    back = tickets.add(kind="consult", category="other", number="C1", sent_at=msk(1, 10))
    tickets.add(kind="support", category="other", number="OUT", sent_at=msk(4, 10, month=11))  # not in the period
    tickets.set_status(fast.id, "answered", msk(1, 11))
    tickets.set_status(slow.id, "answered", msk(1, 15))
    tickets.set_status(urgent.id, "answered", msk(1, 12))
    tickets.set_status(back.id, "returned", msk(1, 13))
    clock.at = msk(2, 10)
    tickets.record_escalation(slow.id)
    figures = tickets.figures(date(2026, 12, 1), date(2026, 12, 1))
    support = figures.kinds["support"]
    assert (support.tickets, support.answered, support.within_target, support.late) == (3, 2, 1, 2)
    assert (support.avg_answer_s, support.median_answer_s, support.target_s) == (10800.0, 10800.0, 4 * 3600)
    assert support.on_target_rate == 33.33
    urgent_row = figures.kinds["urgent"]
    assert (urgent_row.tickets, urgent_row.within_target, urgent_row.avg_answer_s, urgent_row.target_s) == (
        1, 1, 7200.0, 7200)
    assert figures.kinds["am"].tickets == 0 and figures.kinds["am"].on_target_rate is None
    assert (figures.escalations, figures.returned_incomplete) == (1, 1)
    assert figures.to_dict()["kinds"]["support"]["late"] == 2


def test_only_a_lead_sets_the_escalation_address(db: Database) -> None:
    from ozondesk.domain.roles import PermissionDenied
    from ozondesk.services.team import TeamService

    TeamService(db).add("li.ming", "Li", "lead", actor=None)
    TeamService(db).add("wang", "Wang", "agent", actor=None)
    tickets = TicketService(db)
    with pytest.raises(PermissionDenied):
        tickets.set_escalation_address("x@example.com", "wang")
    with pytest.raises(UserError, match="is not one e-mail address"):
        tickets.set_escalation_address("x@example.com; y@example.com", "li.ming")
    assert tickets.escalation_address() == ""
    assert tickets.set_escalation_address(" x@example.com ", "li.ming") == "x@example.com"
    assert tickets.escalation_address() == "x@example.com"


def test_ozons_deadlines_never_pop_up_as_the_desks_due_soon(db: Database) -> None:
    from sqlalchemy import update

    from ozondesk.domain.clock import to_storage
    from ozondesk.services.notifications import DueSoonService
    from ozondesk.store.models import Conversation
    from ozondesk.store.repos.sync import ensure_shop

    now = msk(1, 12)
    with db.begin() as s:
        shop = ensure_shop(s, "S", "1", now)
        for kind, key in [("buyer_chat", "b"), ("ozon_ticket", "t"), ("account_manager", "m")]:
            s.add(Conversation(shop_id=shop, kind=kind, platform_id=key, subject=key, sla_policy="ozon-ticket",
                               received_at=to_storage(now)))
    with db.begin() as s:  # each one 3 minutes from its deadline (the hook leaves Core updates alone)
        s.execute(update(Conversation).values(sla_due=to_storage(now + timedelta(minutes=3))))
    assert [d.title for d in DueSoonService(db).due_soon(None, now)] == ["b"]
