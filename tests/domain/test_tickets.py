"""The pure rules of tickets to Ozon: policy by kind and category, evidence, Ozon's clock,
the escalation e-mail's fixed subject formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ozondesk.domain import tickets as T
from ozondesk.domain.escalation import (
    EmailTemplate,
    escalation_draft,
    missing_am_draft,
    subject_token,
    waited_text,
)
from ozondesk.domain.packs import load_escalation_pack
from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store.repos.ticket_sync import ozon_clock

AT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # Tuesday 10:00 MSK


@pytest.mark.parametrize(("kind", "category", "policy"), [
    ("support", "logistics", "ozon-ticket"),
    ("support", "account-freeze", "ozon-ticket-urgent"),
    ("support", "failed-withdrawal", "ozon-ticket-urgent"),
    ("email", "payment-hold", "ozon-ticket-urgent"),
    ("urgent", "other", "ozon-ticket-urgent"),
    ("consult", "account-freeze", "ozon-ticket-consult"),
    ("am", "payment-hold", "am-first-response"),
])
def test_policy_from_kind_and_category(kind: str, category: str, policy: str) -> None:
    assert T.policy_for(kind, category) == policy
    assert policy in DEFAULT_POLICIES


def test_the_five_ticket_only_matters_are_categories_and_refused_by_email() -> None:
    assert set(T.TICKET_ONLY) == {"account-freeze", "failed-withdrawal", "delisting-appeal",
                                  "tracking-anomaly", "promotion-dispute"}
    assert set(T.TICKET_ONLY) <= set(T.CATEGORIES) and set(T.CATEGORIES) == set(T.PROBLEM_TYPES)
    for category in T.TICKET_ONLY:
        T.check_kind_and_category("support", category)
        with pytest.raises(T.UserError, match="goes through a Seller Center ticket, not e-mail"):
            T.check_kind_and_category("email", category)


def test_each_missing_item_of_evidence_is_named_in_order() -> None:
    assert T.missing_evidence(T.Evidence(None, (), None, 0)) == [
        "shop_id", "order_number", "error_code", "screenshot"]
    assert T.missing_evidence(T.Evidence(" ", ("1-1",), "E1", 0)) == ["shop_id", "screenshot"]
    assert T.missing_evidence(T.Evidence("123", ("1-1",), "E1", 2)) == []


def test_ozons_clock_runs_from_the_oldest_unanswered_question() -> None:
    m = [AT + timedelta(minutes=n) for n in range(6)]
    assert ozon_clock([]) == (None, None, None)
    assert ozon_clock([(m[0], "platform")]) == (None, None, None)  # a notice, nothing asked
    assert ozon_clock([(m[0], "seller"), (m[1], "seller")]) == (m[0], None, None)
    assert ozon_clock([(m[0], "seller"), (m[1], "platform"), (m[2], "platform")]) == (m[0], m[1], m[1])
    assert ozon_clock([(m[0], "seller"), (m[1], "platform"), (m[2], "seller"), (m[3], "seller")]) == (
        m[2], None, m[1])


def test_the_ticket_clock_states() -> None:
    policy = DEFAULT_POLICIES["ozon-ticket"]
    assert T.ticket_clock(policy, "draft", None, None, AT) == T.TicketClock("draft", None, None)
    due = AT + timedelta(hours=4)
    assert T.ticket_clock(policy, "pending_review", AT, None, AT) == T.TicketClock("waiting", due, 0)
    assert T.ticket_clock(policy, "in_progress", AT, None, due).state == "late"
    assert T.ticket_clock(policy, "answered", AT, AT + timedelta(hours=1), due) == T.TicketClock(
        "answered", due, None)
    assert T.ticket_clock(policy, "closed", AT, None, due).state == "closed"
    clock = T.ticket_clock(policy, "in_progress", AT, None, due - timedelta(seconds=1))
    assert not T.escalation_due(clock, due - timedelta(seconds=1))
    assert T.escalation_due(T.ticket_clock(policy, "in_progress", AT, None, due), due)


def shipped(slug: str) -> EmailTemplate:
    template = load_escalation_pack().get(slug)
    assert template is not None
    return EmailTemplate(slug, 1, template.body, template.gloss_zh)


def test_escalation_subject_and_missing_am_subject_follow_the_platforms_format() -> None:
    draft = escalation_draft(
        shipped("escalation-ticket"), to="", shop_id="123456789", problem_type="PaymentHold", ticket_number="SR-1", what="ticket SR-1",
        question="Funds on hold", orders=["12345678-0001"], error_code=None, asked_at=AT,
        due_at=AT + timedelta(hours=2), now=AT + timedelta(days=1, hours=3, minutes=5),
        evidence=["screenshot: yes"], signature="")
    assert draft.subject == "Escalation Request: SELLER-CHN-123456789-PaymentHold"
    assert "Waiting for an answer: 1 day 3 hours 5 minutes" in draft.body
    assert draft.mailto().startswith("mailto:?subject=Escalation%20Request%3A%20SELLER-CHN-123456789-PaymentHold&body=")
    assert "Orders: 12345678-0001\nError code: none\n" in draft.body
    assert draft.body.endswith("Best regards,\nSeller support team\n")
    assert missing_am_draft(shipped("escalation-missing-am"), to="x@example.com", seller_id="987654", shop_name="S", now=AT,
                            signature="").subject == "Missing AM 987654"
    assert subject_token("12 34/5") == "12345" and subject_token("—") == "unknown"
    assert waited_text(timedelta(seconds=59)) == "0 minutes"
