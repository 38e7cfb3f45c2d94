"""Nothing is cut, in any language (#17): every workspace of a lead's demo desk, each tab inside
it, the Settings dialog and the setup assistant's pages, laid out offscreen in English, Chinese
and Russian at 1280×720 and 1920×1080, show every button, single-line label, tab and column
header whole (measured with the widgets' font metrics, tests/ui/clipping.py), scroll sideways
nowhere, and never change the window's size.

One window per language (the interface language is read when widgets are built); the sizes and
workspaces are visited in it. A failure lists every problem as
"workspace/lang/size: widget: needs N px, has M px".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from clipping import clipped
from demo_desk import (
    LANGUAGES,
    NO_NETWORK,
    SIZES,
    close_desk,
    interface_language,
    lead_demo,
    open_desk,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QTableView, QTabWidget, QWidget
from support import MemoryKeyring

from ozondesk.store.db import Database


@pytest.fixture
def keys() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def layout_state(window: QWidget) -> tuple[object, ...]:
    """What a late layout pass still changes: scroll areas' viewports and scrollbars, column
    widths, the window's size."""
    state: list[object] = [window.size().toTuple()]
    for area in window.findChildren(QAbstractScrollArea):
        if area.isVisible():
            bar = area.horizontalScrollBar()
            state.append((area.viewport().size().toTuple(), bar.isVisible(), bar.maximum(),
                          area.verticalScrollBar().isVisible()))
            if isinstance(area, QTableView):
                header = area.horizontalHeader()
                state.append(tuple(header.sectionSize(c) for c in range(header.count())))
    return tuple(state)


def settle(qtbot: Any, runner: Any, window: QWidget | None = None) -> None:
    """Wait until the database worker has delivered everything asked of it and the layouts its
    answers changed have run (posted events, a column fit, a scrollbar that came or went): two
    passes of the event loop in a row that change nothing, so what is measured stays on screen."""
    previous: list[object] = [None]

    def quiet() -> bool:
        QApplication.processEvents()
        if runner.pending:
            previous[0] = None
            return False
        state = layout_state(window) if window is not None else ()
        stable = state == previous[0]
        previous[0] = state
        return stable

    qtbot.waitUntil(quiet, timeout=20_000)


def tab_widgets(page: QWidget) -> list[QTabWidget]:
    return [t for t in page.findChildren(QTabWidget) if t.isVisible()]


def check_page(qtbot: Any, window: Any, page: QWidget, where: str) -> list[str]:
    """The page as shown, then each tab of its tab widgets in turn (back to the first after)."""
    problems = clipped(window, where)
    for tabs in tab_widgets(page):
        first = tabs.currentIndex()
        for index in range(tabs.count()):
            if index == first or not tabs.isTabEnabled(index):
                continue
            tabs.setCurrentIndex(index)
            settle(qtbot, window.runner, window)
            problems += clipped(window, f"{where}/{tabs.tabText(index).replace('&', '')}")
        tabs.setCurrentIndex(first)
    return problems


DRILL_ANSWER = ("Здравствуйте! Приносим извинения за неудобства. Оформите, пожалуйста, возврат "
                "в личном кабинете, постараемся решить вопрос в ближайшее время.")


def check_running_drill(qtbot: Any, window: Any, where: str) -> list[str]:
    """A drill under way shows the ticket, its order and a linted answer: the tallest page."""
    trainee = window.workspaces.widget("drills").trainee
    trainee.drill_list.setCurrentRow(0)
    qtbot.waitUntil(trainee.start_button.isEnabled, timeout=8000)
    trainee.start_button.click()
    qtbot.waitUntil(lambda: trainee.attempt is not None and not trainee.answer.editor.isReadOnly(), timeout=10_000)
    trainee.answer.editor.setPlainText(DRILL_ANSWER)
    qtbot.waitUntil(lambda: bool(trainee.answer.findings), timeout=10_000)
    settle(qtbot, window.runner, window)
    return clipped(window, f"{where}/running")


def stage_review(db: Database) -> None:
    """An agent's change to a starter template, waiting for the lead: the review screen then
    shows a queue, a word diff and its findings instead of an empty list."""
    from datetime import UTC, datetime

    from ozondesk.services.preferences import desk_agents
    from ozondesk.services.templates import TemplateService

    service, now = TemplateService(db), datetime.now(UTC)
    agent = next(p for p in desk_agents(db) if p.role == "agent")
    record = next(r for r in service.templates(now) if r.live is not None and r.pending is None)
    service.propose(agent.id, record.id, title=record.live.title, now=now, category=record.category,
                    body=record.live.body.rstrip() + "\nЕсли остались вопросы, напишите нам в этот чат.",
                    tags=record.tags, gloss_zh=record.gloss_zh, submit=True, comment="Приглашение задать вопросы")


