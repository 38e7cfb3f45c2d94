"""Business calendars: when an SLA clock runs.

A calendar is weekly opening hours in a local zone, optionally narrowed by the
Russian production calendar (public holidays, substituted days off, working
Saturdays) and by per-date overrides. Opening hours are local wall-clock
minutes; the SLA engine works in UTC epoch seconds, so each local day's open
intervals are converted once (through pytz, so DST days are right) and cached.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
import pytz

from ozondesk.domain.clock import local_instant, zone
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _, language

Interval = tuple[int, int]
DayHours = tuple[Interval, ...]
Span = tuple[float, float]

MINUTES_PER_DAY = 1440
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# A calendar closed for longer than this is treated as misconfigured rather
# than walked forever looking for an open minute.
MAX_CLOSED_DAYS = 400

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_HOLIDAY_LANGUAGES = {"en": "en_US", "ru": "ru", "zh_CN": "zh_CN"}


def _check_hours(raw: Any, where: str) -> DayHours:
    """Validate one day's intervals; returns them sorted as int tuples."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise UserError(
            _("{where}: hours must be a list of [open, close] minute pairs").format(where=where)
        )
    hours: list[Interval] = []
    for item in raw:
        if (
            not isinstance(item, Sequence)
            or isinstance(item, str)
            or len(item) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in item)
        ):
            raise UserError(
                _("{where}: {item!r} is not an [open, close] pair of whole minutes").format(
                    where=where, item=item
                )
            )
        start, end = item
        if not (0 <= start <= MINUTES_PER_DAY and 0 <= end <= MINUTES_PER_DAY):
            raise UserError(
                _("{where}: interval [{start}, {end}] is outside 0..1440 minutes").format(
                    where=where, start=start, end=end
                )
            )
        if start >= end:
            raise UserError(
                _("{where}: interval [{start}, {end}] opens at or after it closes").format(
                    where=where, start=start, end=end
                )
            )
        hours.append((start, end))
    hours.sort()
    for (_s1, e1), (s2, e2) in zip(hours, hours[1:], strict=False):
        if s2 < e1:
            raise UserError(
                _("{where}: interval [{start}, {end}] overlaps the one before it").format(
                    where=where, start=s2, end=e2
                )
            )
    return tuple(hours)


@lru_cache(maxsize=32)
def _russia(years: tuple[int, ...], lang: str | None = None) -> holidays.HolidayBase:
    # The typed entry point: holidays' country classes are module attributes made at import.
    return holidays.country_holidays("RU", years=years, language=lang)


def _russia_around(day: date, lang: str | None = None) -> holidays.HolidayBase:
    # Substitutions can move a day off across New Year, and the working
    # Saturday is only registered while the other year is populated.
    return _russia((day.year - 1, day.year, day.year + 1), lang)


def production_working_day(day: date) -> bool:
    """Whether the Russian production calendar makes ``day`` a working day."""
    return _russia_around(day).is_working_day(day)


def _holiday_reason(day: date) -> str | None:
    """Translated reason if the production calendar lists ``day`` as a day off."""
    cal = _russia_around(day, _HOLIDAY_LANGUAGES.get(language(), "en_US"))
    name = cal.get(day)
    if not name:
        return None
    prefix, _sep, suffix = cal.tr(cal.substituted_label).partition("%s")
    if name.startswith(prefix) and name.endswith(suffix):
        return _("day off (substituted)")
    return _("public holiday: {name}").format(name=name)


