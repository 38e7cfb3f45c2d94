"""The lead's Team workspace: the people table, its buttons and dialogs, refusals, the audit rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ozondesk.services.preferences import DeskAgent, desk_agents
from ozondesk.services.team import TeamService
from ozondesk.store.db import Database
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.team_screen import HistoryModel, PeopleModel, TeamScreen

NOW = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)  # 10:30 MSK


class Desk:
    def __init__(self, db: Database) -> None:
        self.service = TeamService(db, clock=lambda: NOW)
        self.service.add("zhao", "赵婷", "lead", actor=None)
        self.service.add("wang", "王芳", "agent", actor=None)
        self.runner = TaskRunner()
        self.people = {p.login: p for p in desk_agents(db)}

    def screen(self, qtbot: Any, actor: str = "zhao") -> TeamScreen:
        screen = TeamScreen(self.service, self.runner, self.people[actor])
        qtbot.addWidget(screen)
        with qtbot.waitSignal(screen.loaded, timeout=5000):
            screen.show()
        return screen


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(db)
    yield d
    qtbot.waitUntil(lambda: d.runner.pending == 0, timeout=5000)
    d.runner.shutdown()


def rows(screen: TeamScreen) -> list[list[str]]:
    model = screen.model
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def history(screen: TeamScreen) -> list[list[str]]:
    model = screen.history_model
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def select(screen: TeamScreen, login: str) -> None:
    screen.table.setCurrentIndex(screen.model.index(screen.model.row_of(login), 0))


def submit(qtbot: Any, screen: TeamScreen, *, login: str | None = None, name: str | None = None,
           role: str | None = None, expect_change: bool = True) -> None:
    dialog = screen.dialog
    assert dialog is not None and dialog.isVisible()
    if login is not None:
        assert dialog.login is not None
        dialog.login.setText(login)
    if name is not None:
        assert dialog.name is not None
        dialog.name.setText(name)
    if role is not None:
        assert dialog.role is not None
        dialog.role.setCurrentIndex(dialog.role.findData(role))
    # A saved change is followed by the reload that shows it.
    signals = [screen.changed, screen.loaded] if expect_change else [screen.refused]
    with qtbot.waitSignals(signals, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_the_models_pass_the_model_tester(qtmodeltester: Any, desk: Desk) -> None:
    people = PeopleModel()
    people.set_people(desk.service.people())
    qtmodeltester.check(people, force_py=True)
    assert people.rowCount() == 2 and people.data(people.index(1, 0), Qt.ItemDataRole.UserRole) == "wang"
    entries = HistoryModel()
    entries.set_entries(desk.service.history())
    qtmodeltester.check(entries, force_py=True)
    assert entries.rowCount() == 2


def test_a_lead_adds_renames_changes_a_role_and_deactivates_through_the_buttons(
    qtbot: Any, desk: Desk
) -> None:
    screen = desk.screen(qtbot)
    assert rows(screen) == [["赵婷", "zhao", "team lead", "active"], ["王芳", "wang", "agent", "active"]]

    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    submit(qtbot, screen, login="li.wei", name="李伟", role="trainer")
    assert screen.dialog is None
    assert rows(screen)[2] == ["李伟", "li.wei", "trainer", "active"]
    assert screen.current() is not None and screen.current().login == "li.wei"  # type: ignore[union-attr]

    qtbot.mouseClick(screen.rename_button, Qt.MouseButton.LeftButton)
    assert screen.dialog is not None and screen.dialog.name.text() == "李伟"  # type: ignore[union-attr]
    submit(qtbot, screen, name="李伟 Wei")

    select(screen, "wang")
    qtbot.mouseClick(screen.role_button, Qt.MouseButton.LeftButton)
    submit(qtbot, screen, role="lead")

    select(screen, "li.wei")
    assert screen.deactivate_button.isEnabled() and not screen.reactivate_button.isEnabled()
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        qtbot.mouseClick(screen.deactivate_button, Qt.MouseButton.LeftButton)
    assert not screen.deactivate_button.isEnabled() and screen.reactivate_button.isEnabled()
    assert screen.message.text() == "Saved: 李伟 Wei (li.wei), trainer, inactive."

    assert rows(screen) == [
        ["赵婷", "zhao", "team lead", "active"],
        ["王芳", "wang", "team lead", "active"],
        ["李伟 Wei", "li.wei", "trainer", "inactive"],
    ]
    assert history(screen) == [
        ["24.11.2026 10:30", "赵婷", "li.wei", "deactivated"],
        ["24.11.2026 10:30", "赵婷", "wang", "role: agent → team lead"],
        ["24.11.2026 10:30", "赵婷", "li.wei", "renamed: 李伟 → 李伟 Wei"],
        ["24.11.2026 10:30", "赵婷", "li.wei", "added: 李伟, trainer"],
        ["24.11.2026 10:30", "administrator", "wang", "added: 王芳, agent"],
        ["24.11.2026 10:30", "administrator", "zhao", "added: 赵婷, team lead"],
    ]

    with qtbot.waitSignal(screen.loaded, timeout=5000):
        qtbot.mouseClick(screen.reactivate_button, Qt.MouseButton.LeftButton)
    assert rows(screen)[2][3] == "active" and history(screen)[0][3] == "reactivated"


def test_a_refused_addition_keeps_the_dialog_and_its_typing(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot)
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    submit(qtbot, screen, login="Li Wei", name="李伟", expect_change=False)
    dialog = screen.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.error.text() == (
        "login 'Li Wei': use 1 to 64 lowercase letters, digits, dots, dashes or underscores")
    assert dialog.login.text() == "Li Wei" and dialog.name.text() == "李伟"  # type: ignore[union-attr]
    assert dialog.ok_button.isEnabled()
    submit(qtbot, screen, login="wang", expect_change=False)
    assert dialog.error.text() == "login 'wang' is taken by 王芳"
    submit(qtbot, screen, login="li.wei")  # corrected: saved, dialog closed
    assert screen.dialog is None and [r[1] for r in rows(screen)] == ["zhao", "wang", "li.wei"]


def test_the_last_lead_cannot_be_deactivated_and_the_refusal_is_one_line(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot)
    select(screen, "zhao")
    with qtbot.waitSignal(screen.refused, timeout=5000) as refusal:
        qtbot.mouseClick(screen.deactivate_button, Qt.MouseButton.LeftButton)
    assert refusal.args == ["赵婷 is the team's only active lead: make someone else a lead first"]
    assert screen.message.text() == refusal.args[0]
    qtbot.mouseClick(screen.role_button, Qt.MouseButton.LeftButton)
    submit(qtbot, screen, role="agent", expect_change=False)
    assert screen.dialog is not None and "only active lead" in screen.dialog.error.text()
    screen.dialog.reject()
    assert rows(screen)[0] == ["赵婷", "zhao", "team lead", "active"]
    assert len(history(screen)) == 2


def test_the_service_refuses_a_desk_that_is_not_a_leads(qtbot: Any, desk: Desk) -> None:
    # The workspace is only added for leads; a desk that shows it anyway still changes nothing.
    screen = desk.screen(qtbot, actor="wang")
    select(screen, "wang")
    with qtbot.waitSignal(screen.refused, timeout=5000) as refusal:
        qtbot.mouseClick(screen.deactivate_button, Qt.MouseButton.LeftButton)
    assert refusal.args == ["only a team lead can add people or change their names and roles"]
    assert rows(screen)[1][3] == "active"


def test_an_empty_team_says_what_to_do(qtbot: Any, db: Database) -> None:
    runner = TaskRunner()
    screen = TeamScreen(TeamService(db), runner, DeskAgent(0, "admin", "Admin", None, "lead"))
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        screen.show()
    assert screen.empty.isVisible() and "add the first person" in screen.empty.text()
    assert not screen.rename_button.isEnabled() and not screen.deactivate_button.isEnabled()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    runner.shutdown()


def test_showing_the_workspace_again_shows_changes_made_elsewhere(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot)
    desk.service.add("chen", "陈静", "agent", actor=None)  # e.g. the setup assistant or a script
    screen.hide()
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        screen.show()
    assert [r[1] for r in rows(screen)] == ["zhao", "wang", "chen"]
    assert history(screen)[0] == ["24.11.2026 10:30", "administrator", "chen", "added: 陈静, agent"]
