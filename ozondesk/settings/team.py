"""The team's settings: rows of the database's ``settings`` table, the same on every desk.

A team option names its row (``key``) and, for rows that group several values (the presence
rules), its field in the row's JSON object. A stored value that fails the option's check
reads as the default with a warning; writing checks first and raises ValueError.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ozondesk.domain.presence import PresenceRules
from ozondesk.errors import UserError
from ozondesk.settings import options
from ozondesk.settings.registry import Option, Scope, report_once
from ozondesk.store.db import Database
from ozondesk.store.models import Setting
from ozondesk.store.repos import settings as settings_repo

T = TypeVar("T")
_MISSING = object()


def _team(option: Option[Any]) -> Option[Any]:
    if option.scope is not Scope.TEAM:
        raise ValueError(f"{option.name} is a desk option: it lives in this desk's INI file")
    return option


def _stored(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return _MISSING if row is None else row.value


def read(session: Session, option: Option[T]) -> T:
    stored = _stored(session, _team(option).key)
    try:
        if stored is _MISSING:
            return option.fresh_default()
        if option.field is None:
            return option.from_json(stored)
        if not isinstance(stored, dict):
            raise ValueError(f"row {option.key!r} is not a JSON object")
        if option.field not in stored:
            return option.fresh_default()
        return option.from_json(stored[option.field])
    except ValueError as exc:
        report_once(("team", str(session.get_bind().url), option.name, repr(stored)),
                    "team setting %s ignored (%s); using the default %r", option.name, exc,
                    option.default)
        return option.fresh_default()


def write(session: Session, option: Option[T], value: T) -> None:
    checked = option.to_json(_team(option).check(value))
    if option.field is not None:
        row = _stored(session, option.key)
        # Keep the row's other fields; a row that is not an object is replaced by one.
        checked = {**(row if isinstance(row, dict) else {}), option.field: checked}
    settings_repo.put(session, option.key, checked)


def presence_rules(session: Session) -> PresenceRules:
    """The team's presence rules; all defaults when the stored ones contradict each other."""
    fields = (options.PRESENCE_WINDOW_START, options.PRESENCE_WINDOW_END,
              options.PRESENCE_ALLOWANCE, options.PRESENCE_WARNING)
    start, end, allowance, warning = (read(session, option) for option in fields)
    try:
        return PresenceRules(window_start_minute=start, window_end_minute=end,
                             allowance_minutes=allowance, warning_fraction=warning)
    except UserError as exc:
        report_once(("team", str(session.get_bind().url), "presence rules",
                     repr((start, end, allowance, warning))),
                    "team presence rules ignored (%s); using the defaults", exc)
        return PresenceRules(*(option.default for option in fields))


def save_presence_rules(session: Session, rules: PresenceRules) -> None:
    for option, value in ((options.PRESENCE_WINDOW_START, rules.window_start_minute),
                          (options.PRESENCE_WINDOW_END, rules.window_end_minute),
                          (options.PRESENCE_ALLOWANCE, rules.allowance_minutes),
                          (options.PRESENCE_WARNING, rules.warning_fraction)):
        write(session, option, value)


class TeamSettings:
    """Team options read and written in a unit of work of their own."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, option: Option[T]) -> T:
        with self.db.begin() as session:
            return read(session, option)

    def set(self, option: Option[T], value: T) -> None:
        option.check(value)  # refuse before opening a transaction
        with self.db.begin() as session:
            write(session, option, value)
