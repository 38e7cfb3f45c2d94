"""Methods the shop's plan lacks (HTTP 403, code 7): recorded per shop and method, skipped with
one line, not called again until the daily re-check, shown per kind for Settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.capabilities import CapabilityGate, plan_summary
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, ReturnRow, ShopCapability

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def caps(db: Database) -> dict[str, tuple[bool, str | None]]:
    with db.begin() as s:
        return {r.method: (r.allowed, r.message) for r in s.scalars(select(ShopCapability))}


def test_a_plan_refusal_is_one_skipped_line_and_not_called_again_for_a_day(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    clock = Clock()
    fake.inject("subscription", "/v3/chat/history", times=1000)
    first = SyncService(db, client, "Yuexin", workers=1, clock=clock).run()
    assert first.errors == [] and not first.aborted
    assert [s.to_dict() for s in first.skipped] == [
        {
            "method": "/v3/chat/history",
            "reason": "not in this shop's Ozon plan (needs Premium Plus or Premium Pro); "
            "checked again after 07.12 12:00 MSK",
        }
    ]
    assert fake.calls["/v3/chat/history"] == 1 and not first.skipped[0].repeat
    assert first.skipped[0].what_to_do == (
        "a plan that includes it can be chosen in the seller cabinet; until then OzonDesk asks "
        "Ozon once a day"
    )
    assert caps(db)["/v3/chat/history"] == (False, "not available with existing subscription")
    assert caps(db)["/v3/chat/list"] == (True, None)

    clock.now = T0 + timedelta(hours=23)
    second = SyncService(db, client, "Yuexin", workers=1, clock=clock).run()
    assert second.errors == [] and [s.method for s in second.skipped] == ["/v3/chat/history"]
    assert fake.calls["/v3/chat/history"] == 1  # skipped without a request
    assert second.skipped[0].repeat  # the sync log shows it once, not every round

    # The plan was upgraded; a day after the refusal the method is tried again, and answers.
    fake.clear_faults()
    clock.now = T0 + timedelta(days=1, seconds=1)
    third = SyncService(db, client, "Yuexin", clock=clock).run()
    assert third.errors == [] and third.skipped == [] and third.created["chats"] == 38
    assert caps(db)["/v3/chat/history"] == (True, None)


def test_a_later_stage_refused_skips_only_that_method_with_one_line(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("subscription", "/v1/returns/list", times=1000)
    report = SyncService(db, client, "Yuexin").run()
    assert report.errors == [] and report.created["products"] > 0
    assert [s.method for s in report.skipped] == ["/v1/returns/list"]
    assert report.skipped[0].reason.startswith("not in this shop's Ozon plan; checked again")
    assert fake.calls["/v1/returns/list"] == 1
    with db.begin() as s:
        assert s.scalars(select(ReturnRow)).first() is None
        # Buyer conversations; the support and manager chats are tickets (#14).
        assert len(s.scalars(select(Conversation).where(Conversation.kind == "buyer_chat")).all()) == 38


def test_the_gate_knows_nothing_of_stages_only_of_paths(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    """A method no stage of today's sync calls (a later stage's) is gated all the same."""
    SyncService(db, client, "Yuexin").run()  # attaches the gate for the shop
    fake.inject("subscription", "/v3/product/info/list", times=5)
    try:
        client.product_info([1])
    except E.NotInPlan as exc:
        assert (exc.path, exc.status, exc.code) == ("/v3/product/info/list", 403, 7)
    else:
        raise AssertionError("the refusal was not raised")
    before = fake.calls["/v3/product/info/list"]
    for _ in range(3):
        try:
            client.product_info([1])
        except E.NotInPlan:
            pass
    assert fake.calls["/v3/product/info/list"] == before


def test_a_bare_403_is_not_taken_for_the_plan(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("forbidden", "/v3/chat/history", times=1000)
    report = SyncService(db, client, "Yuexin").run()
    assert report.aborted and len(report.errors) == 1 and report.skipped == []
    assert "/v3/chat/history" not in caps(db)


def test_settings_summary_lists_each_kind_with_the_plan_it_needs(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    clock = Clock()
    SyncService(db, client, "Yuexin", clock=clock).run()
    gate = CapabilityGate(db, _shop_id(db), clock)
    gate.refused("/v2/review/list", E.SubscriptionRequired(
        "Method is not available with existing subscription", status=403, code=7))
    rows = {k.label: (k.state, k.needs, k.checked_at) for k in plan_summary(db, "Yuexin")}
    assert rows == {
        "Buyer chat history": ("allowed", "Premium Plus or Premium Pro", T0),
        "Replies in buyer chats": ("unknown", "Premium Plus or Premium Pro", None),
        "Product questions": ("allowed", "Premium Plus", T0),  # the sync's questions stage
        "Reviews": ("denied", "the review-management subscription or Premium Pro", T0),
        # The sync's decision stage read both lists (services/sync_decisions.py).
        "rFBS return requests": ("allowed", None, T0),
        "Conditional cancellations": ("allowed", None, T0),
    }
    assert plan_summary(db, "no such shop")[0].state == "unknown"


def _shop_id(db: Database) -> int:
    from ozondesk.store.repos import capabilities as repo

    with db.begin() as s:
        shop_id = repo.shop_id(s, "Yuexin")
    assert shop_id is not None
    return shop_id
