"""The desk agent's own presence: status changes, a heartbeat, and recovery after an unclean exit.

While the app runs it writes a heartbeat (``last_seen``) for the desk agent every minute and
marks the session as running; quitting records ``offline`` and marks it closed. When the app
starts and the previous session is still marked running while the agent's last event is
online or away, the app did not exit cleanly: an ``offline`` event is recorded at the last
sign of life (the later of the last heartbeat and the last event), so the shop's offline
minutes count from when the desk really went quiet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc
from ozondesk.domain.presence import PresenceEvent, PresenceRules, PresenceSummary, Status
from ozondesk.services.preferences import desk_settings
from ozondesk.services.presence import PresenceService
from ozondesk.settings import team
from ozondesk.settings.options import AUTO_AWAY_MINUTES
from ozondesk.store.db import Database
from ozondesk.store.repos import presence as events_repo
from ozondesk.store.repos import settings as settings_repo

HEARTBEAT_PREFIX = "presence.heartbeat."
DEFAULT_IDLE_MINUTES = AUTO_AWAY_MINUTES.default


@dataclass(frozen=True)
class PresenceSnapshot:
    """What the presence panel shows, read in one go on the database worker."""

    at: datetime
    summary: PresenceSummary
    rules: PresenceRules
    status: Status | None  # the desk agent's own status; None without a desk agent
    others_online: tuple[str, ...]  # display names of the other agents online or away


def inside_window(rules: PresenceRules, now: datetime) -> bool:
    """Whether ``now`` falls inside the day's 09:00–23:00 (by default) window in the rules' zone."""
    local = as_utc(now).astimezone(rules.tz)
    minute = local.hour * 60 + local.minute
    return rules.window_start_minute <= minute < rules.window_end_minute


def _key(agent_id: int) -> str:
    return f"{HEARTBEAT_PREFIX}{agent_id}"


def _latest(events: list[PresenceEvent]) -> dict[str, PresenceEvent]:
    latest: dict[str, PresenceEvent] = {}
    for event in events:
        seen = latest.get(event.agent)
        if seen is None or as_utc(seen.at) <= as_utc(event.at):
            latest[event.agent] = event
    return latest


class DeskPresenceService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.presence = PresenceService(db)

    # -- the agent's own status --------------------------------------------------------
    def _last_event(self, session: Session, login: str, at: datetime) -> PresenceEvent | None:
        events = events_repo.events_between(session, at, at + timedelta(microseconds=1))
        return _latest(events).get(login)

    def status(self, agent_id: int, login: str, at: datetime) -> Status:
        with self.db.begin() as session:
            last = self._last_event(session, login, at)
        return last.status if last is not None else "offline"

    def set_status(self, agent_id: int, login: str, status: Status, at: datetime) -> bool:
        """Record ``status`` at ``at`` unless it is already the agent's status; True when recorded."""
        with self.db.begin() as session:
            last = self._last_event(session, login, at)
            current = last.status if last is not None else "offline"
            if current != status:
                events_repo.record(session, agent_id, status, at)
            settings_repo.put(session, _key(agent_id), {"last_seen": as_utc(at).isoformat(),
                                                         "running": status != "offline"})
        return current != status

    # -- the running session ---------------------------------------------------------------
    def begin_session(self, agent_id: int, login: str, at: datetime) -> datetime | None:
        """At start-up: recover an unclean exit, then mark this session running and the agent online.

        Returns the time of the recovered ``offline`` event, or None when the last exit was clean.
        """
        recovered = self.recover(agent_id, login, at)
        self.set_status(agent_id, login, "online", at)
        return recovered

    def recover(self, agent_id: int, login: str, at: datetime) -> datetime | None:
        with self.db.begin() as session:
            beat = settings_repo.get(session, _key(agent_id))
            if not beat.get("running") or not beat.get("last_seen"):
                return None
            last = self._last_event(session, login, at)
            settings_repo.put(session, _key(agent_id), {**beat, "running": False})
            if last is None or last.status == "offline":
                return None
            seen = max(as_utc(datetime.fromisoformat(beat["last_seen"])), as_utc(last.at))
            seen = min(seen, as_utc(at))
            events_repo.record(session, agent_id, "offline", seen)
        return seen

    def heartbeat(self, agent_id: int, at: datetime) -> None:
        with self.db.begin() as session:
            beat = settings_repo.get(session, _key(agent_id))
            settings_repo.put(session, _key(agent_id), {**beat, "last_seen": as_utc(at).isoformat(),
                                                        "running": True})

    def end_session(self, agent_id: int, login: str, at: datetime) -> None:
        """On quit: the agent goes offline and the session is marked as closed cleanly."""
        self.set_status(agent_id, login, "offline", at)

    # -- what the panel shows -----------------------------------------------------------------
    def snapshot(self, agent_id: int | None, login: str | None, at: datetime) -> PresenceSnapshot:
        summary = self.presence.summary(at)
        with self.db.begin() as session:
            rules = team.presence_rules(session)
            latest = _latest(events_repo.events_between(session, at, at + timedelta(microseconds=1)))
            names = events_repo.display_names(session)
        own = latest.get(login) if login is not None else None
        status: Status | None = None
        if agent_id is not None:
            status = own.status if own is not None else "offline"
        others = tuple(sorted(
            names.get(who, who) for who, event in latest.items()
            if who != login and event.status != "offline"
        ))
        return PresenceSnapshot(at, summary, rules, status, others)

    def idle_minutes(self) -> int:
        """This desk's auto-away minutes (a desk setting: each machine has its own)."""
        return desk_settings(self.db).get(AUTO_AWAY_MINUTES)

    def set_idle_minutes(self, minutes: int) -> None:
        desk_settings(self.db).set(AUTO_AWAY_MINUTES, max(1, int(minutes)))
