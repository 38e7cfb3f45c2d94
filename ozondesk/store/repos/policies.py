"""SLA policies and business calendars as a lead edits them.

Each edit appends a revision snapshot rather than rewriting the row, so the SLA
engine can count time already used under the old rules.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ozondesk.domain.calendar import BusinessCalendar
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.sla import PolicyRevision
from ozondesk.store.models import BusinessCalendarRow, CalendarOverrideRow, SlaPolicyRevision


def all_revisions(session: Session) -> dict[str, list[PolicyRevision]]:
    rows = session.scalars(
        select(SlaPolicyRevision).order_by(SlaPolicyRevision.effective_from, SlaPolicyRevision.id)
    ).all()
    result: dict[str, list[PolicyRevision]] = {}
    for row in rows:
        result.setdefault(row.name, []).append(
            PolicyRevision(as_utc(row.effective_from), SlaPolicy.from_dict(row.snapshot))
        )
    return result


def current_policies(session: Session) -> dict[str, SlaPolicy]:
    return {name: revs[-1].policy for name, revs in all_revisions(session).items()}


def save_policy(
    session: Session, policy: SlaPolicy, effective_from: datetime, edited_by: int | None = None
) -> None:
    session.add(
        SlaPolicyRevision(
            name=policy.name,
            effective_from=to_storage(effective_from),
            snapshot=policy.to_dict(),
            edited_by=edited_by,
        )
    )
    _upsert_calendar(session, policy.calendar, effective_from)


def save_calendar(
    session: Session,
    calendar: BusinessCalendar,
    effective_from: datetime,
    edited_by: int | None = None,
) -> list[str]:
    """Store the calendar and re-snapshot every policy that counts on it; returns their names."""
    _upsert_calendar(session, calendar, effective_from)
    touched = []
    for name, policy in current_policies(session).items():
        if policy.calendar.name == calendar.name:
            session.add(
                SlaPolicyRevision(
                    name=name,
                    effective_from=to_storage(effective_from),
                    snapshot=SlaPolicy(
                        name=policy.name,
                        title=policy.title,
                        budget=policy.budget,
                        calendar=calendar,
                        due_soon_fraction=policy.due_soon_fraction,
                    ).to_dict(),
                    edited_by=edited_by,
                )
            )
            touched.append(name)
    return touched


def _upsert_calendar(session: Session, calendar: BusinessCalendar, at: datetime) -> None:
    data = calendar.to_dict()
    row = session.scalar(
        select(BusinessCalendarRow).where(BusinessCalendarRow.name == calendar.name)
    )
    if row is None:
        row = BusinessCalendarRow(name=calendar.name, weekly=data["weekly"], updated_at=to_storage(at))
        session.add(row)
    row.tz = calendar.tz
    row.weekly = data["weekly"]
    row.production_calendar = calendar.production_calendar
    row.updated_at = to_storage(at)
    session.flush()
    session.execute(delete(CalendarOverrideRow).where(CalendarOverrideRow.calendar_id == row.id))
    for override in calendar.overrides:
        session.add(
            CalendarOverrideRow(
                calendar_id=row.id,
                day=override.day,
                hours=[list(h) for h in override.hours],
                reason=override.reason,
            )
        )
