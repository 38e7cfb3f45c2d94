"""The metrics service on a real database: stored rows in, the domain's figures out; roles; template uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.roles import PermissionDenied
from ozondesk.errors import UserError
from ozondesk.services.compose import ComposeService, newest_incoming_id
from ozondesk.services.conversation import ConversationService
from ozondesk.services.metrics import MetricsService
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Agent,
    Conversation,
    Message,
    Posting,
    PresenceEventRow,
    ReplyTemplate,
    Shop,
    TemplateRevision,
    TemplateUse,
)

DAY = date(2026, 11, 19)


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


NOW = msk(20, 12)


class Desk:
    """A shop with an agent (wang), a lead (zhao) and a trainer (sun)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.begin() as s:
            shop = Shop(ozon_seller_id="1", name="Юэсинь", created_at=naive(msk(1, 9)))
            s.add(shop)
            s.flush()
            self.shop_id = shop.id
            people = [Agent(shop_id=shop.id, login=lg, display_name=n, role=r)
                      for lg, n, r in (("wang", "王芳", "agent"), ("zhao", "赵婷", "lead"),
                                       ("sun", "孙强", "trainer"))]
            s.add_all(people)
            s.flush()
            self.ids = {a.login: a.id for a in people}
        self.count = 0

    def conversation(
        self,
        received: datetime,
        reply: datetime | None,
        agent: str | None = "wang",
        *,
        kind: str = "buyer_chat",
        policy: str = "chat-first-response",
        posting_status: str = "delivered",
        resolved: datetime | None = None,
    ) -> int:
        self.count += 1
        with self.db.begin() as s:
            posting = Posting(shop_id=self.shop_id, posting_number=f"123-{self.count:04d}-1",
                              order_number=f"123-{self.count:04d}", scheme="FBO",
                              status=posting_status)
            s.add(posting)
            s.flush()
            conv = Conversation(
                shop_id=self.shop_id, kind=kind, platform_id=f"chat-{self.count}", buyer_name="Анна",
                sla_policy=policy, received_at=naive(received), posting_id=posting.id,
                assignee_id=self.ids[agent] if agent else None,
                first_response_at=naive(reply) if reply else None,
                resolved_at=naive(resolved) if resolved else None,
                status="resolved" if resolved else "open",
            )
            s.add(conv)
            s.flush()
            s.add(Message(conversation_id=conv.id, side="buyer", text="Где мой заказ?",
                          created_at=naive(received)))
            return conv.id


def fill(desk: Desk) -> None:
    desk.conversation(msk(19, 10), msk(19, 10, 5), resolved=msk(19, 11))  # in SLA, 300 s
    desk.conversation(msk(19, 10), msk(19, 10, 20))  # slow reply, 1200 s
    desk.conversation(msk(19, 23, 30), msk(20, 9, 20))  # out of hours, 1200 s counted
    desk.conversation(msk(19, 11), None, agent=None)  # unassigned, overdue
    desk.conversation(msk(20, 11, 50), None)  # deadline 12:05: not due yet
    desk.conversation(msk(19, 12), msk(19, 12, 30), posting_status="awaiting_packaging")
    desk.conversation(msk(19, 10), msk(19, 13), kind="ozon_ticket", policy="ozon-ticket")
    desk.conversation(msk(18, 23, 59), None)  # the day before the period


def test_report_from_stored_rows(db: Database) -> None:
    desk = Desk(db)
    fill(desk)
    report = MetricsService(db, clock=lambda: NOW).report(DAY, date(2026, 11, 20))
    t = report.total
    assert (t.conversations, t.due, t.in_sla, t.answered) == (6, 5, 1, 4)
    assert (t.frr, t.response_rate, t.commission_penalty_pct) == (20.0, 80.0, 0.5)
    assert (t.avg_first_response_s, t.median_first_response_s, t.p90_first_response_s) == (1125, 1200, 1800)
    assert dict(t.breaches) == {
        "out_of_hours": 1, "unassigned": 1, "waiting_on_warehouse": 1, "slow_reply": 1,
    }
    assert list(report.agents) == ["wang", None]
    assert report.kinds["ozon_ticket"].conversations == 1
    # A day earlier the 23:59 conversation is in, and it is overdue.
    earlier = MetricsService(db, clock=lambda: NOW).report(date(2026, 11, 18), date(2026, 11, 18))
    assert (earlier.total.conversations, earlier.total.due, earlier.total.frr) == (1, 1, 0.0)


