"""The shop's presence today and yesterday, from stored events.

Days before the database's first presence record are unknown, not offline (a new desk).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from ozondesk.domain.clock import local_instant
from ozondesk.domain.presence import PresenceSummary, summarize
from ozondesk.settings import team
from ozondesk.store.db import Database
from ozondesk.store.repos import presence as events_repo


class PresenceService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def summary(self, now: datetime, days: int = 2) -> PresenceSummary:
        with self.db.begin() as session:
            rules = team.presence_rules(session)
            first_day = now.astimezone(rules.tz).date() - timedelta(days=days - 1)
            start = local_instant(first_day, 0, rules.tz)
            events = events_repo.events_between(session, start, now + timedelta(seconds=1))
            names = events_repo.display_names(session)
            known_from = events_repo.first_event_at(session)
        summary = summarize(events, now, rules, first_day=first_day, known_from=known_from)
        shown = tuple(sorted(names.get(login, login) for login in summary.online_agents))
        return replace(summary, online_agents=shown)
