"""Named inbox filters an agent saves and reopens ("My breached chats", "Logistics today").

They are a team setting (``SAVED_VIEWS``): a view saved on one desk is offered on every desk.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.inbox import InboxFilter
from ozondesk.settings import team
from ozondesk.settings.options import SAVED_VIEWS
from ozondesk.store.db import Database

_SAVED_FIELDS = tuple(f.name for f in fields(InboxFilter) if f.name != "now")


def _to_dict(flt: InboxFilter) -> dict[str, Any]:
    data = asdict(flt)
    data.pop("now", None)
    data["statuses"] = list(flt.statuses)
    return data


def _from_dict(data: dict[str, Any]) -> InboxFilter:
    known = {k: v for k, v in data.items() if k in _SAVED_FIELDS}
    if "statuses" in known:
        known["statuses"] = tuple(known["statuses"])
    return InboxFilter(**known)


class SavedViews:
    def __init__(self, db: Database) -> None:
        self.db = db

    def all(self) -> dict[str, InboxFilter]:
        with self.db.begin() as session:
            raw = team.read(session, SAVED_VIEWS)
        return {name: _from_dict(data) for name, data in sorted(raw.items())}

    def save(self, name: str, flt: InboxFilter) -> None:
        name = name.strip()
        if not name or len(name) > 60:
            raise UserError(_("a view needs a name of 1 to 60 characters"))
        with self.db.begin() as session:
            raw = team.read(session, SAVED_VIEWS)
            raw[name] = _to_dict(flt)
            team.write(session, SAVED_VIEWS, raw)

    def delete(self, name: str) -> None:
        with self.db.begin() as session:
            raw = team.read(session, SAVED_VIEWS)
            raw.pop(name, None)
            team.write(session, SAVED_VIEWS, raw)