def test_dashboard_is_for_leads_only(db: Database) -> None:
    desk = Desk(db)
    fill(desk)
    service = MetricsService(db, clock=lambda: NOW)
    with pytest.raises(PermissionDenied, match="team lead"):
        service.dashboard(desk.ids["wang"], DAY, DAY)
    with pytest.raises(PermissionDenied, match="team lead"):
        service.dashboard(desk.ids["sun"], DAY, DAY)
    with pytest.raises(PermissionDenied, match="does not exist"):
        service.dashboard(9999, DAY, DAY)
    data = service.dashboard(desk.ids["zhao"], DAY, date(2026, 11, 20), "week")
    assert data.report.total.conversations == 6
    assert data.agent_names == {"wang": "王芳", "zhao": "赵婷", "sun": "孙强"}
    assert [d for d, _ in data.report.series_for()] == [date(2026, 11, 16)]


def test_bad_periods_are_refused(db: Database) -> None:
    service = MetricsService(db, clock=lambda: NOW)
    with pytest.raises(UserError, match="swap the dates"):
        service.report(date(2026, 11, 20), DAY)
    with pytest.raises(UserError, match="at most 366 days"):
        service.report(date(2020, 1, 1), DAY)


def test_coverage_from_stored_presence(db: Database) -> None:
    desk = Desk(db)
    with db.begin() as s:
        for login, status, at in (("wang", "online", msk(19, 9)), ("wang", "offline", msk(19, 9, 30)),
                                  ("zhao", "online", msk(19, 9, 45)), ("zhao", "offline", msk(19, 10))):
            s.add(PresenceEventRow(agent_id=desk.ids[login], status=status, at=naive(at)))
    service = MetricsService(db, clock=lambda: NOW)
    everyone = service.dashboard(desk.ids["zhao"], DAY, DAY).coverage
    assert everyone.value(DAY, 9) == 0.75 and everyone.value(DAY, 10) == 0.0
    only_wang = service.dashboard(desk.ids["zhao"], DAY, DAY, agent="wang").coverage
    assert only_wang.value(DAY, 9) == 0.5
    unassigned = service.dashboard(desk.ids["zhao"], DAY, DAY, agent=None).coverage
    assert unassigned == everyone


def live_template(db: Database, body: str) -> int:
    with db.begin() as s:
        t = ReplyTemplate(slug="eta", category="order-status", tags=[], gloss_zh="", channel="chat",
                          language="ru", usage_count=0, archived=False, created_at=naive(msk(1, 9)))
        s.add(t)
        s.flush()
        s.add_all([
            TemplateRevision(template_id=t.id, number=1, title="Срок", body="старый {buyer_name}",
                             status="approved", created_at=naive(msk(1, 9)), effective_at=naive(msk(2, 9))),
            TemplateRevision(template_id=t.id, number=2, title="Срок доставки", body=body,
                             status="approved", created_at=naive(msk(3, 9)), effective_at=naive(msk(5, 9))),
            TemplateRevision(template_id=t.id, number=3, title="Будущее", body="не в силе",
                             status="approved", created_at=naive(msk(3, 9)),
                             effective_at=naive(msk(28, 9))),
        ])
        return t.id


