"""Escalation e-mails as templates (issue 14, part 4): seeded live on a new database, English and
so not linted as Russian, reviewed and versioned like any template, filled into the drafts only
once a lead's revision is approved and in effect; an e-mail counts as sent only when confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from desk_setup import add_shop, msk

from ozondesk.domain.escalation import ESCALATION_SLUG, MISSING_AM_SLUG
from ozondesk.domain.review import ReviewError
from ozondesk.domain.template_channels import fits
from ozondesk.domain.template_lint import lint_template_body
from ozondesk.errors import UserError
from ozondesk.services.templates import TemplateService
from ozondesk.services.tickets import TicketService
from ozondesk.store.db import Database
from ozondesk.store.models import CONVERSATION_KINDS
from ozondesk.store.repos import audit

SENT = msk(2026, 12, 1, 16, 0)  # Tuesday 16:00 MSK; the AM's 2 hours end at 18:00


class Clock:
    def __init__(self) -> None:
        self.at = SENT

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.at


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    people = {"agent": ("wang", "Wang", "agent"), "lead": ("li.ming", "Li Ming", "lead")}
    return {k: a.id for k, a in add_shop(db, people).items()}


def late_ticket(db: Database, clock: Clock) -> tuple[TicketService, int]:
    tickets = TicketService(db, clock)
    view = tickets.add(kind="am", category="promotion-dispute", number="AM-3", sent_at=SENT,
                       shop_ref="123456789", question="Why was SKU 2001 removed from the promotion?")
    clock.at = SENT + timedelta(hours=3)
    return tickets, view.id


def test_a_new_database_gets_the_escalation_templates_live_once(db: Database, people: dict[str, int]) -> None:
    service = TemplateService(db)
    assert service.seed_escalation_templates(SENT) == 2
    assert service.seed_escalation_templates(SENT) == 0  # a second start adds nothing
    found = {t.slug: t for t in service.templates(SENT)}
    for slug in (ESCALATION_SLUG, MISSING_AM_SLUG):
        record = found[slug]
        assert (record.category, record.language, record.channel) == ("escalation", "en", "email")
        assert record.live is not None and record.live.number == 1 and record.live.status == "approved"
        assert record.gloss_zh.startswith(("升级邮件", "“Missing AM”"))
    # Never offered in a buyer conversation's template picker.
    assert not any(fits("email", kind) for kind in CONVERSATION_KINDS)


def test_english_escalation_text_is_not_linted_as_russian(db: Database, people: dict[str, int]) -> None:
    service = TemplateService(db)
    service.seed_escalation_templates(SENT)
    template = next(t for t in service.templates(SENT) if t.slug == ESCALATION_SLUG)
    body = template.live.body + "\nWe expect an answer by 18:00 today.\n"  # type: ignore[union-attr]
    # The Russian rules would flag the English sentence (no «МСК» after the time) ...
    assert "time-zone.missing" in {f.rule for f in lint_template_body(body)}
    rev = service.propose(people["agent"], template.id, title=template.live.title, body=body,  # type: ignore[union-attr]
                          now=SENT, category="escalation", gloss_zh=template.gloss_zh, submit=True)
    assert rev.status == "submitted"
    (item,) = service.review_items(SENT)
    assert item.findings == ()  # ... an English e-mail only has its placeholders checked
    with pytest.raises(ReviewError, match="unknown placeholder"):
        bad = service.propose(people["agent"], template.id, title="t", body="Dear {buyer}", now=SENT,
                              category="escalation", gloss_zh="", submit=True)
        assert bad is None


def test_the_draft_fills_the_approved_revision_in_effect(db: Database, people: dict[str, int]) -> None:
    clock = Clock()
    templates = TemplateService(db)
    templates.seed_escalation_templates(SENT - timedelta(days=30))
    tickets, ticket_id = late_ticket(db, clock)
    first = tickets.escalation(ticket_id, signature="Li Ming")
    assert (first.template, first.version) == (ESCALATION_SLUG, 1)
    assert first.gloss_zh.startswith("升级邮件")
    for line in ("Shop ID: 123456789", "Ticket number: AM-3", "Sent: 2026-12-01 16:00 MSK (Moscow time)",
                 "Ozon's answer was due: 2026-12-01 18:00 MSK (Moscow time)",
                 "Waiting for an answer: 3 hours", "- shop ID: yes", "- screenshot: missing", "Li Ming"):
        assert line in first.body
    template = next(t for t in templates.templates(SENT) if t.slug == ESCALATION_SLUG)
    new_body = template.live.body.replace("Please have the ticket answered",  # type: ignore[union-attr]
                                          "Please answer ticket {ticket_number} today")
    rev = templates.propose(people["agent"], template.id, title=template.live.title, body=new_body,  # type: ignore[union-attr]
                            now=clock.at, category="escalation", gloss_zh=template.gloss_zh, submit=True)
    assert tickets.escalation(ticket_id).version == 1  # submitted, not approved
    templates.approve(people["lead"], rev.id, clock.at)
    assert tickets.escalation(ticket_id).version == 1  # approved, not yet in effect
    assert rev.effective_at is not None
    clock.at = rev.effective_at
    second = tickets.escalation(ticket_id)
    assert second.version == 2
    assert "Please answer ticket AM-3 today" in second.body


def test_without_an_approved_template_the_draft_says_what_to_do(db: Database, people: dict[str, int]) -> None:
    tickets, ticket_id = late_ticket(db, Clock())
    with pytest.raises(UserError) as refused:
        tickets.escalation(ticket_id)
    assert refused.value.message == ("the escalation template escalation-ticket is not in this database yet: "
                                     "it is added when a team lead starts OzonDesk")
    # A template with a draft only (never approved): a lead has to approve it first.
    TemplateService(db).create(people["lead"], slug="escalation-missing-am", category="escalation",
                               title="Missing AM", body="Seller ID: {seller_id}", now=SENT)
    with pytest.raises(UserError) as refused:
        tickets.missing_am()
    assert refused.value.message == ("no approved template escalation-missing-am: a lead approves it under "
                                     "Review (Templates, category Escalation e-mail to Ozon)")


def test_only_a_confirmed_escalation_is_counted_and_audited(db: Database, people: dict[str, int]) -> None:
    clock = Clock()
    TemplateService(db).seed_escalation_templates(SENT)
    tickets, ticket_id = late_ticket(db, clock)
    tickets.escalation(ticket_id)  # a draft opened or copied counts nothing
    day = SENT.date()
    assert tickets.figures(day, day, clock.at).escalations == 0
    tickets.record_escalation(ticket_id, "li.ming", ESCALATION_SLUG, 1)
    assert tickets.figures(day, day, clock.at).escalations == 1
    assert [(e.event, e.agent, e.note) for e in tickets.history(ticket_id)][-1] == (
        "escalated", "li.ming", "escalation-ticket r1")
    with db.read() as session:
        (entry,) = audit.entries(session, "ticket:AM-3")
    assert (entry.action, entry.agent, entry.detail) == (
        "ticket.escalation_sent", "Li Ming", {"template": "escalation-ticket", "revision": 1})
