"""Versioned upgrades of this desk's stored settings, as Picard's ``config_upgrade`` does.

Each upgrade has a version number and runs once. An upgrade of the file itself is recorded
in ``[general] version``; one that concerns a database (it reads that database) in the
database's own section, so a desk that opens the demo database today and the real one next
week upgrades each when it first opens it. Upgrades run in version order, each written
together with its version in one atomic write: an upgrade cut short (a crash, an unreachable
database) leaves no trace and runs again from its start, so each must be idempotent.

While the INI file cannot be read nothing is upgraded: the file stays untouched for its
owner to repair, and the desk runs on defaults meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.settings.registry import Option
from ozondesk.store.db import Database
from ozondesk.store.models import Setting

log = logging.getLogger("ozondesk.settings")


@dataclass(frozen=True)
class Upgrade:
    version: int
    per_database: bool  # reads the database it is run for; recorded in that database's section
    run: Callable[[DeskSettings, Database | None], None]


# -- 1: desk keys leave the shared database ---------------------------------------------------
# Before the INI file existed, who works at the desk, the interface language and the auto-away
# minutes were rows of the database's settings table, which every desk of a team shares: one
# desk's "Work as" changed every desk. Version 1 copies them into this desk's file; from then
# on only the file is read. The rows stay: the team's other desks copy them at their own first
# start, so each desk begins where it was.
OLD_KEYS: dict[str, tuple[Option[Any], str]] = {
    "desk.agent": (options.DESK_AGENT, "login"),
    "ui.language": (options.LANGUAGE, "language"),
    "presence.auto_away": (options.AUTO_AWAY_MINUTES, "minutes"),
}


def move_desk_keys_out_of_database(settings: DeskSettings, db: Database | None) -> None:
    assert db is not None  # a per-database upgrade
    with db.begin() as session:
        rows = {key: session.get(Setting, key) for key in OLD_KEYS}
        old = {key: row.value for key, row in rows.items() if row is not None}
    for key, (option, field) in OLD_KEYS.items():
        value = old.get(key)
        if not isinstance(value, dict) or field not in value or settings.is_stored(option):
            continue  # nothing to move, or this desk already chose (a value kept in the file wins)
        try:
            settings.set(option, value[field])
        except ValueError as exc:
            log.warning("old database setting %s not moved to this desk (%s)", key, exc)


UPGRADES: tuple[Upgrade, ...] = (
    Upgrade(1, True, move_desk_keys_out_of_database),
)
CURRENT_VERSION = max(u.version for u in UPGRADES)


def upgrade(settings: DeskSettings, db: Database | None,
            upgrades: Iterable[Upgrade] = UPGRADES) -> list[int]:
    """Run the upgrades not yet done for the file and for ``db``; the versions run, in order."""
    if settings.problem is not None:
        return []
    done: list[int] = []
    for step in sorted(upgrades, key=lambda u: u.version):
        if step.per_database and (db is None or settings.database is None):
            continue
        if step.version <= settings.version(step.per_database):
            continue
        with settings.edit():
            step.run(settings, db)
            settings.set_version(step.version, step.per_database)
        log.info("desk settings %s upgraded to version %d%s", settings.path, step.version,
                 f" for {settings.database}" if step.per_database else "")
        done.append(step.version)
    return done
