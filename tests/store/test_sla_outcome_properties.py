"""Stored SLA outcomes stay equal to a fresh computation whatever writes a conversation sees.

Random event sequences go through the store the ways the desk writes them (ORM messages as
compose and tickets do, Core executemany as sync does, status changes with their history,
first replies, assignment, the order's posting, and a lead's policy edit mid-conversation);
after each transaction every conversation's ``sla_*`` columns must equal the engine's outcome
recomputed from the rows, and a report aggregated in SQL must equal the domain's own tally.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import aliased

from ozondesk.domain import metrics
from ozondesk.domain.clock import MOSCOW, as_utc
from ozondesk.domain.running_deadline import StoredTargets, running
from ozondesk.domain.sla_outcome import StoredConversation, outcome
from ozondesk.services.metrics import MetricsService
from ozondesk.services.policy_edit import PolicyEditService
from ozondesk.store import sla_outcomes
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, Posting, Shop, StatusChange

START = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)  # Monday 09:00 MSK
STORED = (
    "sla_first_due", "sla_first_met_at", "sla_next_due", "sla_resolution_due",
    "sla_resolution_met_at", "sla_breach_reason", "sla_counted_seconds", "sla_policy_revision",
)


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def desk(db: Database) -> Iterator[dict[str, Any]]:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Юэсинь", created_at=naive(START))
        s.add(shop)
        s.flush()
        people = [Agent(shop_id=shop.id, login=lg, display_name=lg, role=r)
                  for lg, r in (("wang", "agent"), ("zhao", "lead"))]
        s.add_all(people)
        s.flush()
        ids = {"shop": shop.id, "wang": people[0].id, "zhao": people[1].id}
    yield {"db": db, **ids, "n": 0}


def recomputed(db: Database) -> dict[int, dict[str, Any]]:
    """Every conversation's outcome computed afresh from its rows (not from the stored columns)."""
    with db.read() as s:
        revisions, newest = sla_outcomes.policy_revisions(s)
        out = {}
        for conv in s.scalars(select(Conversation)):
            posting = s.get(Posting, conv.posting_id) if conv.posting_id else None
            received = as_utc(conv.received_at)
            found = outcome(
                StoredConversation(
                    kind=conv.kind, sla_policy=conv.sla_policy, received_at=received,
                    first_response_at=conv.first_response_at, resolved_at=conv.resolved_at,
                    assigned=conv.assignee_id is not None,
                    waiting_on_warehouse=metrics.warehouse_delay(
                        posting.status if posting else None, posting.eta if posting else None,
                        posting.delivered_at if posting else None, received),
                    messages=[(m.side, m.created_at) for m in s.scalars(
                        select(Message).where(Message.conversation_id == conv.id))],
                    changes=[(c.status, c.at) for c in s.scalars(
                        select(StatusChange).where(StatusChange.conversation_id == conv.id))],
                ),
                revisions,
            )
            out[conv.id] = sla_outcomes.columns(found, newest.get(conv.sla_policy))
        return out


def stored(db: Database) -> dict[int, dict[str, Any]]:
    with db.read() as s:
        rows = s.execute(select(Conversation.id, *(getattr(Conversation, c) for c in STORED))).all()
    return {r[0]: dict(zip(STORED, r[1:], strict=True)) for r in rows}


def same(a: dict[int, dict[str, Any]], b: dict[int, dict[str, Any]]) -> None:
    assert a.keys() == b.keys()
    for cid in a:
        for name in STORED:
            x, y = a[cid][name], b[cid][name]
            if isinstance(x, float) or isinstance(y, float):
                assert x == pytest.approx(y, abs=1e-6), (cid, name)
            elif isinstance(x, datetime) and isinstance(y, datetime):
                # PostgreSQL keeps microseconds, SQLite the same: compare as instants.
                assert as_utc(x) == as_utc(y), (cid, name)
            else:
                assert x == y, (cid, name)


def running_stored(db: Database) -> None:
    """sla_due, what the inbox sorts by, is the running deadline of the stored outcome."""
    with db.read() as s:
        for conv in s.scalars(select(Conversation)):
            found = running(StoredTargets(
                conv.kind, conv.status, conv.sla_first_due, conv.sla_first_met_at, conv.sla_next_due,
                conv.sla_resolution_due, conv.sla_resolution_met_at))
            assert (as_utc(conv.sla_due) if conv.sla_due else None) == (found.due if found else None)


