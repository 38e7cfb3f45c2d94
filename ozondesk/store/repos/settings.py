"""Key/value settings a lead can edit (presence rules, thresholds)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ozondesk.domain.presence import PresenceRules
from ozondesk.store.models import Setting
from ozondesk.store.seed import PRESENCE_DEFAULTS, PRESENCE_KEY


def get(session: Session, key: str, default: dict[str, Any] | None = None) -> dict[str, Any]:
    row = session.get(Setting, key)
    return dict(row.value) if row is not None else dict(default or {})


def put(session: Session, key: str, value: dict[str, Any]) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=dict(value)))
    else:
        row.value = dict(value)


def presence_rules(session: Session) -> PresenceRules:
    data = {**PRESENCE_DEFAULTS, **get(session, PRESENCE_KEY)}
    return PresenceRules(
        window_start_minute=int(data["window_start_minute"]),
        window_end_minute=int(data["window_end_minute"]),
        allowance_minutes=float(data["allowance_minutes"]),
        warning_fraction=float(data["warning_fraction"]),
    )


def save_presence_rules(session: Session, rules: PresenceRules) -> None:
    put(
        session,
        PRESENCE_KEY,
        {
            "window_start_minute": rules.window_start_minute,
            "window_end_minute": rules.window_end_minute,
            "allowance_minutes": rules.allowance_minutes,
            "warning_fraction": rules.warning_fraction,
        },
    )
