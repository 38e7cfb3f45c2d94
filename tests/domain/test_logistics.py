from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozondesk.domain.clock import MOSCOW, msk_date
from ozondesk.domain.logistics import LOST_AFTER_DAYS, Shipment, suggest
from ozondesk.domain.review import PRODUCTION_CALENDAR
from ozondesk.domain.templates import PLACEHOLDERS, fill_template

STARTER = {
    t["id"]: t["body"]
    for t in json.loads(
        (Path(__file__).resolve().parents[2] / "resources/templates/starter-ru.json").read_text("utf-8")
    )["templates"]
}
# What services/template_context.py fills from any conversation with a posting and a running target.
CONVERSATION_FILLS = {"buyer_name", "order_number", "posting_number", "tracking_number", "eta_date", "eta_in",
                      "deadline_msk", "deadline_date", "sku_name", "sku"}


def msk(month: int, day: int, hh: int = 12, mm: int = 0, year: int = 2026) -> datetime:
    return MOSCOW.localize(datetime(year, month, day, hh, mm)).astimezone(UTC)


NOW = msk(11, 23, 12)  # Monday 23 November 2026, noon MSK


def shipment(**kw: object) -> Shipment:
    base: dict[str, object] = {"scheme": "FBS", "status": "delivering", "carrier_status": "В пути",
                               "tracking_number": "OZ123RU", "shipped_at": msk(11, 18), "eta": msk(11, 27)}
    base.update(kw)
    return Shipment(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "branch", "slug"),
    [
        ({"status": "awaiting_packaging", "shipped_at": None, "tracking_number": None}, "assembling",
         "order-being-assembled"),
        ({"status": "awaiting_deliver", "carrier_status": "Собран, ждёт отгрузки", "shipped_at": None}, "assembling",
         "order-being-assembled"),
        ({}, "in-transit", "order-tracking"),
        ({"scheme": "FBO", "tracking_number": None}, "in-transit", "order-shipped"),
        ({"carrier_status": "Прибыл в пункт выдачи"}, "pickup-point", "order-at-pickup-point"),
        ({"warehouse_status": "Ожидает получения в ПВЗ"}, "pickup-point", "order-at-pickup-point"),
        ({"eta": msk(11, 20), "carrier_status": "Задерживается на таможне"}, "customs", "delay-customs"),
        ({"eta": msk(11, 20)}, "sorting", "delay-sorting-center"),
        ({"eta": msk(11, 20), "shipped_at": msk(11, 2)}, "lost", "delay-lost-parcel"),
        ({"status": "delivered", "delivered_at": msk(11, 21)}, "delivered", None),
        ({"status": "cancelled"}, "cancelled", None),
        ({"eta": None}, "no-eta", None),
        ({"status": "arbitration", "shipped_at": None}, "unknown", None),
    ],
)
def test_decision_tree_branches(kw: dict[str, object], branch: str, slug: str | None) -> None:
    s = suggest(shipment(**kw), NOW)
    assert (s.branch, s.slug) == (branch, slug)
    assert s.reason and "\n" not in s.reason


def test_in_transit_gives_the_eta_and_days_left() -> None:
    s = suggest(shipment(), NOW)
    assert s.values == {"eta_date": date(2026, 11, 27), "eta_in": 4}
    assert "27.11.2026" in s.reason


def test_due_today_gives_the_date_without_a_countdown() -> None:
    s = suggest(shipment(eta=msk(11, 23, 20)), NOW)
    assert s.slug == "order-shipped" and s.values == {"eta_date": date(2026, 11, 23)}


def test_eta_day_is_the_moscow_day() -> None:
    # 22:30 UTC on the 22nd is already the 23rd in Moscow: due today, not late.
    s = suggest(shipment(eta=datetime(2026, 11, 22, 22, 30, tzinfo=UTC)), NOW)
    assert s.branch == "in-transit"


def test_customs_delay_gives_a_new_date_in_working_days() -> None:
    s = suggest(shipment(eta=msk(11, 20), carrier_status="Задерживается на таможне"), NOW)
    # Five working days after Monday 23 November: Monday 30 November.
    assert s.values == {"eta_date": date(2026, 11, 30)}
    assert "30.11.2026" in s.reason and "20.11.2026" in s.reason


def test_customs_new_date_skips_the_new_year_holidays() -> None:
    now = msk(12, 29, year=2026)
    s = suggest(shipment(eta=msk(12, 25), shipped_at=msk(12, 22), carrier_status="Таможенное оформление, задержка"), now)
    expected = PRODUCTION_CALENDAR.add_working_days(date(2026, 12, 29), 5)
    assert s.values["eta_date"] == expected
    assert expected >= date(2027, 1, 9)  # the January holidays are not working days


def test_customs_hold_announced_before_the_eta_keeps_the_later_date() -> None:
    s = suggest(shipment(eta=msk(12, 10), carrier_status="Задержка на таможне"), NOW)
    assert s.slug == "delay-customs" and s.values["eta_date"] == date(2026, 12, 10)