STEP = st.one_of(
    st.tuples(st.sampled_from(["buyer_orm", "buyer_core", "reply", "waiting", "open", "resolved",
                               "assign", "unassign", "warehouse", "delivered", "edit_chat",
                               "edit_resolution"]),
              st.integers(min_value=1, max_value=26 * 60),
              st.integers(min_value=5, max_value=600)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["buyer_chat", "buyer_ticket", "ozon_ticket"]),
    offset=st.integers(min_value=0, max_value=7 * 24 * 60),
    steps=st.lists(STEP, min_size=1, max_size=8),
)
def test_stored_outcomes_equal_recomputed_after_any_writes(
    desk: dict[str, Any], kind: str, offset: int, steps: list[tuple[str, int, int]]
) -> None:
    db: Database = desk["db"]
    desk["n"] += 1
    n = desk["n"]
    policy = {"buyer_chat": "chat-first-response", "buyer_ticket": "verified-support",
              "ozon_ticket": "ozon-ticket"}[kind]
    at = START + timedelta(minutes=offset)
    with db.begin() as s:
        # One conversation per example, so each check stays small (policy revisions do add up).
        s.execute(delete(Conversation))
        posting = Posting(shop_id=desk["shop"], posting_number=f"9-{n}-1", order_number=f"9-{n}",
                          scheme="FBS", status="delivering", eta=naive(at + timedelta(days=1)))
        s.add(posting)
        s.flush()
        conv = Conversation(shop_id=desk["shop"], kind=kind, platform_id=f"p-{n}", sla_policy=policy,
                            received_at=naive(at), posting_id=posting.id, assignee_id=desk["wang"])
        s.add(conv)
        s.flush()
        cid, pid = conv.id, posting.id
        asker = "seller" if kind == "ozon_ticket" else "buyer"
        s.add(Message(conversation_id=cid, side=asker, text="?", created_at=naive(at)))
    same(stored(db), recomputed(db))
    answerer = "buyer" if asker == "seller" else "seller"
    for action, minutes, budget in steps:
        at += timedelta(minutes=minutes)
        if action in ("edit_chat", "edit_resolution"):
            name = policy if action == "edit_chat" else "resolution-48h"
            PolicyEditService(db, clock=lambda at=at: at).set_budget(desk["zhao"], name, budget)
        else:
            with db.begin() as s:
                conv = s.get(Conversation, cid)
                assert conv is not None
                if action == "buyer_orm":
                    s.add(Message(conversation_id=cid, side=asker, text="ещё", created_at=naive(at)))
                elif action == "buyer_core":
                    s.execute(insert(Message), [{"conversation_id": cid, "side": asker, "text": "!",
                                                 "attachments": [], "created_at": naive(at)}])
                elif action == "reply":
                    s.add(Message(conversation_id=cid, side=answerer, text="Ответ", created_at=naive(at)))
                    if conv.first_response_at is None:
                        conv.first_response_at = naive(at)
                elif action in ("waiting", "open", "resolved"):
                    status = "waiting_buyer" if action == "waiting" else action
                    conv.status = status
                    conv.resolved_at = naive(at) if status == "resolved" else None
                    s.add(StatusChange(conversation_id=cid, status=status, at=naive(at)))
                elif action in ("assign", "unassign"):
                    conv.assignee_id = desk["wang"] if action == "assign" else None
                else:
                    posting = s.get(Posting, pid)
                    assert posting is not None
                    posting.status = "awaiting_packaging" if action == "warehouse" else "delivered"
        same(stored(db), recomputed(db))
        running_stored(db)
    # The SQL aggregation over what is stored gives the domain's own figures of the same rows.
    now = at + timedelta(hours=1)
    first = (START.astimezone(MOSCOW)).date()
    last = now.astimezone(MOSCOW).date()
    with db.read() as s:
        who = aliased(Agent)
        facts = [
            metrics.ConversationFacts(
                id=r.id, kind=r.kind, agent=r.login, received_at=as_utc(r.received_at),
                deadline=as_utc(r.sla_first_due) if r.sla_first_due else None,
                first_response_at=as_utc(r.first_response_at) if r.first_response_at else None,
                response_seconds=r.sla_counted_seconds,
                resolved_at=None, out_of_hours=r.sla_breach_reason == "out_of_hours",
                waiting_on_warehouse=r.sla_breach_reason == "waiting_on_warehouse")
            for r in s.execute(select(Conversation.id, Conversation.kind, who.login,
                                      Conversation.received_at, Conversation.sla_first_due,
                                      Conversation.first_response_at, Conversation.sla_counted_seconds,
                                      Conversation.sla_breach_reason)
                               .outerjoin(who, who.id == Conversation.assignee_id))
        ]
    expected = metrics.summarize(facts, now, first, last)
    got = MetricsService(db, clock=lambda: now).report(first, last, now=now)
    for figures, want in ((got.total, expected.total), *(
            (got.kinds[k], expected.kinds[k]) for k in expected.kinds)):
        assert (figures.conversations, figures.due, figures.in_sla, figures.answered,
                figures.breaches) == (want.conversations, want.due, want.in_sla, want.answered,
                                      want.breaches)
        assert figures.median_first_response_s == want.median_first_response_s


