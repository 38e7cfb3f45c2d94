"""The settings table: JSON values by key.

Typed reading and writing, with defaults and validation, is ``ozondesk.settings.team``;
``ozondesk.settings.options`` declares which keys hold which options.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ozondesk.store.models import Setting


def get(session: Session, key: str, default: dict[str, Any] | None = None) -> dict[str, Any]:
    row = session.get(Setting, key)
    return dict(row.value) if row is not None else dict(default or {})


def put(session: Session, key: str, value: dict[str, Any]) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=dict(value)))
    else:
        row.value = dict(value)
