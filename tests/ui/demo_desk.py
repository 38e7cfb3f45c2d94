"""A lead's desk on a small demo database, built by the app's own ``build_window`` in one
interface language: what the no-clipping and golden-path tests lay out and drive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ozondesk.i18n import set_language
from ozondesk.services.demo import generate
from ozondesk.services.preferences import desk_agents, set_desk_agent
from ozondesk.store.db import Database, open_database
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.qt_translations import install_qt_translations

LANGUAGES = ("en", "zh_CN", "ru")
SIZES = ((1280, 720), (1920, 1080))
NO_NETWORK = "http://127.0.0.1:9"  # the discard port: a sync attempt fails at once, locally


def lead_demo(path: Path, size: int = 60, now: datetime | None = None) -> Database:
    """A demo database whose desk is a lead's, so every workspace is there."""
    db = open_database(str(path))
    generate(db, size=size, now=now)
    lead = next(p for p in desk_agents(db) if p.role == "lead")
    set_desk_agent(db, lead.login)
    return db


@contextmanager
def interface_language(language: str) -> Iterator[None]:
    """Our catalogs and Qt's own in ``language`` while the block runs; English after."""
    set_language(language)
    install_qt_translations(language)
    try:
        yield
    finally:
        set_language("en")
        install_qt_translations("en")


def open_desk(db: Database) -> tuple[Any, Any, Any]:
    """The app's main window for the desk's agent (built in the current language), shown and
    started: (window, sync controller, task runner). Close with :func:`close_desk`."""
    from ozondesk.app import build_window

    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = build_window(db, policies, NO_NETWORK)
    if window.presence_panel is not None:
        window.presence_panel.confirm = lambda _parent, _text: True  # nobody answers a dialog offscreen
    return window, sync, runner


def close_desk(window: Any, sync: Any, runner: Any) -> None:
    window.close()
    sync.shutdown()
    runner.shutdown()