def test_a_policy_edit_recomputes_only_running_deadlines(desk: dict[str, Any]) -> None:
    db: Database = desk["db"]
    received = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # Wednesday 10:00 MSK
    with db.begin() as s:
        done = Conversation(shop_id=desk["shop"], kind="buyer_chat", platform_id="done",
                            sla_policy="chat-first-response", received_at=naive(received),
                            first_response_at=naive(received + timedelta(minutes=3)),
                            assignee_id=desk["wang"])
        running = Conversation(shop_id=desk["shop"], kind="buyer_chat", platform_id="running",
                               sla_policy="chat-first-response",
                               received_at=naive(received + timedelta(minutes=10)),
                               assignee_id=desk["wang"])
        s.add_all([done, running])
        s.flush()
        ids = done.id, running.id
    before = stored(db)
    assert as_utc(before[ids[1]]["sla_first_due"]) == received + timedelta(minutes=25)
    # At 10:20 the 15-minute chat budget becomes 60 minutes: the running clock has used 10.
    PolicyEditService(db, clock=lambda: received + timedelta(minutes=20)).set_budget(
        desk["zhao"], "chat-first-response", 60)
    after = stored(db)
    assert as_utc(after[ids[1]]["sla_first_due"]) == received + timedelta(minutes=70)
    assert after[ids[1]]["sla_policy_revision"] > before[ids[1]]["sla_policy_revision"]
    # The answered one's deadline had passed before the edit: only the revision it reflects moves.
    assert {k: v for k, v in after[ids[0]].items() if k != "sla_policy_revision"} == {
        k: v for k, v in before[ids[0]].items() if k != "sla_policy_revision"}
    assert after[ids[0]]["sla_breach_reason"] is None
    same(after, recomputed(db))


def test_a_report_reads_the_stored_outcome_of_a_paused_resolution(desk: dict[str, Any]) -> None:
    """48 hours to resolve count round the clock, minus the time the desk waited for the buyer."""
    db: Database = desk["db"]
    received = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
    with db.begin() as s:
        conv = Conversation(shop_id=desk["shop"], kind="buyer_chat", platform_id="paused",
                            sla_policy="chat-first-response", received_at=naive(received),
                            first_response_at=naive(received + timedelta(minutes=5)),
                            assignee_id=desk["wang"], status="resolved",
                            resolved_at=naive(received + timedelta(hours=50)))
        s.add(conv)
        s.flush()
        s.add_all([
            StatusChange(conversation_id=conv.id, status="waiting_buyer",
                         at=naive(received + timedelta(hours=1))),
            StatusChange(conversation_id=conv.id, status="open", at=naive(received + timedelta(hours=4))),
            StatusChange(conversation_id=conv.id, status="resolved",
                         at=naive(received + timedelta(hours=50))),
        ])
    row = stored(db)
    (only,) = row.values()
    assert as_utc(only["sla_resolution_due"]) == received + timedelta(hours=51)
    now = received + timedelta(days=3)
    day = received.astimezone(MOSCOW).date()
    report = MetricsService(db).report(day, day, now=now)
    assert (report.total.resolution_due, report.total.resolved_48h) == (1, 1)
    assert report.total.resolved_48h_rate == 100.0
    assert report.total.in_sla == 1 and report.total.avg_first_response_s == 300.0
    assert date(2026, 11, 18) == day


def test_moscow_days_across_the_2014_offset_change(desk: dict[str, Any]) -> None:
    """Moscow moved from UTC+4 to UTC+3 on 26 October 2014: a period across it groups by hour
    and still puts each conversation on its Moscow day."""
    db: Database = desk["db"]
    # 20:30 UTC on the 25th is 00:30 on the 26th at +4; 21:30 UTC on the 26th is 00:30 on the 27th at +3.
    for n, received in enumerate((datetime(2014, 10, 25, 20, 30, tzinfo=UTC),
                                  datetime(2014, 10, 26, 21, 30, tzinfo=UTC))):
        with db.begin() as s:
            s.add(Conversation(shop_id=desk["shop"], kind="buyer_chat", platform_id=f"old-{n}",
                               sla_policy="chat-first-response", received_at=naive(received),
                               assignee_id=desk["wang"]))
    report = MetricsService(db).report(date(2014, 10, 20), date(2014, 10, 31),
                                       now=datetime(2014, 11, 5, tzinfo=UTC))
    days = {day: f.conversations for day, f in report.series_for() if f.conversations}
    assert days == {date(2014, 10, 26): 1, date(2014, 10, 27): 1}
