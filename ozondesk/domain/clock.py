"""Instants and zones: everything is stored in UTC and shown in Moscow time.

Moscow has had no DST since 2014, but nothing here assumes a fixed offset: all
conversion goes through pytz so any zone (Beijing, a buyer's) is right too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytz

from ozondesk.errors import UserError
from ozondesk.i18n import _

MOSCOW = pytz.timezone("Europe/Moscow")
BEIJING = pytz.timezone("Asia/Shanghai")
# The years the desk reasons about. Calendars, countdowns and reports step whole days around
# an instant, so years 1 and 9999 would overflow Python's dates; no Ozon record is older
# than the marketplace, and a deadline after 2200 is a typo.
FIRST_YEAR, LAST_YEAR = 1970, 2200


def check_year(value: date, text: str) -> None:
    """A date the desk cannot reason about (see FIRST_YEAR) is refused with a one-line error."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UserError(
            _("{text!r} is outside the years {first}–{last} the desk works with").format(
                text=text, first=FIRST_YEAR, last=LAST_YEAR
            )
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> pytz.BaseTzInfo:
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        raise UserError(_("unknown time zone {name!r}").format(name=name)) from None


def parse_instant(text: str, default_zone: pytz.BaseTzInfo = MOSCOW) -> datetime:
    """Parse ISO 8601 with an offset or ``Z``; a time without offset is read in ``default_zone``.

    Returns an aware datetime in UTC.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise UserError(
            _("cannot read time {text!r}: use ISO 8601, e.g. 2025-11-01T10:00:00+03:00").format(
                text=text
            )
        ) from None
    check_year(value, text)
    if value.tzinfo is None:
        value = default_zone.localize(value)
    return value.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware instant in UTC; naive values are taken to be UTC already (as the store keeps them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_storage(value: datetime) -> datetime:
    """The form the store keeps: naive UTC (aware input in any zone; naive input taken as UTC)."""
    return as_utc(value).replace(tzinfo=None)


def to_zone(value: datetime, tz: pytz.BaseTzInfo = MOSCOW) -> datetime:
    return as_utc(value).astimezone(tz)


def to_msk(value: datetime) -> datetime:
    return to_zone(value, MOSCOW)


def msk_date(value: datetime) -> date:
    return to_msk(value).date()


def local_instant(day: date, minute_of_day: int, tz: pytz.BaseTzInfo = MOSCOW) -> datetime:
    """The UTC instant of a wall-clock minute (0..1440) on ``day`` in ``tz``; 1440 is the next midnight."""
    base = tz.localize(datetime.combine(day, time(0)))
    if minute_of_day == 0:
        return base.astimezone(UTC)
    # Normalize across DST jumps: add the minutes to the local wall clock, then localize.
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minute_of_day)
    return tz.normalize(tz.localize(wall)).astimezone(UTC)


def iso_msk(value: datetime | None) -> str | None:
    """ISO 8601 in Moscow time with its offset, e.g. ``2025-11-01T10:15:00+03:00``."""
    if value is None:
        return None
    return to_msk(value).isoformat()