def test_send_records_the_template_use_in_the_same_transaction(db: Database) -> None:
    desk = Desk(db)
    cid = desk.conversation(NOW - timedelta(minutes=5), None)
    live_template(db, "Здравствуйте, {buyer_name}! Заказ {posting_number} в пути. {agent_name}")
    filled = "Здравствуйте, Анна! Заказ 123-0001-1 в пути. 王芳"
    sent = filled.replace("в пути", "уже в пути") + " Спасибо!"  # "уже " and " Спасибо!": 4 + 9 added
    compose = ComposeService(db, clock=lambda: NOW)
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    outcome = compose.send(cid, sent, desk.ids["wang"], seen, "eta")
    assert outcome.queued is not None
    with db.begin() as s:
        use = s.scalars(select(TemplateUse)).one()
        revision = s.get(TemplateRevision, use.revision_id)
        assert revision is not None and revision.number == 2  # the live one, not the future one
        assert (use.conversation_id, use.message_id, use.agent_id) == (
            cid, outcome.queued.message_id, desk.ids["wang"])
        assert use.inserted_chars == len(filled)
        assert use.edit_distance == 13
        assert use.used_at == naive(NOW)
        assert s.scalar(select(ReplyTemplate.usage_count)) == 1
    data = MetricsService(db, clock=lambda: NOW).dashboard(desk.ids["zhao"], date(2026, 11, 20),
                                                           date(2026, 11, 20))
    (figures,) = data.templates
    assert (figures.slug, figures.title, figures.uses, figures.unchanged) == ("eta", "Срок доставки", 1, 0)
    assert figures.edit_ratio == 13 / len(filled)
    assert data.report.total.conversations == 1


def test_a_stopped_send_records_no_use(db: Database) -> None:
    desk = Desk(db)
    cid = desk.conversation(NOW - timedelta(minutes=5), None)
    live_template(db, "Здравствуйте!")
    compose = ComposeService(db, clock=lambda: NOW)
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    with db.begin() as s:
        s.add(Message(conversation_id=cid, side="buyer", text="Ещё вопрос", created_at=naive(NOW)))
    assert compose.send(cid, "Здравствуйте!", desk.ids["wang"], seen, "eta").queued is None
    with db.begin() as s:
        assert s.scalars(select(TemplateUse)).all() == []
        assert s.scalar(select(ReplyTemplate.usage_count)) == 0


def test_the_demo_database_makes_a_meaningful_dashboard(db: Database) -> None:
    from ozondesk.services.demo import generate

    now = msk(23, 9)
    generate(db, size=600, now=now)
    with db.begin() as s:
        lead = s.scalar(select(Agent.id).where(Agent.role == "lead"))
    assert lead is not None
    data = MetricsService(db, clock=lambda: now).dashboard(lead, date(2026, 11, 1), date(2026, 11, 23))
    total = data.report.total
    assert all(n > 0 for n in total.breaches.values()), total.breaches
    assert total.frr is not None and 50 < total.frr < 100
    from ozondesk.services.demo_data import AGENTS

    # Every agent of the demo desk answered someone; None holds the unassigned conversations.
    assert set(data.report.agents) == {login for login, _name, role in AGENTS if role == "agent"} | {None}
    assert data.templates and sum(t.uses for t in data.templates) > 100
    assert any(t.unchanged < t.uses for t in data.templates) and any(t.unchanged for t in data.templates)
    covered = [v for row in data.coverage.cells for v in row if v is not None]
    assert min(covered) < 0.5 and max(covered) == 1.0
    with db.begin() as s:
        use = s.scalars(select(TemplateUse)).first()
        assert use is not None and use.message_id is not None
        message = s.get(Message, use.message_id)
        assert message is not None and message.side == "seller"
        assert message.conversation_id == use.conversation_id


def test_the_desk_stores_new_rows_after_the_demo(db: Database) -> None:
    """The demo writes explicit ids; the next rows the desk stores still get fresh ones."""
    from ozondesk.services.demo import generate

    stats = generate(db, size=20, now=NOW)
    with db.begin() as s:
        shop_id = s.scalar(select(Shop.id))
        posting = Posting(shop_id=shop_id, posting_number="new-1", scheme="FBO", status="delivered")
        conv = Conversation(shop_id=shop_id, kind="buyer_chat", platform_id="new", sla_policy="chat-first-response",
                            received_at=naive(NOW))
        s.add_all([posting, conv])
        s.flush()
        message = Message(conversation_id=conv.id, side="buyer", text="Здравствуйте", created_at=naive(NOW))
        s.add(message)
        s.flush()
        assert (posting.id, conv.id) == (stats.postings + 1, stats.conversations + 1)
        assert message.id == stats.messages + 1