def check_selected(qtbot: Any, window: Any, table: QTableView, where: str) -> list[str]:
    """A template list with its first row open: the editor, or the review's diff, filled."""
    qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=10_000)
    table.selectRow(0)
    settle(qtbot, window.runner, window)
    return clipped(window, f"{where}/first row open")


def check_table_view(qtbot: Any, window: Any, where: str) -> list[str]:
    """The inbox as a lead's table (Ctrl+Shift+T): every header whole, no sideways scrolling;
    then back to the compact list."""
    window.table_view_action.trigger()
    qtbot.waitUntil(window.table.isVisible, timeout=8000)
    settle(qtbot, window.runner, window)
    problems = clipped(window, f"{where}/table view")
    header = window.table.horizontalHeader()
    if sum(not header.isSectionHidden(c) for c in range(header.count())) < 3:
        problems.append(f"{where}/table view: fewer than three columns shown")
    window.table_view_action.trigger()
    settle(qtbot, window.runner, window)
    return problems


def check_window(qtbot: Any, window: Any, language: str) -> list[str]:
    problems: list[str] = []
    for width, height in SIZES:
        window.resize(width, height)
        settle(qtbot, window.runner, window)
        for name in window.workspaces.names():
            assert window.show_workspace(name)
            settle(qtbot, window.runner, window)
            where = f"{name}/{language}/{width}x{height}"
            problems += check_page(qtbot, window, window.workspaces.widget(name), where)
            if name == "drills" and (width, height) == SIZES[0]:
                problems += check_running_drill(qtbot, window, where)
            if name == "templates":
                problems += check_selected(qtbot, window, window.workspaces.widget(name).table, where)
            if name == "review":
                problems += check_selected(qtbot, window, window.workspaces.widget(name).queue, where)
            if name == "inbox":
                problems += check_table_view(qtbot, window, where)
            size = (window.width(), window.height())
            if size != (width, height):
                problems.append(f"{where}: the window resized itself to {size[0]}x{size[1]}")
                window.resize(width, height)
                settle(qtbot, window.runner, window)
    return problems


def check_settings(qtbot: Any, window: Any, language: str) -> list[str]:
    dialog = window.open_settings()
    assert dialog is not None
    settle(qtbot, window.runner, window)
    problems = clipped(dialog, f"settings/{language}")
    screen = SIZES[0]
    if dialog.width() > screen[0] or dialog.height() > screen[1]:
        problems.append(f"settings/{language}: the dialog is {dialog.width()}x{dialog.height()}, "
                        f"larger than a {screen[0]}x{screen[1]} screen")
    dialog.close()
    return problems


def check_setup_assistant(qtbot: Any, db: Database, language: str) -> list[str]:
    """Each page of the assistant at the size it opens with, as a fresh desk shows it."""
    from ozondesk.ui.setup.launch import team_service
    from ozondesk.ui.setup.wizard import DESK, SHOP, SYNC, TEAM, SetupWizard

    wizard = SetupWizard(db, team_service(db), base_url=NO_NETWORK)
    qtbot.addWidget(wizard)
    wizard.show()
    problems: list[str] = []
    try:
        for page_id, page in ((SHOP, "shop"), (TEAM, "team"), (DESK, "desk"), (SYNC, "sync")):
            wizard.setStartId(page_id)
            wizard.restart()
            qtbot.waitUntil(lambda p=page_id: wizard.currentId() == p, timeout=8000)
            settle(qtbot, wizard.runner, wizard)
            if page_id == SYNC:
                # The first sync of a demo desk without keys stops at once with its reason.
                qtbot.waitUntil(lambda: not wizard.sync_page.running, timeout=20_000)
                settle(qtbot, wizard.runner, wizard)
            problems += clipped(wizard, f"setup-{page}/{language}/{wizard.width()}x{wizard.height()}")
    finally:
        wizard.close()
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_is_cut_in_any_workspace_dialog_or_assistant_page(
    qtbot: Any, tmp_path: Path, keys: MemoryKeyring, language: str
) -> None:
    db = lead_demo(tmp_path / "desk.sqlite")
    stage_review(db)
    with interface_language(language):
        window, sync, runner = open_desk(db)
        try:
            window.resize(*SIZES[0])
            window.show()
            window.start()
            qtbot.waitExposed(window)
            qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=20_000)
            names = window.workspaces.names()
            assert {"inbox", "templates", "review", "dashboard", "drills", "team", "tickets"} <= set(names)
            problems = check_window(qtbot, window, language)
            problems += check_settings(qtbot, window, language)
        finally:
            close_desk(window, sync, runner)
        problems += check_setup_assistant(qtbot, db, language)
    assert problems == [], "\n".join(["cut or scrolling sideways:", *problems])
