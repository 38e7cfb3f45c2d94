"""Opening the setup assistant: before the first window on a desk that is not set up, and from
Desk → Set up OzonDesk… on a running one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from ozondesk.store.db import Database
from ozondesk.ui.setup.team_page import Team
from ozondesk.ui.setup.wizard import SetupWizard


def team_service(db: Database) -> Team:
    from ozondesk.services.team import TeamService

    return TeamService(db)


def run_first_setup(db: Database, base_url: str) -> SetupWizard:
    """Show the assistant and wait until it closes (its own event loop, before any main window
    exists). Whatever it saved stays whether it was finished or closed."""
    wizard = SetupWizard(db, team_service(db), base_url=base_url)
    wizard.exec()
    return wizard


def open_from_window(window: Any, db: Database, base_url: str) -> SetupWizard:
    """The assistant over a running main window. Its polling pauses meanwhile, so only the
    assistant's first sync talks to Ozon; afterwards the window picks up the new shop, and when
    someone else now works at this desk it reopens for them (as Desk → Work as does)."""
    sync = window.sync
    was_online = bool(sync is not None and sync.online)
    if sync is not None:
        sync.cancel()
        sync.set_online(False)
    agent = window.agent
    wizard = SetupWizard(
        db,
        team_service(db),
        credentials=sync.credentials if sync is not None else None,
        runner=window.runner,
        base_url=base_url,
        make_client=sync.make_client if sync is not None else None,
        actor=agent.login if agent is not None else None,
        parent=window,
    )
    wizard.setWindowModality(Qt.WindowModality.ApplicationModal)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def closed(_result: int) -> None:
        if sync is not None:
            sync.set_online(was_online)
            sync.refresh()
        login = wizard.desk_login
        if login is not None and (agent is None or login != agent.login):
            window.work_as(login)
        else:
            window.reload_inbox()

    wizard.finished.connect(closed)
    wizard.show()
    return wizard
