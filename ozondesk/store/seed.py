"""Defaults every database starts with: the platform's SLA policies and presence rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

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
        if not _missing(session, DEFAULT_POLICIES):
            return
    with db.begin() as session:
        # Per policy, not all or nothing: a database from before a new default policy gets
        # that one, and a lead's edits of the others are left alone.
        missing = _missing(session, DEFAULT_POLICIES)
        if not missing:
            return  # another process seeded it meanwhile
        now = datetime.now(UTC).replace(tzinfo=None)
        known = set(session.scalars(select(BusinessCalendarRow.name)))
        for name in missing:
            policy = DEFAULT_POLICIES[name]
            cal = policy.calendar
            if cal.name not in known:
                data = cal.to_dict()
                session.add(
                    BusinessCalendarRow(
                        name=cal.name,
                        tz=cal.tz,
                        weekly=data["weekly"],
                        production_calendar=cal.production_calendar,
                        updated_at=now,
                    )
                )
                known.add(cal.name)
            session.add(
                SlaPolicyRevision(name=policy.name, effective_from=EPOCH, snapshot=policy.to_dict())
            )
        if session.get(Setting, PRESENCE_KEY) is None:
            session.add(Setting(key=PRESENCE_KEY, value=dict(PRESENCE_DEFAULTS)))


def _missing(session: Session, defaults: Mapping[str, object]) -> list[str]:
    have = set(session.scalars(select(SlaPolicyRevision.name).distinct()))
    return [name for name in defaults if name not in have]
