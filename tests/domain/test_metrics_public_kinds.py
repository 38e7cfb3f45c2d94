"""Product questions and reviews in the figures: a row each under their own policy, never in
the headline (the platform rates the shop's chats, not its answers on product pages)."""

from __future__ import annotations

from datetime import date, datetime

from ozondesk.domain import metrics
from ozondesk.domain.clock import MOSCOW, as_utc
from ozondesk.domain.policies import DEFAULT_POLICIES

QUESTION = DEFAULT_POLICIES["question-answer"]
REVIEW = DEFAULT_POLICIES["review-comment"]
CHAT = DEFAULT_POLICIES["chat-first-response"]


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return as_utc(MOSCOW.localize(datetime(2026, 11, day, hh, mm)))


def facts(id: int, kind: str, policy: object, received: datetime,
          reply: datetime | None) -> metrics.ConversationFacts:
    return metrics.conversation_facts(
        id=id, kind=kind, agent="wang", policy=policy, received_at=received,
        first_response_at=reply, resolved_at=None, waiting_on_warehouse=False,
    )


def test_questions_and_reviews_have_their_own_rows_and_stay_out_of_the_headline() -> None:
    rows = [
        facts(1, "buyer_chat", CHAT, msk(19, 10), msk(19, 10, 5)),
        # Asked at 22:00: the 4 desk hours run 22:00-23:00 and 09:00-12:00, answered 11:00 (in SLA).
        facts(2, "question", QUESTION, msk(19, 22), msk(20, 11)),
        # Asked at 10:00, answered 15:00: 5 desk hours, a breach.
        facts(3, "question", QUESTION, msk(19, 10), msk(19, 15)),
        # A review at 10:00 on the 19th answered the next day at 09:00: 23 h of 24, in SLA.
        facts(4, "review", REVIEW, msk(19, 10), msk(20, 9)),
    ]
    report = metrics.summarize(rows, msk(20, 20), date(2026, 11, 19), date(2026, 11, 20))
    assert list(report.kinds) == ["buyer_chat", "question", "review"]
    question, review = report.kinds["question"], report.kinds["review"]
    assert (question.conversations, question.due, question.in_sla, question.frr) == (2, 2, 1, 50.0)
    assert question.median_first_response_s == (3 * 3600 + 5 * 3600) / 2
    assert (review.conversations, review.in_sla, review.frr) == (1, 1, 100.0)
    assert review.avg_first_response_s == 23 * 3600
    assert report.total.conversations == 1  # the chat only
    assert metrics.report_dict(report, {})["kinds"]["question"]["frr"] == 50.0


def test_a_kind_this_version_does_not_know_still_gets_a_row() -> None:
    rows = [facts(1, "return_request", CHAT, msk(19, 10), msk(19, 10, 5))]
    report = metrics.summarize(rows, msk(20, 20), date(2026, 11, 19), date(2026, 11, 20))
    assert list(report.kinds) == ["return_request"]
