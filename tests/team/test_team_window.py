"""A team desk's window: the person of the login, no "Work as", its own presence written."""

from __future__ import annotations

import argparse
from typing import Any

from people import Team
from sqlalchemy import func, select

from ozondesk import app as app_module
from ozondesk.domain.clock import utcnow
from ozondesk.services.templates import TemplateService
from ozondesk.store.models import PresenceEventRow, ReplyTemplate
from ozondesk.store.repos.policies import current_policies


def open_window(qtbot: Any, team: Team, login: str) -> tuple[Any, Any, Any]:
    db = team.desk(login)
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = app_module.build_window(db, policies, "http://127.0.0.1:9")
    qtbot.addWidget(window)
    return window, sync, runner


def test_a_team_desk_is_its_logins_person_with_no_work_as(qtbot: Any, team: Team) -> None:
    window, sync, runner = open_window(qtbot, team, "wang.fang")
    assert window.agent is not None and window.agent.login == "wang.fang"
    assert not window.work_as_menu.menuAction().isVisible()
    assert window.work_as_menu.actions() == []
    assert window.workspaces.names() == ["inbox", "templates", "drills", "tickets"]
    window.show()
    window.start()  # goes online: a presence event in wang's name, through his own login
    qtbot.waitUntil(lambda: window.presence_panel.status_box.currentData() == "online", timeout=15000)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=15000)
    window.close()
    sync.shutdown()
    with team.admin.begin() as s:
        statuses = s.scalars(select(PresenceEventRow.status)
                             .where(PresenceEventRow.agent_id == team.people["wang.fang"])
                             .order_by(PresenceEventRow.id)).all()
    assert statuses == ["online", "offline"]


def test_a_leads_desk_gets_the_leads_workspaces(qtbot: Any, team: Team) -> None:
    window, sync, _runner = open_window(qtbot, team, "zhang.wei")
    assert window.workspaces.names() == [
        "inbox", "templates", "review", "dashboard", "drills", "team", "tickets"
    ]
    assert not window.work_as_menu.menuAction().isVisible()
    window.close()
    sync.shutdown()


def test_an_agents_desk_leaves_the_starter_templates_to_a_lead(team: Team) -> None:
    def start(login: str) -> int:
        url = team.login_url(login).render_as_string(hide_password=False)
        db = app_module.prepare_database(argparse.Namespace(db=url, demo=False, self_test=False))
        try:
            with db.begin() as s:
                return int(s.scalar(select(func.count()).select_from(ReplyTemplate)) or 0)
        finally:
            db.dispose()

    assert start("wang.fang") == 0  # refused by the server, and the desk starts anyway
    assert start("zhang.wei") > 0
    assert TemplateService(team.admin).readiness(utcnow()).ok
