from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from ozondesk import app as app_module


def args(**kw: Any) -> argparse.Namespace:
    base = {"db": None, "demo": False, "self_test": False}
    base.update(kw)
    return argparse.Namespace(**base)


def test_self_test_opens_the_main_window_and_quits_cleanly(qapp: Any) -> None:
    assert app_module.run_app(args(self_test=True)) == 0


def test_the_database_opens_on_a_worker_while_the_event_loop_runs(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from PySide6.QtCore import QTimer

    ticked = threading.Event()
    seen: dict[str, Any] = {}
    real = app_module.open_database

    def opening(*a: Any, **kw: Any) -> Any:
        seen["thread"] = threading.current_thread().name
        # Only a GUI thread that runs its event loop meanwhile fires the timer below.
        seen["painting"] = ticked.wait(10)
        return real(*a, **kw)

    monkeypatch.setattr(app_module, "open_database", opening)
    QTimer.singleShot(0, ticked.set)
    assert app_module.run_app(args(self_test=True)) == 0
    assert seen["painting"] is True and seen["thread"].startswith("ozondesk-db")


def test_an_unreadable_database_shows_a_dialog_not_a_traceback(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    bad = tmp_path / "notes.sqlite"
    bad.write_text("not a database " * 10)
    assert app_module.run_app(args(db=str(bad))) == 2
    assert len(shown) == 1 and "not a SQLite database" in shown[0]
    assert "Traceback" not in capsys.readouterr().err


def test_demo_database_is_created_once_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "DEMO_SIZE", 30)
    db = app_module.prepare_database(args(demo=True))
    path = app_module.demo_database_path()
    db.dispose()
    assert path.exists()
    size = path.stat().st_size
    db = app_module.prepare_database(args(demo=True))  # a second start must not add another 30
    from sqlalchemy import func, select

    from ozondesk.store.models import Conversation

    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 30
    db.dispose()
    assert path.stat().st_size >= size


def test_a_demo_from_an_earlier_day_is_made_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its deadlines ran on while it was closed: reopened as it was, it would be all backlog."""
    import os
    from datetime import timedelta

    from sqlalchemy import func, select

    from ozondesk.domain.clock import utcnow
    from ozondesk.services.demo import generate
    from ozondesk.store.db import open_database
    from ozondesk.store.models import Conversation

    path = app_module.demo_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    old = open_database(str(path))
    generate(old, size=15, now=utcnow() - timedelta(days=2))
    old.dispose()
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(path, (two_days_ago, two_days_ago))  # nobody wrote to it since
    monkeypatch.setattr(app_module, "DEMO_SIZE", 20)
    db = app_module.prepare_database(args(demo=True))
    try:
        with db.read() as session:
            # 20, not the old file's 15: made again, now.
            assert session.scalar(select(func.count()).select_from(Conversation)) == 20
    finally:
        db.dispose()
    assert "making a fresh one" in capsys.readouterr().err


def test_the_demo_desk_opens_as_the_team_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    """#17: every workspace of the demo can be visited without "Work as"."""
    from ozondesk.services.preferences import desk_agent

    monkeypatch.setattr(app_module, "DEMO_SIZE", 20)
    db = app_module.prepare_database(args(demo=True))
    try:
        agent = desk_agent(db)
        assert agent is not None and (agent.login, agent.role) == ("zhao.ting", "lead")
    finally:
        db.dispose()


def test_a_new_desk_starts_with_the_starter_templates(tmp_path: Path) -> None:
    from ozondesk.domain.clock import utcnow
    from ozondesk.services.templates import TemplateService

    db = app_module.prepare_database(args(db=str(tmp_path / "new.sqlite")))
    try:
        assert TemplateService(db).readiness(utcnow()).ok
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("wang.fang", ["inbox", "templates", "drills", "tickets"]),
        ("zhao.ting", ["inbox", "templates", "review", "dashboard", "drills", "team", "tickets"]),
        ("sun.qiang", ["inbox", "templates", "drills", "tickets"]),
    ],
)
def test_each_role_gets_its_workspaces_and_each_one_opens(
    qtbot: Any, tmp_path: Path, login: str, expected: list[str]
) -> None:
    from ozondesk.services.demo import generate
    from ozondesk.services.preferences import set_desk_agent
    from ozondesk.store.db import open_database
    from ozondesk.store.repos.policies import current_policies

    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=40)
    set_desk_agent(db, login)
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = app_module.build_window(db, policies, "http://127.0.0.1:9")
    qtbot.addWidget(window)
    assert window.workspaces.names() == expected
    window.show()
    for name in expected:
        assert window.show_workspace(name)
        assert window.pages.currentWidget() is window.workspaces.widget(name)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=15000)
    # F1 lists every shortcut these workspaces bind, too.
    from PySide6.QtGui import QShortcut

    listed = " / ".join(keys for keys, _does in window.shortcut_entries())
    for shortcut in window.findChildren(QShortcut):
        key = shortcut.key().toString()
        assert key in listed or key in ("Return", "Enter", "Down", "Up"), key
    window.close()
    sync.shutdown()
    db.dispose()


def test_a_colleagues_claim_reaches_the_claim_bar_live(qtbot: Any, tmp_path: Path) -> None:
    from ozondesk.services.claims import ClaimService
    from ozondesk.services.demo import generate
    from ozondesk.services.preferences import desk_agents, set_desk_agent
    from ozondesk.store.db import open_database
    from ozondesk.store.repos.policies import current_policies

    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=30)
    set_desk_agent(db, "wang.fang")
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = app_module.build_window(db, policies, "http://127.0.0.1:9")
    qtbot.addWidget(window)
    window.show()
    window.start()
    assert window.team is not None
    bar = window.team.bar
    assert bar is not None and bar.isVisibleTo(window)
    qtbot.waitUntil(lambda: window.view.detail is not None and bar.conversation_id == window.view.detail.id,
                    timeout=8000)
    qtbot.waitUntil(lambda: "Not claimed" in bar.label.text(), timeout=5000)
    # Another desk (its own connection) claims the open conversation.
    colleague = next(a for a in desk_agents(db) if a.login == "li.wei")
    other = open_database(str(tmp_path / "desk.sqlite"))
    ClaimService(other).claim(bar.conversation_id, colleague.id)
    other.dispose()
    qtbot.waitUntil(lambda: colleague.name in bar.label.text(), timeout=8000)
    window.close()
    sync.shutdown()
    db.dispose()
