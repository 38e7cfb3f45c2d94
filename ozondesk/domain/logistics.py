"""Which logistics answer fits a posting now: a small decision tree over its state and dates.

The answer is a starter template slug, a one-line reason for the agent, and the
placeholder values the template needs beyond what the conversation fills (a new
delivery date, a refund amount). Dates are Moscow dates; a new date is counted in
working days of the Russian production calendar.

Nothing here overrides ``deadline_msk``: the composer's linter refuses a promise that
lies after the conversation's SLA deadline, so promises keep that deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from ozondesk.domain.calendar import BusinessCalendar
from ozondesk.domain.clock import as_utc, msk_date
from ozondesk.domain.review import PRODUCTION_CALENDAR
from ozondesk.i18n import _

Branch = Literal[
    "assembling", "in-transit", "pickup-point", "customs", "sorting", "lost",
    "delivered", "cancelled", "no-eta", "unknown",
]

# Ozon posting statuses before the parcel leaves the warehouse.
NOT_SHIPPED = frozenset({
    "awaiting_registration", "acceptance_in_progress", "awaiting_approve",
    "awaiting_packaging", "awaiting_deliver",
})
IN_TRANSIT = frozenset({"delivering", "driver_pickup", "sent_by_seller"})
CANCELLED = frozenset({"cancelled", "not_accepted"})
# Words of carrier or warehouse statuses (lower case, ё as е); Ozon has no posting status for these.
PICKUP_WORDS = ("пункт выдачи", "пвз", "постамат", "ожидает получения", "pickup")
CUSTOMS_WORDS = ("тамож", "customs", "clearance")
DELAY_WORDS = ("задерж", "delay")

LOST_AFTER_DAYS = 10  # the delay-lost-parcel template says «не обновлялся больше 10 дней»
CUSTOMS_EXTRA_WORKING_DAYS = 5


@dataclass(frozen=True)
class Shipment:
    """What the store knows of a posting. ``last_movement_at`` is the newest tracking event known."""

    scheme: str
    status: str
    carrier_status: str | None = None
    warehouse_status: str | None = None
    tracking_number: str | None = None
    shipped_at: datetime | None = None
    eta: datetime | None = None
    delivered_at: datetime | None = None
    last_movement_at: datetime | None = None
    amount: Decimal | None = None  # what the buyer paid for the posting, for a refund promise


@dataclass(frozen=True)
class Suggestion:
    """``slug`` is None when no logistics template fits; ``reason`` says why either way."""

    branch: Branch
    slug: str | None
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)


def _has(text: str | None, words: tuple[str, ...]) -> bool:
    folded = (text or "").lower().replace("ё", "е")
    return any(w in folded for w in words)


def _states(s: Shipment) -> str:
    return f"{s.carrier_status or ''} {s.warehouse_status or ''}"


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def suggest(
    shipment: Shipment, now: datetime, calendar: BusinessCalendar = PRODUCTION_CALENDAR
) -> Suggestion:
    """The answer that fits ``shipment`` at ``now``."""
    now = as_utc(now)
    today = msk_date(now)
    status = shipment.status.lower()
    states = _states(shipment)
    eta_day = msk_date(shipment.eta) if shipment.eta is not None else None

    if status in CANCELLED:
        return Suggestion(
            "cancelled", None,
            _("The posting is cancelled: no delivery answer; tell the buyer how the money comes back."),
        )
    if status == "delivered" or shipment.delivered_at is not None:
        when = _day(msk_date(shipment.delivered_at)) if shipment.delivered_at else "—"
        return Suggestion(
            "delivered", None,
            _("Delivered on {date}: no delivery answer; if the buyer has not got it, ask for details.").format(
                date=when
            ),
        )
    if _has(states, PICKUP_WORDS):
        return Suggestion(
            "pickup-point", "order-at-pickup-point",
            _("The parcel is at the pickup point: fill in its address and how long it is kept."),
        )
    if status in NOT_SHIPPED:
        late = eta_day is not None and eta_day < today
        reason = (
            _("Not shipped and already past the ETA {date}: apologise; it ships within 24 h.")
            if late
            else _("Not shipped yet (packing or packed): it ships within 24 h.")
        )
        return Suggestion("assembling", "order-being-assembled", reason.format(date=_day(eta_day or today)))
    if status not in IN_TRANSIT and shipment.shipped_at is None:
        return Suggestion(
            "unknown", None,
            _("Unknown posting status {status!r}: check the posting in the seller portal.").format(
                status=shipment.status
            ),
        )
    # In transit from here on.
    if eta_day is None:
        return Suggestion(
            "no-eta", None, _("In transit, but no ETA is known: check the tracking before promising a date.")
        )
    late = eta_day < today
    if _has(states, CUSTOMS_WORDS) and (late or _has(states, DELAY_WORDS)):
        new_day = max(calendar.add_working_days(today, CUSTOMS_EXTRA_WORKING_DAYS), eta_day)
        return Suggestion(
            "customs", "delay-customs",
            _("Held at customs (ETA was {eta}): apologise and give the new date {date}.").format(
                eta=_day(eta_day), date=_day(new_day)
            ),
            {"eta_date": new_day},
        )
    if late:
        moved = shipment.last_movement_at or shipment.shipped_at
        still = moved is not None and now - as_utc(moved) >= timedelta(days=LOST_AFTER_DAYS)
        if still and shipment.tracking_number:
            values: dict[str, Any] = {}
            if shipment.amount is not None and shipment.amount > 0:
                values["refund_amount"] = shipment.amount
            return Suggestion(
                "lost", "delay-lost-parcel",
                _("Past the ETA {eta} and no movement for {days}+ days: open a search and offer the refund.").format(
                    eta=_day(eta_day), days=LOST_AFTER_DAYS
                ),
                values,
            )
        return Suggestion(
            "sorting", "delay-sorting-center",
            _("Past the ETA {eta}: apologise, ask the carrier, and give the new date before the deadline.").format(
                eta=_day(eta_day)
            ),
        )
    values = {"eta_date": eta_day}
    if shipment.tracking_number and eta_day > today:
        values["eta_in"] = (eta_day - today).days
        return Suggestion(
            "in-transit", "order-tracking",
            _("On the way, due {eta}: give the tracking number and the date.").format(eta=_day(eta_day)),
            values,
        )
    return Suggestion(
        "in-transit", "order-shipped",
        _("On the way, due {eta}: give the posting number and the date.").format(eta=_day(eta_day)),
        values,
    )