def test_customs_in_transit_without_delay_is_still_on_time() -> None:
    s = suggest(shipment(carrier_status="Прошёл таможенное оформление"), NOW)
    assert s.slug == "order-tracking"


def test_lost_parcel_needs_ten_days_without_movement() -> None:
    late = {"eta": msk(11, 20)}
    just = suggest(shipment(shipped_at=NOW - timedelta(days=LOST_AFTER_DAYS), **late), NOW)
    not_yet = suggest(shipment(shipped_at=NOW - timedelta(days=LOST_AFTER_DAYS) + timedelta(minutes=1), **late), NOW)
    moved = suggest(shipment(shipped_at=msk(11, 2), last_movement_at=msk(11, 21), **late), NOW)
    assert just.slug == "delay-lost-parcel"
    assert not_yet.slug == moved.slug == "delay-sorting-center"


def test_lost_parcel_offers_the_amount_paid() -> None:
    s = suggest(shipment(eta=msk(11, 20), shipped_at=msk(11, 2), amount=Decimal("2280.00")), NOW)
    assert s.values == {"refund_amount": Decimal("2280.00")}


def test_lost_parcel_without_tracking_number_is_a_sorting_delay() -> None:
    # The lost-parcel template quotes the tracking number; FBO postings have none.
    s = suggest(shipment(eta=msk(11, 20), shipped_at=msk(11, 2), tracking_number=None, scheme="FBO"), NOW)
    assert s.slug == "delay-sorting-center"


def test_not_shipped_past_eta_asks_for_an_apology() -> None:
    on_time = suggest(shipment(status="awaiting_packaging", shipped_at=None), NOW)
    late = suggest(shipment(status="awaiting_packaging", shipped_at=None, eta=msk(11, 21)), NOW)
    assert on_time.slug == late.slug == "order-being-assembled"
    assert "24" in on_time.reason and "21.11.2026" in late.reason and "21.11.2026" not in on_time.reason


def test_delivered_beats_a_stale_carrier_status() -> None:
    s = suggest(shipment(status="delivering", delivered_at=msk(11, 22), carrier_status="В пути"), NOW)
    assert s.branch == "delivered" and "22.11.2026" in s.reason


def test_no_suggestion_overrides_the_sla_deadline() -> None:
    cases = [shipment(), shipment(eta=msk(11, 20)), shipment(eta=msk(11, 20), carrier_status="таможня"),
             shipment(eta=msk(11, 20), shipped_at=msk(11, 1)), shipment(status="awaiting_deliver")]
    for case in cases:
        assert "deadline_msk" not in suggest(case, NOW).values


STATUSES = ["awaiting_registration", "awaiting_packaging", "awaiting_deliver", "delivering", "driver_pickup",
            "delivered", "cancelled", "not_accepted", "arbitration", "sent_by_seller"]
CARRIER = [None, "В пути", "Задерживается на таможне", "Таможенное оформление", "Прибыл в пункт выдачи",
           "Передан перевозчику", "Доставлен"]
# Now within two months around the New Year holidays; shipping and ETA a few weeks either side of it.
instants = st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC))
offsets = st.none() | st.integers(min_value=-30 * 24, max_value=30 * 24).map(lambda h: timedelta(hours=h))


@given(
    status=st.sampled_from(STATUSES), carrier=st.sampled_from(CARRIER), scheme=st.sampled_from(["FBO", "FBS", "rFBS"]),
    tracking=st.sampled_from([None, "OZ1RU"]), shipped=offsets, eta=offsets, now=instants,
    amount=st.none() | st.decimals(min_value=0, max_value=100_000, places=2),
)
def test_every_suggestion_fits_its_template(
    status: str, carrier: str | None, scheme: str, tracking: str | None, shipped: timedelta | None,
    eta: timedelta | None, now: datetime, amount: Decimal | None,
) -> None:
    at = {name: now + offset if offset is not None else None for name, offset in (("shipped", shipped), ("eta", eta))}
    delivered = now - timedelta(days=1) if status == "delivered" else None
    s = suggest(Shipment(scheme, status, carrier, None, tracking, at["shipped"], at["eta"], delivered, None, amount),
                now)
    assert s.reason and "\n" not in s.reason
    if s.slug is None:
        assert not s.values
        return
    body = STARTER[s.slug]
    for name, value in s.values.items():
        assert name in PLACEHOLDERS and "{" + name + "}" in body  # only values the template uses
        if name == "eta_date":
            assert value >= msk_date(now) or value == msk_date(at["eta"] or now)
    if s.slug == "order-tracking":
        assert tracking and s.values["eta_in"] >= 1
    if s.slug == "delay-lost-parcel" and amount:
        assert s.values["refund_amount"] == amount
    # The rendered template leaves only what the conversation fills, or facts the agent must look up.
    filled = fill_template(body, dict(s.values), now)
    assert set(filled.unfilled) <= CONVERSATION_FILLS | {"pickup_point", "storage_days", "refund_amount"}
