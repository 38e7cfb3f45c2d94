"""Defaults every database starts with: the platform's SLA policies and presence rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ozondesk.store.models import BusinessCalendarRow, Setting, SlaPolicyRevision

if TYPE_CHECKING:
    from ozondesk.store.db import Database

PRESENCE_KEY = "presence.rules"
PRESENCE_DEFAULTS = {
    "window_start_minute": 9 * 60,
    "window_end_minute": 23 * 60,
    "allowance_minutes": 30.0,
    "warning_fraction": 0.5,
}
# Policies count from an early fixed instant so conversations of any age use the default revision.
EPOCH = datetime(2000, 1, 1)


def ensure_defaults(db: Database) -> None:
    from ozondesk.domain.policies import DEFAULT_POLICIES

    # Looked at without the write lock first: every start opens the database, seeding is rare.
    with db.read() as session:
        if session.scalar(select(func.count()).select_from(SlaPolicyRevision)):
            return
    with db.begin() as session:
        if session.scalar(select(func.count()).select_from(SlaPolicyRevision)):
            return  # another process seeded it meanwhile
        now = datetime.now(UTC).replace(tzinfo=None)
        calendars: dict[str, BusinessCalendarRow] = {}
        for policy in DEFAULT_POLICIES.values():
            cal = policy.calendar
            if cal.name not in calendars:
                data = cal.to_dict()
                calendars[cal.name] = BusinessCalendarRow(
                    name=cal.name,
                    tz=cal.tz,
                    weekly=data["weekly"],
                    production_calendar=cal.production_calendar,
                    updated_at=now,
                )
                session.add(calendars[cal.name])
            session.add(
                SlaPolicyRevision(name=policy.name, effective_from=EPOCH, snapshot=policy.to_dict())
            )
        if session.get(Setting, PRESENCE_KEY) is None:
            session.add(Setting(key=PRESENCE_KEY, value=dict(PRESENCE_DEFAULTS)))
