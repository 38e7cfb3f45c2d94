"""Which stored deadline a conversation's countdown runs to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ozondesk.domain.running_deadline import RunningDeadline, StoredTargets, running, target_policy

T = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
H = timedelta(hours=1)


def stored(kind: str = "buyer_chat", status: str = "open", **kw: object) -> StoredTargets:
    base: dict[str, object] = dict(first_due=T + H, first_met_at=None, next_due=None,
                                   resolution_due=T + 48 * H, resolution_met_at=None)
    base.update(kw)
    return StoredTargets(kind, status, **base)  # type: ignore[arg-type]


def test_the_earliest_pending_target_runs() -> None:
    assert running(stored()) == RunningDeadline("first-response", T + H)
    assert running(stored(first_met_at=T)) == RunningDeadline("resolution", T + 48 * H)
    assert running(stored(first_met_at=T, next_due=T + 3 * H)) == RunningDeadline("next-response", T + 3 * H)
    # A late first response still runs (breached) until it is met.
    assert running(stored(first_due=T + 50 * H)) == RunningDeadline("resolution", T + 48 * H)


def test_nothing_runs_unless_open_or_with_every_target_met() -> None:
    for status in ("waiting_buyer", "resolved", "closed"):
        assert running(stored(status=status)) is None
    assert running(stored(first_met_at=T, resolution_met_at=T + H)) is None


def test_public_answers_and_ozon_tickets_have_no_resolution_countdown() -> None:
    for kind in ("question", "review", "ozon_ticket", "account_manager"):
        assert running(stored(kind)) == RunningDeadline("first-response", T + H)
        assert running(stored(kind, first_met_at=T)) is None


def test_the_platforms_own_decision_time_caps_a_return_or_cancellation() -> None:
    early = stored("cancellation", auto_decision_at=T + 0.5 * H)
    assert running(early) == RunningDeadline("first-response", T + 0.5 * H)
    assert running(stored("return_request", auto_decision_at=T + 5 * H)) == RunningDeadline(
        "first-response", T + H)
    # A buyer chat has no such cap.
    assert running(stored(auto_decision_at=T)) == RunningDeadline("first-response", T + H)


def test_each_target_counts_on_the_policy_the_engine_used() -> None:
    assert target_policy("chat-first-response", "first-response") == "chat-first-response"
    assert target_policy("chat-first-response", "next-response") == "chat-first-response"
    assert target_policy("chat-first-response", "resolution") == "resolution-48h"
