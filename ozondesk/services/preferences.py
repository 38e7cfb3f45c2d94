"""This desk's preferences: who works here and the interface language.

Both belong to the desk, not the team: they live in this machine's INI file
(``ozondesk.settings.desk``), the agent once per database. The first time a desk opens a
database, the values it used to keep in the shared settings table are moved over
(``ozondesk.settings.upgrade``). The language is read once at start-up (``ozondesk.app``),
before any window exists, and takes effect at the next start. ``OZONDESK_LANG`` still wins
over it, and "system" follows the system locale (zh_* → 简体中文).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select

from ozondesk.i18n import N_, SUPPORTED, detect_language
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.settings.upgrade import upgrade
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop

SYSTEM = "system"
# Choices in the order the settings dialog shows them; language names stay in their own language.
LANGUAGE_CHOICES: tuple[tuple[str, str], ...] = (
    (SYSTEM, N_("System language")),
    ("zh_CN", "简体中文"),
    ("ru", "Русский"),
    ("en", "English"),
)


def desk_settings(db: Database) -> DeskSettings:
    """This desk's settings while it works on ``db``, upgraded first if they are older."""
    settings = DeskSettings.for_url(db.url)
    upgrade(settings, db)
    return settings


def interface_language(db: Database) -> str:
    """The stored choice: "system" (the default) or one of ``ozondesk.i18n.SUPPORTED``."""
    return desk_settings(db).get(options.LANGUAGE)


def set_interface_language(db: Database, choice: str) -> None:
    if choice != SYSTEM and choice not in SUPPORTED:
        raise ValueError(f"unknown interface language {choice!r}")
    desk_settings(db).set(options.LANGUAGE, choice)


def startup_language(db: Database) -> str:
    """The language to start in: OZONDESK_LANG, else the stored choice, else the system locale."""
    if os.environ.get("OZONDESK_LANG"):
        return detect_language()
    choice = interface_language(db)
    return detect_language() if choice == SYSTEM else choice


@dataclass(frozen=True)
class DeskAgent:
    """Who works at this desk: replies and drafts are theirs."""

    id: int
    login: str
    name: str
    shop_name: str | None
    role: str = "agent"


def desk_agent(db: Database) -> DeskAgent | None:
    """The agent chosen for this desk, else the first active agent (agents before leads).

    In team mode (PostgreSQL) nobody chooses: the person whose login is the database login.
    """
    if db.is_postgresql:
        from ozondesk.services.identity import login_agent

        return login_agent(db)
    login = desk_settings(db).get(options.DESK_AGENT)
    people = desk_agents(db)
    if not people:
        return None
    chosen = next((p for p in people if p.login == login), None)
    return chosen or next((p for p in people if p.role == "agent"), people[0])


def desk_agents(db: Database) -> list[DeskAgent]:
    """Everyone who may work at this desk, for the "Work as" menu; a person without a shop
    serves every shop (``shop_name`` None)."""
    with db.begin() as session:
        rows = session.execute(
            select(Agent.id, Agent.login, Agent.display_name, Agent.role, Shop.name)
            .outerjoin(Shop, Shop.id == Agent.shop_id)
            .where(Agent.active.is_(True))
            .order_by(Agent.id)
        ).all()
    return [DeskAgent(r.id, r.login, r.display_name, r.name, r.role) for r in rows]


def set_desk_agent(db: Database, login: str) -> None:
    desk_settings(db).set(options.DESK_AGENT, login)
