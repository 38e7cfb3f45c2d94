"""A small business calendar for promise-check tests: Mon–Fri 09:00–18:00 plus listed closed days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class FakeCalendar:
    tz: str = "Europe/Moscow"
    closed: frozenset[date] = field(default_factory=frozenset)
    open_weekdays: frozenset[int] = frozenset(range(5))

    def hours_on(self, d: date) -> tuple[tuple[int, int], ...]:
        return ((9 * 60, 18 * 60),) if self.is_open_day(d) else ()

    def is_open_day(self, d: date) -> bool:
        return d.weekday() in self.open_weekdays and d not in self.closed

    def is_working_day(self, d: date) -> bool:
        return self.is_open_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d