@dataclass(frozen=True)
class CalendarOverride:
    day: date
    hours: DayHours
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.day, date) or isinstance(self.day, datetime):
            raise UserError(_("override day {day!r} is not a date").format(day=self.day))
        object.__setattr__(self, "hours", _check_hours(self.hours, self.day.isoformat()))
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise UserError(_("override on {day} needs a reason").format(day=self.day.isoformat()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "hours": [list(i) for i in self.hours],
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalendarOverride:
        if not isinstance(data, Mapping):
            raise UserError(_("an override must be an object with day, hours and reason"))
        try:
            day = date.fromisoformat(data["day"])
        except (KeyError, TypeError, ValueError):
            raise UserError(
                _("override day {day!r} is not a YYYY-MM-DD date").format(day=data.get("day"))
            ) from None
        return cls(day=day, hours=data.get("hours", ()), reason=data.get("reason", ""))


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly local hours (Monday..Sunday) narrowed by holidays and overrides.

    Instances are immutable and cache per-date results, so share one instance
    between policies and threads of work rather than rebuilding it.
    """

    name: str
    weekly: tuple[DayHours, ...]
    production_calendar: bool = False
    tz: str = "Europe/Moscow"
    overrides: tuple[CalendarOverride, ...] = ()
    _zone: pytz.BaseTzInfo = field(init=False, repr=False, compare=False)
    _by_day: dict[date, CalendarOverride] = field(init=False, repr=False, compare=False)
    _spans: dict[int, tuple[Span, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise UserError(_("a calendar needs a name"))
        if (
            not isinstance(self.weekly, Sequence)
            or isinstance(self.weekly, str)
            or len(self.weekly) != 7
        ):
            raise UserError(
                _(
                    "calendar {name!r}: weekly hours need exactly 7 entries, Monday to Sunday"
                ).format(name=self.name)
            )
        weekly = tuple(
            _check_hours(day, f"{self.name}, {_(wd)}")
            for wd, day in zip(WEEKDAYS, self.weekly, strict=True)
        )
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "_zone", zone(self.tz))
        by_day: dict[date, CalendarOverride] = {}
        for ov in self.overrides:
            if not isinstance(ov, CalendarOverride):
                raise UserError(
                    _("calendar {name!r}: bad override {ov!r}").format(name=self.name, ov=ov)
                )
            if ov.day in by_day:
                raise UserError(
                    _("calendar {name!r}: two overrides for {day}").format(
                        name=self.name, day=ov.day.isoformat()
                    )
                )
            by_day[ov.day] = ov
        object.__setattr__(self, "overrides", tuple(sorted(by_day.values(), key=lambda o: o.day)))
        object.__setattr__(self, "_by_day", by_day)

    # -- per-date rules -------------------------------------------------------

    def regular_hours_on(self, d: date) -> DayHours:
        """Hours from the weekly pattern and the production calendar, ignoring overrides."""
        hours = self.weekly[d.weekday()]
        if not self.production_calendar:
            return hours
        if not production_working_day(d):
            return ()
        if not hours and d.weekday() >= 5:
            # A working Saturday/Sunday replaces a weekday, so it keeps weekday hours.
            return self.weekly[0]
        return hours

    def hours_on(self, d: date) -> DayHours:
        ov = self._by_day.get(d)
        return ov.hours if ov is not None else self.regular_hours_on(d)

    def is_open_day(self, d: date) -> bool:
        return bool(self.hours_on(d))

    def is_working_day(self, d: date) -> bool:
        """A day that has hours after the production calendar and overrides are applied."""
        ov = self._by_day.get(d)
        if ov is not None:
            return bool(ov.hours)
        if self.production_calendar and not production_working_day(d):
            return False
        return bool(self.hours_on(d))

    def closed_reason(self, d: date) -> str | None:
        """Why ``d`` (or its closed hours, for an override) is not counted; None on a regular open day."""
        ov = self._by_day.get(d)
        if ov is not None:
            return _(ov.reason)
        if self.hours_on(d):
            return None
        if self.production_calendar:
            reason = _holiday_reason(d)
            if reason is not None:
                return reason
        return _("weekend")

    def add_working_days(self, d: date, n: int) -> date:
        """The date ``n`` working days after ``d`` (before it when ``n`` is negative)."""
        step = 1 if n >= 0 else -1
        left = abs(n)
        idle = 0
        while left:
            d += timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
                idle = 0
            else:
                idle += 1
                if idle > MAX_CLOSED_DAYS:
                    raise self.never_open_error(d.toordinal())
        return d

    # -- UTC views ------------------------------------------------------------

    def epoch_spans(self, ordinal: int) -> tuple[Span, ...]:
        """Open intervals of local date ``ordinal`` as UTC epoch seconds (cached; the SLA hot path)."""
        spans = self._spans.get(ordinal)
        if spans is None:
            d = date.fromordinal(ordinal)
            spans = self._to_epoch(d, self.hours_on(d))
            self._spans[ordinal] = spans
        return spans

    def _to_epoch(self, d: date, hours: DayHours) -> tuple[Span, ...]:
        out = []
        for start, end in hours:
            a = local_instant(d, start, self._zone).timestamp()
            b = local_instant(d, end, self._zone).timestamp()
            # Hours inside a spring-forward gap do not exist on the wall clock.
            if b > a:
                out.append((a, b))
        return tuple(out)

    def never_open_error(self, ordinal: int) -> UserError:
        """The error for a search that found no open hours for MAX_CLOSED_DAYS days."""
        near = date.fromordinal(ordinal)
        return UserError(
            _("calendar {name!r} has no open hours for over {days} days around {day}").format(
                name=self.name, days=MAX_CLOSED_DAYS, day=near.isoformat()
            )
        )

    def local_date(self, instant: datetime) -> date:
        return _aware(instant).astimezone(self._zone).date()

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """UTC open intervals clipped to [start, end); touching intervals are merged."""
        t0, t1 = _aware(start).timestamp(), _aware(end).timestamp()
        if t1 <= t0:
            return
        pending: list[float] | None = None
        o = int(t0 // 86400) + EPOCH_ORDINAL - 1
        last = int(t1 // 86400) + EPOCH_ORDINAL + 1
        while o <= last:
            for a, b in self.epoch_spans(o):
                a, b = max(a, t0), min(b, t1)
                if a >= b:
                    continue
                if pending is not None and a <= pending[1]:
                    pending[1] = max(pending[1], b)
                    continue
                if pending is not None:
                    yield _dt(pending[0]), _dt(pending[1])
                pending = [a, b]
            o += 1
        if pending is not None:
            yield _dt(pending[0]), _dt(pending[1])

    def window_at(self, now: datetime, horizon_days: int = 14) -> tuple[bool, datetime | None]:
        """Whether the working window is open at ``now``, and when it next closes (if open)
        or opens (if closed); None when it does not open within ``horizon_days``."""
        for start, end in self.open_intervals(now, _aware(now) + timedelta(days=horizon_days)):
            if start <= _aware(now):
                return True, end
            return False, start
        return False, None

    def day_timeline(self, d: date) -> list[tuple[datetime, datetime, str | None]]:
        """The whole local day as consecutive UTC pieces: reason None when open, else why closed."""
        day_start = local_instant(d, 0, self._zone).timestamp()
        day_end = local_instant(d, MINUTES_PER_DAY, self._zone).timestamp()
        spans = self.epoch_spans(d.toordinal())
        if not spans:
            return [(_dt(day_start), _dt(day_end), self.closed_reason(d))]
        ov = self._by_day.get(d)
        regular = self._to_epoch(d, self.regular_hours_on(d)) if ov is not None else ()
        pieces: list[tuple[float, float, str | None]] = []
        cursor = day_start
        for a, b in (*spans, (day_end, day_end)):
            if a > cursor:
                pieces.extend(_closed_gap(cursor, a, regular, ov))
            if b > a:
                pieces.append((a, b, None))
            cursor = max(cursor, b)
        return [(_dt(a), _dt(b), reason) for a, b, reason in pieces]

    # -- serialisation --------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weekly": [[list(i) for i in day] for day in self.weekly],
            "production_calendar": self.production_calendar,
            "tz": self.tz,
            "overrides": [ov.to_dict() for ov in self.overrides],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        if not isinstance(data, Mapping):
            raise UserError(_("a calendar must be an object with name and weekly hours"))
        if "weekly" not in data:
            raise UserError(
                _("calendar {name!r} has no weekly hours").format(name=data.get("name", ""))
            )
        production = data.get("production_calendar", False)
        if not isinstance(production, bool):
            raise UserError(_("production_calendar must be true or false"))
        overrides = data.get("overrides", ())
        if not isinstance(overrides, Sequence) or isinstance(overrides, str):
            raise UserError(_("calendar overrides must be a list"))
        tz = data.get("tz", "Europe/Moscow")
        if not isinstance(tz, str):
            raise UserError(_("time zone {name!r} is not a name").format(name=tz))
        return cls(
            name=data.get("name", ""),
            weekly=data["weekly"],
            production_calendar=production,
            tz=tz,
            overrides=tuple(CalendarOverride.from_dict(ov) for ov in overrides),
        )


def _closed_gap(
    a: float, b: float, regular: tuple[Span, ...], ov: CalendarOverride | None
) -> list[tuple[float, float, str | None]]:
    """Split a closed gap of an open day: time the override took away vs. ordinary closed hours."""
    hours_reason = _("closed hours")
    if ov is None:
        return [(a, b, hours_reason)]
    out: list[tuple[float, float, str | None]] = []
    cursor = a
    for ra, rb in regular:
        ra, rb = max(ra, a), min(rb, b)
        if ra >= rb:
            continue
        if ra > cursor:
            out.append((cursor, ra, hours_reason))
        out.append((ra, rb, _(ov.reason)))
        cursor = rb
    if cursor < b:
        out.append((cursor, b, hours_reason))
    return out


def _aware(value: datetime) -> datetime:
    # Naive values are UTC, as the store keeps them (see clock.as_utc).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
