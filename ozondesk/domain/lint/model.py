"""What the linter hands back, and what it may be told about the conversation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol, runtime_checkable

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
# Severities that block sending: the CLI exits 1 and a template is "not ok" on these.
BLOCKING: frozenset[str] = frozenset({"error", "warning"})


@runtime_checkable
class CalendarLike(Protocol):
    """The part of ``ozondesk.domain.calendar.BusinessCalendar`` the promise check uses."""

    tz: str

    def hours_on(self, d: date) -> tuple[tuple[int, int], ...]: ...

    def is_open_day(self, d: date) -> bool: ...

    def is_working_day(self, d: date) -> bool: ...

    def add_working_days(self, d: date, n: int) -> date: ...


@dataclass(frozen=True)
class Finding:
    """One problem in a reply; ``start``/``end`` index the text that was linted."""

    rule: str
    category: str
    severity: Severity
    start: int
    end: int
    text: str
    message: str
    suggestion: str

    @property
    def blocking(self) -> bool:
        return self.severity in BLOCKING

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LintContext:
    """The conversation around a reply.

    ``now`` defaults to the current time when a context is given; without a
    context, promises are not resolved against any clock. ``deadline`` is the
    conversation's SLA deadline; ``calendar`` the team's business calendar.
    """

    now: datetime | None = None
    deadline: datetime | None = None
    calendar: CalendarLike | None = None
